// flock(2)-based exclusive lock: the kernel frees it when the holder dies, so no stale locks.
#pragma once

#include <util/fd.hpp>
#include <util/result.hpp>

#include <functional>
#include <string>

namespace slipway::util {

class FileLock
{
public:
  // Try once; false (no error) when someone else holds the lock.
  static Result<bool> try_acquire(const std::string& path, FileLock& out);
  // Wait until the lock is free. `on_wait` is called once, with the holder's note, if it is held.
  static Result<FileLock> acquire(const std::string& path, const std::function<void(const std::string&)>& on_wait);

  // Record who holds the lock (one line), so that waiters can name the holder.
  void set_note(const std::string& note);
  void
  release()
  {
    m_fd.reset();
  }

  // The note written by the current holder, or "" if none.
  static std::string read_note(const std::string& path);

private:
  Fd m_fd;
};

} // namespace slipway::util
