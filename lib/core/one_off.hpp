// One-off dynos (`slipway run`): a command run like the release phase, in a throwaway copy of
// the current release, as the app's user, with its config and .profile.d.
#pragma once

#include <core/layout.hpp>
#include <util/output.hpp>
#include <util/process.hpp>

#include <string>
#include <vector>

namespace slipway::core {

// Run `argv` (joined into one shell command, each word quoted) as run.N, output streamed to
// `out`. An error when the app has no release or the command could not be given a copy or a
// process; a command that fails is a ProcessResult.
util::Result<util::ProcessResult>
run_one_off(const AppPaths& paths, const std::vector<std::string>& argv, util::Output& out);

} // namespace slipway::core
