// Heroku's release phase: the Procfile `release:` command, run against the new slug and
// the new config before anything switches.
#pragma once

#include <core/app/app_user.hpp>
#include <core/app/config_vars.hpp>
#include <core/app/layout.hpp>
#include <util/output.hpp>
#include <util/process.hpp>

#include <optional>
#include <string>
#include <vector>

namespace slipway::core {

struct ReleasePhaseInput
{
  const AppPaths* paths = nullptr;
  unsigned long version = 0;
  std::string tree;    // the release's tree (releases/vN/app), never written
  std::string tarball; // its slug, unpacked again where no cheaper copy can be made
  std::string command; // the Procfile release: command, given to bash
  ConfigVars config;   // the new release's config vars
  double timeout = 3600;
  double kill_grace = 10;
  std::string log_path;           // release.log: every output line is appended as it is written (or none)
  std::string runner_path;        // receives "<pid> <start time>" of the supervisor, for releases:cancel (or none)
  std::optional<AppUser> user;    // run as the app's user (when Slipway runs as root)
  unsigned long long max_processes = 0; // that user's process limit (util::ProcessSpec)
  std::string dyno = "release.1"; // DYNO
  std::string scratch_dir;        // where the copy is made; empty: tmp/release-vN
  bool interactive = false;       // one-off from a terminal: util::ProcessSpec::interactive
};

// argv running `command` as Heroku does: bash, the app's .profile.d/*.sh sourced from $HOME,
// then the command evaluated ($0 is `label`). With `wait_on_term` bash itself waits out a
// SIGTERM, so that the command's processes (which get it too) decide when to exit, as a
// dyno's do; the SIGKILL after the grace period still ends everything.
std::vector<std::string>
profile_command(const std::string& command, const std::string& label, bool wait_on_term = false);

// The environment of a command run as Heroku runs it: the config vars, a default PATH when
// they set none, HOME, DYNO, and PORT when `port` is set (the config cannot set those).
std::vector<std::string>
dyno_environment(const ConfigVars& config, const std::string& home, const std::string& dyno, int port = 0);

// Run the command in a throwaway copy of the tree (release_scratch.hpp): an overlay view,
// (`slipway run` uses it too, for one-off dynos)
// or, when this kernel refuses the view, a link farm made then and the command run there
// instead; the copy is removed afterwards. bash runs in its own process group with the
// config vars, then .profile.d/*.sh sourced, HOME set to the copy, DYNO=release.1, stdin
// /dev/null. Output goes to `out` and the log line by line. Every process it started is gone
// when this returns. An error means the command could not be given a copy or a process.
util::Result<util::ProcessResult> run_release_phase(const ReleasePhaseInput& in, util::Output& out);

} // namespace slipway::core
