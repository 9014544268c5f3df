// Streaming SHA-256 (FIPS 180-4) through nettle, which picks the CPU's SHA extensions at run
// time: slugs are checksummed as they are written.
#pragma once

#include <nettle/sha2.h>

#include <string>
#include <string_view>

namespace slipway::util {

class Sha256
{
public:
  Sha256();
  void update(const void* data, size_t size);
  void
  update(std::string_view s)
  {
    update(s.data(), s.size());
  }
  // Lowercase hex digest; the object must not be updated afterwards.
  std::string hex_digest();
  // The 32 bytes of the digest; the object must not be updated afterwards.
  void digest(unsigned char (&out)[SHA256_DIGEST_SIZE]);

private:
  sha256_ctx m_ctx;
};

// Hex HMAC-SHA256 of `message` under `key` (nettle's HMAC).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// Whether two strings are equal, in a time that does not depend on where they differ.
bool equal_in_constant_time(std::string_view a, std::string_view b);

// Hex SHA-256 of a whole file, read in chunks.
std::string sha256_file(const std::string& path, bool* ok = nullptr);

} // namespace slipway::util
