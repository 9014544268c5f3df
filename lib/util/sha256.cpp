#include "sha256.hpp"

#include <util/fd.hpp>

#include <fcntl.h>
#include <unistd.h>

namespace slipway::util {

Sha256::Sha256()
{
  sha256_init(&m_ctx);
}

void
Sha256::update(const void* data, size_t size)
{
  sha256_update(&m_ctx, size, static_cast<const uint8_t*>(data));
}

void
Sha256::digest(unsigned char (&out)[SHA256_DIGEST_SIZE])
{
  sha256_digest(&m_ctx, SHA256_DIGEST_SIZE, out);
}

std::string
Sha256::hex_digest()
{
  unsigned char raw[SHA256_DIGEST_SIZE];
  digest(raw);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : raw) {
    out += hex[b >> 4];
    out += hex[b & 0xf];
  }
  return out;
}

std::string
sha256_file(const std::string& path, bool* ok)
{
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (ok) {
    *ok = static_cast<bool>(fd);
  }
  if (!fd) {
    return {};
  }
  Sha256 h;
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof buf)) > 0) {
    h.update(buf, static_cast<size_t>(n));
  }
  if (n < 0 && ok) {
    *ok = false;
  }
  return h.hex_digest();
}

} // namespace slipway::util
