// libFuzzer target: .slugignore parsing and matching never crash.
#include <core/slugignore.hpp>

#include <cstdint>
#include <string>

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
  std::string text(reinterpret_cast<const char*>(data), size);
  auto ignore = slipway::core::parse_slugignore(text);
  for (const char* path : {"a", "a/b.psd", "test/unit/x", ".git", "log"}) {
    (void)slipway::core::slugignore_matches(ignore, path, true);
    (void)slipway::core::slugignore_matches(ignore, path, false);
  }
  return 0;
}
