// Who and which process: user names for records, process identity that survives pid reuse.
#pragma once

#include <sys/types.h>

#include <string>

namespace slipway::util {

// Who is acting: the ActingUser of this thread if one is in scope, else SLIPWAY_USER if set,
// else the login name of the effective user.
std::string current_user();

// While it lives, current_user() on this thread is `name`: a server thread acts for the
// person whose request it answers (the environment is the whole process's).
class ActingUser
{
public:
  explicit ActingUser(std::string name);
  ~ActingUser();
  ActingUser(const ActingUser&) = delete;
  ActingUser& operator=(const ActingUser&) = delete;

private:
  std::string m_previous;
};

// The kernel's start time of `pid` (clock ticks since boot), or "" if no such process or it
// has ended (a zombie its parent has not reaped yet).
// A pid plus its start time names one process even after the pid is reused.
std::string process_start_time(pid_t pid);

// True if `pid` runs and started at `start_time`.
bool process_alive(pid_t pid, const std::string& start_time);

} // namespace slipway::util
