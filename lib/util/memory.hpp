// This process's /proc/self/status: its memory, for diagnostics (spdlog), and its umask.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace slipway::util {

// "hwm_kb=N anon_kb=N file_kb=N" from /proc/self/status: the peak resident set, and what is
// resident now in private memory and in mapped files; "" where /proc is not readable.
std::string memory_summary();

// The value of one field of /proc/self/status ("Umask" -> "0022"; a size keeps its " kB"),
// or nothing.
std::optional<std::string> proc_status(std::string_view field);

} // namespace slipway::util
