#include "cgroup.hpp"

#include <util/fs.hpp>
#include <util/strings.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

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

} // namespace slipway::util
