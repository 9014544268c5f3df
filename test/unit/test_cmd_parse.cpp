#include <cmd/command.hpp>

#include <doctest/doctest.h>

using namespace slipway;
using namespace slipway::cmd;

namespace {

util::Result<Context>
parse(const std::vector<std::string>& words)
{
  Context ctx;
  ctx.spec = find_command(command_table(), "config:set");
  auto ok = parse_command_line(*ctx.spec, words, ctx);
  if (!ok) {
    return ok.error();
  }
  return ctx;
}

} // namespace

TEST_CASE("cmd::parse_command_line refuses an option given twice, in every spelling")
{
  const std::string refused =
      "option '--app' is given more than once; give it once (see 'slipway config:set --help')";
  for (const auto& words : std::vector<std::vector<std::string>>{{"-a", "one", "-a", "two", "A=1"},
                                                                  {"--app=one", "--app=two", "A=1"},
                                                                  {"-aone", "-atwo", "A=1"},
                                                                  {"--app", "one", "-atwo", "A=1"}}) {
    auto got = parse(words);
    REQUIRE(!got);
    CHECK(got.error().message == refused);
    CHECK(got.error().exit_code == 2);
  }
  auto once = parse({"-a", "one", "A=1"});
  REQUIRE(once);
  CHECK(once->get("app") == "one");
}
