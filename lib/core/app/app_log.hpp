// An app's log stream: what its dynos print and what Slipway says about them, one line each,
// as Heroku prints them: "2026-11-29T15:31:21.123456+00:00 app[web.1]: listening". Kept in
// apps/APP/logs/app.log, which moves to app.log.1 (and that to app.log.2, ...) when it passes a size.
#pragma once

#include <core/app/layout.hpp>
#include <core/app/settings.hpp>
#include <util/fd.hpp>
#include <util/output.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::core {

class AppLogs
{
public:
  // `root`: where the apps are; `max_bytes`: the size at which a log is rotated; `keep`: how
  // many rotated files (app.log.1 ... app.log.KEEP) stay.
  AppLogs(std::string root, unsigned long long max_bytes, unsigned keep = 5)
      : m_root(std::move(root)), m_max(max_bytes), m_keep(keep ? keep : 1)
  {}

  // Append one line from `source` ("app[web.1]", "slipway[web.1]") to `app`'s log; nothing when
  // the app is gone. Lines wait in a buffer (64 KiB at most per app) until flush().
  void write(const std::string& app, const std::string& source, std::string_view line);

  // Write out every buffered line.
  void flush();

  ~AppLogs() { flush(); }

private:
  struct Open
  {
    util::Fd fd;
    unsigned long long size = 0; // of the file, buffer included
    std::string buffer;
  };
  void flush(Open& o);
  std::string m_root;
  unsigned long long m_max;
  unsigned m_keep;
  std::map<std::string, Open> m_open;
};

// An Output that puts every line into one app's log as coming from `source` ("app[release.1]").
class AppLogOutput : public util::Output
{
public:
  AppLogOutput(AppLogs& logs, std::string app, std::string source)
      : m_logs(logs), m_app(std::move(app)), m_source(std::move(source))
  {}
  void
  line(std::string_view text) override
  {
    m_logs.write(m_app, m_source, text);
    m_logs.flush(); // as it happens: `logs --tail` follows a release phase line by line
  }

private:
  AppLogs& m_logs;
  std::string m_app, m_source;
};

// Append one line to `paths`' log from a command (not serve): what it did, as Heroku's
// "heroku[api]: Release v5 created by user" lines. Rotated as `settings` (log_size, log_keep) say.
void log_event(const AppPaths& paths, const AppSettings& settings, std::string_view line);

// The last `count` lines of `app`'s log (fewer when it has fewer).
std::vector<std::string> tail_log(const AppPaths& paths, size_t count);

} // namespace slipway::core
