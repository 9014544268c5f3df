// cgroup v2 directories as containers for groups of processes that must end as a whole,
// whatever they did (setsid, double fork): a dyno and everything it started.
#pragma once

#include <util/fd.hpp>
#include <util/result.hpp>

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace slipway::util {

// The cgroup v2 directory this process is in, when cgroup v2 is mounted and that directory
// is writable by this process; none otherwise (no cgroups here: process groups only).
std::optional<std::string> own_cgroup();

// Create the cgroup `dir` (its parent must exist, it must not) and open its `cgroup.procs`
// for writing (ProcessSpec::cgroup_procs_fd).
Result<Fd> make_cgroup(const std::string& dir);

// The processes in cgroup `dir` (none when it is gone).
std::vector<pid_t> cgroup_pids(const std::string& dir);

// Send `sig` to every process in cgroup `dir`. SIGKILL goes through `cgroup.kill` where the
// kernel has it (5.14), which also catches processes forked meanwhile.
void signal_cgroup(const std::string& dir, int sig);

// Remove cgroup `dir` once no process is left in it: true when it is gone.
bool remove_cgroup(const std::string& dir);

} // namespace slipway::util
