#include "scratch.hpp"

#include <archive/handles.hpp>
#include <archive/slug_pack.hpp>
#include <archive/slug_unpack.hpp>
#include <util/fs.hpp>
#include <util/sha256.hpp>

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

using namespace slipway;

namespace {

std::string
make_tree(const std::string& root)
{
  std::string app = root + "/app";
  (void)util::make_dirs(app + "/bin");
  (void)util::make_dirs(app + "/empty");
  (void)util::write_file_atomic(app + "/Procfile", "web: bin/web\n");
  (void)util::write_file_atomic(app + "/bin/web", "#!/bin/sh\necho hi\n", 0755);
  (void)util::write_file_atomic(app + "/name with spaces\nand newline", "x");
  (void)util::write_file_atomic(app + "/bin/\xff\xfe-not-utf8", "y");
  ::symlink("bin/web", (app + "/web-link").c_str());
  return app;
}

struct EvilEntry
{
  std::string path;
  unsigned type;
  std::string link;     // symlink target
  std::string hardlink; // hardlink target
};

// Write a gzip tar with the given entries; each regular file holds "x".
std::string
write_evil(const std::string& path, const std::vector<EvilEntry>& entries)
{
  archive::Writer w(archive_write_new());
  archive_write_set_format_pax_restricted(w.get());
  archive_write_add_filter_gzip(w.get());
  archive_write_open_filename(w.get(), path.c_str());
  for (const auto& e : entries) {
    archive::Entry entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), e.path.c_str());
    archive_entry_set_filetype(entry.get(), e.type);
    archive_entry_set_perm(entry.get(), 0644);
    if (!e.link.empty()) {
      archive_entry_set_symlink(entry.get(), e.link.c_str());
    }
    if (!e.hardlink.empty()) {
      archive_entry_set_hardlink(entry.get(), e.hardlink.c_str());
    }
    if (e.type == AE_IFREG && e.hardlink.empty()) {
      archive_entry_set_size(entry.get(), 1);
    }
    archive_write_header(w.get(), entry.get());
    if (e.type == AE_IFREG && e.hardlink.empty()) {
      archive_write_data(w.get(), "x", 1);
    }
  }
  archive_write_close(w.get());
  return path;
}

} // namespace

TEST_CASE("archive::pack_slug is deterministic and unpacks to the same tree")
{
  std::string dir = test::scratch_dir("pack");
  std::string app = make_tree(dir);
  for (auto c : {archive::Compression::zstd, archive::Compression::gzip}) {
    std::string ext = archive::slug_extension(c);
    auto a = archive::pack_slug(app, dir + "/a" + ext, c);
    INFO((a ? std::string() : a.error().message));
    REQUIRE(a);
    ::sleep(1); // a different clock must not change the bytes
    auto b = archive::pack_slug(app, dir + "/b" + ext, c);
    REQUIRE(b);
    CHECK(a->sha256 == b->sha256);
    CHECK(a->sha256 == util::sha256_file(dir + "/a" + ext));
    struct stat packed;
    REQUIRE(::stat((dir + "/a" + ext).c_str(), &packed) == 0);
    CHECK(a->size == static_cast<unsigned long long>(packed.st_size));
    CHECK(b->size == a->size);
    std::string out = dir + "/out" + ext;
    REQUIRE(archive::unpack_slug(dir + "/a" + ext, out));
    CHECK(*util::read_file(out + "/Procfile") == "web: bin/web\n");
    struct stat st;
    REQUIRE(::stat((out + "/bin/web").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0755);
    CHECK(util::is_directory(out + "/empty"));
    CHECK(*util::read_link(out + "/web-link") == "bin/web");
    CHECK(*util::read_file(out + "/name with spaces\nand newline") == "x");
    CHECK(*util::read_file(out + "/bin/\xff\xfe-not-utf8") == "y");
  }
}

TEST_CASE("archive::pack_slug refuses links out of the app and special files")
{
  std::string dir = test::scratch_dir("pack-bad");
  REQUIRE(util::make_dirs(dir + "/app"));
  ::symlink("/etc/passwd", (dir + "/app/Procfile").c_str());
  auto r = archive::pack_slug(dir + "/app", dir + "/s.tar.zst", archive::Compression::zstd);
  REQUIRE(!r);
  CHECK(r.error().message ==
        "symlink 'app/Procfile' -> '/etc/passwd' points outside the app; slugs may only link inside it");
  ::unlink((dir + "/app/Procfile").c_str());
  ::unlink((dir + "/s.tar.zst").c_str());
  ::mkfifo((dir + "/app/fifo").c_str(), 0644);
  auto f = archive::pack_slug(dir + "/app", dir + "/s.tar.zst", archive::Compression::zstd);
  REQUIRE(!f);
  CHECK(f.error().message.find("is a special file") != std::string::npos);
}

TEST_CASE("archive::pack_slug never reads through a file swapped for a symlink after it was listed")
{
  // The app's user can change its tree while root packs it: between the walk's lstat and the
  // open, "data" becomes a link to a file only root may read.
  std::string dir = test::scratch_dir("pack-swap");
  REQUIRE(util::make_dirs(dir + "/app"));
  REQUIRE(util::write_file_atomic(dir + "/secret", "SECRET-ROOT-ONLY", 0600));
  REQUIRE(util::write_file_atomic(dir + "/app/data", "plain-app-bytes!", 0644)); // the same size
  archive::PackOptions options;
  int swapped = 0;
  options.on_file = [&](const std::string& rel, const struct stat&) {
    if (rel == "data") {
      ::unlink((dir + "/app/data").c_str());
      swapped += ::symlink((dir + "/secret").c_str(), (dir + "/app/data").c_str()) == 0;
    }
  };
  auto r = archive::pack_slug(dir + "/app", dir + "/s.tar.gz", archive::Compression::gzip, options);
  REQUIRE(swapped == 1);
  if (r) {
    // Packing may go on without the file, but never with the secret's bytes.
    REQUIRE(archive::unpack_slug(dir + "/s.tar.gz", dir + "/out"));
    auto data = util::read_file(dir + "/out/data");
    CHECK((!data || data->find("SECRET") == std::string::npos));
  } else {
    CHECK(r.error().message == "cannot read 'app/data': Too many levels of symbolic links");
  }
}

TEST_CASE("archive::pack_slug stops as soon as the slug passes max_size")
{
  std::string dir = test::scratch_dir("pack-limit");
  REQUIRE(util::make_dirs(dir + "/app"));
  // 8 MiB that do not compress.
  std::string noise(8 << 20, '\0');
  unsigned x = 12345;
  for (auto& c : noise) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 16);
  }
  REQUIRE(util::write_file_atomic(dir + "/app/noise", noise));
  for (auto c : {archive::Compression::zstd, archive::Compression::gzip}) {
    std::string out = dir + "/s" + archive::slug_extension(c);
    ::unlink(out.c_str());
    auto r = archive::pack_slug(dir + "/app", out, c, {.max_size = 256 << 10});
    REQUIRE(r);
    CHECK(r->too_large);
    CHECK(r->size > (256u << 10));
    // Stopped at the limit, not after packing all 8 MiB.
    CHECK(r->size < (512u << 10));
    ::unlink(out.c_str());
    auto whole = archive::pack_slug(dir + "/app", out, c, {.max_size = 16 << 20});
    REQUIRE(whole);
    CHECK(!whole->too_large);
    CHECK(whole->size > (8u << 20));
  }
}

TEST_CASE("archive::unpack_slug refuses everything that could escape")
{
  std::string dir = test::scratch_dir("evil");
  struct Case
  {
    const char* name;
    std::vector<EvilEntry> entries;
    const char* expect;
  };
  std::vector<Case> cases = {
      {"outside", {{"./etc/evil", AE_IFREG, "", ""}}, nullptr}, // outside ./app: ignored, as on Heroku
      {"absolute", {{"/etc/evil", AE_IFREG, "", ""}}, "is absolute or climbs out with '..'"},
      {"dotdot", {{"./app/../evil", AE_IFREG, "", ""}}, "is absolute or climbs out with '..'"},
      {"dotdot-deep", {{"./app/a/../../evil", AE_IFREG, "", ""}}, "is absolute or climbs out with '..'"},
      {"dotdot-outside", {{"./x/../../evil", AE_IFREG, "", ""}}, "is absolute or climbs out with '..'"},
      {"abs-link", {{"./app/l", AE_IFLNK, "/etc", ""}}, "is a symlink that points outside the app"},
      {"up-link", {{"./app/l", AE_IFLNK, "../..", ""}}, "is a symlink that points outside the app"},
      {"through-link", {{"./app/d", AE_IFLNK, ".", ""}, {"./app/d/x", AE_IFREG, "", ""}}, "lies below the symlink"},
      {"fifo", {{"./app/f", AE_IFIFO, "", ""}}, "is a device, FIFO or socket"},
      {"device", {{"./app/d", AE_IFCHR, "", ""}}, "is a device, FIFO or socket"},
      {"hardlink-out", {{"./app/h", AE_IFREG, "", "/etc/passwd"}}, "is a hard link to something outside"},
      {"hardlink-up", {{"./app/h", AE_IFREG, "", "./app/../x"}}, "is a hard link to something outside"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    std::string slug = write_evil(dir + "/" + c.name + ".tgz", c.entries);
    std::string out = dir + "/" + c.name + ".out";
    auto r = archive::unpack_slug(slug, out);
    if (!c.expect) {
      CHECK(r);
      CHECK(!util::path_exists("/etc/evil"));
      CHECK(!util::path_exists(out + "/etc"));
      continue;
    }
    REQUIRE(!r);
    CHECK(r.error().message.find(c.expect) != std::string::npos);
  }
  CHECK(!util::path_exists(dir + "/evil"));
}

TEST_CASE("archive::unpack_slug stops at its limits")
{
  std::string dir = test::scratch_dir("bomb");
  std::vector<EvilEntry> many;
  for (int i = 0; i < 20; ++i) {
    many.push_back({"./app/f" + std::to_string(i), AE_IFREG, "", ""});
  }
  std::string slug = write_evil(dir + "/many.tgz", many);
  archive::UnpackLimits few;
  few.max_entries = 10;
  auto r = archive::unpack_slug(slug, dir + "/a", few);
  REQUIRE(!r);
  CHECK(r.error().message.find("has more than 10 entries") != std::string::npos);
  archive::UnpackLimits small;
  small.max_bytes = 5;
  auto b = archive::unpack_slug(slug, dir + "/b", small);
  REQUIRE(!b);
  CHECK(b.error().message.find("unpacks to more than 5B") != std::string::npos);
  CHECK(archive::unpack_slug(slug, dir + "/c"));
}

TEST_CASE("archive::pack_slug with normalize leaves the tree as its slug unpacks, with the same bytes")
{
  std::string dir = test::scratch_dir("pack-normalize");
  std::string app = make_tree(dir);
  REQUIRE(::chmod((app + "/Procfile").c_str(), 0600) == 0);
  REQUIRE(::chmod((app + "/bin").c_str(), 0700) == 0);
  if (::geteuid() == 0) {
    REQUIRE(::lchown((app + "/web-link").c_str(), 65534, 65534) == 0);
    REQUIRE(::chown((app + "/bin/web").c_str(), 65534, 65534) == 0);
  }
  auto plain = archive::pack_slug(app, dir + "/plain.tar.zst", archive::Compression::zstd);
  REQUIRE(plain);
  auto normalized =
      archive::pack_slug(app, dir + "/normalized.tar.zst", archive::Compression::zstd, {.normalize = true});
  REQUIRE(normalized);
  CHECK(plain->sha256 == normalized->sha256);
  std::string out = dir + "/out";
  REQUIRE(archive::unpack_slug(dir + "/plain.tar.zst", out));
  for (const char* rel : {"", "/Procfile", "/bin", "/bin/web", "/web-link", "/empty"}) {
    struct stat packed, unpacked;
    REQUIRE(::lstat((app + rel).c_str(), &packed) == 0);
    REQUIRE(::lstat((out + rel).c_str(), &unpacked) == 0);
    INFO(rel);
    CHECK(packed.st_mode == unpacked.st_mode);
    CHECK(packed.st_uid == unpacked.st_uid);
    CHECK(packed.st_gid == unpacked.st_gid);
    CHECK(packed.st_mtim.tv_sec == archive::k_slug_mtime);
    CHECK(packed.st_mtim.tv_sec == unpacked.st_mtim.tv_sec);
  }
}
