#include <core/app/config_vars.hpp>

#include <doctest/doctest.h>

using namespace slipway::core;

TEST_CASE("core::format_env and parse_env round-trip any byte but NUL")
{
  ConfigVars vars = {{"PLAIN", "value"},
                     {"EQUALS", "a=b=c"},
                     {"NEWLINES", "line1\nline2\r\n"},
                     {"BACKSLASH", "C:\\path\\n"},
                     {"BINARY", std::string("\xff\xfe\x01 x", 5)},
                     {"EMPTY", ""},
                     {"_under", " spaced "}};
  auto text = format_env(vars);
  auto back = parse_env(text, "env");
  REQUIRE(back);
  CHECK(*back == vars);
}

TEST_CASE("core::parse_env errors carry file:line")
{
  CHECK(parse_env("A=1\nnot a var\n", "f").error().message == "f:2: expected KEY=value");
  CHECK(parse_env("A=1\n1X=2\n", "f").error().message ==
        "f:2: invalid config var name '1X': use letters, digits and _, not starting with a digit");
  CHECK(parse_env("A=\\q\n", "f").error().message == "f:1: bad escape in value of 'A' (only \\\\, \\n and \\r)");
  CHECK(parse_env(std::string("A=1\nB=x\0y\n", 10), "f").error().message ==
        "f:2: NUL byte; config values cannot hold NUL");
  CHECK(parse_env("# comment\n\nA=1\n", "f")->at("A") == "1");
}

TEST_CASE("core::validate_config_key")
{
  CHECK(validate_config_key("DATABASE_URL"));
  CHECK(validate_config_key("_x9"));
  CHECK(!validate_config_key(""));
  CHECK(!validate_config_key("HAS SPACE"));
  CHECK(!validate_config_key("A=B"));
  CHECK(!validate_config_key("9LIVES"));
  CHECK(!validate_config_key("DASH-ED"));
  CHECK(!validate_config_value("K", std::string("a\0b", 3)));
}
