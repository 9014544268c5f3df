#include "scratch.hpp"

#include <core/app/app_log.hpp>
#include <core/run/certs.hpp>
#include <core/run/router.hpp>
#include <util/fs.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

using namespace slipway::core;

TEST_CASE("parse_router_line writes HAProxy's raw line in Heroku's words")
{
  auto dyno_at = [](const std::string& app, int port) { return app == "hello" && port == 5001 ? "web.2" : "?"; };
  auto line = parse_router_line(
      "hello GET hello.localhost 0123456789abcdef0123456789abcdef 10.0.0.7 5001 1 23 200 512 https /a b?c=1\n", dyno_at);
  CHECK(line.app == "hello");
  CHECK(line.text == "at=info method=GET path=\"/a b?c=1\" host=hello.localhost "
                     "request_id=0123456789abcdef0123456789abcdef fwd=\"10.0.0.7\" dyno=web.2 connect=1ms service=23ms "
                     "status=200 bytes=512 protocol=https");
  // No dyno answered: Heroku's H14 for the 503 of an app without web dynos.
  auto none = parse_router_line("hello GET hello.localhost id 10.0.0.7 - -1 -1 503 99 http /", dyno_at);
  CHECK(none.text == "at=error code=H14 desc=\"No web processes running\" method=GET path=\"/\" host=hello.localhost "
                     "request_id=id fwd=\"10.0.0.7\" dyno= connect= service= status=503 bytes=99 protocol=http");
  // A host no app has, a malformed line, another app's name that is not one.
  CHECK(parse_router_line("- GET nope id 10.0.0.7 - -1 -1 404 99 http /", dyno_at).app.empty());
  CHECK(parse_router_line("hello GET short", dyno_at).app.empty());
  CHECK(parse_router_line("../x GET h id 1.2.3.4 5001 1 1 200 1 http /", dyno_at).app.empty());
}

TEST_CASE("cert_covers matches names and one-label wildcards")
{
  std::vector<std::string> names{"www.example.com", "*.apps.example.com"};
  CHECK(cert_covers(names, "www.example.com"));
  CHECK(cert_covers(names, "hello.apps.example.com"));
  CHECK_FALSE(cert_covers(names, "apps.example.com"));
  CHECK_FALSE(cert_covers(names, "a.b.apps.example.com"));
  CHECK_FALSE(cert_covers(names, "example.com"));
}

TEST_CASE("an app's log keeps log_keep rotated files, and a tail reads across them")
{
  std::string root = slipway::test::scratch_dir("logs");
  AppPaths paths(root, "hello");
  REQUIRE(slipway::util::make_dirs(paths.dir(), 0755));
  {
    AppLogs logs(root, 200, 2); // each line is about 60 bytes: a file every 4 lines
    for (int i = 1; i <= 20; ++i) {
      logs.write("hello", "app[web.1]", fmt::format("line {:02d}", i));
      logs.flush();
    }
  }
  CHECK(slipway::util::path_exists(paths.log_file() + ".1"));
  CHECK(slipway::util::path_exists(paths.log_file() + ".2"));
  CHECK_FALSE(slipway::util::path_exists(paths.log_file() + ".3"));
  auto tail = tail_log(paths, 6);
  REQUIRE(tail.size() == 6);
  for (int i = 0; i < 6; ++i) {
    CHECK(tail[i].ends_with(fmt::format("app[web.1]: line {:02d}", 15 + i)));
  }
  // Asking for more than is kept gives what is kept, oldest first.
  auto all = tail_log(paths, 1000);
  CHECK(all.size() < 20);
  CHECK(all.back().ends_with("line 20"));
}
