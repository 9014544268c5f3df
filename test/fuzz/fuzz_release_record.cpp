// libFuzzer target: release.yml parsing never crashes, and writing is a fixed point: a record
// written, read and written again gives the same text (strings are stored as valid UTF-8).
#include "target.hpp"

#include <core/release/release_record.hpp>
#include <util/strings.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace slipway::fuzz {

// True when this input keeps the target's invariants (test/unit/test_fuzz_corpus.cpp replays
// the seeds through it in `make test`).
bool
release_record(const uint8_t* data, size_t size)
{
  using namespace slipway::core;
  auto r = record_from_yaml(std::string(reinterpret_cast<const char*>(data), size), "release.yml");
  if (!r) {
    return true;
  }
  std::string once = record_to_yaml(*r);
  auto again = record_from_yaml(once, "release.yml");
  if (!again || again->version != r->version || again->status != r->status ||
      again->description != slipway::util::to_valid_utf8(r->description) || record_to_yaml(*again) != once) {
    return false;
  }
  return true;
}

} // namespace slipway::fuzz

SLIPWAY_FUZZ_TARGET(slipway::fuzz::release_record)
