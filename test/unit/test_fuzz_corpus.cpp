// The fuzz targets' seeds and regressions (test/fuzz/corpus/TARGET/*) replayed through the
// targets themselves, so that a fixed crash or broken invariant stays fixed in `make test`.
#define SLIPWAY_FUZZ_REPLAY
#include "../fuzz/fuzz_env_file.cpp"
#include "../fuzz/fuzz_hook_input.cpp"
#include "../fuzz/fuzz_procfile.cpp"
#include "../fuzz/fuzz_release_record.cpp"
#include "../fuzz/fuzz_slugignore.cpp"

#include <util/fs.hpp>

#include <doctest/doctest.h>

TEST_CASE("every fuzz corpus input keeps its target's invariants")
{
  struct Target
  {
    const char* name;
    bool (*run)(const uint8_t*, size_t);
  };
  const Target targets[] = {{"env_file", slipway::fuzz::env_file},
                            {"hook_input", slipway::fuzz::hook_input},
                            {"procfile", slipway::fuzz::procfile},
                            {"release_record", slipway::fuzz::release_record},
                            {"slugignore", slipway::fuzz::slugignore}};
  // The corpus lives beside this file's source; tests run from the top of the tree.
  std::string corpus = slipway::util::dir_name(__FILE__) + "/../fuzz/corpus/";
  for (const auto& t : targets) {
    auto inputs = slipway::util::list_dir(corpus + t.name);
    REQUIRE_MESSAGE(inputs, "no corpus for " << t.name << " in " << corpus);
    CHECK(!inputs->empty());
    for (const auto& input : *inputs) {
      auto bytes = slipway::util::read_file(corpus + t.name + "/" + input);
      REQUIRE(bytes);
      CHECK_MESSAGE(t.run(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()), t.name << ": " << input);
    }
  }
}
