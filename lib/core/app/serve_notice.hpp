// The few words anyone may say to a running serve, below everything that says them (the
// releaser, config changes, the formation): whether it runs, and "look at this app again". A
// datagram to its socket, nothing more; serve itself (serve.hpp) listens.
#pragma once

#include <sys/un.h>

#include <string>

namespace slipway::core {

// Tell a running serve to look at `app` again (best effort: when serve is down it catches up
// when it starts).
void notify_serve(const std::string& root, const std::string& app);

// Send `msg` to the serve of `root`; false (errno set) when nobody listens.
bool send_to_serve(const std::string& root, const std::string& msg);

// Whether a serve runs for `root` now (it holds the serve lock).
bool serve_running(const std::string& root);

// The address of the unix socket at `path`.
sockaddr_un socket_address(const std::string& path);

} // namespace slipway::core
