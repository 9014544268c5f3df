// Who and which process: user names for records, process identity that survives pid reuse.
#pragma once

#include <sys/types.h>

#include <string>

namespace slipway::util {

// SLIPWAY_USER if set, else the login name of the effective user.
std::string current_user();

// The kernel's start time of `pid` (clock ticks since boot), or "" if no such process or it
// has ended (a zombie its parent has not reaped yet).
// A pid plus its start time names one process even after the pid is reused.
std::string process_start_time(pid_t pid);

// True if `pid` runs and started at `start_time`.
bool process_alive(pid_t pid, const std::string& start_time);

} // namespace slipway::util
