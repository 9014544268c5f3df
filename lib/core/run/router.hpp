// The router: nginx from Debian, started and owned by `slipway serve`, with its own config,
// pid and logs under $ROOT/router (never the system's nginx). One server block per app (host
// APP.<domain> and the app's custom domains) proxying to the app's web dynos that are up,
// with Heroku's request headers; an app with none answers 503 naming the app.
#pragma once

#include <core/app/layout.hpp>
#include <util/result.hpp>

#include <map>
#include <string>
#include <vector>

namespace slipway::core {

// Where web traffic for one app goes now.
struct Route
{
  std::vector<std::string> hosts; // APP.<domain>, then the custom domains
  std::vector<int> ports;         // web dynos on 127.0.0.1; none (and no backup): 503
  std::vector<int> backup;        // tried only when no port of `ports` answers
};

class Router
{
public:
  // `listen`: "127.0.0.1:8080", or a port alone. Nothing runs until the first apply().
  Router(std::string root, std::string listen) : m_root(std::move(root)), m_listen(std::move(listen)) {}
  ~Router();

  // Make nginx route as `routes` (app -> route) say: write the config beside the current one,
  // check it with `nginx -t`, then move it in and start nginx or reload it gracefully, and
  // return once the old workers are gone (at most 5 s): from then on every request is routed
  // by the new config. On any failure the previous config stays in force and the error says
  // why.
  util::Status apply(const std::map<std::string, Route>& routes);

  // Stop nginx (graceful: in-flight requests finish), if it runs.
  void stop();

  // nginx's master process, or -1.
  pid_t
  pid() const
  {
    return m_pid;
  }

private:
  std::string m_root;
  std::string m_listen;
  std::string m_applied; // the config text in force
  pid_t m_pid = -1;
  double m_retry_at = 0;    // after nginx failed to start: not before then
  std::string m_last_error; // why it failed
};

// The app's custom domains (apps/APP/domains, one per line).
util::Result<std::vector<std::string>> load_domains(const AppPaths& paths);

// The app whose custom domains hold `host`, or "" when none does.
util::Result<std::string> app_claiming(const std::string& root, const std::string& host);

// Add or remove a custom domain: a valid lowercase host name that no other app has, and not
// under the server's `domain`, where only APP.<domain> answers for APP. Usage errors (exit 2).
util::Status add_domain(const AppPaths& paths, const std::string& host, const std::string& domain);
util::Status remove_domain(const AppPaths& paths, const std::string& host);

} // namespace slipway::core
