#include "serve.hpp"

#include <core/app/app_lookup.hpp>
#include <core/run/dyno_state.hpp>
#include <core/app/app_name.hpp>
#include <core/app/app_user.hpp>
#include <core/run/certs.hpp>
#include <core/run/formation.hpp>
#include <core/release/release_store.hpp>
#include <core/app/settings.hpp>
#include <util/clock.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>
#include <util/strings.hpp>

#include <spdlog/spdlog.h>

#include <fmt/format.h>
#include <grp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>

namespace slipway::core {

namespace {

// Call `fn` with every datagram waiting on the non-blocking socket `fd`.
void
each_datagram(int fd, const std::function<void(std::string_view)>& fn)
{
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
    fn(std::string_view(buf, static_cast<size_t>(n)));
  }
}

// What one app should run now: its current release's record, config and formation.
struct Wanted
{
  unsigned long release = 0;
  std::string dir;
  ConfigVars config;
  ProcessTypes types;
  Formation formation;
  double stop_grace = 30;
  double boot_timeout = 60;
  std::string healthcheck;
  std::optional<AppUser> user;
  unsigned long long max_processes = 0;
  std::map<std::string, DynoSize> sizes;
};

std::optional<Wanted>
wanted(const AppPaths& paths)
{
  if (!util::is_directory(paths.dir())) {
    return std::nullopt;
  }
  ReleaseStore store(paths);
  auto cur = store.current();
  if (!cur) {
    return std::nullopt;
  }
  auto record = store.load(*cur);
  auto config = store.config_of(*cur);
  auto settings = load_settings(paths);
  if (!record || !config || !settings) {
    spdlog::warn("{}: cannot read v{}: {}", paths.name(), *cur,
                 !record   ? record.error().message
                 : !config ? config.error().message
                           : settings.error().message);
    return std::nullopt;
  }
  auto formation = load_formation(paths, record->process_types);
  if (!formation) {
    spdlog::warn("{}: {}", paths.name(), formation.error().message);
    return std::nullopt;
  }
  auto user = app_user(paths.name());
  if (!user) {
    spdlog::warn("{}: {}", paths.name(), user.error().message);
    return std::nullopt;
  }
  auto sizes = load_dyno_sizes(paths, record->process_types);
  if (!sizes) {
    spdlog::warn("{}: {}", paths.name(), sizes.error().message);
    return std::nullopt;
  }
  return Wanted{*cur,
                store.dir(*cur) + "/" + ReleaseFiles::app,
                *config,
                record->process_types,
                *formation,
                static_cast<double>(settings->stop_timeout),
                static_cast<double>(settings->boot_timeout),
                settings->healthcheck_path,
                *user,
                settings->process_limit,
                *sizes};
}

// The spec of dyno TYPE.INDEX as `want` (the app's current release) runs it.
DynoSpec
spec_of(const std::string& app, const Wanted& want, const std::string& type, unsigned index)
{
  auto size = want.sizes.find(type);
  auto command = want.types.find(type);
  return DynoSpec{app,
                  type,
                  index,
                  want.release,
                  command == want.types.end() ? std::string() : command->second,
                  want.dir,
                  want.config,
                  want.user,
                  want.stop_grace,
                  want.boot_timeout,
                  want.healthcheck,
                  want.max_processes,
                  size == want.sizes.end() ? std::string() : size->second.name,
                  size == want.sizes.end() ? 0 : size->second.memory,
                  size == want.sizes.end() ? 0 : size->second.cpu_share};
}

// What the serve before this one recorded of `app`'s dynos that ran (a handle), as statuses
// for Runtime::adopt.
std::vector<DynoStatus>
recorded_dynos(const AppPaths& paths)
{
  std::vector<DynoStatus> out;
  auto list = load_dyno_state(paths);
  std::optional<Wanted> want;
  bool looked = false;
  for (const auto& d : list ? *list : std::vector<PublishedDyno>{}) {
    if (d.handle.empty()) {
      continue;
    }
    if (!looked) {
      want = wanted(paths);
      looked = true;
    }
    DynoStatus o;
    if (want) {
      o.spec = spec_of(paths.name(), *want, d.type, d.index);
    }
    o.spec.app = paths.name();
    o.spec.type = d.type;
    o.spec.index = d.index;
    o.spec.command = d.command;
    if (!want || d.release != want->release) {
      o.spec.release = d.release;
      o.spec.dir = ReleaseStore(paths).dir(d.release) + "/" + ReleaseFiles::app;
      o.spec.config = {};
    }
    if (!o.spec.user) {
      if (auto user = app_user(paths.name())) {
        o.spec.user = *user;
      }
    }
    o.handle = d.handle;
    o.port = d.port;
    o.since = d.since;
    o.state = d.state == "stopping" ? DynoState::stopping : d.state == "up" ? DynoState::up : DynoState::starting;
    out.push_back(o);
  }
  return out;
}

} // namespace

util::Result<std::unique_ptr<Server>>
Server::open(const std::string& root, Runtime& runtime, Router* router, AppLogs& logs, util::Output& out)
{
  ServePaths run(root);
  SW_TRY(util::make_dirs(run.run, 0700));
  std::unique_ptr<Server> s(new Server(root, runtime, router, logs, out));
  SW_TRY_ASSIGN(bool got, util::FileLock::try_acquire(run.lock(), s->m_lock));
  if (!got) {
    std::string holder = util::FileLock::read_note(run.lock());
    return util::error("slipway serve is already running for " + root + (holder.empty() ? "" : " (" + holder + ")") +
                       "; stop it first");
  }
  s->m_lock.set_note(fmt::format("pid {} since {}", ::getpid(), util::now_iso8601()));
  ::unlink(run.socket().c_str());
  s->m_socket.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  sockaddr_un a = socket_address(run.socket());
  if (!s->m_socket || ::bind(s->m_socket.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    return util::error(util::errno_message("cannot listen on", run.socket()));
  }
  ::chmod(run.socket().c_str(), 0600);
  // HAProxy (nobody, when root runs serve) sends its access lines here.
  SW_TRY(util::make_dirs(run.router(), 0755));
  ::unlink(run.router_log().c_str());
  s->m_router_log.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  sockaddr_un la = socket_address(run.router_log());
  if (!s->m_router_log || ::bind(s->m_router_log.get(), reinterpret_cast<sockaddr*>(&la), sizeof la) != 0) {
    return util::error(util::errno_message("cannot listen on", run.router_log()));
  }
  // Only HAProxy may write: as root it runs as nobody:nogroup.
  struct group* workers = ::geteuid() == 0 ? ::getgrnam("nogroup") : nullptr;
  if (workers && ::chown(run.router_log().c_str(), 0, workers->gr_gid) == 0) {
    ::chmod(run.router_log().c_str(), 0660);
  } else {
    ::chmod(run.router_log().c_str(), 0600);
  }

  // A serve that was killed (SIGKILL, a crash) left its dynos running: this one adopts them
  // (the router goes on sending them requests) before starting anything, so that no dyno
  // ever runs twice; what cannot be adopted is stopped.
  std::vector<DynoStatus> recorded;
  if (auto names = list_apps(root)) {
    for (const auto& app : *names) {
      auto of_app = recorded_dynos(AppPaths(root, app));
      recorded.insert(recorded.end(), of_app.begin(), of_app.end());
    }
  }
  runtime.adopt(recorded, 10);
  if (auto names = list_apps(root)) {
    for (const auto& app : *names) {
      s->refresh_hosts(app);
    }
  }
  s->publish(); // what ps shows is this serve's from now on
  return s;
}

void
Server::reconcile(const std::string& app)
{
  AppPaths paths(m_root, app);
  refresh_hosts(app);
  auto want = wanted(paths);
  auto running = m_runtime.dynos(app);
  // Instances a rolling restart replaces (restart()): forgotten once gone.
  auto& replacing = m_replacing[app];
  for (auto it = replacing.begin(); it != replacing.end();) {
    bool there = std::any_of(running.begin(), running.end(), [&](const DynoStatus& d) { return d.instance == *it; });
    it = there ? std::next(it) : replacing.erase(it);
  }
  auto is_wanted = [&](const DynoStatus& d) {
    const DynoSpec& s = d.spec;
    auto it = want ? want->formation.find(s.type) : Formation::const_iterator();
    return want && s.release == want->release && it != want->formation.end() && s.index <= it->second &&
           want->types.count(s.type) && !replacing.count(d.instance);
  };
  Plan& plan = m_plan[app];
  plan = {};
  if (want) {
    plan.release = want->release;
    plan.web = want->formation.count("web") ? want->formation.at("web") : 0;
  }
  // Start what is missing. A web dyno being replaced does not count (its successor starts
  // beside it); any other type does, until it is stopped (one at a time, below).
  if (want) {
    for (const auto& [type, count] : want->formation) {
      for (unsigned i = 1; i <= count; ++i) {
        bool have = std::any_of(running.begin(), running.end(), [&](const DynoStatus& d) {
          return d.state != DynoState::stopping && d.spec.type == type && d.spec.index == i &&
                 d.spec.release == want->release && (type != "web" || !replacing.count(d.instance));
        });
        if (!have) {
          (void)m_runtime.start(spec_of(app, *want, type, i));
        }
      }
    }
    running = m_runtime.dynos(app);
  }
  // The wanted web dynos, all up and the router sending every new request to them alone:
  // only then may other web dynos go, each once it has no request in flight (or after
  // k_drain_seconds).
  std::set<int> new_ports;
  bool new_web_up = want && std::all_of(running.begin(), running.end(), [&](const DynoStatus& d) {
                      bool mine = d.spec.type == "web" && is_wanted(d);
                      if (mine) {
                        new_ports.insert(d.port);
                      }
                      return !mine || d.state == DynoState::up;
                    });
  new_web_up = new_web_up && takes_all(app, new_ports);
  if (!new_web_up) {
    m_drain_since.erase(app);
  } else if (!m_drain_since.count(app)) {
    m_drain_since[app] = util::monotonic_seconds();
  }
  bool drained = new_web_up && util::monotonic_seconds() > m_drain_since[app] + k_drain_seconds;
  std::set<int> busy;
  bool waiting = false;
  bool other_stopping = std::any_of(running.begin(), running.end(), [](const DynoStatus& d) {
    return d.state == DynoState::stopping && d.spec.type != "web";
  });
  // Until then, the newest release among the other web dynos up serves (route()); older ones
  // get no new request and go like the rest.
  unsigned long newest_other = 0;
  for (const auto& d : running) {
    if (d.spec.type == "web" && d.state == DynoState::up && !is_wanted(d)) {
      newest_other = std::max(newest_other, d.spec.release);
    }
  }
  for (const auto& d : running) {
    if (d.state == DynoState::stopping || is_wanted(d)) {
      continue;
    }
    bool serving_web = d.spec.type == "web" && plan.web > 0 && d.state == DynoState::up;
    bool serving_now = serving_web && d.spec.release == newest_other;
    if (serving_now && !new_web_up) {
      waiting = true;
      continue;
    }
    if (serving_web && m_router && m_routed[app].count(d.port)) {
      waiting = true; // the router still sends it requests: route() moves them first
      continue;
    }
    if (serving_web && m_router && !drained) {
      if (busy.empty()) {
        busy = m_router->busy(app);
        busy.insert(-1); // asked
      }
      if (busy.count(d.port)) {
        waiting = true;
        continue;
      }
    }
    if (d.spec.type != "web" && replacing.count(d.instance)) {
      // Other types restart one at a time: the next once the one before is gone.
      if (other_stopping) {
        waiting = true;
        continue;
      }
      other_stopping = true;
    }
    m_runtime.stop(app, d.spec.name(), d.spec.release, d.instance);
  }
  if (waiting || !replacing.empty()) {
    m_switching.insert(app);
  } else {
    m_switching.erase(app);
  }
}

void
Server::refresh_hosts(const std::string& app)
{
  AppPaths paths(m_root, app);
  if (!util::is_directory(paths.dir())) {
    m_hosts.erase(app);
    m_tls.erase(app);
    m_published.erase(app);
    return;
  }
  auto& hosts = m_hosts[app];
  hosts = {app + "." + m_domain};
  if (auto domains = load_domains(paths)) {
    hosts.insert(hosts.end(), domains->begin(), domains->end());
  }
  Tls& tls = m_tls[app];
  tls.certs = certificate_files(paths.certs());
  if (auto settings = load_settings(paths)) {
    tls.force_https = settings->force_https;
    tls.hsts = settings->hsts_max_age;
  }
}

bool
Server::takes_all(const std::string& app, const std::set<int>& ports) const
{
  if (!m_router) {
    return true;
  }
  auto it = m_routed.find(app);
  return it != m_routed.end() && it->second == ports;
}

void
Server::route()
{
  if (!m_router) {
    return;
  }
  std::map<std::string, Route> routes;
  for (const auto& [app, hosts] : m_hosts) {
    Route r;
    r.hosts = hosts;
    const Tls& tls = m_tls[app];
    r.certs = tls.certs;
    r.force_https = tls.force_https;
    r.hsts = tls.hsts;
    // The wanted web dynos take every new request once all are up; until then the others
    // still up keep them (a client never sees an older version after a newer one). Without
    // others (a first start, a scale up), those wanted that are up.
    // Of the others, only the newest release's: older ones are retired (reconcile()).
    const Plan& plan = m_plan[app];
    const auto& replacing = m_replacing[app];
    std::vector<int> fresh;
    std::map<unsigned long, std::vector<int>> others; // release -> ports
    bool complete = plan.web > 0;
    for (const auto& d : m_runtime.dynos(app)) {
      if (d.spec.type != "web" || d.state == DynoState::stopping) {
        continue;
      }
      bool wanted = d.spec.release == plan.release && d.spec.index <= plan.web && !replacing.count(d.instance);
      bool up = d.state == DynoState::up && d.port > 0;
      if (wanted) {
        complete = complete && up;
        if (up) {
          fresh.push_back(d.port);
        }
      } else if (up) {
        others[d.spec.release].push_back(d.port);
      }
    }
    r.ports = complete || others.empty() ? fresh : others.rbegin()->second;
    routes[app] = r;
  }
  // The API host, and the server's certificates (wildcards over APP.<domain>), under a name
  // no app can have.
  if ((!m_api_host.empty() && m_api_port) || !m_server_certs.empty()) {
    Route r;
    if (!m_api_host.empty() && m_api_port) {
      r.hosts = {m_api_host};
      r.ports = {m_api_port};
    }
    r.certs = m_server_certs;
    routes["-server"] = r;
  }
  auto applied = m_router->apply(routes);
  if (!applied) {
    if (applied.error().message != m_router_error) {
      m_out.warn(applied.error().message);
      spdlog::warn("router: {}", applied.error().message);
    }
    m_router_error = applied.error().message;
    return;
  }
  m_router_error.clear();
  for (const auto& [app, r] : routes) {
    m_routed[app] = {r.ports.begin(), r.ports.end()};
  }
}

void
Server::reconcile_all()
{
  if (auto server = load_server_settings(m_root)) {
    m_domain = server->domain;
    m_api_host = server->api_host;
  }
  m_server_certs = certificate_files(ServePaths(m_root).certs());
  std::set<std::string> apps;
  if (auto names = list_apps(m_root)) {
    apps.insert(names->begin(), names->end());
  }
  for (const auto& d : m_runtime.dynos()) {
    apps.insert(d.spec.app); // a destroyed app's dynos stop
  }
  for (const auto& [app, hosts] : m_hosts) {
    apps.insert(app); // a destroyed app leaves the router
  }
  for (const auto& app : apps) {
    reconcile(app);
  }
}

void
Server::publish()
{
  std::map<std::string, std::vector<PublishedDyno>> by_app;
  for (const auto& [app, hosts] : m_hosts) {
    by_app[app];
  }
  for (const auto& d : m_runtime.dynos()) {
    by_app[d.spec.app].push_back({d.spec.name(), d.spec.type, d.spec.command, d.spec.size, to_string(d.state), d.since,
                                  d.last_exit, d.handle, d.spec.index, d.spec.release, d.port});
  }
  for (const auto& [app, list] : by_app) {
    std::string text = dyno_state_text(list);
    if (!m_hosts.count(app) || m_published[app] == text) {
      continue; // gone, or unchanged
    }
    if (util::write_file_atomic(AppPaths(m_root, app).dyno_state(), text, 0640, false)) {
      m_published[app] = text;
    }
  }
}

void
Server::read_socket()
{
  // "APP": look again; "APP WHAT": restart (restart_dynos).
  each_datagram(m_socket.get(), [&](std::string_view msg) {
    auto space = msg.find(' ');
    std::string app(msg.substr(0, space));
    if (!validate_app_name(app)) {
      return;
    }
    if (space != std::string_view::npos) {
      restart(app, std::string(msg.substr(space + 1)));
    }
    reconcile(app);
  });
}

void
Server::read_router_log()
{
  std::map<std::string, std::map<int, std::string>> names; // app -> port -> dyno, looked up once
  auto dyno_at = [&](const std::string& app, int port) {
    if (!names.count(app)) {
      for (const auto& d : m_runtime.dynos(app)) {
        if (d.port > 0) {
          names[app][d.port] = d.spec.name();
        }
      }
    }
    auto it = names[app].find(port);
    return it == names[app].end() ? std::to_string(port) : it->second;
  };
  each_datagram(m_router_log.get(), [&](std::string_view msg) {
    RouterLine line = parse_router_line(msg, dyno_at);
    if (!line.app.empty() && m_hosts.count(line.app)) {
      m_logs.write(line.app, "slipway[router]", line.text);
    }
  });
}

void
Server::restart(const std::string& app, const std::string& what)
{
  // Rolling: each dyno is marked replaced, and reconcile() starts its successor; a web dyno
  // goes once its successors take the traffic and it has no request in flight, any other
  // type one at a time.
  for (const auto& d : m_runtime.dynos(app)) {
    if (d.state != DynoState::stopping && (what == "*" || what == d.spec.type || what == d.spec.name())) {
      m_replacing[app].insert(d.instance);
    }
  }
}

void
Server::run(const std::atomic<bool>& stop)
{
  double next_scan = 0;
  while (!stop) {
    double now = util::monotonic_seconds();
    if (now >= next_scan) {
      reconcile_all(); // catch up with whatever changed while nobody told us
      next_scan = now + 2;
      (void)util::write_file_atomic(ServePaths(m_root).scans(), std::to_string(++m_scans) + "\n", 0600, false);
    }
    read_socket();
    read_router_log();
    for (auto app : std::set<std::string>(m_switching)) {
      reconcile(app);
    }
    if (m_acme) {
      std::string changed = m_acme->tick(m_hosts);
      if (!changed.empty()) {
        refresh_hosts(changed); // its new certificate goes to the router now
      }
    }
    route();
    publish();
    m_logs.flush();
    pollfd p{m_socket.get(), POLLIN, 0};
    ::poll(&p, 1, 0);
    m_runtime.wait(p.revents ? 0 : 0.2);
  }
  m_runtime.stop_all();
  if (m_router) {
    m_router->stop();
  }
  publish();
  m_logs.flush();
}

util::Status
restart_dynos(const std::string& root, const AppPaths& app, const std::string& what)
{
  if (!serve_running(root)) {
    return util::error("slipway serve is not running on this server: no dynos to restart; start it (slipway serve)");
  }
  if (!what.empty()) {
    ReleaseStore store(app);
    auto cur = store.current();
    auto record = cur ? store.load(*cur) : util::Result<ReleaseRecord>(util::error("no release"));
    std::string type = what.substr(0, what.find('.'));
    unsigned long long index = 1;
    bool dyno_ok = what.find('.') == std::string::npos || util::parse_uint(what.substr(what.find('.') + 1), index);
    if (!record || !record->process_types.count(type) || type == "release" || !dyno_ok || index == 0) {
      return util::error("no process type or dyno '" + util::printable(what) + "' on " + app.name() +
                             " (see 'slipway ps -a " + app.name() + "')",
                         2);
    }
  }
  if (!send_to_serve(root, app.name() + " " + (what.empty() ? "*" : what))) {
    return util::error(util::errno_message("cannot reach slipway serve at", ServePaths(root).socket()));
  }
  return {};
}

bool
await_web(const AppPaths& paths, unsigned long version, double timeout, util::Output& out)
{
  bool running = serve_running(paths.root());
  ReleaseStore store(paths);
  auto record = store.load(version);
  auto formation = record ? load_formation(paths, record->process_types) : util::Result<Formation>(util::error(""));
  unsigned long long wanted = formation && formation->count("web") ? formation->at("web") : 0;
  bool any = formation && std::any_of(formation->begin(), formation->end(), [](const auto& f) { return f.second > 0; });
  if (!running) {
    if (any) {
      out.warn(fmt::format("serve is not running: v{}'s dynos start when it does (slipway serve, or systemctl start "
                           "slipway)",
                           version));
    }
    return true;
  }
  if (wanted == 0) {
    return true;
  }
  out.step(fmt::format("Waiting for v{}'s web dynos to accept connections (up to {:.0f}s)", version, timeout));
  double until = util::monotonic_seconds() + timeout + 5;
  while (util::monotonic_seconds() < until) {
    auto list = load_dyno_state(paths);
    unsigned long long up = 0;
    for (const auto& d : list ? *list : std::vector<PublishedDyno>{}) {
      if (d.type != "web" || d.release != version) {
        continue;
      }
      if (d.state == "up") {
        ++up;
      } else if (d.state == "crashed") {
        out.warn(fmt::format("{} of v{} crashed: {}; the web dynos before it keep serving (slipway logs -a {})",
                             d.name, version, d.last_exit, paths.name()));
        return false;
      }
    }
    if (up >= wanted) {
      out.detail(fmt::format("web dynos of v{} up: {}", version, up));
      return true;
    }
    ::usleep(100000);
  }
  out.warn(
      fmt::format("v{}'s web dynos did not come up within {:.0f}s; the ones before keep serving", version, timeout));
  return false;
}

} // namespace slipway::core
