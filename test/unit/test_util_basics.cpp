#include "scratch.hpp"

#include <util/dir_walk.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>
#include <util/memory.hpp>
#include <util/path_safety.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>
#include <util/uuid.hpp>

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

using namespace slipway::util;

TEST_CASE("util::Sha256 matches FIPS 180-4 test vectors")
{
  Sha256 empty;
  CHECK(empty.hex_digest() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 abc;
  abc.update("abc");
  CHECK(abc.hex_digest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 two_blocks; // 56 bytes: padding spills into a second block
  two_blocks.update("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
  CHECK(two_blocks.hex_digest() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 pieces; // the same bytes fed in odd-sized pieces
  std::string s = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  for (size_t i = 0; i < s.size(); i += 7) {
    pieces.update(s.substr(i, 7));
  }
  CHECK(pieces.hex_digest() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 million;
  std::string a(1000, 'a');
  for (int i = 0; i < 1000; ++i) {
    million.update(a);
  }
  CHECK(million.hex_digest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Data not made of repeated bytes (digest from Python's hashlib).
  std::string mixed;
  uint32_t x = 12345;
  for (int i = 0; i < 100000; ++i) {
    x = x * 1103515245 + 12345;
    mixed.push_back(static_cast<char>(x >> 16));
  }
  Sha256 one;
  one.update(mixed);
  CHECK(one.hex_digest() == "d060a877edc4837c1b0a5cd174176fc6332d1b86e486d8bd2b30d13878653b47");
}

TEST_CASE("util::symlink_stays_inside")
{
  CHECK(symlink_stays_inside("a", "b"));
  CHECK(symlink_stays_inside("node_modules/.bin/x", "../pkg/bin/x"));
  CHECK(symlink_stays_inside("lib64", "lib"));
  CHECK(symlink_stays_inside("a/b", ".."));
  CHECK(symlink_stays_inside("a/b", "./c/./d"));
  CHECK(!symlink_stays_inside("a", "/etc/passwd"));
  CHECK(!symlink_stays_inside("a", ".."));
  CHECK(!symlink_stays_inside("a/b", "../.."));
  CHECK(!symlink_stays_inside("a", "d/../../x")); // '..' after a name: the name may be a link
  CHECK(!symlink_stays_inside("a", ""));
  CHECK(!symlink_stays_inside("../a", "b"));
}

TEST_CASE("util::is_safe_relative_path")
{
  CHECK(is_safe_relative_path("a/b c/d"));
  CHECK(!is_safe_relative_path("/a"));
  CHECK(!is_safe_relative_path("a/../b"));
  CHECK(!is_safe_relative_path("a//b"));
  CHECK(!is_safe_relative_path("./a"));
  CHECK(!is_safe_relative_path(""));
}

TEST_CASE("util::strings")
{
  CHECK(split("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
  CHECK(trim("  x y \r\n") == "x y");
  CHECK(human_size(500) == "500B");
  CHECK(human_size(1536) == "1.5K");
  CHECK(human_size(1ULL << 30) == "1.0G");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(printable("a\nb") == "a\\x0ab");
  unsigned long long n = 0;
  CHECK(parse_uint("123", n));
  CHECK(n == 123);
  CHECK(!parse_uint("-1", n));
  CHECK(!parse_uint("99999999999999999999", n));
  CHECK(!parse_uint("", n));
}

TEST_CASE("util::to_valid_utf8")
{
  CHECK(to_valid_utf8("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(to_valid_utf8("\xf0\x9f\x9a\x80 ok") == "\xf0\x9f\x9a\x80 ok");
  CHECK(to_valid_utf8("a\xff"
                      "b") == "a\xef\xbf\xbd"
                              "b");
  CHECK(to_valid_utf8("\xc0\xaf") == "\xef\xbf\xbd\xef\xbf\xbd");                 // overlong '/'
  CHECK(to_valid_utf8("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); // surrogate
  CHECK(to_valid_utf8("\xe2\x82") == "\xef\xbf\xbd\xef\xbf\xbd");                 // truncated
}

TEST_CASE("util::memory_summary reports this process's memory in kB")
{
  std::string s = memory_summary();
  CHECK(s.find("hwm_kb=") == 0);
  CHECK(s.find(" anon_kb=") != std::string::npos);
  CHECK(s.find(" file_kb=") != std::string::npos);
  unsigned long long hwm = 0;
  CHECK(parse_uint(s.substr(7, s.find(' ') - 7), hwm));
  CHECK(hwm > 0);
}

TEST_CASE("util::process_alive: a process that ended but was not reaped yet is not alive")
{
  std::string self = process_start_time(::getpid());
  REQUIRE(!self.empty());
  CHECK(process_alive(::getpid(), self));
  CHECK(!process_alive(::getpid(), self + "1"));
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  std::string start = process_start_time(child);
  REQUIRE(!start.empty());
  CHECK(process_alive(child, start));
  ::kill(child, SIGKILL);
  // Until waitpid, the child is a zombie; wait for the kernel to mark it so.
  siginfo_t info{};
  REQUIRE(::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT) == 0);
  CHECK(!process_alive(child, start));
  CHECK(process_start_time(child).empty());
  ::waitpid(child, nullptr, 0);
}

TEST_CASE("util::name_uuid is RFC 4122 version 5 in Slipway's namespace")
{
  std::string id = name_uuid("app:web");
  // The same as Python's uuid.uuid5(UUID('e13003ef-fdad-4233-a5cf-1701d9463f86'), 'app:web').
  CHECK(id == "7f4f1035-ab49-5c6e-93c9-e8647d5a777e");
  CHECK(id[14] == '5');
  CHECK(std::string("89ab").find(id[19]) != std::string::npos);
  CHECK(name_uuid("app:web") == id);
  CHECK(name_uuid("app:api") != id);
}

namespace {

// A root-owned 0700 file outside the tree, as a system file an app's user must never get.
std::string
root_canary(const std::string& dir)
{
  std::string canary = dir + "/canary";
  REQUIRE(write_file_atomic(canary, "root's", 0700));
  REQUIRE(::chown(canary.c_str(), 0, 0) == 0);
  return canary;
}

void
check_still_root(const std::string& canary)
{
  struct stat st;
  REQUIRE(::stat(canary.c_str(), &st) == 0);
  CHECK(st.st_uid == 0);
  CHECK(st.st_gid == 0);
  CHECK((st.st_mode & 07777) == 0700);
}

} // namespace

TEST_CASE("util::chown_tree hands over a symlink, never what it points to")
{
  if (::geteuid() != 0) {
    SKIP_TEST("chown_tree gives files away: only root can");
  }
  std::string dir = slipway::test::scratch_dir("chown-link");
  std::string canary = root_canary(dir);
  REQUIRE(make_dirs(dir + "/tree/sub"));
  REQUIRE(::symlink(canary.c_str(), (dir + "/tree/sub/link").c_str()) == 0);
  REQUIRE(chown_tree(dir + "/tree", 4242, 4243));
  check_still_root(canary);
  struct stat st;
  REQUIRE(::lstat((dir + "/tree/sub/link").c_str(), &st) == 0);
  CHECK(st.st_uid == 4242);
  CHECK(st.st_gid == 4243);
}

TEST_CASE("util::chown_tree refuses a file with another name outside the tree")
{
  if (::geteuid() != 0) {
    SKIP_TEST("chown_tree gives files away: only root can");
  }
  std::string dir = slipway::test::scratch_dir("chown-hardlink");
  std::string canary = root_canary(dir);
  REQUIRE(make_dirs(dir + "/tree"));
  REQUIRE(::link(canary.c_str(), (dir + "/tree/hard").c_str()) == 0);
  auto r = chown_tree(dir + "/tree", 4242, 4243);
  REQUIRE(!r);
  CHECK(r.error().message == "cannot hand over '" + dir + "/tree/hard': it has other hard links");
  check_still_root(canary);
}
