// Streaming SHA-256 (FIPS 180-4): slugs are checksummed as they are written.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace slipway::util {

class Sha256
{
public:
  // `use_cpu_extensions` false forces the portable code (tests compare both).
  explicit Sha256(bool use_cpu_extensions = true);
  void update(const void* data, size_t size);
  void
  update(std::string_view s)
  {
    update(s.data(), s.size());
  }
  // Lowercase hex digest; the object must not be updated afterwards.
  std::string hex_digest();

private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> m_h;
  uint8_t m_buf[64];
  size_t m_buf_len = 0;
  uint64_t m_total = 0;
  bool m_fast = false;
};

// Hex SHA-256 of a whole file, read in chunks.
std::string sha256_file(const std::string& path, bool* ok = nullptr);

} // namespace slipway::util
