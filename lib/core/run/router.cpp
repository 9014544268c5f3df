#include "router.hpp"

#include <core/app/app_name.hpp>

#include <util/clock.hpp>
#include <util/fs.hpp>
#include <util/process.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

namespace slipway::core {

namespace {

const char* const k_nginx = "/usr/sbin/nginx";

// A host name nginx and DNS accept: lowercase labels of letters, digits and inner dashes.
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
config_text(const std::string& root,
            const std::string& dir,
            const std::string& listen,
            const std::map<std::string, Route>& routes)
{
  std::string c = fmt::format(R"(# Written by slipway serve; every change is checked with nginx -t first.
worker_processes 1;
pid {0}/nginx.pid;
error_log {0}/error.log;
events {{ worker_connections 1024; }}
http {{
  # One line per request, as Heroku's router logs it, to serve (which files it under the app).
  log_format slipway '$slipway_app_name at=info method=$request_method path="$request_uri" host=$host '
                     'request_id=$request_id fwd="$remote_addr" dyno=$upstream_addr '
                     'connect=$upstream_connect_time service=$request_time status=$status bytes=$bytes_sent';
  access_log syslog:server=unix:{2},tag=slipway,nohostname slipway;
  client_body_temp_path {0}/tmp/body;
  proxy_temp_path {0}/tmp/proxy;
  fastcgi_temp_path {0}/tmp/fastcgi;
  uwsgi_temp_path {0}/tmp/uwsgi;
  scgi_temp_path {0}/tmp/scgi;
  proxy_http_version 1.1;
  # The app sees the host the request was routed by: for an absolute-URI request that is the
  # URI's, not the Host header's ($host), with the port the client gave.
  map $http_host $slipway_port {{ "~:(?<port>[0-9]+)$" ":$port"; default ""; }}
  proxy_set_header Host $host$slipway_port;
  # Only the router says which host a request came for.
  proxy_set_header X-Forwarded-Host "";
  proxy_set_header Connection "";
  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
  proxy_set_header X-Forwarded-Proto $scheme;
  proxy_set_header X-Forwarded-Port $server_port;
  proxy_set_header X-Request-Id $request_id;
  proxy_set_header X-Request-Start "t=${{msec}}";
  proxy_next_upstream error timeout http_502;
  server {{
    listen {1} default_server;
    set $slipway_app_name "-";
    location / {{ default_type text/plain; return 404 "No such app on this server\n"; }}
  }}
)",
                              dir, listen, ServePaths(root).router_log());
  for (const auto& [app, route] : routes) {
    if (!route.ports.empty() || !route.backup.empty()) {
      c += fmt::format("  upstream app_{} {{\n", app);
      for (int port : route.ports) {
        c += fmt::format("    server 127.0.0.1:{} max_fails=0;\n", port);
      }
      for (int port : route.backup) {
        c += fmt::format("    server 127.0.0.1:{} max_fails=0 backup;\n", port);
      }
      c += "  }\n";
    }
    c += fmt::format("  server {{\n    listen {};\n    server_name {};\n    set $slipway_app_name {};\n", listen,
                     util::join(route.hosts, " "), app);
    if (route.ports.empty() && route.backup.empty()) {
      c += fmt::format("    location / {{ default_type text/plain; return 503 \"{}: no web dyno is running\\n\"; }}\n",
                       app);
    } else {
      c += fmt::format("    location / {{ proxy_pass http://app_{}; }}\n", app);
    }
    c += "  }\n";
  }
  return c + "}\n";
}

// nginx's own complaint: its first [emerg] line, else the last line it printed.
std::string
complaint(const util::ProcessResult& r, const std::string& output)
{
  std::string last;
  for (const auto& line : util::split(output, '\n')) {
    if (line.find("[emerg]") != std::string::npos) {
      return std::string(util::trim(line));
    }
    if (!util::trim(line).empty()) {
      last = std::string(util::trim(line));
    }
  }
  return last.empty() ? r.describe() : last;
}

util::Result<std::string>
run_nginx(const std::vector<std::string>& args)
{
  util::ProcessSpec spec;
  spec.argv = {k_nginx};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {"PATH=/usr/sbin:/usr/bin:/bin"};
  spec.timeout_seconds = 30;
  std::string output;
  SW_TRY_ASSIGN(auto r, util::run_process(spec, [&](std::string_view line) { output += std::string(line) + "\n"; }));
  if (!r.success()) {
    return util::error(complaint(r, output));
  }
  return output;
}

// An nginx a serve before this one left running with this prefix (it was killed before it
// could stop it): stopped, so that this one can listen.
void
stop_leftover(const std::string& dir)
{
  auto text = util::read_file(dir + "/nginx.pid");
  unsigned long long pid = 0;
  if (!text || !util::parse_uint(util::trim(*text), pid) || pid <= 1) {
    return;
  }
  auto cmd = util::read_file(fmt::format("/proc/{}/cmdline", pid));
  if (!cmd || cmd->find("nginx") == std::string::npos || cmd->find(dir) == std::string::npos) {
    return;
  }
  ::kill(static_cast<pid_t>(pid), SIGQUIT);
  for (int i = 0; i < 100 && ::kill(static_cast<pid_t>(pid), 0) == 0; ++i) {
    ::usleep(50000);
  }
  ::kill(static_cast<pid_t>(pid), SIGKILL);
}

// Why nginx did not start, from its error log: the last line saying what failed, without the
// time and pid ("bind() to 127.0.0.1:80 failed (98: Address already in use)").
std::string
startup_error(const std::string& dir)
{
  auto log = util::read_file(dir + "/error.log");
  std::string found = "it exited";
  for (const auto& line : util::split(log ? *log : "", '\n')) {
    if (line.find("[emerg]") == std::string::npos || line.find("still could not") != std::string::npos) {
      continue;
    }
    auto colon = line.find(": ", line.find("[emerg]"));
    found = colon == std::string::npos ? line : line.substr(colon + 2);
  }
  return found;
}

// nginx's worker processes now (the master's children).
std::vector<std::string>
workers(pid_t master)
{
  auto children = util::read_file(fmt::format("/proc/{}/task/{}/children", master, master));
  std::vector<std::string> out;
  for (const auto& pid : util::split(children ? *children : "", ' ')) {
    if (!util::trim(pid).empty()) {
      out.emplace_back(util::trim(pid));
    }
  }
  return out;
}

// Reload nginx and wait (at most 5 s) until every worker of the config before is gone: until
// then one may still take a connection, or finish a request, by the old config.
void
reload(pid_t master)
{
  auto old = workers(master);
  ::kill(master, SIGHUP);
  double until = util::monotonic_seconds() + 5;
  while (util::monotonic_seconds() < until &&
         std::any_of(old.begin(), old.end(), [](const std::string& p) { return util::path_exists("/proc/" + p); })) {
    ::usleep(10000);
  }
}

} // namespace

Router::~Router()
{
  stop();
}

util::Status
Router::apply(const std::map<std::string, Route>& routes)
{
  std::string dir = ServePaths(m_root).router();
  bool running = m_pid > 0 && ::kill(m_pid, 0) == 0;
  std::string text = config_text(m_root, dir, m_listen, routes);
  if (running && text == m_applied) {
    return {};
  }
  if (!running && util::monotonic_seconds() < m_retry_at) {
    return util::error(m_last_error);
  }
  if (::access(k_nginx, X_OK) != 0) {
    return util::error("nginx is not installed (" + std::string(k_nginx) +
                       "): the router cannot run; install it (apt-get install nginx-light)");
  }
  SW_TRY(util::make_dirs(dir + "/tmp", 0755));
  std::string conf = dir + "/nginx.conf";
  // Root's nginx master reads it; app users may not (it lists every dyno's port).
  SW_TRY(util::write_file_atomic(conf + ".new", text, 0600));
  auto checked = run_nginx({"-t", "-q", "-p", dir, "-e", dir + "/error.log", "-c", conf + ".new"});
  if (!checked) {
    return util::error("nginx -t refused the new router config (" + checked.error().message +
                       "); the previous one stays in force");
  }
  if (::rename((conf + ".new").c_str(), conf.c_str()) != 0) {
    return util::error(util::errno_message("cannot install", conf));
  }
  if (running) {
    reload(m_pid); // graceful: old workers finish what they serve
    m_applied = text;
    return {};
  }
  stop_leftover(dir);
  ::unlink((dir + "/nginx.pid").c_str());
  util::ProcessSpec spec;
  spec.argv = {k_nginx, "-p", dir, "-e", dir + "/error.log", "-c", conf, "-g", "daemon off;"};
  spec.env = {"PATH=/usr/sbin:/usr/bin:/bin"};
  spec.die_with_parent = true; // a serve killed outright takes its router with it
  SW_TRY_ASSIGN(util::Spawned nginx, util::spawn_process(spec));
  // nginx writes its pid file once it listens; it gives up on a port it cannot bind after
  // a few seconds, and exits.
  for (int i = 0; !util::path_exists(dir + "/nginx.pid"); ++i) {
    int status = 0;
    bool gone = ::waitpid(nginx.pid, &status, WNOHANG) == nginx.pid || ::kill(nginx.pid, 0) != 0;
    if (gone || i == 100) {
      ::kill(nginx.pid, SIGKILL);
      m_retry_at = util::monotonic_seconds() + 10;
      m_last_error =
          "nginx could not start the router on " + m_listen + ": " + startup_error(dir) + "; trying again every 10s";
      return util::error(m_last_error);
    }
    ::usleep(100000);
  }
  m_pid = nginx.pid;
  m_applied = text;
  return {};
}

void
Router::stop()
{
  if (m_pid <= 0) {
    return;
  }
  ::kill(m_pid, SIGQUIT);
  for (int i = 0; i < 100 && ::kill(m_pid, 0) == 0; ++i) {
    int status;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
      break;
    }
    ::usleep(50000);
  }
  ::kill(m_pid, SIGKILL);
  ::waitpid(m_pid, nullptr, WNOHANG);
  m_pid = -1;
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
