#include "router.hpp"

#include <core/app/app_name.hpp>
#include <core/run/certs.hpp>

#include <util/clock.hpp>
#include <util/fs.hpp>
#include <util/process.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>

namespace slipway::core {

namespace {

const char* const k_haproxy = "/usr/sbin/haproxy";

// A host name HAProxy and DNS accept: lowercase labels of letters, digits and inner dashes.
bool
valid_host(const std::string& h)
{
  if (h.empty() || h.size() > 253) {
    return false;
  }
  for (const auto& label : util::split(h, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        label.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
      return false;
    }
  }
  return true;
}

std::string
slot_name(unsigned n)
{
  return "slot" + std::to_string(n);
}

// HAProxy's bind address for `listen` ("127.0.0.1:8080", or a port alone: every address).
std::string
bind_address(const std::string& listen)
{
  return listen.find(':') == std::string::npos ? ":" + listen : listen;
}

// The config HAProxy starts with: the frontend that picks an app by host (hosts.map, then
// apps.map), `slots` backends (the spare ones take new apps without a restart), and the
// dynos each app has now. Everything after the start changes through the runtime API.
// The port of a listen address ("127.0.0.1:8443" or "8443").
std::string
port_of(const std::string& listen)
{
  return listen.substr(listen.rfind(':') + 1);
}

std::string
config_text(const ServePaths& run,
            const std::string& listen,
            const std::string& https,
            unsigned slots,
            unsigned per_slot,
            const std::map<std::string, unsigned>& slot_of,
            const std::map<std::string, Route>& routes)
{
  // As root, HAProxy binds (port 80) and then runs as nobody, as the port fence expects.
  std::string user = ::geteuid() == 0 ? "  user nobody\n  group nogroup\n" : "";
  std::string tls, redirect;
  if (!https.empty()) {
    // The first certificate of the list (default.pem) answers hosts no certificate covers.
    tls = fmt::format("  bind {} ssl crt-list {} alpn h2,http/1.1\n", bind_address(https), run.router() + "/certs.list");
    std::string acme = "!{ path_beg /.well-known/acme-challenge/ }";
    std::string forced = fmt::format("!{{ ssl_fc }} {{ var(txn.app),map({}) -m found }} {}", run.router_map("https"), acme);
    redirect = port_of(https) == "443"
                   ? fmt::format("  http-request redirect scheme https code 301 if {}\n", forced)
                   : fmt::format("  http-request redirect location https://%[var(txn.host)]:{}%[capture.req.uri] code "
                                 "301 if {}\n",
                                 port_of(https), forced);
    redirect += fmt::format("  http-response set-header Strict-Transport-Security max-age=%[var(txn.app),map({0})] "
                            "if {{ ssl_fc }} {{ var(txn.app),map({0}) -m found }}\n",
                            run.router_map("hsts"));
  }
  std::string c = fmt::format(R"(# Written by slipway serve when it starts the router; every routing change after that goes
# through the runtime API ({admin}), never a reload.
global
  nbthread 1
  stats socket {admin} mode 600 level admin expose-fd listeners
  log {log} len 8192 format raw local0
{user}defaults
  mode http
  log global
  option dontlognull
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-request 30s
  timeout http-keep-alive 60s
  timeout queue 30s
  # A dyno that refuses the connection, or closes a reused one without answering: another.
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response
  # A router that another took over from (serve restarted, more backends) keeps each idle
  # keep-alive connection until its next request, answered with "Connection: close": a client
  # never has its connection closed under a request it is sending.
  option idle-close-on-response
frontend router
  bind {bind}
{tls}  unique-id-format %[uuid(4)]
  # One raw line per request; serve writes it in Heroku's words (parse_router_line).
  log-format "%[var(txn.app)] %HM %[var(txn.host)] %ID %ci %sp %Tc %Tr %ST %B %[ssl_fc,iif(https,http)] %HU"
  http-request set-var(txn.host) req.hdr(host),field(1,:),lower
  http-request set-var(txn.app) var(txn.host),map({hosts})
  # The app gets the path alone, as for any request (the host is in Host).
  http-request set-uri %[pathq] if !{{ url_beg / }}
  # Only the router says which host a request came for, and how.
  http-request del-header X-Forwarded-Host
  http-request set-header X-Forwarded-For "%[req.fhdr(x-forwarded-for)], %[src]" if {{ req.fhdr(x-forwarded-for) -m found }}
  http-request set-header X-Forwarded-For %[src] if !{{ req.fhdr(x-forwarded-for) -m found }}
  http-request set-header X-Forwarded-Proto %[ssl_fc,iif(https,http)]
  http-request set-header X-Forwarded-Port %[dst_port]
  http-request set-header X-Request-Id %[unique-id]
  http-request set-header X-Request-Start t=%[date(0,ms)]
{redirect}  use_backend acme if {{ path_beg /.well-known/acme-challenge/ }}
  use_backend %[var(txn.app),map({apps})] if {{ var(txn.app) -m found }}
  default_backend no_app
backend no_app
  http-request return status 404 content-type text/plain string "No such app on this server\n"
# ACME's HTTP-01 challenges go to the ACME client while it runs (Router::challenge_to).
backend acme
  http-request return status 503 content-type text/plain string "No ACME challenge is pending\n" if {{ nbsrv eq 0 }}
  server client 127.0.0.1:1 disabled
)",
                              fmt::arg("admin", run.router_admin()), fmt::arg("log", run.router_log()),
                              fmt::arg("user", user), fmt::arg("bind", bind_address(listen)),
                              fmt::arg("hosts", run.router_map("hosts")), fmt::arg("apps", run.router_map("apps")),
                              fmt::arg("tls", tls), fmt::arg("redirect", redirect));
  std::map<unsigned, const Route*> by_slot;
  for (const auto& [app, slot] : slot_of) {
    auto it = routes.find(app);
    by_slot[slot] = it == routes.end() ? nullptr : &it->second;
  }
  for (unsigned n = 1; n <= slots; ++n) {
    // A router that another took over from counts no server (its backends are stopped), yet
    // sends the last request of each connection it keeps to them: not an app without dynos.
    c += fmt::format("backend {}\n  balance roundrobin\n  http-request return status 503 content-type text/plain "
                     "lf-string \"%[be_name,map({})]: no web dyno is running\\n\" if {{ nbsrv eq 0 }} !{{ stopping }}\n",
                     slot_name(n), run.router_map("slots"));
    // s1..sK: the dynos it has now; the rest wait, disabled, for the runtime API to use them.
    unsigned k = 0;
    if (by_slot.count(n) && by_slot[n]) {
      for (int port : by_slot[n]->ports) {
        c += fmt::format("  server s{} 127.0.0.1:{}\n", ++k, port);
      }
    }
    c += k + 1 == per_slot ? fmt::format("  server s{} 127.0.0.1:1 disabled\n", per_slot)
                           : fmt::format("  server-template s {}-{} 127.0.0.1:1 disabled\n", k + 1, per_slot);
  }
  return c;
}

// "set ssl cert FILE <<" and the PEM: the runtime API's payload ends at the first empty line.
std::string
cert_payload(const std::string& verb, const std::string& file, const std::string& pem)
{
  std::string body;
  for (const auto& line : util::split(pem, '\n')) {
    if (!util::trim(line).empty()) {
      body += line + "\n";
    }
  }
  return verb + " " + file + " <<\n" + body;
}

// HAProxy's own complaint: its first [ALERT] line without the prefix, else its last line.
std::string
complaint(const std::string& output, const std::string& otherwise)
{
  std::vector<std::string> alerts;
  std::string last;
  for (const auto& raw : util::split(output, '\n')) {
    std::string line(util::trim(raw));
    if (line.empty()) {
      continue;
    }
    last = line;
    if (line.find("[ALERT]") == std::string::npos || line.find("Fatal errors") != std::string::npos ||
        line.find("Error(s) found") != std::string::npos) {
      continue;
    }
    auto colon = line.find(" : ", line.find("[ALERT]"));
    std::string what = colon == std::string::npos ? line : line.substr(colon + 3);
    if (what.starts_with("config : ")) {
      what = what.substr(9);
    }
    alerts.push_back(what);
  }
  return alerts.empty() ? (last.empty() ? otherwise : last) : alerts.front();
}

// Everything readable now from non-blocking `fd`.
std::string
drain(int fd)
{
  std::string out;
  char buf[4096];
  ssize_t n;
  while (fd >= 0 && (n = ::read(fd, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// The HAProxy a serve before this one left running on this root (killed before it could
// stop it), or -1: its pid file names it and its command line has this root's config.
pid_t
leftover(const ServePaths& run)
{
  auto text = util::read_file(run.router_pid());
  unsigned long long pid = 0;
  if (!text || !util::parse_uint(util::trim(*text), pid) || pid <= 1) {
    return -1;
  }
  auto cmd = util::read_file(fmt::format("/proc/{}/cmdline", pid));
  if (!cmd || cmd->find("haproxy") == std::string::npos || cmd->find(run.router_config()) == std::string::npos) {
    return -1;
  }
  return static_cast<pid_t>(pid);
}

// The smallest power of two >= 2 * n, at least 64: room for new apps without a restart.
unsigned
slot_count(size_t apps)
{
  unsigned n = 64;
  while (n < 2 * apps) {
    n *= 2;
  }
  return n;
}

} // namespace

Router::~Router()
{
  stop();
}

util::Result<std::string>
Router::admin(const std::string& command) const
{
  std::string path = ServePaths(m_root).router_admin();
  util::Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) {
    return util::error("the router's admin socket path is too long: " + path);
  }
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  if (!fd || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    return util::error(util::errno_message("cannot reach the router at", path));
  }
  std::string line = command + "\n";
  if (::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    return util::error(util::errno_message("cannot talk to the router at", path));
  }
  std::string answer;
  char buf[16384];
  double until = util::monotonic_seconds() + 5;
  for (;;) {
    pollfd p{fd.get(), POLLIN, 0};
    int left = static_cast<int>((until - util::monotonic_seconds()) * 1000);
    if (left <= 0 || ::poll(&p, 1, left) <= 0) {
      return util::error("the router did not answer '" + command + "' within 5s");
    }
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    answer.append(buf, static_cast<size_t>(n));
  }
  // The runtime API answers refusals in words, never with a status.
  for (const char* refusal : {"No such", "Unknown", "not found", "Require", "cannot", "Can't", "failed", "Failed"}) {
    if (!command.starts_with("show ") && answer.find(refusal) != std::string::npos) {
      return util::error("the router refused '" + command + "': " + std::string(util::trim(answer)));
    }
  }
  return answer;
}

util::Status
Router::write_maps(const std::map<std::string, Route>& routes) const
{
  ServePaths run(m_root);
  std::string hosts, apps, slots;
  for (const auto& [app, slot] : m_slot) {
    apps += app + " " + slot_name(slot) + "\n";
    slots += slot_name(slot) + " " + app + "\n";
    auto it = routes.find(app);
    for (const auto& h : it == routes.end() ? std::vector<std::string>{} : it->second.hosts) {
      hosts += h + " " + app + "\n" + h + ". " + app + "\n";
    }
  }
  std::string https, hsts, certs = run.router() + "/default.pem\n";
  for (const auto& [app, route] : routes) {
    if (route.force_https) {
      https += app + " 1\n";
    }
    if (route.hsts) {
      hsts += app + " " + std::to_string(route.hsts) + "\n";
    }
    for (const auto& [file, pem] : m_https.empty() ? std::map<std::string, std::string>{} : route.certs) {
      certs += file + "\n";
    }
  }
  SW_TRY(util::write_file_atomic(run.router_map("https"), https, 0644));
  SW_TRY(util::write_file_atomic(run.router_map("hsts"), hsts, 0644));
  SW_TRY(util::write_file_atomic(run.router() + "/certs.list", certs, 0600));
  SW_TRY(util::write_file_atomic(run.router_map("hosts"), hosts, 0644));
  SW_TRY(util::write_file_atomic(run.router_map("apps"), apps, 0644));
  return util::write_file_atomic(run.router_map("slots"), slots, 0644);
}

util::Status
Router::start(const std::map<std::string, Route>& routes)
{
  ServePaths run(m_root);
  std::string dir = run.router();
  if (::access(k_haproxy, X_OK) != 0) {
    return util::error("HAProxy is not installed (" + std::string(k_haproxy) +
                       "): the router cannot run; install it (apt-get install haproxy)");
  }
  SW_TRY(util::make_dirs(dir, 0755));
  m_slot.clear();
  unsigned n = 0;
  for (const auto& [app, route] : routes) {
    m_slot[app] = ++n;
  }
  m_slots = slot_count(routes.size());
  size_t most = 0;
  for (const auto& [app, route] : routes) {
    most = std::max(most, route.ports.size());
  }
  m_per_slot = slot_count(most) / 4; // 16, or twice the most web dynos an app has
  SW_TRY(write_maps(routes));
  std::string conf = run.router_config();
  // Root's HAProxy reads it before it becomes nobody; app users may not (every dyno's port).
  if (!m_https.empty() && !util::path_exists(run.router() + "/default.pem")) {
    SW_TRY_ASSIGN(std::string pem, self_signed_certificate("slipway-default"));
    SW_TRY(util::write_file_atomic(run.router() + "/default.pem", pem, 0600));
  }
  SW_TRY(util::write_file_atomic(conf, config_text(run, m_listen, m_https, m_slots, m_per_slot, m_slot, routes), 0600));
  util::ProcessSpec check;
  check.argv = {k_haproxy, "-c", "-f", conf};
  check.env = {"PATH=/usr/sbin:/usr/bin:/bin"};
  check.timeout_seconds = 30;
  std::string said;
  SW_TRY_ASSIGN(auto r, util::run_process(check, [&](std::string_view line) { said += std::string(line) + "\n"; }));
  if (!r.success()) {
    m_retry_at = util::monotonic_seconds() + 10;
    m_last_error = "haproxy -c refused the router config (" + complaint(said, r.describe()) +
                   "); no router runs, trying again every 10s";
    return util::error(m_last_error);
  }
  util::ProcessSpec spec;
  spec.argv = {k_haproxy, "-f", conf, "-db"};
  pid_t old = leftover(run);
  if (old > 0) {
    // It keeps serving until this one has its listening sockets (-x), then finishes what it
    // serves and exits (-sf): a client never finds the port closed.
    spec.argv.insert(spec.argv.end(), {"-x", run.router_admin(), "-sf", std::to_string(old)});
  } else {
    ::unlink(run.router_admin().c_str());
  }
  spec.env = {"PATH=/usr/sbin:/usr/bin:/bin"};
  // Not tied to serve: a serve killed outright leaves the router serving (the next takes over).
  spec.new_session = true;
  SW_TRY_ASSIGN(util::Spawned proxy, util::spawn_process(spec));
  // HAProxy opens its admin socket once it listens; it exits when it cannot bind.
  std::string output;
  for (int i = 0;; ++i) {
    output += drain(proxy.output.get());
    auto info = util::path_exists(run.router_admin()) ? admin("show info") : util::Result<std::string>(util::error(""));
    if (info && info->find(fmt::format("\nPid: {}\n", proxy.pid)) != std::string::npos) {
      break; // this one's socket, not the leftover's
    }
    int status = 0;
    bool gone = ::waitpid(proxy.pid, &status, WNOHANG) == proxy.pid || ::kill(proxy.pid, 0) != 0;
    if (gone || i == 100) {
      ::kill(proxy.pid, SIGKILL);
      ::waitpid(proxy.pid, &status, 0);
      output += drain(proxy.output.get());
      m_retry_at = util::monotonic_seconds() + 10;
      m_last_error = "HAProxy could not start the router on " + m_listen + ": " + complaint(output, "it exited") +
                     "; trying again every 10s";
      return util::error(m_last_error);
    }
    ::usleep(50000);
  }
  m_pid = proxy.pid;
  m_output = std::move(proxy.output);
  SW_TRY(util::write_file_atomic(run.router_pid(), std::to_string(m_pid) + "\n", 0644));
  m_hosts.clear();
  m_servers.clear();
  m_certs.clear();
  m_flags.clear();
  m_challenge = 0;
  for (const auto& [app, route] : routes) {
    if (!m_https.empty()) {
      m_certs.insert(route.certs.begin(), route.certs.end());
      if (route.force_https) {
        m_flags["https " + app] = "1";
      }
      if (route.hsts) {
        m_flags["hsts " + app] = std::to_string(route.hsts);
      }
    }
    for (const auto& h : route.hosts) {
      m_hosts[h] = app;
    }
    Servers& servers = m_servers[app];
    for (int port : route.ports) {
      servers.index[port] = static_cast<unsigned>(servers.index.size() + 1);
      servers.on.insert(port);
    }
  }
  return {};
}

util::Status
Router::restart(const std::map<std::string, Route>& routes)
{
  // The new HAProxy takes the listening sockets of the one running (leftover(): -x, -sf),
  // which finishes what it serves and exits.
  pid_t old = m_pid;
  m_pid = -1;
  m_output.reset();
  SW_TRY(start(routes));
  m_retiring.push_back(old);
  return {};
}

bool
Router::owns(pid_t pid) const
{
  return pid > 0 && (pid == m_pid || std::find(m_retiring.begin(), m_retiring.end(), pid) != m_retiring.end());
}

util::Status
Router::update(const std::map<std::string, Route>& routes)
{
  ServePaths run(m_root);
  bool maps_changed = false;
  // New apps take a spare slot; with none left, HAProxy starts again with more.
  for (const auto& [app, route] : routes) {
    if (m_slot.count(app)) {
      continue;
    }
    std::set<unsigned> used;
    for (const auto& [a, s] : m_slot) {
      used.insert(s);
    }
    unsigned free = 1;
    while (used.count(free)) {
      ++free;
    }
    if (free > m_slots) {
      return restart(routes);
    }
    // A slot an earlier app had (its dynos are gone from it already) keeps its name there.
    (void)admin(fmt::format("del map {} {}", run.router_map("slots"), slot_name(free)));
    SW_TRY(admin(fmt::format("add map {} {} {}", run.router_map("slots"), slot_name(free), app)));
    SW_TRY(admin(fmt::format("add map {} {} {}", run.router_map("apps"), app, slot_name(free))));
    m_slot[app] = free;
    maps_changed = true;
  }
  // Dynos first (a new host then finds its app's dynos), then host names.
  for (const auto& [app, slot] : m_slot) {
    auto it = routes.find(app);
    std::set<int> want;
    if (it != routes.end()) {
      want.insert(it->second.ports.begin(), it->second.ports.end());
    }
    Servers& servers = m_servers[app];
    std::string backend = slot_name(slot);
    // The dynos in and out in one line of commands, which HAProxy runs in one go: no request
    // ever finds both an old dyno and its successor taking requests (a client would see the
    // older version after the newer one).
    std::vector<std::string> switches;
    for (int port : want) {
      if (servers.on.count(port)) {
        continue;
      }
      auto at = servers.index.find(port);
      if (at == servers.index.end()) {
        std::set<unsigned> used;
        for (const auto& [p, n] : servers.index) {
          used.insert(n);
        }
        unsigned n = 1;
        while (used.count(n)) {
          ++n;
        }
        if (n > m_per_slot) {
          return restart(routes); // more dynos than the backend has servers
        }
        SW_TRY(admin(fmt::format("set server {}/s{} addr 127.0.0.1 port {}", backend, n, port)));
        at = servers.index.emplace(port, n).first;
      }
      switches.push_back(fmt::format("set server {}/s{} state ready", backend, at->second));
    }
    for (int port : servers.on) {
      if (!want.count(port)) {
        // No new request goes there; those in flight finish. Its server is free once none is left.
        switches.push_back(fmt::format("set server {}/s{} state maint", backend, servers.index[port]));
      }
    }
    if (!switches.empty()) {
      SW_TRY(admin(util::join(switches, "; ")));
      servers.on = want;
    }
  }
  // Certificates: loaded, then listed (SNI picks them by their names); changed in place;
  // unlisted, then dropped. Only with an HTTPS listener.
  std::map<std::string, std::string> certs, flags;
  for (const auto& [app, route] : m_https.empty() ? std::map<std::string, Route>{} : routes) {
    certs.insert(route.certs.begin(), route.certs.end());
    if (route.force_https) {
      flags["https " + app] = "1";
    }
    if (route.hsts) {
      flags["hsts " + app] = std::to_string(route.hsts);
    }
  }
  std::string list = run.router() + "/certs.list";
  for (const auto& [file, pem] : certs) {
    auto it = m_certs.find(file);
    if (it != m_certs.end() && it->second == pem) {
      continue;
    }
    if (it == m_certs.end()) {
      SW_TRY(admin("new ssl cert " + file));
    }
    auto set = admin(cert_payload("set ssl cert", file, pem));
    if (!set) {
      (void)admin("abort ssl cert " + file);
      if (it == m_certs.end()) {
        (void)admin("del ssl cert " + file);
      }
      return set.error();
    }
    SW_TRY(admin("commit ssl cert " + file));
    if (it == m_certs.end()) {
      SW_TRY(admin(fmt::format("add ssl crt-list {} {}", list, file)));
    }
    m_certs[file] = pem;
    maps_changed = true;
  }
  for (const auto& [file, pem] : std::map<std::string, std::string>(m_certs)) {
    if (!certs.count(file)) {
      SW_TRY(admin(fmt::format("del ssl crt-list {} {}", list, file)));
      (void)admin("del ssl cert " + file); // refused while a connection still uses it: harmless
      m_certs.erase(file);
      maps_changed = true;
    }
  }
  for (const auto& [key, value] : flags) {
    auto it = m_flags.find(key);
    if (it == m_flags.end() || it->second != value) {
      auto space = key.find(' ');
      std::string map = run.router_map(key.substr(0, space)), app = key.substr(space + 1);
      SW_TRY(admin(fmt::format("{} map {} {} {}", it == m_flags.end() ? "add" : "set", map, app, value)));
      m_flags[key] = value;
      maps_changed = true;
    }
  }
  for (const auto& [key, value] : std::map<std::string, std::string>(m_flags)) {
    if (!flags.count(key)) {
      auto space = key.find(' ');
      SW_TRY(admin(fmt::format("del map {} {}", run.router_map(key.substr(0, space)), key.substr(space + 1))));
      m_flags.erase(key);
      maps_changed = true;
    }
  }
  std::map<std::string, std::string> hosts;
  for (const auto& [app, route] : routes) {
    for (const auto& h : route.hosts) {
      hosts[h] = app;
    }
  }
  for (const auto& [host, app] : m_hosts) {
    if (!hosts.count(host)) {
      SW_TRY(admin(fmt::format("del map {} {}", run.router_map("hosts"), host)));
      (void)admin(fmt::format("del map {} {}.", run.router_map("hosts"), host));
      maps_changed = true;
    }
  }
  for (const auto& [host, app] : hosts) {
    auto it = m_hosts.find(host);
    if (it != m_hosts.end() && it->second == app) {
      continue;
    }
    const char* verb = it == m_hosts.end() ? "add" : "set";
    SW_TRY(admin(fmt::format("{} map {} {} {}", verb, run.router_map("hosts"), host, app)));
    SW_TRY(admin(fmt::format("{} map {} {}. {}", verb, run.router_map("hosts"), host, app)));
    maps_changed = true;
  }
  m_hosts = hosts;
  // Apps gone: their slot is free again once its dynos are.
  for (auto it = m_slot.begin(); it != m_slot.end();) {
    if (routes.count(it->first) || !m_servers[it->first].index.empty()) {
      ++it;
      continue;
    }
    (void)admin(fmt::format("del map {} {}", run.router_map("apps"), it->first));
    m_servers.erase(it->first);
    it = m_slot.erase(it);
    maps_changed = true;
  }
  if (maps_changed) {
    SW_TRY(write_maps(routes));
  }
  return {};
}

util::Status
Router::apply(const std::map<std::string, Route>& routes)
{
  std::erase_if(m_retiring, [](pid_t p) {
    int status = 0;
    return ::waitpid(p, &status, WNOHANG) == p || ::kill(p, 0) != 0;
  });
  int status = 0;
  bool running = m_pid > 0 && ::waitpid(m_pid, &status, WNOHANG) == 0 && ::kill(m_pid, 0) == 0;
  if (!running && m_pid > 0) {
    std::string said = complaint(drain(m_output.get()), "it exited");
    m_pid = -1;
    m_output.reset();
    m_retry_at = 0;
    m_last_error = "the router stopped (" + said + "); starting it again";
  }
  if (!running) {
    if (util::monotonic_seconds() < m_retry_at) {
      return util::error(m_last_error);
    }
    return start(routes);
  }
  (void)drain(m_output.get()); // what it says while it runs is never read, so never blocks it
  SW_TRY(update(routes));
  // Dynos taken out with nothing left on their servers (no request, and no connection, idle
  // ones included: a server given another port would reuse those): their servers are free.
  for (auto& [app, servers] : m_servers) {
    if (servers.index.size() == servers.on.size()) {
      continue;
    }
    std::set<int> in_flight = holding(app, {"qcur", "scur", "idle_conn_cur", "safe_conn_cur", "used_conn_cur"});
    for (auto it = servers.index.begin(); it != servers.index.end();) {
      bool free = !servers.on.count(it->first) && !in_flight.count(it->first);
      it = free ? servers.index.erase(it) : std::next(it);
    }
  }
  return {};
}

util::Status
Router::challenge_to(int port)
{
  if (m_pid <= 0) {
    return util::error("the router is not running: ACME's challenges cannot reach the ACME client");
  }
  if (port == m_challenge) {
    return {};
  }
  if (port) {
    SW_TRY(admin(fmt::format("set server acme/client addr 127.0.0.1 port {}", port)));
    SW_TRY(admin("set server acme/client state ready"));
  } else {
    SW_TRY(admin("set server acme/client state maint"));
  }
  m_challenge = port;
  return {};
}

std::set<int>
Router::busy(const std::string& app) const
{
  return holding(app, {"qcur", "scur"});
}

std::set<int>
Router::holding(const std::string& app, const std::vector<std::string>& fields) const
{
  std::set<int> out;
  auto slot = m_slot.find(app);
  auto servers = m_servers.find(app);
  if (slot == m_slot.end() || servers == m_servers.end() || m_pid <= 0) {
    return out;
  }
  std::map<std::string, int> port_of_server;
  for (const auto& [port, n] : servers->second.index) {
    port_of_server["s" + std::to_string(n)] = port;
  }
  auto stat = admin("show stat");
  auto lines = util::split(stat ? *stat : "", '\n');
  if (lines.empty()) {
    return out;
  }
  // "# pxname,svname,qcur,qmax,scur,...": the columns by name.
  auto header = util::split(lines[0].substr(lines[0].starts_with("# ") ? 2 : 0), ',');
  std::vector<size_t> columns;
  for (const auto& name : fields) {
    auto it = std::find(header.begin(), header.end(), name);
    if (it != header.end()) {
      columns.push_back(static_cast<size_t>(it - header.begin()));
    }
  }
  std::string backend = slot_name(slot->second);
  for (size_t i = 1; i < lines.size(); ++i) {
    auto f = util::split(lines[i], ',');
    if (f.size() < 2 || f[0] != backend || !port_of_server.count(f[1])) {
      continue;
    }
    for (size_t c : columns) {
      unsigned long long n = 0;
      if (c < f.size() && util::parse_uint(f[c], n) && n > 0) {
        out.insert(port_of_server[f[1]]);
      }
    }
  }
  return out;
}

void
Router::stop()
{
  if (m_pid <= 0) {
    return;
  }
  ::kill(m_pid, SIGUSR1); // soft stop: in-flight requests finish
  for (int i = 0; i < 100 && ::kill(m_pid, 0) == 0; ++i) {
    int status;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
      break;
    }
    ::usleep(50000);
  }
  ::kill(m_pid, SIGKILL);
  ::waitpid(m_pid, nullptr, WNOHANG);
  ::unlink(ServePaths(m_root).router_pid().c_str());
  m_pid = -1;
  m_output.reset();
}

RouterLine
parse_router_line(std::string_view raw, const std::function<std::string(const std::string&, int)>& dyno_at)
{
  // APP METHOD HOST ID CLIENT PORT CONNECT_MS SERVICE_MS STATUS BYTES PROTOCOL URI
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\0')) {
    raw.remove_suffix(1);
  }
  std::vector<std::string> f;
  for (int i = 0; i < 11; ++i) {
    auto space = raw.find(' ');
    if (space == std::string_view::npos) {
      return {};
    }
    f.emplace_back(raw.substr(0, space));
    raw.remove_prefix(space + 1);
  }
  if (!validate_app_name(f[0])) {
    return {}; // "-": no app has the host
  }
  unsigned long long port = 0;
  RouterLine out;
  out.app = f[0];
  if (!util::parse_uint(f[5], port) || port == 0 || port > 65535) {
    // No dyno answered: Heroku's H14 when there is none.
    std::string what = f[8] == "503" ? "at=error code=H14 desc=\"No web processes running\"" : "at=info";
    out.text = fmt::format("{} method={} path=\"{}\" host={} request_id={} fwd=\"{}\" dyno= connect= service= "
                           "status={} bytes={} protocol={}",
                           what, f[1], raw, f[2], f[3], f[4], f[8], f[9], f[10]);
    return out;
  }
  auto ms = [](const std::string& v) { return (v == "-1" ? std::string("0") : v) + "ms"; };
  out.text = fmt::format("at=info method={} path=\"{}\" host={} request_id={} fwd=\"{}\" dyno={} connect={} "
                         "service={} status={} bytes={} protocol={}",
                         f[1], raw, f[2], f[3], f[4], dyno_at(out.app, static_cast<int>(port)), ms(f[6]), ms(f[7]),
                         f[8], f[9], f[10]);
  return out;
}

util::Result<std::vector<std::string>>
load_domains(const AppPaths& paths)
{
  std::vector<std::string> out;
  if (!util::path_exists(paths.domains())) {
    return out;
  }
  SW_TRY_ASSIGN(std::string text, util::read_file(paths.domains()));
  for (const auto& line : util::split(text, '\n')) {
    if (!util::trim(line).empty()) {
      out.emplace_back(util::trim(line));
    }
  }
  return out;
}

util::Result<std::string>
app_claiming(const std::string& root, const std::string& host)
{
  auto names = util::list_dir(root + "/apps");
  for (const auto& app : names ? *names : std::vector<std::string>{}) {
    if (!validate_app_name(app)) {
      continue; // staging and trash directories
    }
    SW_TRY_ASSIGN(auto theirs, load_domains(AppPaths(root, app)));
    if (std::find(theirs.begin(), theirs.end(), host) != theirs.end()) {
      return app;
    }
  }
  return std::string();
}

util::Status
add_domain(const AppPaths& paths, const std::string& host, const std::string& domain)
{
  if (!valid_host(host)) {
    return util::error("'" + util::printable(host) +
                           "' is not a host name: lowercase letters, digits, dashes and dots, like www.example.com",
                       2);
  }
  // Names under the server's domain are the apps' own (APP.<domain>): no app takes another's,
  // not even one that does not exist yet.
  if (host == domain || host.ends_with("." + domain)) {
    return util::error("domain " + host + " is under the server's domain " + domain +
                           ", where each app answers only as APP." + domain + "; add a name outside " + domain,
                       2);
  }
  SW_TRY_ASSIGN(std::string owner, app_claiming(paths.root(), host));
  if (!owner.empty() && owner != paths.name()) {
    return util::error("domain " + host + " already belongs to app " + owner, 2);
  }
  SW_TRY_ASSIGN(auto mine, load_domains(paths));
  if (std::find(mine.begin(), mine.end(), host) != mine.end()) {
    return util::error("domain " + host + " is already on " + paths.name(), 2);
  }
  mine.push_back(host);
  return util::write_file_atomic(paths.domains(), util::join(mine, "\n") + "\n", 0644);
}

util::Status
remove_domain(const AppPaths& paths, const std::string& host)
{
  SW_TRY_ASSIGN(auto mine, load_domains(paths));
  auto it = std::find(mine.begin(), mine.end(), host);
  if (it == mine.end()) {
    return util::error("domain " + util::printable(host) + " is not on " + paths.name(), 2);
  }
  mine.erase(it);
  return util::write_file_atomic(paths.domains(), mine.empty() ? "" : util::join(mine, "\n") + "\n", 0644);
}

} // namespace slipway::core
