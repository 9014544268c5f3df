// One-off dynos (`slipway run`): a command run like the release phase, in a throwaway copy of
// the current release, as the app's user, with its config and .profile.d.
#pragma once

#include <core/app/layout.hpp>
#include <util/output.hpp>
#include <util/process.hpp>

#include <string>
#include <vector>

namespace slipway::core {

// Run `argv` (joined into one shell command, each word quoted) as run.N, output streamed to
// `out`. An error when the app has no release or the command could not be given a copy or a
// process; a command that fails is a ProcessResult.
// With `interactive`, the command shares this process's terminal (util::ProcessSpec).
util::Result<util::ProcessResult>
run_one_off(const AppPaths& paths, const std::vector<std::string>& argv, util::Output& out, bool interactive = false);

// The one-off dyno that process `pid` runs: "run.N".
std::string one_off_dyno(pid_t pid);

// The release a one-off command runs in now (the current one); an error naming the fix when
// the app has none.
util::Result<unsigned long> one_off_release(const AppPaths& paths);

// run_one_off with the command's output in the app's log as app[run.N], between
// slipway[run.N] lines saying what started and how it ended (`run --detach`).
util::Result<util::ProcessResult> run_one_off_logged(const AppPaths& paths, const std::vector<std::string>& argv);

} // namespace slipway::core
