#include "scratch.hpp"

#include <core/build/blob_manifest.hpp>
#include <core/ops/push.hpp>
#include <core/release/release_record.hpp>
#include <core/app/settings.hpp>

#include <util/fs.hpp>

#include <doctest/doctest.h>

using namespace slipway::core;
namespace core = slipway::core;
namespace git = slipway::git;
namespace util = slipway::util;

TEST_CASE("core::release record YAML round-trip")
{
  ReleaseRecord r;
  r.version = 12;
  r.status = ReleaseStatus::failed;
  r.description = "Deploy 1a2b3c4d: \"quoted\" # not a comment";
  r.user = "alice@example.com";
  r.commit = std::string(40, 'a');
  r.created_at = "2026-11-27T22:00:00Z";
  r.slug_id = "01234567-89ab-cdef-0123-456789abcdef";
  r.slug_size = 1234;
  r.process_types = {{"web", "bin/web: --flag"}, {"release", "./migrate && echo 'done'"}};
  r.release_command = "./migrate && echo 'done'";
  r.exit_status = 3;
  r.failure = "release command exited with status 3";
  auto back = record_from_yaml(record_to_yaml(r), "release.yml");
  REQUIRE(back);
  CHECK(back->version == 12);
  CHECK(back->status == ReleaseStatus::failed);
  CHECK(back->description == r.description);
  CHECK(back->process_types == r.process_types);
  CHECK(back->exit_status == 3);
  CHECK(back->slug_size == 1234);
  CHECK(back->failure == r.failure);
  CHECK(!back->release_phase_skipped);
}

TEST_CASE("core: a release whose release phase an add-on skipped says so, and keeps saying it")
{
  ReleaseRecord r;
  r.version = 3;
  r.status = ReleaseStatus::succeeded;
  r.description = "Update DATABASE by postgresql-calm-1234";
  r.release_command = "bin/migrate";
  r.release_phase_skipped = true;
  auto back = record_from_yaml(record_to_yaml(r), "release.yml");
  REQUIRE(back);
  CHECK(back->release_phase_skipped);
  CHECK(back->status_suffix() == "release command skipped");
  r.release_phase_skipped = false;
  CHECK(r.status_suffix() == "");
}

TEST_CASE("core::record_from_yaml rejects broken records with file:line")
{
  auto r = record_from_yaml("version: 3\nstatus: [oops\n", "releases/v3/release.yml");
  REQUIRE(!r);
  CHECK(r.error().message.rfind("releases/v3/release.yml:", 0) == 0);
  CHECK(record_from_yaml("status: succeeded\n", "f").error().message == "f: missing or invalid 'version'");
  CHECK(record_from_yaml("version: 1\nstatus: weird\n", "f").error().message == "f: invalid 'status' 'weird'");
  CHECK(!record_from_yaml("- a list\n", "f"));
}

TEST_CASE("core::parse_hook_input")
{
  std::string a(40, 'a'), z(40, '0');
  auto r = parse_hook_input(z + " " + a + " refs/heads/main\n" + a + " " + z + " refs/tags/v1\n");
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].ref == "refs/heads/main");
  CHECK((*r)[1].new_id == z);
  CHECK(parse_hook_input("garbage\n").error().message == "hook input:1: expected '<old-sha> <new-sha> <ref>'");
  CHECK(!parse_hook_input(z + " " + a + " main\n"));
  CHECK(parse_hook_input("")->empty());
}

TEST_CASE("core::settings")
{
  AppSettings s;
  CHECK(s.deploys_branch("main"));
  CHECK(s.deploys_branch("master"));
  CHECK(!s.deploys_branch("feature"));
  REQUIRE(set_setting(s, "deploy_branch", "production"));
  CHECK(s.deploys_branch("production"));
  CHECK(!s.deploys_branch("main"));
  REQUIRE(set_setting(s, "slug_size_limit", "500M"));
  CHECK(s.slug_size_limit == 500ULL << 20);
  CHECK(set_setting(s, "release_timeout", "0").error().exit_code == 2);
  CHECK(set_setting(s, "strict", "maybe").error().message == "setting 'strict' takes true or false, not 'maybe'");
  CHECK(set_setting(s, "nope", "1").error().message.rfind("unknown setting 'nope'; settings are deploy_branch", 0) ==
        0);
  CHECK(!set_setting(s, "compression", "bzip2"));
  CHECK(!set_setting(s, "deploy_branch", "a b"));
}

TEST_CASE("core::record_to_yaml stores what reads back (found by fuzz_release_record)")
{
  ReleaseRecord r;
  r.version = 1;
  r.release_command = "bin/task\r\r";   // trailing CRs vanished in a plain scalar
  r.description = "x: \xff\xfe quoted"; // invalid UTF-8 was replaced only when quoted
  r.user = " leading and trailing ";
  r.process_types = {{"web", "run\x01"}};
  std::string once = record_to_yaml(r);
  auto back = record_from_yaml(once, "f");
  REQUIRE(back);
  CHECK(back->release_command == "bin/task\r\r");
  CHECK(back->description == "x: \xef\xbf\xbd\xef\xbf\xbd quoted");
  CHECK(back->user == " leading and trailing ");
  CHECK(back->process_types.at("web") == "run\x01");
  CHECK(record_to_yaml(*back) == once);
}

TEST_CASE("core::record_from_yaml refuses process type names a Procfile cannot hold (found by fuzzing)")
{
  auto r = record_from_yaml("version: 1\nstatus: failed\nprocess_types:\n  \"we b\": x\n", "f");
  REQUIRE(!r);
  CHECK(r.error().message == "f: invalid process type name 'we b'");
}

TEST_CASE("core blob manifests round-trip any path and reject damage")
{
  std::string dir = slipway::test::scratch_dir("blobs");
  git_oid a, b;
  REQUIRE(git::parse_oid(std::string(40, 'a'), a));
  REQUIRE(git::parse_oid("0123456789abcdef0123456789abcdef01234567", b));
  std::string text;
  core::add_blob_entry(text, a, "lib/x.txt");
  core::add_blob_entry(text, b, "name with spaces\nand a newline");
  core::add_blob_entry(text, a, "\xff\xfe-not-utf8");
  REQUIRE(core::save_blob_manifest(dir + "/m.blobs", text));
  auto back = core::load_blob_manifest(dir + "/m.blobs");
  REQUIRE(back);
  REQUIRE(back->size() == 3);
  CHECK(git_oid_cmp(&back->at("name with spaces\nand a newline"), &b) == 0);
  CHECK(git_oid_cmp(&back->at("\xff\xfe-not-utf8"), &a) == 0);
  for (std::string bad : {std::string("not a manifest"), std::string(40, 'g') + " x" + std::string(1, '\0'),
                          std::string(40, 'a') + " unterminated", std::string(40, 'a') + std::string(1, '\0')}) {
    REQUIRE(util::write_file_atomic(dir + "/bad.blobs", bad));
    auto r = core::load_blob_manifest(dir + "/bad.blobs");
    CHECK(!r);
    if (!r) {
      CHECK(r.error().message.find(dir + "/bad.blobs: ") == 0);
    }
  }
  CHECK(!core::load_blob_manifest(dir + "/missing.blobs"));
}

TEST_CASE("core::unchanged_since_export needs the same inode and change time, before the fence")
{
  git::ExportedFile f;
  f.ino = 42;
  f.ctime = {100, 500};
  struct stat st{};
  st.st_ino = 42;
  st.st_ctim = {100, 500};
  CHECK(core::unchanged_since_export(f, st, {100, 501}));
  CHECK(!core::unchanged_since_export(f, st, {100, 500})); // stamped at the fence: not sure
  st.st_ctim = {100, 600};
  CHECK(!core::unchanged_since_export(f, st, {101, 0})); // changed
  st.st_ctim = {100, 500};
  st.st_ino = 43;
  CHECK(!core::unchanged_since_export(f, st, {101, 0})); // replaced by another file
}
