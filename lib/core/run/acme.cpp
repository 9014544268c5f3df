#include "acme.hpp"

#include <core/app/settings.hpp>
#include <core/run/certs.hpp>

#include <util/clock.hpp>
#include <util/fs.hpp>
#include <util/process.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <chrono>
#include <system_error>

namespace slipway::core {

namespace {

const char* const k_lego = "/usr/bin/lego";
const double k_lego_timeout = 180;

std::string
enabled_file(const AppPaths& paths)
{
  return paths.certs() + "/acme";
}

std::string
status_file(const AppPaths& paths)
{
  return paths.certs() + "/acme-status";
}

// A loopback port nothing listens on now, for lego's challenge server.
int
free_port()
{
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  if (fd >= 0) {
    ::close(fd);
  }
  return port;
}

// lego's last words: its last line that says something, without the log's date and time.
std::string
last_words(const std::string& output)
{
  std::string last;
  for (const auto& raw : util::split(output, '\n')) {
    std::string line(util::trim(raw));
    if (line.size() > 20 && line[4] == '/' && line[7] == '/' && line[13] == ':') {
      line = std::string(util::trim(line.substr(20)));
    }
    if (!line.empty()) {
      last = line;
    }
  }
  return last.empty() ? "lego said nothing" : last;
}

// The wait before the next try after `failures` failures in a row: 10 s, doubling, up to an hour.
std::time_t
retry_after(unsigned failures)
{
  double wait = 10;
  for (unsigned i = 1; i < failures && wait < 3600; ++i) {
    wait *= 2;
  }
  return static_cast<std::time_t>(std::min(wait, 3600.0));
}

} // namespace

util::Result<AcmeState>
load_acme_state(const AppPaths& paths)
{
  AcmeState state;
  state.enabled = util::path_exists(enabled_file(paths));
  if (!util::path_exists(status_file(paths))) {
    return state;
  }
  SW_TRY_ASSIGN(std::string text, util::read_file(status_file(paths)));
  for (const auto& line : util::split(text, '\n')) {
    // HOST TAB STATUS TAB EXPIRES TAB NEXT TAB FAILURES TAB REASON
    auto f = util::split(line, '\t');
    if (f.size() < 6) {
      continue;
    }
    AcmeHost h;
    h.status = f[1];
    h.expires = f[2];
    unsigned long long next = 0, failures = 0;
    util::parse_uint(f[3], next);
    util::parse_uint(f[4], failures);
    h.next = static_cast<std::time_t>(next);
    h.failures = static_cast<unsigned>(failures);
    h.reason = f[5];
    state.hosts[f[0]] = h;
  }
  return state;
}

util::Status
save_acme_status(const AppPaths& paths, const std::map<std::string, AcmeHost>& hosts)
{
  std::string text;
  for (const auto& [host, h] : hosts) {
    std::string reason = h.reason;
    std::replace(reason.begin(), reason.end(), '\t', ' ');
    std::replace(reason.begin(), reason.end(), '\n', ' ');
    text += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", host, h.status, h.expires, static_cast<long long>(h.next),
                        h.failures, reason);
  }
  SW_TRY(util::make_dirs(paths.certs(), 0700));
  return util::write_file_atomic(status_file(paths), text, 0600);
}

util::Status
refresh_acme(const AppPaths& paths)
{
  SW_TRY_ASSIGN(AcmeState state, load_acme_state(paths));
  if (!state.enabled) {
    return util::error("Automatic Certificate Management is disabled on " + paths.name() +
                           "; enable it first (slipway certs:auto:enable -a " + paths.name() + ")",
                       2);
  }
  for (auto& [host, h] : state.hosts) {
    h.next = 0;
  }
  return save_acme_status(paths, state.hosts);
}

util::Status
set_acme_enabled(const AppPaths& paths, bool enabled)
{
  SW_TRY(util::make_dirs(paths.certs(), 0700));
  if (enabled) {
    return util::write_file_atomic(enabled_file(paths), "enabled\n", 0600);
  }
  if (::unlink(enabled_file(paths).c_str()) != 0 && errno != ENOENT) {
    return util::error(util::errno_message("cannot remove", enabled_file(paths)));
  }
  return {};
}

Acme::~Acme()
{
  pid_t pid = m_pid.load();
  if (pid > 0) {
    ::kill(pid, SIGTERM); // the supervisor ends lego, and run_process returns
  }
  if (m_running.valid()) {
    m_running.wait();
  }
}

std::string
Acme::tick(const std::map<std::string, std::vector<std::string>>& apps)
{
  std::time_t now = std::time(nullptr);
  if (m_running.valid()) {
    if (m_running.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      return "";
    }
    Outcome outcome = m_running.get();
    m_pid = -1;
    (void)m_router.challenge_to(0);
    AppPaths paths(m_root, m_app);
    if (!util::is_directory(paths.dir())) {
      return ""; // destroyed while its request ran: nothing to keep
    }
    auto state = load_acme_state(paths);
    if (!state) {
      return "";
    }
    AcmeHost& h = state->hosts[m_host];
    std::string issued = m_root + "/acme/certificates/" + m_host + ".pem";
    auto pem = outcome.ok ? util::read_file(issued) : util::Result<std::string>(util::error(outcome.reason));
    auto info = pem ? inspect_certificate(*pem, issued) : util::Result<CertInfo>(pem.error());
    if (info && util::make_dirs(paths.certs() + "/auto", 0700) &&
        util::write_file_atomic(paths.certs() + "/auto/" + m_host + ".pem", *pem, 0600)) {
      // Not looked at again for a minute, even when the renewal window is longer than what
      // the CA issues (then each minute renews it).
      h = {"Cert issued", info->not_after, "", now + 60, 0};
    } else {
      h.status = "Failing";
      h.reason = info ? "cannot store the certificate" : info.error().message;
      h.failures += 1;
      h.next = now + retry_after(h.failures);
    }
    (void)save_acme_status(paths, state->hosts);
    return m_app;
  }
  if (util::monotonic_seconds() < m_next_scan) {
    return "";
  }
  m_next_scan = util::monotonic_seconds() + 1;
  auto server = load_server_settings(m_root);
  if (!server) {
    return "";
  }
  for (const auto& [app, hosts] : apps) {
    AppPaths paths(m_root, app);
    auto state = load_acme_state(paths);
    if (!state || !state->enabled) {
      continue;
    }
    for (const auto& host : hosts) {
      AcmeHost& h = state->hosts[host];
      if (now < h.next) {
        continue;
      }
      auto pem = util::read_file(paths.certs() + "/auto/" + host + ".pem");
      auto info = pem ? inspect_certificate(*pem, host) : util::Result<CertInfo>(util::error(""));
      std::time_t renew_at = info ? info->expires - static_cast<std::time_t>(server->acme_renew_days) * 86400 : 0;
      if (info && renew_at > now) {
        // Valid for longer than the renewal window: looked at again then (or in an hour, when
        // the settings may have changed), not each turn.
        h = {"Cert issued", info->not_after, "", std::min(renew_at, now + 3600), 0};
        (void)save_acme_status(paths, state->hosts);
        continue;
      }
      std::string problem;
      int port = free_port();
      if (server->acme_email.empty()) {
        problem = "the server setting acme_email is not set; set it (slipway settings:set --server "
                  "acme_email=ops@example.com)";
      } else if (::access(k_lego, X_OK) != 0) {
        problem = "lego is not installed (" + std::string(k_lego) + "); install it (apt-get install lego)";
      } else if (auto routed = m_router.challenge_to(port); !routed) {
        problem = routed.error().message;
      }
      if (!problem.empty()) {
        h.status = "Failing";
        h.reason = problem;
        h.failures += 1;
        h.next = now + retry_after(h.failures);
        (void)save_acme_status(paths, state->hosts);
        return "";
      }
      h.status = "Pending";
      (void)save_acme_status(paths, state->hosts);
      (void)util::make_dirs(m_root + "/acme", 0700);
      util::ProcessSpec spec;
      spec.argv = {k_lego,        "--accept-tos", "--server",     server->acme_directory,
                   "--email",     server->acme_email, "--path", m_root + "/acme",
                   "--key-type",  "ec256",        "--http",       "--http.port",
                   fmt::format("127.0.0.1:{}", port), "--http-timeout", "30", "--pem",
                   "--domains",   host,           "run"};
      spec.env = {"PATH=/usr/bin:/bin", "HOME=" + m_root + "/acme"};
      if (!server->acme_ca_file.empty()) {
        spec.env.push_back("LEGO_CA_CERTIFICATES=" + server->acme_ca_file);
      }
      spec.timeout_seconds = k_lego_timeout;
      m_app = app;
      m_host = host;
      auto request = [this, spec]() {
        std::string output;
        auto r = util::run_process(
            spec, [&](std::string_view line) { output += std::string(line) + "\n"; },
            [this](pid_t supervisor) { m_pid = supervisor; });
        Outcome o;
        if (!r) {
          o.reason = r.error().message;
        } else if (r->timed_out) {
          o.reason = fmt::format("the ACME server did not finish within {:.0f}s", k_lego_timeout);
        } else {
          o.ok = r->success();
          o.reason = last_words(output);
        }
        return o;
      };
      try {
        m_running = std::async(std::launch::async, request);
      } catch (const std::system_error& e) { // no thread to be had: tried again later
        (void)m_router.challenge_to(0);
        h.status = "Failing";
        h.reason = std::string("cannot start a thread for lego: ") + e.what();
        h.failures += 1;
        h.next = now + retry_after(h.failures);
        (void)save_acme_status(paths, state->hosts);
      }
      return "";
    }
  }
  return "";
}

} // namespace slipway::core
