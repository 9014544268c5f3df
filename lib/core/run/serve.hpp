// `slipway serve`: keeps every app's dynos as its current release and formation say, through
// a Runtime. All it needs is on disk (each app's `current`, records and formation.yml), so it
// catches up whenever it starts; the engine only nudges it (notify_serve) after a switch.
#pragma once

#include <core/app/app_log.hpp>
#include <core/app/layout.hpp>
#include <core/run/acme.hpp>
#include <core/run/router.hpp>
#include <core/run/runtime.hpp>
#include <core/app/serve_notice.hpp>
#include <util/fd.hpp>
#include <util/file_lock.hpp>
#include <util/output.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace slipway::core {

class Server
{
public:
  // Take the serve lock (a second serve is refused, naming the first) and open the socket.
  // With a `router`, web traffic goes through it; `logs` (the runtime's too) gets the router's
  // lines and is flushed every turn; `out` gets serve's own messages.
  static util::Result<std::unique_ptr<Server>>
  open(const std::string& root, Runtime& runtime, Router* router, AppLogs& logs, util::Output& out);

  // The Platform API listens on 127.0.0.1:`port`: the router sends the server setting
  // api_host there.
  void
  set_api_port(int port)
  {
    m_api_port = port;
  }

  // Get and renew automatic certificates with `acme` (acme.hpp), every turn.
  void
  set_acme(Acme* acme)
  {
    m_acme = acme;
  }

  // Run until `stop` becomes true (a signal handler sets it); then stop every dyno.
  void run(const std::atomic<bool>& stop);

  // Bring one app's dynos in line with its current release and formation: start what is
  // missing; stop what is not wanted, except that a web dyno of an older release (or one a
  // restart replaces) keeps serving until the wanted web dynos are all up and the router
  // sends every new request to them (route()), and then until its requests in flight are done.
  void reconcile(const std::string& app);

private:
  Server(std::string root, Runtime& runtime, Router* router, AppLogs& logs, util::Output& out)
      : m_root(std::move(root)), m_runtime(runtime), m_router(router), m_logs(logs), m_out(out)
  {}
  void route();
  // Re-read `app`'s host names (m_hosts); forget it when it is gone.
  void refresh_hosts(const std::string& app);
  // Whether the router sends every new request of `app` to `ports` and nowhere else, so that
  // other web dynos may go once their requests in flight are done. Always true without one.
  bool takes_all(const std::string& app, const std::set<int>& ports) const;
  void reconcile_all();
  void publish();
  void read_socket();
  void read_router_log();
  void restart(const std::string& app, const std::string& what);

  std::string m_root;
  Runtime& m_runtime;
  Router* m_router;
  Acme* m_acme = nullptr;
  int m_api_port = 0;                                 // set_api_port
  std::string m_api_host;                             // the server's api_host setting
  std::map<std::string, std::string> m_server_certs; // the server's certificates (file -> PEM)
  AppLogs& m_logs;
  util::Output& m_out;
  std::map<std::string, std::set<int>> m_routed; // app -> where the router sends it now
  // What reconcile() found an app should run: route() reads it every turn.
  struct Plan
  {
    unsigned long release = 0; // the current release
    unsigned web = 0;          // web dynos in its formation
  };
  std::map<std::string, Plan> m_plan;
  std::map<std::string, std::set<unsigned long>> m_replacing; // app -> instances a restart replaces
  std::map<std::string, double> m_drain_since; // app -> when its wanted web dynos took all traffic
  static constexpr double k_drain_seconds = 30; // the most an old web dyno's requests get
  std::string m_router_error; // the last one said, so that it is said once
  util::FileLock m_lock;
  util::Fd m_socket;
  util::Fd m_router_log;             // HAProxy's access lines (router.hpp)
  std::set<std::string> m_switching; // apps whose old web dynos wait for the new ones
  // Read from disk by reconcile (every app every 2 s, one app when nudged), not every turn:
  std::string m_domain = "localhost";                      // the server's `domain` setting
  std::map<std::string, std::vector<std::string>> m_hosts; // app -> APP.<domain>, its domains
  struct Tls
  {
    std::map<std::string, std::string> certs; // file -> PEM (certs.hpp)
    bool force_https = false;
    unsigned long long hsts = 0;
  };
  std::map<std::string, Tls> m_tls; // app -> its certificates and HTTPS settings
  std::map<std::string, std::string> m_published;          // app -> dynos.json as last written
  unsigned long m_scans = 0;                               // full scans finished (ServePaths::scans)
};

// After release `version` of `paths` went live: when serve runs and the formation has web
// dynos, wait (up to `timeout` seconds) until serve reports them all up, or one crashed, and
// say which on `out`. False when they did not come up (the older ones keep serving). When serve
// does not run, says that the release's dynos start when it does.
bool await_web(const AppPaths& paths, unsigned long version, double timeout, util::Output& out);

// Ask the running serve to restart `app`'s dynos: all, one type ("web") or one dyno ("web.1").
// Each is stopped and started again from the app's current release. An error when serve is
// not running or `what` names no process type of the current release.
util::Status restart_dynos(const std::string& root, const AppPaths& app, const std::string& what);

} // namespace slipway::core
