// libFuzzer target: release.yml parsing never crashes, and writing is a fixed point: a record
// written, read and written again gives the same text (strings are stored as valid UTF-8).
#include <core/release_record.hpp>
#include <util/strings.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
  using namespace slipway::core;
  auto r = record_from_yaml(std::string(reinterpret_cast<const char*>(data), size), "release.yml");
  if (!r) {
    return 0;
  }
  std::string once = record_to_yaml(*r);
  auto again = record_from_yaml(once, "release.yml");
  if (!again || again->version != r->version || again->status != r->status ||
      again->description != slipway::util::to_valid_utf8(r->description) || record_to_yaml(*again) != once) {
    std::abort();
  }
  return 0;
}
