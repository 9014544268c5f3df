#include "identity.hpp"

#include <util/fs.hpp>
#include <util/strings.hpp>

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <utility>

namespace slipway::util {

namespace {
thread_local std::string t_acting; // the ActingUser in scope on this thread, or ""
}

ActingUser::ActingUser(std::string name) : m_previous(std::exchange(t_acting, std::move(name))) {}

ActingUser::~ActingUser()
{
  t_acting = std::move(m_previous);
}

std::string
current_user()
{
  if (!t_acting.empty()) {
    return t_acting;
  }
  if (const char* u = std::getenv("SLIPWAY_USER"); u && *u) {
    return u;
  }
  if (passwd* pw = ::getpwuid(::geteuid())) {
    return pw->pw_name;
  }
  return "uid-" + std::to_string(::geteuid());
}

std::string
process_start_time(pid_t pid)
{
  auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) {
    return {};
  }
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  auto close = stat->rfind(')');
  if (close == std::string::npos) {
    return {};
  }
  auto fields = split(std::string_view(*stat).substr(close + 2), ' ');
  // After the name: state is field 3, starttime is field 22. A zombie (Z) or a dying
  // process (X) has ended, though its parent has not reaped it yet.
  if (fields.size() <= 19 || fields[0] == "Z" || fields[0] == "X") {
    return {};
  }
  return fields[19];
}

bool
process_alive(pid_t pid, const std::string& start_time)
{
  if (pid <= 0 || start_time.empty()) {
    return false;
  }
  return process_start_time(pid) == start_time;
}

} // namespace slipway::util
