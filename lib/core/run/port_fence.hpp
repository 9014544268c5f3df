// The fence around web dynos' ports (issue 21, item 8): a web dyno's port takes connections
// from its own app's user, from root (serve's readiness probes) and from the router's workers
// only; any other process of this machine (another app's dyno) gets a reset. It is an nftables
// table of this serve's own (one per root), replaced whole in one transaction at each change
// and deleted when the fence goes. And no other user may bind a fenced port (util::PortGuard),
// so that the port a dyno is given cannot be taken first.
#pragma once

#include <util/port_guard.hpp>
#include <util/result.hpp>

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace slipway::core {

class PortFence
{
public:
  // For the serve of `root`; `allowed`: users that may connect to every fenced port.
  PortFence(const std::string& root, std::vector<uid_t> allowed);
  ~PortFence();
  PortFence(const PortFence&) = delete;
  PortFence& operator=(const PortFence&) = delete;

  // Fence exactly these ports (port -> the user of the app whose dyno listens there); a no-op
  // when they are what was asked last time, whether that worked or not.
  util::Status set(const std::map<int, uid_t>& ports);

  // Whether nft can fence here (root, nftables installed): empty, or one line saying why not.
  static std::string problem_here();
  // Whether ports are guarded from other users' binds: empty, or one line saying why not.
  const std::string&
  guard_problem() const
  {
    return m_guard_problem;
  }

private:
  std::string m_table;
  std::optional<util::PortGuard> m_guard;
  std::string m_guard_problem;
  std::vector<uid_t> m_allowed;
  std::map<int, uid_t> m_tried; // the last ports set() was asked for, done or failed
  bool m_asked = false;
  bool m_made = false; // the table exists
};

// The users that may connect to every dyno port: root and the router's workers.
std::vector<uid_t> fence_allowed_users();

} // namespace slipway::core
