#include "app_log.hpp"

#include <core/app/settings.hpp>
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
    // app.log.N-1 -> app.log.N, ..., app.log -> app.log.1; the oldest beyond `keep` is lost.
    for (unsigned i = m_keep; i > 1; --i) {
      (void)::rename(fmt::format("{}.{}", paths.log_file(), i - 1).c_str(),
                     fmt::format("{}.{}", paths.log_file(), i).c_str());
    }
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
log_event(const AppPaths& paths, const AppSettings& settings, std::string_view line)
{
  AppLogs logs(paths.root(), settings.log_size, static_cast<unsigned>(settings.log_keep)); // flushed when it goes
  logs.write(paths.name(), "slipway[api]", line);
}

std::vector<std::string>
tail_log(const AppPaths& paths, size_t count)
{
  // Newest file first (app.log, app.log.1, ...), each file's last lines before the ones after it.
  std::deque<std::string> lines;
  for (unsigned i = 0; lines.size() < count; ++i) {
    auto text = util::read_file(i == 0 ? paths.log_file() : fmt::format("{}.{}", paths.log_file(), i));
    if (!text) {
      if (i == 0) {
        continue;
      }
      break;
    }
    std::deque<std::string> mine;
    for (std::string_view rest = *text; !rest.empty();) {
      std::string_view line = rest.substr(0, rest.find('\n'));
      rest.remove_prefix(std::min(rest.size(), line.size() + 1));
      mine.emplace_back(line);
      if (mine.size() > count - lines.size()) {
        mine.pop_front();
      }
    }
    lines.insert(lines.begin(), mine.begin(), mine.end());
  }
  return {lines.begin(), lines.end()};
}

} // namespace slipway::core
