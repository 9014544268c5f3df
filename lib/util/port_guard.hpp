// Ports reserved for one user each, machine-wide: while a port is reserved, a bind() to it
// (IPv4 or IPv6) by any other user but root fails with EPERM. A cgroup BPF program on the
// bind hooks of the cgroup v2 root, with a map of port -> user; attached through links this
// object holds, so the reservations end with it (or with its process, however it ends).
#pragma once

#include <util/fd.hpp>
#include <util/result.hpp>

#include <sys/types.h>

#include <string>

namespace slipway::util {

class PortGuard
{
public:
  // Load the program and attach it to the cgroup v2 root (needs root and a kernel with cgroup
  // BPF); an error says why not.
  static Result<PortGuard> open();

  // Reserve TCP/UDP `port` for `uid` (a new owner replaces the old one).
  Status reserve(int port, uid_t uid);
  // Let anyone bind `port` again.
  void release(int port);

private:
  PortGuard() = default;
  Fd m_map;
  Fd m_programs[2]; // IPv4, IPv6
  Fd m_links[2];
};

// Where cgroup v2 is mounted (its root), or empty.
std::string cgroup2_mount();

} // namespace slipway::util
