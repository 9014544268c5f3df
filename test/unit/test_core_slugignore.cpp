#include "scratch.hpp"

#include <core/build/slugignore.hpp>
#include <util/fs.hpp>

#include <doctest/doctest.h>

using namespace slipway;

TEST_CASE("core::slugignore")
{
  auto ig = core::parse_slugignore("# docs\n\n*.psd\n/test\nlog/\n!keep.psd\n  spaced.txt  \n");
  CHECK(ig.patterns == std::vector<std::string>{"*.psd", "/test", "log/", "spaced.txt"});
  REQUIRE(ig.warnings.size() == 1);
  CHECK(ig.warnings[0] == ".slugignore:6: '!' negation is not supported; line ignored");
  CHECK(core::slugignore_matches(ig, "art/cover.psd", false));
  CHECK(core::slugignore_matches(ig, "test", true));
  CHECK(!core::slugignore_matches(ig, "src/test", true)); // anchored to the root
  CHECK(core::slugignore_matches(ig, "a/log", true));
  CHECK(!core::slugignore_matches(ig, "a/log", false)); // "log/" matches directories only
  CHECK(!core::slugignore_matches(ig, "keep.txt", false));

  std::string dir = test::scratch_dir("slugignore");
  REQUIRE(util::make_dirs(dir + "/test/unit"));
  REQUIRE(util::make_dirs(dir + "/src/test"));
  REQUIRE(util::write_file_atomic(dir + "/a.psd", "x"));
  REQUIRE(util::write_file_atomic(dir + "/src/b.psd", "x"));
  REQUIRE(util::write_file_atomic(dir + "/src/keep.js", "x"));
  auto removed = core::apply_slugignore(ig, dir);
  REQUIRE(removed);
  CHECK(*removed == 3);
  CHECK(!util::path_exists(dir + "/test"));
  CHECK(!util::path_exists(dir + "/a.psd"));
  CHECK(!util::path_exists(dir + "/src/b.psd"));
  CHECK(util::path_exists(dir + "/src/test"));
  CHECK(util::path_exists(dir + "/src/keep.js"));
}
