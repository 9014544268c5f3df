#include "port_fence.hpp"

#include <util/fs.hpp>
#include <util/process.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <utility>

namespace slipway::core {

namespace {

constexpr const char* k_nft = "/usr/sbin/nft";

// Run nft with `script` as its input; its complaint as the error.
util::Status
run_nft(const std::string& script)
{
  SW_TRY_ASSIGN(util::Fd in, util::memory_file("the dynos' port fence to nft", script));
  util::ProcessSpec spec;
  spec.argv = {k_nft, "-f", "-"};
  spec.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  spec.timeout_seconds = 30;
  spec.stdin_fd = in.get();
  std::string output;
  SW_TRY_ASSIGN(auto r, util::run_process(spec, [&](std::string_view line) {
    if (output.size() < 400) {
      output += (output.empty() ? "" : " / ") + std::string(line);
    }
  }));
  if (!r.success()) {
    return util::error("nft " + r.describe() + (output.empty() ? "" : ": " + output));
  }
  return {};
}

std::string
uid_list(const std::vector<uid_t>& uids, uid_t also)
{
  std::vector<std::string> parts{std::to_string(also)};
  for (uid_t u : uids) {
    if (u != also) {
      parts.push_back(std::to_string(u));
    }
  }
  return util::join(parts, ", ");
}

} // namespace

std::vector<uid_t>
fence_allowed_users()
{
  std::vector<uid_t> users{0};
  // The router: HAProxy started by root runs as nobody (router.cpp).
  if (const passwd* pw = ::getpwnam("nobody")) {
    users.push_back(pw->pw_uid);
  }
  return users;
}

PortFence::PortFence(const std::string& root, std::vector<uid_t> allowed) : m_allowed(std::move(allowed))
{
  util::Sha256 h;
  h.update(root);
  m_table = "slipway_" + h.hex_digest().substr(0, 12);
  auto guard = util::PortGuard::open();
  if (guard) {
    m_guard.emplace(std::move(*guard));
  } else {
    m_guard_problem = guard.error().message;
  }
}

PortFence::~PortFence()
{
  if (m_made) {
    (void)run_nft(fmt::format("delete table inet {}\n", m_table));
  }
}

std::string
PortFence::problem_here()
{
  if (::geteuid() != 0) {
    return "only root can fence ports";
  }
  if (::access(k_nft, X_OK) != 0) {
    return std::string(k_nft) + " is missing (apt-get install nftables)";
  }
  return {};
}

util::Status
PortFence::set(const std::map<int, uid_t>& ports)
{
  if (m_asked && ports == m_tried) {
    return {};
  }
  // Declaring the table first makes the delete succeed on a first run; the whole script is
  // one transaction, so no connection sees a half-written fence.
  std::string script = fmt::format("table inet {0}\ndelete table inet {0}\ntable inet {0} {{\n"
                                   "  chain fence {{\n"
                                   "    type filter hook output priority 0; policy accept;\n",
                                   m_table);
  for (const auto& [port, owner] : ports) {
    script += fmt::format("    oifname \"lo\" tcp dport {} meta skuid != {{ {} }} reject with tcp reset\n", port,
                          uid_list(m_allowed, owner));
  }
  script += "  }\n}\n";
  // A failure is said once, not retried at every turn with the same ports.
  auto before = std::exchange(m_tried, ports);
  m_asked = true;
  // Binds first: a new port is its dyno's before anyone may connect to it.
  if (m_guard) {
    for (const auto& [port, owner] : before) {
      if (!ports.count(port)) {
        m_guard->release(port);
      }
    }
    for (const auto& [port, owner] : ports) {
      SW_TRY(m_guard->reserve(port, owner));
    }
  }
  SW_TRY(run_nft(script));
  m_made = true;
  return {};
}

} // namespace slipway::core
