// libFuzzer target: env files. Parsing never crashes; whatever parses formats and parses
// back to the same vars; and any byte string but NUL survives as a value.
#include "target.hpp"

#include <core/app/config_vars.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace slipway::fuzz {

// True when this input keeps the target's invariants (test/unit/test_fuzz_corpus.cpp replays
// the seeds through it in `make test`).
bool
env_file(const uint8_t* data, size_t size)
{
  using namespace slipway::core;
  std::string text(reinterpret_cast<const char*>(data), size);
  if (auto vars = parse_env(text, "env")) {
    auto back = parse_env(format_env(*vars), "env");
    if (!back || *back != *vars) {
      return false;
    }
  }
  if (text.find('\0') == std::string::npos) {
    ConfigVars one = {{"VALUE", text}};
    auto back = parse_env(format_env(one), "env");
    if (!back || *back != one) {
      return false;
    }
  }
  return true;
}

} // namespace slipway::fuzz

SLIPWAY_FUZZ_TARGET(slipway::fuzz::env_file)
