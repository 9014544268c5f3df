#include "std_output.hpp"

#include <unistd.h>

#include <string>

namespace slipway::cmd {

static void
write_line(int fd, std::string_view text)
{
  std::string buf(text);
  buf += '\n';
  const char* p = buf.data();
  size_t left = buf.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) {
      return; // EPIPE and friends: the reader is gone; keep working
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void
StdOutput::line(std::string_view text)
{
  write_line(1, text);
}

void
StdOutput::error_line(std::string_view text)
{
  write_line(2, text);
}

} // namespace slipway::cmd
