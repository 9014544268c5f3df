#include "local_runtime.hpp"

#include <core/app/dyno_size.hpp>
#include <core/release/release_phase.hpp>
#include <util/cgroup.hpp>
#include <util/clock.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>
#include <util/process.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

#include <arpa/inet.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <netinet/in.h>
#include <poll.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <set>
#include <csignal>

namespace slipway::core {

namespace {

// A port nothing listens on now, from the kernel's ephemeral range.
int
free_port()
{
  util::Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (!s || ::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    return 0;
  }
  return ntohs(a.sin_port);
}

// Whether TCP `port` of 127.0.0.1 can be bound now (nobody holds it).
bool
port_free(int port)
{
  util::Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  return s && ::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
}

} // namespace

std::vector<uid_t>
listening_users(int port)
{
  // "sl local_address rem_address st tx:rx tr:when retrnsmt uid ...": local "ADDR:PORT" in
  // hex, st 0A for LISTEN.
  std::vector<uid_t> users;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    auto text = util::read_file(table);
    for (const auto& line : util::split(text ? *text : "", '\n')) {
      std::vector<std::string> f;
      for (const auto& w : util::split(line, ' ')) {
        if (!w.empty()) {
          f.push_back(w);
        }
      }
      auto colon = f.size() > 7 ? f[1].rfind(':') : std::string::npos;
      if (colon == std::string::npos || f[3] != "0A") {
        continue;
      }
      std::string_view hex = std::string_view(f[1]).substr(colon + 1);
      int listening = 0;
      unsigned long long uid = 0;
      if (std::from_chars(hex.data(), hex.data() + hex.size(), listening, 16).ec == std::errc() && listening == port &&
          util::parse_uint(f[7], uid)) {
        users.push_back(static_cast<uid_t>(uid));
      }
    }
  }
  return users;
}

bool
self_connected(int fd)
{
  sockaddr_in mine{}, peer{};
  socklen_t a = sizeof mine, b = sizeof peer;
  return ::getsockname(fd, reinterpret_cast<sockaddr*>(&mine), &a) == 0 &&
         ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &b) == 0 && mine.sin_port == peer.sin_port &&
         mine.sin_addr.s_addr == peer.sin_addr.s_addr;
}

namespace {

// Whether something accepts connections on 127.0.0.1:port (and, with a `path`, answers
// GET path with 2xx or 3xx within half a second).
bool
accepting(int port, const std::string& path)
{
  util::Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (!s || ::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || self_connected(s.get())) {
    return false;
  }
  if (path.empty()) {
    return true;
  }
  timeval limit{0, 500000};
  ::setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\nUser-Agent: slipway-healthcheck\r\n\r\n";
  char buf[16] = {};
  if (!util::write_all(s.get(), request) || ::recv(s.get(), buf, 12, MSG_WAITALL) != 12) {
    return false;
  }
  // "HTTP/1.1 200"
  return std::string_view(buf, 5) == "HTTP/" && (buf[9] == '2' || buf[9] == '3');
}

// Whether what listens on `port` is the dyno's own (its app's user), and nothing else: a
// process of another user that took the port first is never taken for the dyno.
bool
listens_itself(const DynoSpec& s, int port)
{
  if (!s.user) {
    return true;
  }
  auto users = listening_users(port);
  return !users.empty() && std::all_of(users.begin(), users.end(), [&](uid_t u) { return u == s.user->uid; });
}

// What a web dyno failed to do in time, for R10.
std::string
boot_wanted(const DynoSpec& s)
{
  return s.healthcheck.empty() ? "no connection on $PORT" : "no 2xx or 3xx answer to GET " + s.healthcheck;
}

// The output FIFO in `dir` of the dyno whose handle is "PID START-TIME": "dir/PID-START-TIME".
std::string
output_fifo(const std::string& dir, const std::string& handle)
{
  std::string name = handle;
  std::replace(name.begin(), name.end(), ' ', '-');
  return dir + "/" + name;
}

// Whether process `pid` runs as the user of `s`'s app (as this process's, without one).
bool
runs_as_app(pid_t pid, const DynoSpec& s)
{
  struct stat proc{};
  return ::stat(fmt::format("/proc/{}", pid).c_str(), &proc) == 0 && proc.st_uid == (s.user ? s.user->uid : ::geteuid());
}

// The cgroup among the directories of `home` that holds `pid`, or empty.
std::string
cgroup_holding(const std::string& home, pid_t pid)
{
  auto names = home.empty() ? util::Result<std::vector<std::string>>(std::vector<std::string>{}) : util::list_dir(home);
  for (const auto& name : names ? *names : std::vector<std::string>{}) {
    auto pids = util::cgroup_pids(home + "/" + name);
    if (std::find(pids.begin(), pids.end(), pid) != pids.end()) {
      return home + "/" + name;
    }
  }
  return {};
}

// How a dyno's process ended; `status` -1 for a dyno this runtime adopted (not its child: the
// status went to the process that reaped it).
std::string
describe_exit(int status)
{
  if (status == -1) {
    return "exited (its status went elsewhere: it was started by an earlier serve)";
  }
  if (WIFEXITED(status)) {
    return fmt::format("exited with status {}", WEXITSTATUS(status));
  }
  return fmt::format("was killed by signal {}", WTERMSIG(status));
}

} // namespace

std::string
to_string(DynoState s)
{
  return util::enum_name(s, std::array{"starting", "up", "crashed", "stopping"});
}

double
restart_backoff(unsigned crashes)
{
  if (crashes <= 1) {
    return 0;
  }
  return std::min(1200.0, static_cast<double>(1ULL << std::min(crashes - 1, 11U)));
}

struct LocalRuntime::Dyno
{
  DynoStatus status;
  pid_t pid = -1;
  std::string cgroup; // its own cgroup while it runs, or empty
  util::Fd pidfd, output;
  std::string partial;   // output after the last newline
  double restart_at = 0; // crashed: when to start it again
  double kill_at = 0;    // stopping: when SIGTERM's grace ends
  double boot_by = 0;    // starting web dyno: when its boot timeout ends
  bool boot_failed = false;
  bool stopping = false;
  std::string memory_dir;               // its memory cgroup while it runs, or empty (no limit)
  std::vector<std::string> limit_dirs;  // its cgroup v1 memory and cpu cgroups while it runs
  double r14_next = 0;                  // when an R14 may be said again
  bool r15 = false;                     // killed for its memory; its exit is said as R15
  bool launching = false;               // its port is being fenced before it starts
  std::string fifo;                     // its output FIFO (m_output), or empty (a pipe)
  bool adopted = false;                 // started by an earlier serve: not this one's child
};

LocalRuntime::LocalRuntime(DynoLogFn log,
                           std::function<bool(pid_t)> keep,
                           std::optional<std::string> cgroups,
                           util::LimitHome limits,
                           PortFence* fence,
                           std::string output)
    : m_log(std::move(log)), m_keep(std::move(keep)), m_cgroups(std::move(cgroups)), m_limits(std::move(limits)),
      m_fence(fence), m_output(std::move(output))
{}

util::Result<util::Fd>
LocalRuntime::open_output(Dyno& d)
{
  SW_TRY(util::make_dirs(m_output, 0700));
  std::string path = fmt::format("{}/.new-{}-{}", m_output, ::getpid(), ++m_serial);
  ::unlink(path.c_str());
  if (::mkfifo(path.c_str(), 0600) != 0) {
    return util::error(util::errno_message("cannot make the dyno's output FIFO", path));
  }
  // The read end first: opening the write end then never blocks.
  util::Fd r(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW));
  util::Fd w(r ? ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW) : -1);
  if (!r || !w) {
    std::string why = util::errno_message("cannot open the dyno's output FIFO", path);
    ::unlink(path.c_str());
    return util::error(why);
  }
  ::fcntl(r.get(), F_SETPIPE_SZ, 1 << 20); // room for what it says while no serve reads
  d.fifo = path;
  d.output = std::move(r);
  return w;
}

void
LocalRuntime::update_fence()
{
  if (!m_fence) {
    return;
  }
  std::map<int, uid_t> ports;
  for (const auto& d : m_dynos) {
    const DynoSpec& s = d->status.spec;
    if (d->status.port > 0 && (d->pid > 0 || d->launching) && s.user) {
      ports[d->status.port] = s.user->uid;
    }
  }
  if (auto set = m_fence->set(ports); !set) {
    spdlog::warn("the dynos' ports are not fenced: {}", set.error().message);
  }
}

namespace {

// One name per root, so that two serves for two roots never share their dynos' cgroups.
std::string
dynos_cgroup_name(const std::string& root)
{
  util::Sha256 h;
  h.update(root);
  return "slipway-dynos-" + h.hex_digest().substr(0, 12);
}

} // namespace

std::optional<std::string>
dyno_cgroups(const std::string& root)
{
  auto own = util::own_cgroup();
  if (!own) {
    return std::nullopt;
  }
  return *own + "/" + dynos_cgroup_name(root);
}

util::LimitHome
dyno_limit_home(const std::string& root)
{
  return util::find_limit_home(util::own_cgroup(), dynos_cgroup_name(root));
}

void
LocalRuntime::limit(Dyno& d, util::ProcessSpec& p, std::vector<util::Fd>& procs)
{
  const DynoSpec& s = d.status.spec;
  if (s.memory == 0 || !m_limits.problem.empty() || m_limits.memory.empty()) {
    return;
  }
  // Heroku's model: above its size a dyno is told (R14); at twice its size the kernel kills.
  util::CgroupLimits limits = dyno_limits(s.memory, s.cpu_share);
  auto refuse = [&](const std::string& why) {
    m_log(s.app, "slipway[" + s.name() + "]", "running without memory and CPU limits: " + why);
  };
  if (m_limits.unified) {
    if (d.cgroup.empty()) {
      return; // the dyno's own cgroup holds its limits; without one, none
    }
    if (auto set = util::set_cgroup_limits(d.cgroup, true, limits); !set) {
      return refuse(set.error().message);
    }
    d.memory_dir = d.cgroup;
    return;
  }
  // Both or neither: the dyno joins them only once both have their limits.
  std::string leaf = fmt::format("{}.{}.{}-{}", s.app, s.name(), ::getpid(), ++m_serial);
  std::vector<util::Fd> made;
  for (const auto& home : {m_limits.memory, m_limits.cpu}) {
    std::string dir = home + "/" + leaf;
    auto group = util::make_cgroup(dir);
    if (!group) {
      return refuse(group.error().message);
    }
    d.limit_dirs.push_back(dir); // removed once empty, whatever happens
    if (auto set = util::set_cgroup_limits(dir, false, limits); !set) {
      return refuse(set.error().message);
    }
    made.push_back(std::move(*group));
  }
  for (auto& group : made) {
    p.cgroup_procs_fds[procs.size()] = group.get(); // at most 3: the v2 cgroup, memory, cpu
    procs.push_back(std::move(group));
  }
  d.memory_dir = d.limit_dirs.front();
}

void
LocalRuntime::check_memory(Dyno& d, double now)
{
  const DynoSpec& s = d.status.spec;
  if (d.memory_dir.empty() || d.pid <= 0 || d.r15) {
    return;
  }
  auto use = util::memory_use(d.memory_dir, m_limits.unified);
  auto said = [&] {
    m_log(s.app, "slipway[" + s.name() + "]",
          fmt::format("Process running mem={}M({:.1f}%)", use.resident >> 20,
                      100.0 * static_cast<double>(use.resident) / static_cast<double>(s.memory)));
  };
  if (use.oom_kills > 0) {
    // The kernel killed a process of it at twice its size: the dyno goes as a whole.
    d.r15 = true;
    m_log(s.app, "slipway[" + s.name() + "]", "Error R15 (Memory quota vastly exceeded)");
    m_log(s.app, "slipway[" + s.name() + "]", "Stopping process with SIGKILL");
    signal(d, SIGKILL);
    return;
  }
  if (use.resident > s.memory && now >= d.r14_next) {
    said();
    m_log(s.app, "slipway[" + s.name() + "]", "Error R14 (Memory quota exceeded)");
    d.r14_next = now + 20; // as Heroku: again every 20 seconds while it stays above
  }
}

void
LocalRuntime::signal(Dyno& d, int sig)
{
  if (d.pid > 0) {
    ::kill(-d.pid, sig);
  }
  if (!d.cgroup.empty()) {
    util::signal_cgroup(d.cgroup, sig);
  }
}

void
LocalRuntime::drain_cgroups()
{
  std::erase_if(m_draining, [](const std::string& cg) {
    util::signal_cgroup(cg, SIGKILL);
    return util::remove_cgroup(cg);
  });
}

void
LocalRuntime::kill_strays()
{
  // A process that left its dyno's process group (setsid, a daemon) and whose parent died was
  // reparented to this subreaper: it is our child but no dyno's.
  auto children = util::read_file(fmt::format("/proc/self/task/{}/children", ::getpid()));
  for (const auto& word : util::split(children ? *children : "", ' ')) {
    unsigned long long pid = 0;
    if (!util::parse_uint(util::trim(word), pid) || pid == 0) {
      continue;
    }
    bool dyno =
        std::any_of(m_dynos.begin(), m_dynos.end(), [&](const auto& d) { return d->pid == static_cast<pid_t>(pid); });
    if (!dyno && !(m_keep && m_keep(static_cast<pid_t>(pid)))) {
      ::kill(-static_cast<pid_t>(pid), SIGKILL);
      ::kill(static_cast<pid_t>(pid), SIGKILL);
    }
  }
}

LocalRuntime::~LocalRuntime()
{
  stop_all();
}

void
LocalRuntime::launch(Dyno& d)
{
  const DynoSpec& s = d.status.spec;
  util::ProcessSpec p;
  p.argv = profile_command(s.command, "slipway-dyno", true);
  p.cwd = s.dir;
  if (s.type == "web") {
    d.status.port = free_port();
  }
  p.env = dyno_environment(s.config, s.dir, s.name(), d.status.port);
  if (s.user) {
    p.drop_privileges = true;
    p.uid = s.user->uid;
    p.gid = s.user->gid;
    p.max_processes = s.max_processes;
  }
  d.status.since = util::now_iso8601();
  std::vector<util::Fd> procs; // open until the child has moved itself in
  d.memory_dir.clear();
  d.r15 = false;
  d.r14_next = 0;
  if (m_cgroups) {
    // APP.DYNO.SERVEPID-N: never the name of one a killed serve left behind.
    std::string cg = fmt::format("{}/{}.{}.{}-{}", *m_cgroups, s.app, s.name(), ::getpid(), ++m_serial);
    auto parent = util::make_dirs(*m_cgroups, 0755);
    auto made = parent ? util::make_cgroup(cg) : util::Result<util::Fd>(parent.error());
    if (made) {
      p.cgroup_procs_fds[0] = made->get();
      procs.push_back(std::move(*made));
      d.cgroup = cg;
    } else {
      m_log(s.app, "slipway[" + s.name() + "]", "running without a cgroup: " + made.error().message);
    }
  }
  limit(d, p, procs);
  if (s.type == "web") {
    // Its port is its own before it starts: no other user may bind it from here on, nor
    // connect to it. Taken in the moment between its choice and that? Another one.
    d.launching = true;
    update_fence();
    for (int tries = 0; tries < 10 && m_fence && !port_free(d.status.port); ++tries) {
      d.status.port = free_port();
      p.env = dyno_environment(s.config, s.dir, s.name(), d.status.port);
      update_fence();
    }
    d.launching = false;
  }
  util::Fd fifo_w;
  if (!m_output.empty()) {
    auto opened = open_output(d);
    if (opened) {
      fifo_w = std::move(*opened);
      p.output_fd = fifo_w.get();
      p.hold_fd = d.output.get();
    } else {
      m_log(s.app, "slipway[" + s.name() + "]",
            "its output goes through a pipe (it dies if serve is killed): " + opened.error().message);
    }
  }
  auto spawned = util::spawn_process(p);
  fifo_w.reset();
  if (!spawned) {
    if (!d.fifo.empty()) {
      ::unlink(d.fifo.c_str());
      d.fifo.clear();
    }
    d.output.reset();
    if (!d.cgroup.empty()) {
      m_draining.push_back(std::exchange(d.cgroup, {}));
    }
    m_draining.insert(m_draining.end(), d.limit_dirs.begin(), d.limit_dirs.end());
    d.limit_dirs.clear();
    d.memory_dir.clear();
    d.status.state = DynoState::crashed;
    d.status.last_exit = spawned.error().message;
    ++d.status.crashes;
    d.restart_at = util::monotonic_seconds() + restart_backoff(d.status.crashes + 1);
    m_log(s.app, "slipway[" + s.name() + "]", "could not start: " + spawned.error().message);
    return;
  }
  d.pid = spawned->pid;
  d.status.handle = fmt::format("{} {}", d.pid, util::process_start_time(d.pid));
  if (d.fifo.empty()) {
    d.output = std::move(spawned->output);
  } else if (std::string named = output_fifo(m_output, d.status.handle); ::rename(d.fifo.c_str(), named.c_str()) == 0) {
    d.fifo = named; // the next serve finds it by the handle it recorded
  }
  d.pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, d.pid, 0)));
  d.status.state = s.type == "web" ? DynoState::starting : DynoState::up;
  d.boot_by = util::monotonic_seconds() + s.boot_timeout;
  d.boot_failed = false;
  m_log(s.app, "slipway[" + s.name() + "]",
        fmt::format("Starting process with command `{}` (v{}){}", s.command, s.release,
                    s.type == "web" ? fmt::format(" on port {}", d.status.port) : ""));
}

util::Status
LocalRuntime::start(const DynoSpec& spec)
{
  auto d = std::make_unique<Dyno>();
  d->status.spec = spec;
  d->status.instance = ++m_instances;
  m_dynos.push_back(std::move(d));
  launch(*m_dynos.back()); // listed first: its port is fenced among the others'
  return {};
}

void
LocalRuntime::stop(const std::string& app, const std::string& name, unsigned long release, unsigned long instance)
{
  for (auto& d : m_dynos) {
    const DynoSpec& s = d->status.spec;
    if (s.app != app || s.name() != name || s.release != release || d->stopping ||
        (instance && d->status.instance != instance)) {
      continue;
    }
    d->stopping = true;
    d->status.state = DynoState::stopping;
    d->status.since = util::now_iso8601();
    if (d->pid > 0) {
      signal(*d, SIGTERM);
      d->kill_at = util::monotonic_seconds() + s.stop_grace;
      m_log(app, "slipway[" + name + "]", fmt::format("Stopping v{} (SIGTERM)", release));
    }
  }
}

std::vector<DynoStatus>
LocalRuntime::dynos(const std::string& app) const
{
  std::vector<DynoStatus> out;
  for (const auto& d : m_dynos) {
    if (app.empty() || d->status.spec.app == app) {
      out.push_back(d->status);
    }
  }
  return out;
}

void
LocalRuntime::read_output(Dyno& d, bool all)
{
  char buf[65536];
  for (int round = 0; d.output && (all || round < 16); ++round) {
    ssize_t n = ::read(d.output.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      if (n == 0) {
        d.output.reset(); // every writer closed it
      }
      break;
    }
    d.partial.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = d.partial.find('\n', start)) != std::string::npos; start = nl + 1) {
      m_log(d.status.spec.app, "app[" + d.status.spec.name() + "]",
            std::string_view(d.partial).substr(start, nl - start));
    }
    d.partial.erase(0, start);
    if (d.partial.size() >= 65536) {
      m_log(d.status.spec.app, "app[" + d.status.spec.name() + "]", d.partial);
      d.partial.clear();
    }
  }
}

void
LocalRuntime::reap(Dyno& d, int status)
{
  // Whatever it left in its process group and cgroup goes with it.
  signal(d, SIGKILL);
  // A process of it the kernel killed for memory makes the dyno's exit an R15 too.
  d.r15 = d.r15 || (!d.memory_dir.empty() && util::memory_use(d.memory_dir, m_limits.unified).oom_kills > 0);
  if (!d.cgroup.empty()) {
    m_draining.push_back(std::exchange(d.cgroup, {}));
  }
  m_draining.insert(m_draining.end(), d.limit_dirs.begin(), d.limit_dirs.end());
  d.limit_dirs.clear();
  d.memory_dir.clear();
  read_output(d, false);
  if (!d.fifo.empty()) {
    ::unlink(d.fifo.c_str());
    d.fifo.clear();
  }
  d.adopted = false;
  d.pid = -1;
  d.status.handle.clear();
  d.pidfd.reset();
  d.output.reset();
  d.partial.clear();
  const DynoSpec& s = d.status.spec;
  if (d.stopping) {
    m_log(s.app, "slipway[" + s.name() + "]", fmt::format("Process {} (v{})", describe_exit(status), s.release));
    return;
  }
  d.status.state = DynoState::crashed;
  d.status.last_exit = d.boot_failed
                           ? fmt::format("Error R10 (Boot timeout): {} within {:.0f}s", boot_wanted(s), s.boot_timeout)
                       : d.r15 ? "Error R15 (Memory quota vastly exceeded): " + describe_exit(status)
                               : describe_exit(status);
  d.status.since = util::now_iso8601();
  ++d.status.crashes;
  d.restart_at = util::monotonic_seconds() + restart_backoff(d.status.crashes);
  m_log(s.app, "slipway[" + s.name() + "]",
        fmt::format("{}{}; State changed to crashed (restart in {:.0f}s)", d.boot_failed || d.r15 ? "" : "Process ",
                    d.status.last_exit, restart_backoff(d.status.crashes)));
}

void
LocalRuntime::wait(double seconds)
{
  double now = util::monotonic_seconds();
  double until = now + seconds;
  for (const auto& d : m_dynos) {
    if (d->status.state == DynoState::crashed && !d->stopping) {
      until = std::min(until, d->restart_at);
    }
    if (d->stopping && d->pid > 0) {
      until = std::min(until, d->kill_at);
    }
  }
  std::vector<pollfd> fds;
  std::vector<std::pair<Dyno*, bool>> owners; // dyno, is its pidfd
  for (const auto& d : m_dynos) {
    if (d->output) {
      fds.push_back({d->output.get(), POLLIN, 0});
      owners.emplace_back(d.get(), false);
    }
    if (d->pidfd) {
      fds.push_back({d->pidfd.get(), POLLIN, 0});
      owners.emplace_back(d.get(), true);
    }
  }
  // Starting web dynos are probed for their port every 100 ms.
  bool probing = std::any_of(m_dynos.begin(), m_dynos.end(),
                             [](const auto& d) { return d->status.state == DynoState::starting && d->pid > 0; });
  double timeout = std::max(0.0, std::min(until - now, probing ? 0.1 : until - now));
  int n = ::poll(fds.data(), fds.size(), static_cast<int>(timeout * 1000));
  for (size_t i = 0; n > 0 && i < fds.size(); ++i) {
    if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
      continue;
    }
    auto [d, is_pid] = owners[i];
    if (!is_pid) {
      read_output(*d, false);
      continue;
    }
    int status = 0;
    if (d->pid > 0 && d->adopted) {
      reap(*d, -1); // not this process's child: gone is all it can know
    } else if (d->pid > 0 && ::waitpid(d->pid, &status, WNOHANG) == d->pid) {
      reap(*d, status);
    }
  }
  // Every other exited child: a dyno whose pidfd was not seen yet is reaped as a dyno;
  // anything else (orphans reparented to this subreaper, the router) just reaped.
  siginfo_t si{};
  while (::waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0) {
    pid_t pid = si.si_pid;
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) {
      break;
    }
    for (auto& d : m_dynos) {
      if (d->pid == pid) {
        reap(*d, status);
      }
    }
    si = {};
  }
  now = util::monotonic_seconds();
  bool memory_round = now >= m_next_memory_check;
  if (memory_round) {
    m_next_memory_check = now + 1;
  }
  for (auto& d : m_dynos) {
    const DynoSpec& s = d->status.spec;
    if (memory_round) {
      check_memory(*d, now);
    }
    if (d->status.state == DynoState::starting && d->pid > 0 && listens_itself(s, d->status.port) &&
        accepting(d->status.port, s.healthcheck)) {
      d->status.state = DynoState::up;
      d->status.crashes = 0;
      d->status.since = util::now_iso8601();
      m_log(s.app, "slipway[" + s.name() + "]", "State changed from starting to up");
    }
    if (d->status.state == DynoState::starting && d->pid > 0 && !d->boot_failed && now >= d->boot_by) {
      d->boot_failed = true;
      signal(*d, SIGKILL);
      m_log(s.app, "slipway[" + s.name() + "]",
            fmt::format("Error R10 (Boot timeout) -> {} within {:.0f} seconds of launch; stopping it",
                        s.healthcheck.empty() ? "Web process failed to bind to $PORT"
                                              : "Web process did not answer GET " + s.healthcheck + " with 2xx or 3xx",
                        s.boot_timeout));
    }
    if (d->stopping && d->pid > 0 && now >= d->kill_at) {
      signal(*d, SIGKILL);
      d->kill_at = now + 3600;
      m_log(s.app, "slipway[" + s.name() + "]", "Stopping with SIGKILL: it ignored SIGTERM for its grace period");
    }
    if (d->status.state == DynoState::crashed && !d->stopping && now >= d->restart_at) {
      launch(*d);
    }
  }
  std::erase_if(m_dynos, [](const auto& d) { return d->stopping && d->pid <= 0; });
  kill_strays();
  drain_cgroups();
  update_fence(); // ports of dynos gone are let go
}

void
LocalRuntime::stop_all()
{
  for (const auto& d : m_dynos) {
    if (!d->stopping) {
      stop(d->status.spec.app, d->status.spec.name(), d->status.spec.release);
    }
    if (d->pid <= 0) {
      d->stopping = true;
    }
  }
  std::erase_if(m_dynos, [](const auto& d) { return d->stopping && d->pid <= 0; });
  while (!m_dynos.empty()) {
    wait(0.2);
  }
  for (int i = 0; i < 50 && !m_draining.empty(); ++i) {
    drain_cgroups();
    ::usleep(20000);
  }
  if (m_cgroups) {
    (void)util::remove_cgroup(*m_cgroups);
  }
  for (const auto& home : {m_limits.memory, m_limits.cpu}) {
    if (!home.empty() && home != m_cgroups) {
      (void)util::remove_cgroup(home);
    }
  }
}

bool
LocalRuntime::take_over(const DynoStatus& r)
{
  const std::string& h = r.handle;
  auto space = h.find(' ');
  unsigned long long number = 0;
  if (m_output.empty() || r.state == DynoState::stopping || space == std::string::npos ||
      !util::parse_uint(h.substr(0, space), number) || number <= 1 ||
      !util::process_alive(static_cast<pid_t>(number), h.substr(space + 1))) {
    return false;
  }
  auto pid = static_cast<pid_t>(number);
  const DynoSpec& s = r.spec;
  // Only a process of the app's own user: what the record names is never taken on trust.
  if (!runs_as_app(pid, s)) {
    return false;
  }
  std::string fifo = output_fifo(m_output, h);
  util::Fd output(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW));
  struct stat st{};
  util::Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!output || ::fstat(output.get(), &st) != 0 || !S_ISFIFO(st.st_mode) || !pidfd) {
    return false;
  }
  auto d = std::make_unique<Dyno>();
  d->status = r;
  d->status.instance = ++m_instances;
  d->status.crashes = 0;
  d->status.last_exit.clear();
  d->pid = pid;
  d->pidfd = std::move(pidfd);
  d->output = std::move(output);
  d->fifo = fifo;
  d->adopted = true;
  if (m_cgroups) {
    d->cgroup = cgroup_holding(*m_cgroups, pid);
  }
  if (m_limits.unified) {
    d->memory_dir = s.memory && m_limits.problem.empty() && !m_limits.memory.empty() ? d->cgroup : "";
  } else if (m_limits.problem.empty()) {
    for (const auto& home : {m_limits.memory, m_limits.cpu}) {
      if (auto dir = cgroup_holding(home, pid); !dir.empty()) {
        d->limit_dirs.push_back(dir);
      }
    }
    d->memory_dir = d->limit_dirs.size() == 2 ? d->limit_dirs.front() : "";
  }
  // A web dyno answering on its port is up at once: the router goes on sending it requests.
  bool up = s.type != "web" || (d->status.port > 0 && listens_itself(s, d->status.port) &&
                                accepting(d->status.port, s.healthcheck));
  d->status.state = up ? DynoState::up : DynoState::starting;
  d->boot_by = util::monotonic_seconds() + s.boot_timeout;
  if (d->status.since.empty() || !up) {
    d->status.since = util::now_iso8601();
  }
  m_log(s.app, "slipway[" + s.name() + "]",
        fmt::format("Adopted v{} (process group {}{}) from a serve that was killed", s.release, pid,
                    s.type == "web" ? fmt::format(", port {}", d->status.port) : ""));
  m_dynos.push_back(std::move(d));
  return true;
}

std::vector<DynoStatus>
LocalRuntime::adopt(const std::vector<DynoStatus>& recorded, double grace)
{
  std::vector<DynoStatus> orphans;
  for (const auto& r : recorded) {
    if (!take_over(r)) {
      orphans.push_back(r);
    }
  }
  std::set<std::string> kept; // the adopted dynos' cgroups and FIFOs
  for (const auto& d : m_dynos) {
    kept.insert(d->cgroup);
    kept.insert(d->limit_dirs.begin(), d->limit_dirs.end());
    kept.insert(d->fifo);
  }
  // The rest: each handle is "PID START-TIME": only that very process (its group) is signalled.
  std::vector<pid_t> alive;
  for (const auto& r : orphans) {
    const std::string& h = r.handle;
    auto space = h.find(' ');
    unsigned long long pid = 0;
    if (space == std::string::npos || !util::parse_uint(h.substr(0, space), pid) || pid <= 1 ||
        !util::process_alive(static_cast<pid_t>(pid), h.substr(space + 1)) ||
        !runs_as_app(static_cast<pid_t>(pid), r.spec)) {
      continue; // gone, or not the app's: never signalled
    }
    ::kill(-static_cast<pid_t>(pid), SIGTERM);
    alive.push_back(static_cast<pid_t>(pid));
    m_log(r.spec.app, "slipway[" + r.spec.name() + "]",
          fmt::format("Stopping v{} (process group {}), left running by a serve that was killed", r.spec.release, pid));
  }
  // Every dyno's cgroup left behind holds what it started, daemons that left its process
  // group included.
  std::vector<std::string> left;
  auto names = m_cgroups ? util::list_dir(*m_cgroups) : util::Result<std::vector<std::string>>(std::vector<std::string>{});
  for (const auto& name : names ? *names : std::vector<std::string>{}) {
    std::string cg = *m_cgroups + "/" + name;
    if (!util::is_directory(cg) || kept.count(cg)) {
      continue;
    }
    left.push_back(cg);
    if (auto pids = util::cgroup_pids(cg); !pids.empty()) {
      util::signal_cgroup(cg, SIGTERM);
      auto dot = name.find('.');
      m_log(name.substr(0, dot), "slipway[" + name.substr(dot + 1, name.rfind('.') - dot - 1) + "]",
            fmt::format("Stopping {} process{} left in its cgroup by a serve that was killed", pids.size(),
                        pids.size() == 1 ? "" : "es"));
    }
  }
  double until = util::monotonic_seconds() + grace;
  auto running = [&] {
    std::erase_if(alive, [](pid_t p) { return ::kill(p, 0) != 0; });
    return !alive.empty() || std::any_of(left.begin(), left.end(), [](const auto& cg) {
      return !util::cgroup_pids(cg).empty();
    });
  };
  while (running() && util::monotonic_seconds() < until) {
    ::usleep(50000);
  }
  for (pid_t p : alive) {
    ::kill(-p, SIGKILL);
  }
  m_draining.insert(m_draining.end(), left.begin(), left.end());
  // cgroup v1 memory and cpu cgroups of those dynos: what they held was in the dynos' own.
  for (const auto& home : {m_limits.memory, m_limits.cpu}) {
    auto dirs = home.empty() || m_limits.unified ? util::Result<std::vector<std::string>>(std::vector<std::string>{})
                                                 : util::list_dir(home);
    for (const auto& name : dirs ? *dirs : std::vector<std::string>{}) {
      if (util::is_directory(home + "/" + name) && !kept.count(home + "/" + name)) {
        m_draining.push_back(home + "/" + name);
      }
    }
  }
  drain_cgroups();
  // Output FIFOs of dynos gone, or of starts a killed serve never finished.
  auto fifos = m_output.empty() ? util::Result<std::vector<std::string>>(std::vector<std::string>{})
                                : util::list_dir(m_output);
  for (const auto& name : fifos ? *fifos : std::vector<std::string>{}) {
    if (!kept.count(m_output + "/" + name)) {
      ::unlink((m_output + "/" + name).c_str());
    }
  }
  update_fence();
  return dynos();
}

} // namespace slipway::core
