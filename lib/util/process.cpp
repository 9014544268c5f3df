// Layout: the caller forks a supervisor, which becomes a child subreaper and forks the
// command into its own process group. Orphans of the command (daemons, double forks)
// are reparented to the supervisor, which kills them all when the command ends, then
// reports the result on a pipe. The caller only reads output and the final status.
// Callers may be threaded (a server): after fork, the supervisor and the command's child make
// only async-signal-safe calls. Everything they need (argv, envp, the program's path, the
// overlay's options) is built before fork, and the little text they make is formatted on the
// stack (async_safe.hpp); they close inherited fds with close_range.
#include "process.hpp"

#include <util/async_safe.hpp>
#include <util/clock.hpp>
#include <util/fd.hpp>
#include <util/strings.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <vector>

namespace slipway::util {

namespace {

struct WireStatus
{
  int exited;
  int code;
  int timed_out;
  int cancelled;
  int view_errno; // nonzero: the view could not be entered and nothing ran
  int view_step;
  int start_errno; // nonzero: the command never ran (see StartFailure)
  int start_step;
  int start_target_exists; // for exec: the program file itself exists (so its #! is bad)
};

// What the command's child reports when it cannot become the command; the pipe is CLOEXEC,
// so a successful exec closes it with nothing written.
struct StartFailure
{
  int step; // k_step_*
  int err;
  int target_exists;
};

constexpr int k_step_user = 1;
constexpr int k_step_cwd = 2;
constexpr int k_step_exec = 3;
constexpr int k_step_cgroup = 4;

std::string
resolve_program(const std::string& name, const std::vector<std::string>& env)
{
  if (name.find('/') != std::string::npos) {
    return name;
  }
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& kv : env) {
    if (kv.starts_with("PATH=")) {
      path = kv.substr(5);
    }
  }
  for (const auto& dir : split(path, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return name;
}

// SIGKILL every process this supervisor still has as a child, until none is left. Runs after
// fork: async-signal-safe calls only, text on the stack.
void
kill_all_children()
{
  StackText<64> path;
  path.add("/proc/self/task/").add(static_cast<unsigned long>(::getpid())).add("/children");
  for (int round = 0; round < 2000; ++round) {
    int status;
    while (::waitpid(-1, &status, WNOHANG) > 0) {
    }
    char buf[4096];
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? ::read(fd, buf, sizeof buf) : -1;
    if (fd >= 0) {
      ::close(fd);
    }
    if (n <= 0) {
      if (::waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD) {
        return;
      }
    }
    // "PID PID ...": each number, however the read cut the list, is a child to kill.
    pid_t pid = 0;
    for (ssize_t i = 0; i <= n; ++i) {
      if (i < n && buf[i] >= '0' && buf[i] <= '9') {
        pid = pid * 10 + (buf[i] - '0');
      } else if (pid > 0) {
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
        pid = 0;
      }
    }
    ::usleep(2000);
  }
}

// Close every fd from 3 up except the `n` in `keep` (ascending, all >= 3).
void
close_all_but(const int* keep, int n)
{
  unsigned from = 3;
  for (int i = 0; i < n; ++i) {
    if (static_cast<unsigned>(keep[i]) > from) {
      ::close_range(from, static_cast<unsigned>(keep[i]) - 1, 0);
    }
    from = static_cast<unsigned>(keep[i]) + 1;
  }
  ::close_range(from, ~0U, 0);
}

[[noreturn]] void
report_start_failure(int fail_fd, int step, const char* program)
{
  StartFailure f{step, errno, 0};
  struct stat st;
  f.target_exists = step == k_step_exec && ::stat(program, &st) == 0;
  (void)!::write(fail_fd, &f, sizeof f);
  ::_exit(127);
}

// argv and envp for execve, pointing into `spec`: built before fork.
struct ExecArgs
{
  std::string program;
  std::vector<char*> argv, envp;

  explicit ExecArgs(const ProcessSpec& spec) : program(resolve_program(spec.argv[0], spec.env))
  {
    for (const auto& a : spec.argv) {
      argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    for (const auto& e : spec.env) {
      envp.push_back(const_cast<char*>(e.c_str()));
    }
    envp.push_back(nullptr);
  }
};

[[noreturn]] void
exec_command(const ExecArgs& exec, const ProcessSpec& spec, int out_fd, int err_fd, int fail_fd)
{
  const std::string& program = exec.program;
  if (spec.new_session) {
    ::setsid();
  } else if (!spec.interactive) {
    ::setpgid(0, 0);
  }
  for (int procs : spec.cgroup_procs_fds) {
    if (procs >= 0 && ::write(procs, "0", 1) != 1) {
      report_start_failure(fail_fd, k_step_cgroup, program.c_str());
    }
  }
  if (spec.die_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  }
  for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD, SIGTSTP, SIGTTOU, SIGTTIN}) {
    ::signal(sig, SIG_DFL);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (!spec.interactive) {
    int in = spec.stdin_fd >= 3 ? spec.stdin_fd : ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
  }
  if (spec.hold_fd >= 3) {
    // fd 3 is the held one; the failure pipe moves above it first if it was there.
    if (fail_fd == 3) {
      fail_fd = ::fcntl(fail_fd, F_DUPFD_CLOEXEC, 4);
    }
    if (spec.hold_fd != 3) {
      ::dup2(spec.hold_fd, 3);
    } else {
      ::fcntl(3, F_SETFD, 0);
    }
    int keep[] = {3, fail_fd};
    close_all_but(keep, 2);
  } else {
    // Every fd but 0-2 and the failure pipe (CLOEXEC: a successful exec closes it) goes.
    close_all_but(&fail_fd, 1);
  }
  if (spec.drop_privileges) {
    if (spec.max_processes > 0) {
      rlimit nproc{static_cast<rlim_t>(spec.max_processes), static_cast<rlim_t>(spec.max_processes)};
      if (::setrlimit(RLIMIT_NPROC, &nproc) != 0) {
        report_start_failure(fail_fd, k_step_user, program.c_str());
      }
    }
    gid_t groups[1] = {spec.gid};
    if (::setgroups(1, groups) != 0 || ::setgid(spec.gid) != 0 || ::setuid(spec.uid) != 0 || ::getuid() != spec.uid ||
        ::geteuid() != spec.uid) {
      report_start_failure(fail_fd, k_step_user, program.c_str());
    }
    // Set-id programs cannot give the command more rights than the app's user has.
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  }
  if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) {
    report_start_failure(fail_fd, k_step_cwd, program.c_str());
  }
  ::execve(program.c_str(), exec.argv.data(), exec.envp.data());
  report_start_failure(fail_fd, k_step_exec, program.c_str());
}

[[noreturn]] void
supervise(const ExecArgs& exec,
          const ProcessSpec& spec,
          int out_fd,
          int err_fd,
          int status_fd,
          pid_t caller,
          const PreparedOverlay* view)
{
  // An interactive command stays in the terminal's foreground group, with its supervisor,
  // which leaves the terminal's signals to it.
  if (spec.interactive) {
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGQUIT, SIG_IGN);
  } else {
    ::setpgid(0, 0);
  }
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  // Keep only our pipes and what the command gets (stdin, its cgroups): an inherited lock fd
  // must not outlive the caller in us.
  int keep[7] = {out_fd, err_fd, status_fd, spec.stdin_fd >= 3 ? spec.stdin_fd : out_fd};
  for (size_t i = 0; i < spec.cgroup_procs_fds.size(); ++i) {
    keep[4 + i] = spec.cgroup_procs_fds[i] >= 3 ? spec.cgroup_procs_fds[i] : out_fd;
  }
  std::sort(std::begin(keep), std::end(keep));
  close_all_but(keep, 7);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);

  WireStatus ws{0, 127, 0, 0, 0, 0, 0, 0, 0};
  if (view) {
    ws.view_errno = enter_overlay_view(*view, &ws.view_step);
    if (ws.view_errno != 0) {
      (void)!::write(status_fd, &ws, sizeof ws);
      ::_exit(0);
    }
  }
  int fail[2];
  if (::pipe2(fail, O_CLOEXEC) != 0) {
    ws.start_errno = errno;
    (void)!::write(status_fd, &ws, sizeof ws);
    ::_exit(0);
  }
  pid_t child = ::fork();
  if (child == 0) {
    ::close(fail[0]);
    exec_command(exec, spec, out_fd, err_fd, fail[1]);
  }
  ::close(fail[1]);
  ::close(out_fd);
  if (err_fd != out_fd) {
    ::close(err_fd);
  }
  if (child < 0) {
    (void)!::write(status_fd, &ws, sizeof ws);
    ::_exit(0);
  }
  if (!spec.interactive) {
    ::setpgid(child, child);
  }
  // The command's process group, or the command alone when it shares the terminal's.
  pid_t target = spec.interactive ? child : -child;
  StartFailure failure{};
  ssize_t got;
  do {
    got = ::read(fail[0], &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  ::close(fail[0]);
  if (got == static_cast<ssize_t>(sizeof failure)) {
    ws.start_errno = failure.err;
    ws.start_step = failure.step;
    ws.start_target_exists = failure.target_exists;
  }

  double deadline = spec.timeout_seconds > 0 ? monotonic_seconds() + spec.timeout_seconds : 0;
  double term_sent = 0;
  bool done = false;
  while (!done) {
    timespec tick{0, 50 * 1000 * 1000};
    int sig = ::sigtimedwait(&mask, nullptr, &tick);
    if (sig == SIGTERM && term_sent == 0) {
      ws.cancelled = 1;
      ::kill(target, SIGTERM);
      term_sent = monotonic_seconds();
    }
    int status;
    pid_t w;
    while ((w = ::waitpid(-1, &status, WNOHANG)) > 0) {
      if (w == child) {
        done = true;
        ws.exited = WIFEXITED(status) ? 1 : 0;
        ws.code = WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status);
      }
    }
    if (done) {
      break;
    }
    if (::getppid() != caller) {
      // The caller died (SIGKILL, crash): nobody will record a result, so stop now.
      ws.cancelled = 1;
      ::kill(target, SIGKILL);
      term_sent = monotonic_seconds() - spec.kill_grace_seconds;
    }
    if (deadline > 0 && term_sent == 0 && monotonic_seconds() >= deadline) {
      ws.timed_out = 1;
      ::kill(target, SIGTERM);
      term_sent = monotonic_seconds();
    }
    if (term_sent > 0 && monotonic_seconds() >= term_sent + spec.kill_grace_seconds) {
      ::kill(target, SIGKILL);
    }
  }
  if (!spec.interactive) {
    ::kill(target, SIGKILL); // what is left of its group (the command itself is reaped)
  }
  kill_all_children();
  (void)!::write(status_fd, &ws, sizeof ws);
  ::_exit(0);
}

// What a StartFailure means, for people.
std::string
start_error_text(const StartFailure& f, const ProcessSpec& spec, const std::string& program)
{
  const std::string& target = f.step == k_step_cwd ? spec.cwd : program;
  if (f.step == k_step_user) {
    return fmt::format("cannot switch to uid {}: {}", spec.uid, std::strerror(f.err));
  }
  if (f.step == k_step_cwd) {
    return "cannot enter '" + target + "': " + std::strerror(f.err);
  }
  if (f.step == k_step_cgroup) {
    return std::string("cannot join its cgroup: ") + std::strerror(f.err);
  }
  if (f.err == ENOENT && f.target_exists) {
    return "cannot run '" + target + "': the interpreter on its #! line is missing";
  }
  if (f.err == ENOEXEC) {
    return "cannot run '" + target + "': not a program (no #! line?)";
  }
  return "cannot run '" + target + "': " + std::strerror(f.err);
}


// Splits a byte stream into lines; overlong lines are cut every 64 KiB.
class LineSplitter
{
public:
  explicit LineSplitter(const std::function<void(std::string_view)>& sink) : m_sink(sink) {}
  void
  feed(const char* data, size_t n)
  {
    m_buf.append(data, n);
    size_t start = 0;
    while (true) {
      auto nl = m_buf.find('\n', start);
      if (nl == std::string::npos) {
        break;
      }
      emit(std::string_view(m_buf).substr(start, nl - start));
      start = nl + 1;
    }
    m_buf.erase(0, start);
    while (m_buf.size() >= k_max_line) {
      emit(std::string_view(m_buf).substr(0, k_max_line));
      m_buf.erase(0, k_max_line);
    }
  }
  void
  finish()
  {
    if (!m_buf.empty()) {
      emit(m_buf);
      m_buf.clear();
    }
  }

private:
  void
  emit(std::string_view line)
  {
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (m_sink) {
      m_sink(line);
    }
  }
  static constexpr size_t k_max_line = 65536;
  const std::function<void(std::string_view)>& m_sink;
  std::string m_buf;
};

} // namespace

std::string
ProcessResult::describe(double timeout_seconds) const
{
  if (view_failed) {
    return "could not start: " + view_error;
  }
  if (!start_error.empty()) {
    return "could not run: " + start_error;
  }
  if (cancelled) {
    return "was cancelled";
  }
  if (out_of_memory) {
    return "ran out of memory: Error R15 (Memory quota vastly exceeded), past twice its dyno size's; give the app a "
           "larger one (settings:set dyno_size=...)";
  }
  if (timed_out) {
    return fmt::format("timed out after {}s", static_cast<long>(timeout_seconds));
  }
  if (signal) {
    return fmt::format("was killed by signal {} ({})", signal, ::strsignal(signal));
  }
  return fmt::format("exited with status {}", exit_code);
}

namespace {

// A pipe, both ends close-on-exec.
Status
make_pipe(Fd& read_end, Fd& write_end)
{
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return error(std::string("cannot create pipe: ") + std::strerror(errno));
  }
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  return {};
}

} // namespace

Result<ProcessResult>
run_process(const ProcessSpec& spec,
            const std::function<void(std::string_view)>& on_line,
            const std::function<void(pid_t)>& on_start)
{
  if (spec.argv.empty()) {
    return error("no command to run");
  }
  Fd out_r, out_w, status_r, status_w, err_r, err_w;
  SW_TRY(make_pipe(out_r, out_w));
  SW_TRY(make_pipe(status_r, status_w));
  if (spec.capture_stdout) {
    SW_TRY(make_pipe(err_r, err_w));
  }

  // Everything the children need is prepared before fork: no allocation after it.
  ExecArgs exec(spec);
  const std::string& program = exec.program;
  PreparedOverlay view;
  if (spec.view) {
    view = prepare_overlay(*spec.view);
  }

  pid_t caller = ::getpid();
  pid_t sup = ::fork();
  if (sup < 0) {
    return error(std::string("cannot fork: ") + std::strerror(errno));
  }
  if (sup == 0) {
    int o = spec.interactive ? 1 : out_w.get();
    int e = spec.interactive ? 2 : spec.capture_stdout ? err_w.get() : o;
    supervise(exec, spec, o, e, status_w.get(), caller, spec.view ? &view : nullptr);
  }
  out_w.reset();
  err_w.reset();
  status_w.reset();
  if (on_start) {
    on_start(sup);
  }

  ProcessResult result;
  LineSplitter lines(on_line);
  bool out_open = true, err_open = static_cast<bool>(err_r);
  char buf[65536];
  while (out_open || err_open) {
    pollfd fds[2];
    int nfds = 0;
    int out_idx = -1, err_idx = -1;
    if (out_open) {
      out_idx = nfds;
      fds[nfds++] = {out_r.get(), POLLIN, 0};
    }
    if (err_open) {
      err_idx = nfds;
      fds[nfds++] = {err_r.get(), POLLIN, 0};
    }
    if (::poll(fds, static_cast<nfds_t>(nfds), -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    for (int i = 0; i < nfds; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        continue;
      }
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      bool is_out = i == out_idx;
      if (n <= 0) {
        (is_out ? out_open : err_open) = false;
        continue;
      }
      if (is_out && spec.capture_stdout) {
        if (result.stdout_text.size() < (1u << 20)) {
          result.stdout_text.append(buf, static_cast<size_t>(n));
        }
      } else {
        lines.feed(buf, static_cast<size_t>(n));
      }
      (void)err_idx;
    }
  }
  lines.finish();

  WireStatus ws{0, 127, 0, 0, 0, 0, 0, 0, 0};
  ssize_t got;
  do {
    got = ::read(status_r.get(), &ws, sizeof ws);
  } while (got < 0 && errno == EINTR);
  int st;
  while (::waitpid(sup, &st, 0) < 0 && errno == EINTR) {
  }
  if (got != static_cast<ssize_t>(sizeof ws)) {
    return error("the process supervisor died before reporting a result");
  }
  if (ws.exited) {
    result.exit_code = ws.code;
  } else {
    result.signal = ws.code;
  }
  result.timed_out = ws.timed_out != 0;
  result.cancelled = ws.cancelled != 0;
  if (ws.start_errno != 0) {
    StartFailure f{ws.start_step, ws.start_errno, ws.start_target_exists};
    result.program_missing = f.step == k_step_exec && f.err == ENOENT && !f.target_exists;
    result.start_error = start_error_text(f, spec, program);
  }
  if (ws.view_errno != 0) {
    result.view_failed = true;
    result.view_error = std::string("cannot ") + overlay_step_name(ws.view_step) + ": " + std::strerror(ws.view_errno);
  }
  return result;
}

Result<Spawned>
spawn_process(const ProcessSpec& spec)
{
  if (spec.argv.empty()) {
    return error("no command to run");
  }
  Fd out_r, out_w, fail_r, fail_w;
  if (spec.output_fd < 3) {
    SW_TRY(make_pipe(out_r, out_w));
  }
  SW_TRY(make_pipe(fail_r, fail_w));
  ExecArgs exec(spec);
  int out_fd = spec.output_fd >= 3 ? spec.output_fd : out_w.get();
  pid_t pid = ::fork();
  if (pid < 0) {
    return error(std::string("cannot fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    exec_command(exec, spec, out_fd, out_fd, fail_w.get());
  }
  if (!spec.new_session) {
    ::setpgid(pid, pid); // also done by the child; whichever runs first
  }
  out_w.reset();
  fail_w.reset();
  StartFailure failure{};
  ssize_t got;
  do {
    got = ::read(fail_r.get(), &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof failure)) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return error(start_error_text(failure, spec, exec.program));
  }
  if (out_r) {
    ::fcntl(out_r.get(), F_SETFL, ::fcntl(out_r.get(), F_GETFL) | O_NONBLOCK);
  }
  return Spawned{pid, std::move(out_r)};
}

} // namespace slipway::util
