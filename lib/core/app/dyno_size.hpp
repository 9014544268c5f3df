// Dyno sizes, as Heroku names them: how much memory and CPU share a dyno, release phase, build
// or one-off gets, and the cgroup limits that make them so. Which size each process type runs
// at is the formation's (formation.hpp).
#pragma once

#include <core/app/layout.hpp>
#include <util/cgroup.hpp>
#include <util/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace slipway::core {

struct DynoSize
{
  std::string name;          // "standard-1X"
  unsigned long long memory; // bytes: past it, Error R14; past twice it, the kernel kills (R15)
  unsigned cpu_share;        // CPU under contention, relative to standard-1X's 1
};

// Every size, smallest first.
const std::vector<DynoSize>& dyno_sizes();

// The size called `name`, in any letter case; an error (exit 2) listing the sizes otherwise.
util::Result<DynoSize> find_dyno_size(std::string_view name);

// The cgroup limits of a dyno of `memory` bytes and `cpu_share` (DynoSize): the kernel kills
// at twice its memory, as Heroku does (R15); CPU weighed by its share.
util::CgroupLimits dyno_limits(unsigned long long memory, unsigned cpu_share);

// Cgroups for a command of the app (`what`: build, release, run) at the app's dyno_size, for
// util::ProcessSpec::cgroup_procs_fds; none (an empty object) where this machine has no
// cgroup controllers this process may use, or when not root.
util::Result<util::CommandCgroups> command_cgroups(const AppPaths& paths, const std::string& what);

} // namespace slipway::core
