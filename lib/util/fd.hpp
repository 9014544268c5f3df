// A file descriptor that closes itself.
#pragma once

#include <unistd.h>

#include <utility>

namespace slipway::util {

// Move-only owner of one fd; closes the old fd before taking a new one.
class Fd
{
public:
  Fd() = default;
  explicit Fd(int fd) : m_fd(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : m_fd(other.release()) {}
  Fd&
  operator=(Fd&& other) noexcept
  {
    if (this != &other) {
      reset(other.release());
    }
    return *this;
  }
  ~Fd() { reset(); }

  int
  get() const
  {
    return m_fd;
  }
  explicit operator bool() const { return m_fd >= 0; }
  int
  release()
  {
    return std::exchange(m_fd, -1);
  }
  void
  reset(int fd = -1)
  {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
    m_fd = fd;
  }

private:
  int m_fd = -1;
};

} // namespace slipway::util
