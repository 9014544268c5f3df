// libFuzzer target: env files. Parsing never crashes; whatever parses formats and parses
// back to the same vars; and any byte string but NUL survives as a value.
#include <core/config_vars.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
  using namespace slipway::core;
  std::string text(reinterpret_cast<const char*>(data), size);
  if (auto vars = parse_env(text, "env")) {
    auto back = parse_env(format_env(*vars), "env");
    if (!back || *back != *vars) {
      std::abort();
    }
  }
  if (text.find('\0') == std::string::npos) {
    ConfigVars one = {{"VALUE", text}};
    auto back = parse_env(format_env(one), "env");
    if (!back || *back != one) {
      std::abort();
    }
  }
  return 0;
}
