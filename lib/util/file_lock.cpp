#include "file_lock.hpp"

#include <util/fs.hpp>
#include <util/strings.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace slipway::util {

static Result<Fd>
open_lock_file(const std::string& path)
{
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) {
    return error(errno_message("cannot open lock file", path));
  }
  return fd;
}

Result<bool>
FileLock::try_acquire(const std::string& path, FileLock& out)
{
  SW_TRY_ASSIGN(Fd fd, open_lock_file(path));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return false;
    }
    return error(errno_message("cannot lock", path));
  }
  out.m_fd = std::move(fd);
  return true;
}

Result<FileLock>
FileLock::acquire(const std::string& path, const std::function<void(const std::string&)>& on_wait)
{
  FileLock lock;
  SW_TRY_ASSIGN(bool got, try_acquire(path, lock));
  if (got) {
    return lock;
  }
  if (on_wait) {
    on_wait(read_note(path));
  }
  SW_TRY_ASSIGN(Fd fd, open_lock_file(path));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) {
      return error(errno_message("cannot lock", path));
    }
  }
  lock.m_fd = std::move(fd);
  return lock;
}

void
FileLock::set_note(const std::string& note)
{
  if (m_fd) {
    std::string line = note + "\n";
    if (::ftruncate(m_fd.get(), 0) == 0) {
      [[maybe_unused]] auto n = ::pwrite(m_fd.get(), line.data(), line.size(), 0);
    }
  }
}

std::string
FileLock::read_note(const std::string& path)
{
  auto content = read_file(path);
  return content ? std::string(trim(*content)) : std::string();
}

} // namespace slipway::util
