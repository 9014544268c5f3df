#include <core/app_name.hpp>
#include <core/release_store.hpp>

#include <doctest/doctest.h>

using namespace slipway::core;

TEST_CASE("core::validate_app_name")
{
  CHECK(validate_app_name("my-app-2"));
  CHECK(validate_app_name(std::string(30, 'a')));
  CHECK(validate_app_name("../x").error().message == "invalid app name '../x': it must start with a lowercase letter");
  CHECK(validate_app_name("a;b").error().message ==
        "invalid app name 'a;b': use only lowercase letters, digits and dashes");
  CHECK(validate_app_name("A").error().message == "invalid app name 'A': it must start with a lowercase letter");
  CHECK(validate_app_name(std::string(31, 'a')).error().message.find("at most 30 characters") != std::string::npos);
  CHECK(validate_app_name(std::string(200, 'a')).error().exit_code == 2);
  CHECK(!validate_app_name(""));
  CHECK(!validate_app_name("a/b"));
}

TEST_CASE("core::parse_version")
{
  CHECK(*parse_version("v12") == 12);
  CHECK(*parse_version("12") == 12);
  for (const char* bad : {"v", "v0", "v-1", "vx", "99999999999999999999", "", "v1.5", "V3"}) {
    CAPTURE(bad);
    auto r = parse_version(bad);
    REQUIRE(!r);
    CHECK(r.error().exit_code == 2);
  }
  CHECK(parse_version("vx").error().message ==
        "invalid release version 'vx': expected vN with N a positive number, like v12");
}
