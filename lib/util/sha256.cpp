#include "sha256.hpp"

#include <util/fd.hpp>

#include <nettle/hmac.h>
#include <nettle/memops.h>

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

namespace {

std::string
hex_of(const unsigned char (&raw)[SHA256_DIGEST_SIZE])
{
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : raw) {
    out += hex[b >> 4];
    out += hex[b & 0xf];
  }
  return out;
}

} // namespace

std::string
Sha256::hex_digest()
{
  unsigned char raw[SHA256_DIGEST_SIZE];
  digest(raw);
  return hex_of(raw);
}

std::string
hmac_sha256_hex(std::string_view key, std::string_view message)
{
  hmac_sha256_ctx ctx;
  hmac_sha256_set_key(&ctx, key.size(), reinterpret_cast<const uint8_t*>(key.data()));
  hmac_sha256_update(&ctx, message.size(), reinterpret_cast<const uint8_t*>(message.data()));
  unsigned char raw[SHA256_DIGEST_SIZE];
  hmac_sha256_digest(&ctx, SHA256_DIGEST_SIZE, raw);
  return hex_of(raw);
}

bool
equal_in_constant_time(std::string_view a, std::string_view b)
{
  return a.size() == b.size() &&
         ::memeql_sec(reinterpret_cast<const uint8_t*>(a.data()), reinterpret_cast<const uint8_t*>(b.data()), a.size());
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
