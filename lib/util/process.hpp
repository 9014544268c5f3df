// Run a child command the way deploys need: own process group, stdin from /dev/null,
// output streamed line by line, a timeout (SIGTERM, then SIGKILL after a grace period),
// cancellation from another process, and no process left behind when it ends. Safe to call
// from several threads at once: nothing after fork allocates or takes a lock.
#pragma once

#include <util/fd.hpp>
#include <util/overlay_view.hpp>
#include <util/result.hpp>

#include <sys/types.h>

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::util {

struct ProcessSpec
{
  std::vector<std::string> argv; // argv[0] is looked up in the PATH of `env`
  std::vector<std::string> env;  // the whole environment, "KEY=value"
  std::string cwd;
  double timeout_seconds = 0; // 0: no limit
  double kill_grace_seconds = 10;
  // When set, stdout is collected into ProcessResult::stdout_text (up to 1 MiB) and only
  // stderr is streamed; otherwise both are merged into the stream.
  bool capture_stdout = false;
  // When set (Slipway runs as root), the command runs as this user and group only, with
  // no_new_privs (set-id programs gain nothing); the supervisor stays privileged so that it
  // can stop everything the command started.
  bool drop_privileges = false;
  uid_t uid = 0;
  gid_t gid = 0;
  // With drop_privileges: the most processes (and threads) `uid` may have at once, all of
  // them anywhere (RLIMIT_NPROC); past it, fork fails with EAGAIN. 0: left as it is.
  unsigned long long max_processes = 0;
  // When set, the command runs inside this view (overlay_view.hpp; root only). If the view
  // cannot be entered, nothing runs and ProcessResult::view_failed is set.
  const OverlayView* view = nullptr;
  // run_process only: the command shares the caller's stdin, stdout, stderr (a terminal) and
  // process group, so that a person can use it (`slipway run` from a terminal); nothing is
  // streamed to on_line, and SIGINT/SIGQUIT from the terminal reach the command alone.
  bool interactive = false;
  // spawn_process only: the child gets SIGTERM when the process that spawned it dies.
  bool die_with_parent = false;
  // `cgroup.procs` of up to three cgroups (cgroup v2, or one per v1
  // hierarchy), open for writing, -1 for none; the child moves itself into each before
  // anything else, or does not run.
  std::array<int, 3> cgroup_procs_fds{-1, -1, -1};
  // spawn_process only: the child starts a session of its own (setsid), so that it outlives
  // the terminal of the process that spawned it.
  bool new_session = false;
  // When set (an fd >= 3, e.g. a memfd at offset 0), the command reads its stdin from it;
  // otherwise from /dev/null. Not for interactive commands.
  int stdin_fd = -1;
  // spawn_process only: when set (an fd >= 3, e.g. a FIFO's write end), stdout and stderr go
  // there and Spawned::output is empty.
  int output_fd = -1;
  // spawn_process only: when set (an fd >= 3), the command keeps it open as its fd 3, e.g. a
  // read end of its own output FIFO, so that its writes never fail while nobody else reads.
  int hold_fd = -1;
};

struct ProcessResult
{
  int exit_code = -1; // set when the command exited
  int signal = 0;     // set when a signal killed it
  bool timed_out = false;
  bool cancelled = false;   // someone sent SIGTERM to the supervisor (see on_start)
  bool view_failed = false; // the command did not run: spec.view could not be entered
  std::string view_error;   // why, e.g. "cannot mount the overlay: Operation not permitted"
  // Set when the command never ran: "cannot enter '/x': Permission denied", "cannot run
  // '/bp/bin/detect': Permission denied", ...
  std::string start_error;
  bool program_missing = false; // start_error because argv[0] does not exist
  // Set by the caller, which knows the command's cgroup: the kernel's OOM killer killed a
  // process of it (its memory limit), whatever the command then exited with.
  bool out_of_memory = false;
  std::string stdout_text;

  bool
  started() const
  {
    return start_error.empty() && !view_failed;
  }
  // Exited 0, in time, and nothing of it was killed for its memory (a shell that went on after
  // the kernel killed its child has still run out of memory).
  bool
  success() const
  {
    return exit_code == 0 && !timed_out && !cancelled && !out_of_memory && started();
  }
  // "exited with status 3", "was killed by signal 9", "timed out after 5s", ...
  std::string describe(double timeout_seconds = 0) const;
};

// A long-running child (a dyno), started and not waited for: its pid, which is also its
// process group, and the read end (non-blocking) of its merged stdout and stderr.
struct Spawned
{
  pid_t pid = -1;
  Fd output;
};

// Start `spec` (argv, env, cwd, drop_privileges; not the timeout, the view or stdout capture)
// in its own process group with stdin /dev/null, and return once it has exec'd. An error
// when it could not: the same words as ProcessResult::start_error. The caller reaps it.
Result<Spawned> spawn_process(const ProcessSpec& spec);

// Run `spec` to the end. Each output line (without newline) goes to `on_line`.
// `on_start` gets the supervisor's pid: SIGTERM to that pid cancels the command.
// Errors are only for failing to start; a command that fails is a ProcessResult.
Result<ProcessResult> run_process(const ProcessSpec& spec,
                                  const std::function<void(std::string_view)>& on_line,
                                  const std::function<void(pid_t)>& on_start = {});

} // namespace slipway::util
