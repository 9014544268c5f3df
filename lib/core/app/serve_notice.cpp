#include "serve_notice.hpp"

#include <core/app/layout.hpp>
#include <util/fd.hpp>
#include <util/file_lock.hpp>
#include <util/fs.hpp>

#include <sys/socket.h>

#include <cstring>

namespace slipway::core {

sockaddr_un
socket_address(const std::string& path)
{
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  return a;
}

bool
send_to_serve(const std::string& root, const std::string& msg)
{
  util::Fd s(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  sockaddr_un a = socket_address(ServePaths(root).socket());
  return s && ::sendto(s.get(), msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) >= 0;
}

void
notify_serve(const std::string& root, const std::string& app)
{
  (void)send_to_serve(root, app);
}

bool
serve_running(const std::string& root)
{
  util::FileLock probe;
  ServePaths run(root);
  if (!util::path_exists(run.lock())) {
    return false;
  }
  auto got = util::FileLock::try_acquire(run.lock(), probe);
  return got && !*got;
}

} // namespace slipway::core
