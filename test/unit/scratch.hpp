// A fresh directory per test case, under the run's scratch root.
#pragma once

#include <string>

namespace slipway::test {

extern std::string g_scratch_root;

// Creates and returns an empty directory unique to this call.
std::string scratch_dir(const std::string& name);

} // namespace slipway::test
