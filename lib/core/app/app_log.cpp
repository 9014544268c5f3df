#include "app_log.hpp"

#include <util/fs.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <deque>
#include <iterator>

namespace slipway::core {

namespace {

// 2026-11-29T15:31:21.123456+00:00
std::string
timestamp()
{
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:06d}+00:00", buf, us);
}

} // namespace

void
AppLogs::write(const std::string& app, const std::string& source, std::string_view line)
{
  AppPaths paths(m_root, app);
  auto& o = m_open[app];
  if (o.fd && o.size >= m_max) {
    flush(o);
    o.fd.reset();
    (void)::rename(paths.log_file().c_str(), (paths.log_file() + ".1").c_str());
  }
  if (!o.fd) {
    if (!util::is_directory(paths.dir())) {
      return; // the app is gone (destroyed): its log must not bring its directory back
    }
    (void)util::make_dirs(util::dir_name(paths.log_file()), 0750);
    o.fd.reset(::open(paths.log_file().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0640));
    struct stat st;
    o.size = o.fd && ::fstat(o.fd.get(), &st) == 0 ? static_cast<unsigned long long>(st.st_size) : 0;
  }
  if (!o.fd) {
    return;
  }
  fmt::format_to(std::back_inserter(o.buffer), "{} {}: {}\n", timestamp(), source, line);
  if (o.buffer.size() >= 65536) {
    flush(o);
  }
}

void
AppLogs::flush(Open& o)
{
  if (o.fd && !o.buffer.empty() && util::write_all(o.fd.get(), o.buffer)) {
    o.size += o.buffer.size();
  }
  o.buffer.clear();
}

void
AppLogs::flush()
{
  for (auto& [app, o] : m_open) {
    flush(o);
  }
}

void
log_event(const AppPaths& paths, unsigned long long max_bytes, std::string_view line)
{
  AppLogs logs(paths.root(), max_bytes); // flushed when it goes
  logs.write(paths.name(), "slipway[api]", line);
}

std::vector<std::string>
tail_log(const AppPaths& paths, size_t count)
{
  std::deque<std::string> lines;
  for (const auto& file : {paths.log_file() + ".1", paths.log_file()}) {
    auto text = util::read_file(file);
    if (!text) {
      continue;
    }
    for (std::string_view rest = *text; !rest.empty();) {
      std::string_view line = rest.substr(0, rest.find('\n'));
      rest.remove_prefix(std::min(rest.size(), line.size() + 1));
      lines.emplace_back(line);
      if (lines.size() > count) {
        lines.pop_front();
      }
    }
  }
  return {lines.begin(), lines.end()};
}

} // namespace slipway::core
