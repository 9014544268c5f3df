// libFuzzer target: the Procfile parser never crashes, and what it accepts is well formed.
#include "target.hpp"

#include <core/slug/procfile.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace slipway::fuzz {

// True when this input keeps the target's invariants (test/unit/test_fuzz_corpus.cpp replays
// the seeds through it in `make test`).
bool
procfile(const uint8_t* data, size_t size)
{
  auto r = slipway::core::parse_procfile(std::string(reinterpret_cast<const char*>(data), size));
  if (r) {
    for (const auto& [type, command] : *r) {
      if (type.empty() || type.size() > 128 || command.empty()) {
        return false;
      }
    }
  } else if (r.error().message.rfind("Procfile:", 0) != 0) {
    return false; // every error names file:line
  }
  return true;
}

} // namespace slipway::fuzz

SLIPWAY_FUZZ_TARGET(slipway::fuzz::procfile)
