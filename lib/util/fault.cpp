#include "fault.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace slipway::util {

bool
fault_active(const char* name)
{
  const char* want = std::getenv("SLIPWAY_FAULT");
  return want && std::strcmp(want, name) == 0;
}

void
fault_point(const char* step)
{
  if (fault_active(step)) {
    std::raise(SIGKILL);
  }
}

} // namespace slipway::util
