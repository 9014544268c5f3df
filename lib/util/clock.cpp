#include "clock.hpp"

#include <util/fd.hpp>
#include <util/fs.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace slipway::util {

std::string
iso8601_utc(std::time_t t)
{
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string
now_iso8601()
{
  return iso8601_utc(std::time(nullptr));
}

bool
parse_iso8601(const std::string& s, std::time_t& out)
{
  std::tm tm{};
  char z = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &z) != 7 ||
      z != 'Z') {
    return false;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  out = ::timegm(&tm);
  return true;
}

std::string
display_time(const std::string& iso)
{
  std::time_t t;
  if (!parse_iso8601(iso, t)) {
    return iso;
  }
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y/%m/%d %H:%M:%S +0000", &tm);
  return buf;
}

double
monotonic_seconds()
{
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

Result<timespec>
change_time_fence(const std::string& dir, const timespec& after)
{
  Fd probe(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (!probe) {
    return error(errno_message("cannot create a temporary file in", dir));
  }
  for (int tries = 0; tries < 10000; ++tries) {
    struct stat st;
    if (::fchmod(probe.get(), tries % 2 ? 0600 : 0400) != 0 || ::fstat(probe.get(), &st) != 0) {
      return error(errno_message("cannot change a temporary file in", dir));
    }
    if (earlier(after, st.st_ctim)) {
      return st.st_ctim;
    }
    timespec pause{0, 500 * 1000};
    ::nanosleep(&pause, nullptr);
  }
  return error("the file change times in " + dir + " do not advance");
}

} // namespace slipway::util
