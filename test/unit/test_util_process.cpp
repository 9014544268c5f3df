#include "scratch.hpp"

#include <util/fs.hpp>
#include <util/process.hpp>

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>
#include <vector>

using namespace slipway::util;

namespace {

ProcessSpec
bash(const std::string& script)
{
  ProcessSpec s;
  s.argv = {"bash", "-c", script};
  s.env = {"PATH=/usr/bin:/bin"};
  return s;
}

} // namespace

TEST_CASE("util::run_process streams lines and reports the exit status")
{
  std::vector<std::string> lines;
  auto r = run_process(bash("echo one; echo two >&2; printf 'no newline'; exit 3"),
                       [&](std::string_view l) { lines.emplace_back(l); });
  REQUIRE(r);
  CHECK(r->exit_code == 3);
  CHECK(!r->success());
  CHECK(r->describe() == "exited with status 3");
  CHECK(lines == std::vector<std::string>{"one", "two", "no newline"});
}

TEST_CASE("util::run_process gives the command /dev/null as stdin and a clean environment")
{
  std::vector<std::string> lines;
  auto r = run_process(bash("read x && echo got || echo eof; echo \"HOME=${HOME:-unset}\""),
                       [&](std::string_view l) { lines.emplace_back(l); });
  REQUIRE(r);
  CHECK(lines == std::vector<std::string>{"eof", "HOME=unset"});
}

TEST_CASE("util::run_process reads stdin from ProcessSpec::stdin_fd, and other fds stay closed")
{
  FILE* f = std::tmpfile();
  REQUIRE(f);
  std::fputs("{\"a\": 1}\n", f);
  std::fflush(f);
  std::rewind(f);
  auto spec = bash("cat; ls /proc/self/fd | wc -l");
  spec.capture_stdout = true;
  spec.stdin_fd = ::fileno(f);
  auto r = run_process(spec, [](std::string_view) {});
  std::fclose(f);
  REQUIRE(r);
  CHECK(r->success());
  // 0, 1, 2 and the directory ls reads: the request's fd is not left open in the command.
  CHECK(r->stdout_text == "{\"a\": 1}\n4\n");
}

TEST_CASE("util::run_process times out: SIGTERM, then SIGKILL after the grace period")
{
  auto spec = bash("trap '' TERM; echo started; sleep 30");
  spec.timeout_seconds = 0.3;
  spec.kill_grace_seconds = 0.3;
  auto r = run_process(spec, {});
  REQUIRE(r);
  CHECK(r->timed_out);
  CHECK(r->describe(1) == "timed out after 1s");
}

TEST_CASE("util::run_process: a command that exits 0 on the timeout's SIGTERM still timed out")
{
  auto spec = bash("trap 'echo got TERM; exit 0' TERM; echo started; sleep 30 & wait");
  spec.timeout_seconds = 0.3;
  spec.kill_grace_seconds = 5;
  std::vector<std::string> lines;
  auto r = run_process(spec, [&](std::string_view l) { lines.emplace_back(l); });
  REQUIRE(r);
  CHECK(lines == std::vector<std::string>{"started", "got TERM"});
  CHECK(r->exit_code == 0);
  CHECK(r->timed_out);
  CHECK(!r->success());
  CHECK(r->describe(1) == "timed out after 1s");
}

TEST_CASE("util::run_process kills what the command leaves behind")
{
  std::string marker = "slipway-unit-daemon-" + std::to_string(::getpid());
  auto r =
      run_process(bash("setsid bash -c 'exec -a " + marker + " sleep 300' </dev/null >/dev/null 2>&1 & echo bye"), {});
  REQUIRE(r);
  CHECK(r->success());
  // "[s]" keeps the shell running pgrep from matching its own command line.
  CHECK(system(("pgrep -f '[s]" + marker.substr(1) + "' >/dev/null").c_str()) != 0);
}

TEST_CASE("util::run_process can be cancelled with SIGTERM to the supervisor")
{
  auto spec = bash("echo started; sleep 30");
  pid_t supervisor = 0;
  auto r = run_process(
      spec, [&](std::string_view) { ::kill(supervisor, SIGTERM); }, [&](pid_t pid) { supervisor = pid; });
  REQUIRE(r);
  CHECK(r->cancelled);
  CHECK(r->describe() == "was cancelled");
}

TEST_CASE("util::run_process captures stdout apart from stderr")
{
  std::vector<std::string> lines;
  auto spec = bash("echo data; echo diag >&2");
  spec.capture_stdout = true;
  auto r = run_process(spec, [&](std::string_view l) { lines.emplace_back(l); });
  REQUIRE(r);
  CHECK(r->stdout_text == "data\n");
  CHECK(lines == std::vector<std::string>{"diag"});
}

TEST_CASE("util::run_process reports a command that never ran as what stopped it")
{
  ProcessSpec s;
  s.argv = {"/nonexistent/program"};
  std::vector<std::string> lines;
  auto r = run_process(s, [&](std::string_view l) { lines.emplace_back(l); });
  REQUIRE(r);
  CHECK(r->exit_code == 127);
  CHECK(!r->started());
  CHECK(!r->success());
  CHECK(r->program_missing);
  CHECK(r->start_error == "cannot run '/nonexistent/program': No such file or directory");
  CHECK(r->describe() == "could not run: cannot run '/nonexistent/program': No such file or directory");
  CHECK(lines.empty());

  std::string dir = slipway::test::scratch_dir("start-failures");
  SUBCASE("not executable")
  {
    REQUIRE(write_file_atomic(dir + "/plain", "#!/bin/sh\necho hi\n", 0644));
    s.argv = {dir + "/plain"};
    r = run_process(s, [&](std::string_view) {});
    REQUIRE(r);
    CHECK(!r->program_missing);
    CHECK(r->start_error == "cannot run '" + dir + "/plain': Permission denied");
  }
  SUBCASE("a missing interpreter")
  {
    REQUIRE(write_file_atomic(dir + "/script", "#!/nonexistent/interpreter\n", 0755));
    s.argv = {dir + "/script"};
    r = run_process(s, [&](std::string_view) {});
    REQUIRE(r);
    CHECK(!r->program_missing);
    CHECK(r->start_error == "cannot run '" + dir + "/script': the interpreter on its #! line is missing");
  }
  SUBCASE("a working directory that does not exist")
  {
    s.argv = {"/bin/true"};
    s.cwd = dir + "/nowhere";
    r = run_process(s, [&](std::string_view) {});
    REQUIRE(r);
    CHECK(r->start_error == "cannot enter '" + dir + "/nowhere': No such file or directory");
  }
  SUBCASE("a program that runs is not a start failure, whatever its status")
  {
    s.argv = {"/bin/sh", "-c", "exit 127"};
    r = run_process(s, [&](std::string_view) {});
    REQUIRE(r);
    CHECK(r->started());
    CHECK(r->exit_code == 127);
  }
}

TEST_CASE("util::run_process runs a command in an overlay view: it may change anything, the tree stays")
{
  if (::geteuid() != 0) {
    SKIP_TEST("overlay views need root");
  }
  std::string dir = slipway::test::scratch_dir("overlay");
  REQUIRE(::chmod(dir.c_str(), 0755) == 0);
  OverlayView view{dir + "/lower", dir + "/upper", dir + "/work", dir + "/mnt", dir + "/view", 65534, 65534};
  for (const auto* d : {&view.lower, &view.upper, &view.work, &view.mount, &view.target}) {
    REQUIRE(::mkdir(d->c_str(), 0755) == 0);
  }
  REQUIRE(::mkdir((view.lower + "/sub").c_str(), 0755) == 0);
  REQUIRE(write_file_atomic(view.lower + "/sub/file", "original\n"));
  REQUIRE(write_file_atomic(view.lower + "/sub/old", "old\n"));
  REQUIRE(::chown(view.upper.c_str(), 65534, 65534) == 0);
  REQUIRE(overlay_paths_usable(view));

  auto spec = bash("id -u; stat -c %u sub/file; echo changed > sub/file; echo new > sub/new; rm sub/old;"
                   " cat sub/file; ls sub | tr '\\n' ' '; echo");
  spec.cwd = view.target;
  spec.view = &view;
  spec.drop_privileges = true;
  spec.uid = 65534;
  spec.gid = 65534;
  std::vector<std::string> lines;
  auto r = run_process(spec, [&](std::string_view l) { lines.emplace_back(l); });
  REQUIRE(r);
  if (r->view_failed) {
    CHECK(r->describe().find("could not start: cannot ") == 0);
    SKIP_TEST("this kernel cannot make overlay views: " + r->view_error);
  }
  CHECK(r->success());
  CHECK(lines == std::vector<std::string>{"65534", "65534", "changed", "file new "});
  CHECK(*read_file(view.lower + "/sub/file") == "original\n");
  CHECK(!path_exists(view.lower + "/sub/new"));
  CHECK(path_exists(view.lower + "/sub/old"));
  CHECK(*read_file(view.upper + "/sub/new") == "new\n");
  // The view was private to the command: nothing is mounted here any more.
  CHECK(!path_exists(view.target + "/sub"));
  CHECK(!path_exists(view.mount + "/sub"));
}

TEST_CASE("util::run_process reports a view it cannot enter instead of running the command")
{
  std::string dir = slipway::test::scratch_dir("overlay-missing");
  OverlayView view{dir + "/no-such-tree", dir + "/u", dir + "/w", dir + "/m", dir + "/t", 65534, 65534};
  auto spec = bash("echo ran");
  spec.view = &view;
  std::vector<std::string> lines;
  auto r = run_process(spec, [&](std::string_view l) { lines.emplace_back(l); });
  REQUIRE(r);
  CHECK(r->view_failed);
  CHECK(!r->success());
  CHECK(lines.empty());
  CHECK(r->describe().find("could not start: cannot ") == 0);
}

TEST_CASE("util::run_process from several threads while others allocate: no child hangs")
{
  // A child that took the allocator's (or stdio's) lock after fork from a threaded parent
  // would wait forever for a thread that does not exist in it; every run must finish, and
  // each command's output must reach its own caller.
  std::atomic<bool> stop{false};
  std::vector<std::thread> churn;
  for (int t = 0; t < 3; ++t) {
    churn.emplace_back([&] {
      while (!stop) {
        std::vector<std::string> junk(64, std::string(4096, 'x'));
        std::snprintf(junk[0].data(), 16, "%d", static_cast<int>(junk.size()));
      }
    });
  }
  std::atomic<int> good{0};
  std::vector<std::thread> runners;
  for (int t = 0; t < 4; ++t) {
    runners.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        ProcessSpec s = bash("echo run-" + std::to_string(t) + "-" + std::to_string(i));
        s.timeout_seconds = 20;
        std::string seen;
        auto r = run_process(s, [&](std::string_view line) { seen = line; });
        if (r && r->success() && seen == "run-" + std::to_string(t) + "-" + std::to_string(i)) {
          ++good;
        }
      }
    });
  }
  for (auto& r : runners) {
    r.join();
  }
  stop = true;
  for (auto& c : churn) {
    c.join();
  }
  CHECK(good == 160);
}
