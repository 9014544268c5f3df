#include <core/addons/addons.hpp>
#include <core/app/app_name.hpp>
#include <pg/pg.hpp>
#include <core/release/release_store.hpp>

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

TEST_CASE("core: add-on, provider and attachment names")
{
  CHECK(check_addon_name("postgresql-calm-1234"));
  CHECK(!check_addon_name("ab"));
  CHECK(!check_addon_name("db-"));
  CHECK(!check_addon_name("1db"));
  CHECK(!check_addon_name("my_db"));
  CHECK(!check_addon_name(std::string(41, 'a')));
  CHECK(check_addon_name("x'; DROP").error().exit_code == 2);
  CHECK(check_attachment_name("DATABASE"));
  CHECK(check_attachment_name("HEROKU_POSTGRESQL_RED"));
  CHECK(!check_attachment_name("database"));
  CHECK(!check_attachment_name("DB_"));
  CHECK(!check_attachment_name("_DB"));
  CHECK(!check_attachment_name("DB-1"));
  CHECK(check_provider_name("redis"));
  CHECK(!check_provider_name("Redis"));
  CHECK(!check_provider_name("../x"));
  CHECK(default_attachment_name("postgresql") == "DATABASE");
  CHECK(default_attachment_name("redis-cache") == "REDIS_CACHE");
}

TEST_CASE("core::Addon gives each attachment its own names for the provider's vars")
{
  Addon a;
  a.name = "pg-one";
  a.config = {{"URL", "postgres://u:p@h:1/d"}, {"HOST", "h"}};
  a.attachments = {{"web", "DATABASE"}, {"web", "REPORTS"}, {"other", "DATABASE"}};
  CHECK(a.vars_for(a.attachments[1]) == ConfigVars{{"REPORTS_URL", "postgres://u:p@h:1/d"}, {"REPORTS_HOST", "h"}});
  CHECK(a.attachment("web", "REPORTS") == &a.attachments[1]);
  CHECK(a.attachment("web", "pg-one") == &a.attachments[0]);
  CHECK(a.attachment("nobody", "") == nullptr);
}

TEST_CASE("pg::make_url percent-encodes every part")
{
  CHECK(slipway::pg::make_url("u", "p@ss:w/rd", "127.0.0.1", "5432", "db") ==
        "postgres://u:p%40ss%3Aw%2Frd@127.0.0.1:5432/db");
  CHECK(slipway::pg::make_url("u", "p", "/run/postgresql", "", "db") == "postgres://u:p@%2Frun%2Fpostgresql/db");
}
