// This process's memory, for diagnostics (spdlog) only.
#pragma once

#include <string>

namespace slipway::util {

// "hwm_kb=N anon_kb=N file_kb=N" from /proc/self/status: the peak resident set, and what is
// resident now in private memory and in mapped files; "" where /proc is not readable.
std::string memory_summary();

} // namespace slipway::util
