// An Output that appends lines to a file (build logs, release logs).
#pragma once

#include <util/fd.hpp>
#include <util/output.hpp>
#include <util/result.hpp>

#include <string>

namespace slipway::util {

class FileOutput : public Output
{
public:
  // Open `path` for appending (created with `mode`).
  static Result<FileOutput> open(const std::string& path, mode_t mode = 0640);
  // Each line is written with one write(2), so a concurrent reader sees whole lines.
  void line(std::string_view text) override;

private:
  Fd m_fd;
};

} // namespace slipway::util
