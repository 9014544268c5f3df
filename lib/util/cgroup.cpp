#include "cgroup.hpp"

#include <util/fs.hpp>
#include <util/strings.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace slipway::util {

std::optional<std::string>
own_cgroup()
{
  // /proc/self/cgroup's v2 line is "0::/PATH"; the v2 mount is the mountinfo line whose
  // filesystem (after " - ") is cgroup2 and whose root is "/".
  auto membership = read_file("/proc/self/cgroup");
  auto mounts = read_file("/proc/self/mountinfo");
  if (!membership || !mounts) {
    return std::nullopt;
  }
  std::string path;
  bool found = false;
  for (const auto& line : split(*membership, '\n')) {
    if (line.starts_with("0::")) {
      path = line.substr(3);
      found = true;
    }
  }
  if (!found) {
    return std::nullopt;
  }
  for (const auto& line : split(*mounts, '\n')) {
    auto dash = line.find(" - ");
    auto fields = split(line.substr(0, dash), ' ');
    if (dash == std::string::npos || fields.size() < 5 || !line.substr(dash + 3).starts_with("cgroup2 ") ||
        fields[3] != "/") {
      continue;
    }
    std::string dir = fields[4] + (path == "/" ? "" : path);
    if (::access((dir + "/cgroup.procs").c_str(), W_OK) == 0) {
      return dir;
    }
  }
  return std::nullopt;
}

Result<Fd>
make_cgroup(const std::string& dir)
{
  if (::mkdir(dir.c_str(), 0755) != 0) {
    return error(errno_message("cannot create the cgroup", dir));
  }
  Fd procs(::open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
  if (!procs) {
    return error(errno_message("cannot open", dir + "/cgroup.procs"));
  }
  return procs;
}

std::vector<pid_t>
cgroup_pids(const std::string& dir)
{
  std::vector<pid_t> pids;
  auto text = read_file(dir + "/cgroup.procs");
  for (const auto& word : split(text ? *text : "", '\n')) {
    unsigned long long pid = 0;
    if (parse_uint(word, pid) && pid > 0) {
      pids.push_back(static_cast<pid_t>(pid));
    }
  }
  return pids;
}

void
signal_cgroup(const std::string& dir, int sig)
{
  if (sig == SIGKILL) {
    Fd kill(::open((dir + "/cgroup.kill").c_str(), O_WRONLY | O_CLOEXEC));
    if (kill && ::write(kill.get(), "1", 1) == 1) {
      return;
    }
  }
  for (pid_t pid : cgroup_pids(dir)) {
    ::kill(pid, sig);
  }
}

bool
remove_cgroup(const std::string& dir)
{
  return ::rmdir(dir.c_str()) == 0 || errno == ENOENT;
}

namespace {

// Write `value` to control file `dir/file` in one write, as the kernel wants it.
Status
write_control(const std::string& dir, const char* file, const std::string& value)
{
  std::string path = dir + "/" + file;
  Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) {
    return error(errno_message("cannot open", path));
  }
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    return error(errno_message("cannot write '" + value + "' to", path));
  }
  return {};
}

// The value of "KEY N" line `key` of control file `dir/file`; 0 when missing.
unsigned long long
control_value(const std::string& dir, const char* file, std::string_view key)
{
  auto text = read_file(dir + "/" + file);
  for (const auto& line : split(text ? *text : "", '\n')) {
    auto space = line.find(' ');
    unsigned long long n = 0;
    if (space != std::string::npos && std::string_view(line).substr(0, space) == key &&
        parse_uint(line.substr(space + 1), n)) {
      return n;
    }
  }
  return 0;
}

// This process's cgroup v1 directory for `controller`, when that hierarchy is mounted and
// the directory is writable.
std::optional<std::string>
own_v1_dir(const std::string& controller)
{
  auto membership = read_file("/proc/self/cgroup");
  auto mounts = read_file("/proc/self/mountinfo");
  if (!membership || !mounts) {
    return std::nullopt;
  }
  std::optional<std::string> path; // "4:memory:/a/b" or "3:cpu,cpuacct:/a"
  for (const auto& line : split(*membership, '\n')) {
    auto fields = split(line, ':');
    if (fields.size() >= 3) {
      auto names = split(fields[1], ',');
      if (std::find(names.begin(), names.end(), controller) != names.end()) {
        path = line.substr(fields[0].size() + fields[1].size() + 2);
      }
    }
  }
  if (!path) {
    return std::nullopt;
  }
  for (const auto& line : split(*mounts, '\n')) {
    auto dash = line.find(" - ");
    if (dash == std::string::npos) {
      continue;
    }
    auto fields = split(line.substr(0, dash), ' ');
    auto fs = split(line.substr(dash + 3), ' '); // type, source, super options
    if (fields.size() < 5 || fs.size() < 3 || fs[0] != "cgroup") {
      continue;
    }
    auto options = split(fs[2], ',');
    if (std::find(options.begin(), options.end(), controller) == options.end()) {
      continue;
    }
    const std::string& root = fields[3]; // the part of the hierarchy this mount shows
    if (root != "/" && !path->starts_with(root)) {
      continue;
    }
    std::string dir = fields[4] + (root == "/" ? *path : path->substr(root.size()));
    if (dir.ends_with('/')) {
      dir.pop_back();
    }
    if (::access((dir + "/cgroup.procs").c_str(), W_OK) == 0) {
      return dir;
    }
  }
  return std::nullopt;
}

bool
offers(const std::string& dir, std::string_view controller)
{
  auto text = read_file(dir + "/cgroup.controllers");
  auto names = split(trim(text ? *text : ""), ' ');
  return std::find(names.begin(), names.end(), controller) != names.end();
}

// Enable memory and cpu for the children of v2 cgroup `dir`. The kernel refuses (EBUSY) while
// processes sit in `dir` itself (not the root): they move to its child `leaf` first, if given.
Status
give_children_controllers(const std::string& dir, const std::string& leaf)
{
  {
    Fd control(::open((dir + "/cgroup.subtree_control").c_str(), O_WRONLY | O_CLOEXEC));
    std::string_view want = "+memory +cpu";
    if (control && ::write(control.get(), want.data(), want.size()) == static_cast<ssize_t>(want.size())) {
      return {};
    }
    if (errno != EBUSY || leaf.empty()) {
      return error(errno_message("cannot enable memory and cpu in", dir));
    }
  }
  std::string home = dir + "/" + leaf;
  if (::mkdir(home.c_str(), 0755) != 0 && errno != EEXIST) {
    return error(errno_message("cannot create the cgroup", home));
  }
  for (pid_t pid : cgroup_pids(dir)) {
    (void)write_control(home, "cgroup.procs", std::to_string(pid)); // one that exited meanwhile is gone
  }
  return write_control(dir, "cgroup.subtree_control", "+memory +cpu");
}

// Why neither cgroup v2 at `v2_parent` nor cgroup v1 can limit memory and CPU, after `v2_why`.
std::string
no_limits(const std::string& v2_why)
{
  return v2_why + ", and no writable cgroup v1 memory and cpu hierarchies";
}

std::string
v2_shortfall(const std::optional<std::string>& v2_parent)
{
  if (!v2_parent) {
    return "no writable cgroup v2 here";
  }
  if (!offers(*v2_parent, "memory") || !offers(*v2_parent, "cpu")) {
    return "cgroup v2 at " + *v2_parent + " offers no memory and cpu controllers";
  }
  return {};
}

} // namespace

std::string
limit_problem(const std::optional<std::string>& v2_parent)
{
  std::string v2 = v2_shortfall(v2_parent);
  if (v2.empty() || (own_v1_dir("memory") && own_v1_dir("cpu"))) {
    return {};
  }
  return no_limits(v2);
}

LimitHome
find_limit_home(const std::optional<std::string>& v2_parent, const std::string& name, bool may_move)
{
  LimitHome home;
  std::string v2_problem = v2_shortfall(v2_parent);
  if (v2_problem.empty()) {
    std::string dir = *v2_parent + "/" + name;
    auto made = give_children_controllers(*v2_parent, may_move ? name + "-serve" : std::string());
    if (made && (::mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST)) {
      made = write_control(dir, "cgroup.subtree_control", "+memory +cpu");
    } else if (made) {
      made = error(errno_message("cannot create the cgroup", dir));
    }
    if (made) {
      home.memory = dir;
      home.unified = true;
      return home;
    }
    v2_problem = made.error().message;
  }
  auto memory = own_v1_dir("memory");
  auto cpu = own_v1_dir("cpu");
  if (memory && cpu) {
    home.memory = *memory + "/" + name;
    home.cpu = *cpu + "/" + name;
    for (const auto& dir : {home.memory, home.cpu}) {
      if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        home = {};
        home.problem = errno_message("cannot create the cgroup", dir);
        return home;
      }
    }
    return home;
  }
  home.problem = no_limits(v2_problem);
  return home;
}

Status
set_cgroup_limits(const std::string& dir, bool unified, const CgroupLimits& limits)
{
  std::string memory = std::to_string(limits.memory_max);
  if (unified) {
    if (limits.memory_max > 0) {
      SW_TRY(write_control(dir, "memory.max", memory));
      (void)write_control(dir, "memory.swap.max", "0"); // absent without swap accounting
      (void)write_control(dir, "memory.oom.group", "1");
    }
    if (limits.cpu_weight > 0) {
      SW_TRY(write_control(dir, "cpu.weight", std::to_string(limits.cpu_weight)));
    }
    return {};
  }
  if (limits.memory_max > 0 && ::access((dir + "/memory.limit_in_bytes").c_str(), F_OK) == 0) {
    SW_TRY(write_control(dir, "memory.limit_in_bytes", memory));
    (void)write_control(dir, "memory.memsw.limit_in_bytes", memory); // absent without swap accounting
  }
  if (limits.cpu_weight > 0 && ::access((dir + "/cpu.shares").c_str(), F_OK) == 0) {
    // v1 shares: 1024 for one, where v2's weight is 100.
    SW_TRY(write_control(dir, "cpu.shares", std::to_string(std::max(2ULL, limits.cpu_weight * 1024ULL / 100))));
  }
  return {};
}

MemoryUse
memory_use(const std::string& dir, bool unified)
{
  MemoryUse use;
  if (unified) {
    use.resident = control_value(dir, "memory.stat", "anon");
    use.oom_kills = control_value(dir, "memory.events", "oom_kill");
  } else {
    use.resident = control_value(dir, "memory.stat", "total_rss") + control_value(dir, "memory.stat", "total_swap");
    use.oom_kills = control_value(dir, "memory.oom_control", "oom_kill");
  }
  return use;
}

Result<CommandCgroups>
CommandCgroups::make(const LimitHome& home, const std::string& leaf, const CgroupLimits& limits)
{
  CommandCgroups made;
  if (!home.problem.empty() || home.memory.empty()) {
    return made;
  }
  made.m_unified = home.unified;
  std::vector<std::string> parents{home.memory};
  if (!home.unified) {
    parents.push_back(home.cpu);
  }
  for (const auto& parent : parents) {
    std::string dir = parent + "/" + leaf;
    SW_TRY_ASSIGN(Fd procs, make_cgroup(dir));
    made.m_dirs.push_back(dir);
    made.m_procs.push_back(std::move(procs));
    SW_TRY(set_cgroup_limits(dir, home.unified, limits));
  }
  return made;
}

CommandCgroups::CommandCgroups(CommandCgroups&& other) noexcept
    : m_dirs(std::exchange(other.m_dirs, {})), m_procs(std::move(other.m_procs)), m_unified(other.m_unified)
{}

CommandCgroups&
CommandCgroups::operator=(CommandCgroups&& other) noexcept
{
  if (this != &other) {
    remove();
    m_dirs = std::move(other.m_dirs);
    m_procs = std::move(other.m_procs);
    m_unified = other.m_unified;
    other.m_dirs.clear();
    other.m_procs.clear();
  }
  return *this;
}

CommandCgroups::~CommandCgroups()
{
  remove();
}

void
CommandCgroups::remove()
{
  m_procs.clear();
  for (const auto& dir : m_dirs) {
    // The command is over; what it left behind goes, as a dyno's does. The kernel needs a
    // moment to empty a cgroup of the processes it just killed.
    for (int i = 0; i < 100 && !remove_cgroup(dir); ++i) {
      signal_cgroup(dir, SIGKILL);
      ::usleep(10000);
    }
  }
  m_dirs.clear();
}

std::array<int, 3>
CommandCgroups::procs_fds() const
{
  std::array<int, 3> fds{-1, -1, -1};
  for (size_t i = 0; i < m_procs.size() && i < fds.size(); ++i) {
    fds[i] = m_procs[i].get();
  }
  return fds;
}

unsigned long long
CommandCgroups::oom_kills() const
{
  return m_dirs.empty() ? 0 : memory_use(m_dirs.front(), m_unified).oom_kills;
}

} // namespace slipway::util
