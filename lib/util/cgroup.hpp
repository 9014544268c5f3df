// cgroup v2 directories as containers for groups of processes that must end as a whole,
// whatever they did (setsid, double fork): a dyno and everything it started.
#pragma once

#include <util/fd.hpp>
#include <util/result.hpp>

#include <sys/types.h>

#include <array>
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

// Memory and CPU limits for one cgroup.
struct CgroupLimits
{
  unsigned long long memory_max = 0; // bytes, swap included; past it the kernel OOM-kills. 0: none
  unsigned cpu_weight = 0;           // CPU share under contention, cgroup v2's scale (100: one). 0: as is
};

// Where cgroups with memory and CPU limits can be made for processes of this one: with cgroup
// v2, a directory whose children get both controllers (`unified`: the same directory holds
// the processes, so it also contains them); else the cgroup v1 memory and cpu hierarchies.
struct LimitHome
{
  std::string memory; // parent directory for memory cgroups; empty: none
  std::string cpu;    // parent directory for cpu cgroups (v1 only; unified uses `memory`)
  bool unified = false;
  std::string problem; // empty, or one line: why no limits can be set here
};

// The limit home named `name` for this process: cgroup v2 `v2_parent/name` when
// `v2_parent` (this process's own v2 cgroup) offers the memory and cpu controllers (with
// `may_move`, the processes of `v2_parent` move into a leaf `v2_parent/NAME-serve` when the
// kernel needs them out of the way), else NAME below its own cgroup v1 memory and cpu
// directories. Made if missing.
LimitHome find_limit_home(const std::optional<std::string>& v2_parent, const std::string& name, bool may_move = true);

// Without side effects: empty when find_limit_home would find a home, else its problem.
std::string limit_problem(const std::optional<std::string>& v2_parent);

// Set `limits` on cgroup `dir` (v2 files with `unified`, else v1 memory and cpu files; a
// limit whose controller is not in `dir` is skipped).
Status set_cgroup_limits(const std::string& dir, bool unified, const CgroupLimits& limits);

// Cgroups for one command and what it starts, with limits: one with cgroup v2, else one per
// v1 controller. Whatever is left in them is killed, and they are removed, when this goes.
class CommandCgroups
{
public:
  // Named `leaf` under `home` (find_limit_home); none (an empty object) when `home` has a problem.
  static Result<CommandCgroups> make(const LimitHome& home, const std::string& leaf, const CgroupLimits& limits);
  CommandCgroups() = default;
  CommandCgroups(CommandCgroups&& other) noexcept;
  CommandCgroups& operator=(CommandCgroups&&) noexcept;
  ~CommandCgroups();

  // The `cgroup.procs` fds to give ProcessSpec::cgroup_procs_fds (-1 for none).
  std::array<int, 3> procs_fds() const;
  // Processes of the command the kernel's OOM killer killed so far.
  unsigned long long oom_kills() const;

private:
  void remove();
  std::vector<std::string> m_dirs;
  std::vector<Fd> m_procs;
  bool m_unified = false;
};

struct MemoryUse
{
  unsigned long long resident = 0;  // anonymous memory (resident or swapped) of its processes, bytes
  unsigned long long oom_kills = 0; // processes the kernel's OOM killer killed in it
};

// What memory cgroup `dir` uses now (zeros when it is gone).
MemoryUse memory_use(const std::string& dir, bool unified);

} // namespace slipway::util
