#include "random.hpp"

#include <util/fs.hpp>

#include <fmt/format.h>
#include <sys/random.h>

#include <vector>

namespace slipway::util {

Result<std::string>
random_hex(size_t bytes)
{
  std::vector<unsigned char> buf(bytes);
  if (::getrandom(buf.data(), buf.size(), 0) != static_cast<ssize_t>(buf.size())) {
    return error(errno_message("cannot get random bytes", "getrandom"));
  }
  std::string out;
  for (unsigned char b : buf) {
    out += fmt::format("{:02x}", b);
  }
  return out;
}

} // namespace slipway::util
