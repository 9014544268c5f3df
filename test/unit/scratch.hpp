// A fresh directory per test case, under the run's scratch root.
#pragma once

#include <string>

namespace slipway::test {

extern std::string g_scratch_root;

// Creates and returns an empty directory unique to this call.
std::string scratch_dir(const std::string& name);

// Says on stderr that the running test case is skipped, and why: "skip unit: WHY". test/run
// counts these lines as skips, not passes.
void report_skip(const std::string& why);

} // namespace slipway::test

// End the current test case as skipped.
#define SKIP_TEST(why)                                                                                                 \
  do {                                                                                                                 \
    slipway::test::report_skip(why);                                                                                   \
    return;                                                                                                            \
  } while (0)

namespace slipway::test {} // namespace slipway::test
