// Automatic certificates (Heroku's ACM): for each app with certs:auto:enable, serve gets a
// certificate for every host of the app over ACME with lego (Debian's `lego`, never our own
// protocol code), one request at a time in a thread of its own, the HTTP-01 challenge answered
// through the router (Router::challenge_to), and renews it acme_renew_days before it expires.
// A failure is recorded (certs:auto, doctor) and retried later; the old certificate keeps
// serving. Files: apps/APP/certs/acme (present: enabled), acme-status (one line per host),
// auto/HOST.pem; lego's account and work files in $ROOT/acme (root's only).
#pragma once

#include <core/app/layout.hpp>
#include <core/run/router.hpp>
#include <util/result.hpp>

#include <atomic>
#include <ctime>
#include <future>
#include <map>
#include <string>
#include <vector>

namespace slipway::core {

struct AcmeHost
{
  std::string status;   // "Cert issued", "Pending", "Failing"
  std::string expires;  // ISO 8601, of the certificate it has
  std::string reason;   // why the last try failed
  std::time_t next = 0; // no try before then
  unsigned failures = 0; // in a row: the wait before the next try doubles with each
};

struct AcmeState
{
  bool enabled = false;
  std::map<std::string, AcmeHost> hosts;
};

util::Result<AcmeState> load_acme_state(const AppPaths& paths);
util::Status save_acme_status(const AppPaths& paths, const std::map<std::string, AcmeHost>& hosts);
util::Status set_acme_enabled(const AppPaths& paths, bool enabled);
// Look at every host of the app again now (certs:auto:refresh): renew what is due, retry what
// failed, without waiting. An error (exit 2) when ACM is disabled.
util::Status refresh_acme(const AppPaths& paths);

class Acme
{
public:
  Acme(std::string root, Router& router) : m_root(std::move(root)), m_router(router) {}
  ~Acme();

  // Look at `apps` (app -> its hosts): when no request runs, start the next one due (a host
  // without a certificate, or one to renew); when one finished, store its certificate or its
  // failure. Returns the app whose certificates changed, or "".
  std::string tick(const std::map<std::string, std::vector<std::string>>& apps);

  // Whether `pid` is the process of the request running now (serve must leave it alone).
  bool
  owns(pid_t pid) const
  {
    return pid > 0 && pid == m_pid.load();
  }

private:
  struct Outcome
  {
    bool ok = false;
    std::string reason; // what lego said last, on failure
  };
  std::string m_root;
  Router& m_router;
  std::future<Outcome> m_running;
  std::string m_app, m_host; // what m_running asks for
  std::atomic<pid_t> m_pid{-1};
  double m_next_scan = 0; // hosts are looked at once a second, not every turn
};

} // namespace slipway::core
