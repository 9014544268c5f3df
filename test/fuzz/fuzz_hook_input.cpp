// libFuzzer target: a hook's stdin ("<old> <new> <ref>" lines) never crashes the parser,
// and accepted updates are well formed.
#include <core/push.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
  auto r = slipway::core::parse_hook_input(std::string(reinterpret_cast<const char*>(data), size));
  if (r) {
    for (const auto& u : *r) {
      if (u.old_id.size() != 40 || u.new_id.size() != 40 || u.ref.rfind("refs/", 0) != 0) {
        std::abort();
      }
    }
  }
  return 0;
}
