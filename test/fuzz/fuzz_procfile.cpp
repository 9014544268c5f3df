// libFuzzer target: the Procfile parser never crashes, and what it accepts is well formed.
#include <core/procfile.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
  auto r = slipway::core::parse_procfile(std::string(reinterpret_cast<const char*>(data), size));
  if (r) {
    for (const auto& [type, command] : *r) {
      if (type.empty() || type.size() > 128 || command.empty()) {
        std::abort();
      }
    }
  } else if (r.error().message.rfind("Procfile:", 0) != 0) {
    std::abort(); // every error names file:line
  }
  return 0;
}
