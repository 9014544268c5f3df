#include "scratch.hpp"

#include <core/app/app_user.hpp>
#include <core/release/release_store.hpp>
#include <util/fs.hpp>

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <thread>

using namespace slipway;

TEST_CASE("core::ReleaseStore current never goes missing or dangling during 1,000 switches")
{
  std::string root = test::scratch_dir("switch");
  core::AppPaths paths(root, "app");
  core::ReleaseStore store(paths);
  REQUIRE(util::make_dirs(paths.release(1) + "/app"));
  REQUIRE(util::make_dirs(paths.release(2) + "/app"));
  REQUIRE(store.switch_current(1));
  std::atomic<bool> done{false};
  std::atomic<long> reads{0}, bad{0}, changes{0};
  std::thread reader([&] {
    char buf[256];
    std::string last;
    while (!done) {
      ssize_t n = ::readlink(paths.current().c_str(), buf, sizeof buf);
      struct stat st;
      if (n <= 0 || ::stat((paths.current() + "/app").c_str(), &st) != 0) {
        ++bad;
      } else if (std::string(buf, static_cast<size_t>(n)) != last) {
        last.assign(buf, static_cast<size_t>(n));
        ++changes;
      }
      ++reads;
    }
  });
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(store.switch_current(i % 2 ? 1 : 2));
  }
  done = true;
  reader.join();
  CHECK(reads > 0);
  // The reader ran while current switched: it saw it change many times, not once.
  CHECK(changes > 10);
  CHECK(bad == 0);
  CHECK(*util::read_link(paths.current()) == "releases/v1");
}

TEST_CASE("core::ReleaseStore allocates versions that are never reused")
{
  std::string root = test::scratch_dir("alloc");
  core::AppPaths paths(root, "unit-alloc");
  REQUIRE(util::make_dirs(paths.dir()));
  core::ReleaseStore store(paths);
  core::ReleaseRecord draft;
  draft.description = "first";
  if (::geteuid() == 0) {
    // As root, an app without its unix user gets no release (its code would run as root).
    auto refused = store.create(draft, {});
    REQUIRE(!refused);
    CHECK(refused.error().message ==
          "app 'unit-alloc' has no unix user 'slipway-unit-alloc' to run its code as; run 'slipway doctor -a "
          "unit-alloc --fix' to create it again");
    CHECK(!util::path_exists(paths.release(1)));
    REQUIRE(core::create_app_user(paths.name()));
  }
  struct RemoveUser
  {
    std::string app;
    ~RemoveUser() { core::remove_app_user(app); }
  } remove_user{paths.name()};
  auto a = store.create(draft, {});
  REQUIRE(a);
  CHECK(a->version == 1);
  auto b = store.create(draft, {{"K", "v"}});
  REQUIRE(b);
  CHECK(b->version == 2);
  CHECK(store.config_of(2)->at("K") == "v");
  struct stat st;
  REQUIRE(::stat((paths.release(2) + "/env").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // Our own pending release is not interrupted: this process owns it.
  CHECK(!store.load(2)->interrupted);
  CHECK(store.load(2)->status == core::ReleaseStatus::pending);
  // Stray entries in releases/ are not versions.
  REQUIRE(util::make_dirs(paths.releases() + "/v03"));
  REQUIRE(util::make_dirs(paths.releases() + "/notes"));
  CHECK(*store.versions() == std::vector<unsigned long>{1, 2});
}

TEST_CASE("core::ReleaseStore::latest finds the newest release from current, or by listing")
{
  std::string root = test::scratch_dir("latest");
  core::AppPaths paths(root, "app");
  core::ReleaseStore store(paths);
  REQUIRE(util::make_dirs(paths.releases()));
  CHECK(*store.latest() == 0);
  for (unsigned long v = 1; v <= 12; ++v) {
    REQUIRE(util::make_dirs(paths.release(v) + "/app"));
  }
  CHECK(*store.latest() == 12); // no current: listed
  REQUIRE(store.switch_current(4));
  CHECK(*store.latest() == 12); // probed upward past newer (failed) releases
  REQUIRE(store.switch_current(12));
  CHECK(*store.latest() == 12);
  REQUIRE(util::make_dirs(paths.release(13)));
  CHECK(*store.latest() == 13);
  REQUIRE(::unlink(paths.current().c_str()) == 0);
  REQUIRE(::symlink("releases/v99", paths.current().c_str()) == 0);
  CHECK(*store.latest() == 13); // current dangling: listed
}
