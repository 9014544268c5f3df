#include "file_output.hpp"

#include <util/fs.hpp>

#include <fcntl.h>
#include <unistd.h>

namespace slipway::util {

Result<FileOutput>
FileOutput::open(const std::string& path, mode_t mode)
{
  FileOutput out;
  out.m_fd.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!out.m_fd) {
    return error(errno_message("cannot open log", path));
  }
  return out;
}

void
FileOutput::line(std::string_view text)
{
  std::string buf;
  buf.reserve(text.size() + 1);
  buf.append(text);
  buf += '\n';
  // A full disk must not stop a release: the line is lost from the log, not from the pusher.
  [[maybe_unused]] auto n = ::write(m_fd.get(), buf.data(), buf.size());
}

} // namespace slipway::util
