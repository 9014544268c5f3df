// Fault injection for crash-safety tests: SLIPWAY_FAULT=<step> kills this process with
// SIGKILL when it reaches that step. Production never sets the variable.
#pragma once

namespace slipway::util {

// Die with SIGKILL here if SLIPWAY_FAULT names `step`.
void fault_point(const char* step);

} // namespace slipway::util
