#include <core/slug/procfile.hpp>

#include <doctest/doctest.h>

using slipway::core::parse_procfile;

TEST_CASE("core::parse_procfile")
{
  SUBCASE("types, comments, blank lines and CRLF")
  {
    auto r = parse_procfile("# comment\r\n\r\nweb: bin/web --port $PORT\r\nrelease:   ./migrate  \r\n");
    REQUIRE(r);
    CHECK(r->size() == 2);
    CHECK(r->at("web") == "bin/web --port $PORT");
    CHECK(r->at("release") == "./migrate");
  }
  SUBCASE("a colon in the command is kept")
  {
    auto r = parse_procfile("worker: env A=b:c run\n");
    REQUIRE(r);
    CHECK(r->at("worker") == "env A=b:c run");
  }
  SUBCASE("duplicate types")
  {
    auto r = parse_procfile("web: a\nworker: b\nweb: c\n");
    REQUIRE(!r);
    CHECK(r.error().message == "Procfile:3: duplicate process type 'web' (first defined on line 1)");
  }
  SUBCASE("invalid type names")
  {
    auto r = parse_procfile("web server: a\n");
    REQUIRE(!r);
    CHECK(r.error().message ==
          "Procfile:1: invalid process type 'web server': use letters, digits, '_' and '-' (at most 128)");
    CHECK(!parse_procfile(std::string(129, 'a') + ": x\n"));
    CHECK(parse_procfile(std::string(128, 'a') + ": x\n"));
  }
  SUBCASE("merge conflict markers")
  {
    auto r = parse_procfile("<<<<<<< HEAD\nweb: a\n=======\nweb: b\n>>>>>>> other\n");
    REQUIRE(!r);
    CHECK(r.error().message == "Procfile:1: merge conflict marker; resolve the conflict and push again");
  }
  SUBCASE("empty command and missing colon")
  {
    CHECK(parse_procfile("web:\n").error().message == "Procfile:1: process type 'web' has an empty command");
    CHECK(parse_procfile("web:   \r\n").error().message == "Procfile:1: process type 'web' has an empty command");
    CHECK(parse_procfile("\njust words\n").error().message == "Procfile:2: expected '<type>: <command>'");
  }
}
