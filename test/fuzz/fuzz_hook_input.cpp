// libFuzzer target: a hook's stdin ("<old> <new> <ref>" lines) never crashes the parser,
// and accepted updates are well formed.
#include "target.hpp"

#include <core/ops/push.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace slipway::fuzz {

// True when this input keeps the target's invariants (test/unit/test_fuzz_corpus.cpp replays
// the seeds through it in `make test`).
bool
hook_input(const uint8_t* data, size_t size)
{
  auto r = slipway::core::parse_hook_input(std::string(reinterpret_cast<const char*>(data), size));
  if (r) {
    for (const auto& u : *r) {
      if (u.old_id.size() != 40 || u.new_id.size() != 40 || u.ref.rfind("refs/", 0) != 0) {
        return false;
      }
    }
  }
  return true;
}

} // namespace slipway::fuzz

SLIPWAY_FUZZ_TARGET(slipway::fuzz::hook_input)
