// Heroku's release phase: the Procfile `release:` command, run against the new slug and
// the new config before anything switches.
#pragma once

#include <core/config_vars.hpp>
#include <util/output.hpp>
#include <util/process.hpp>

#include <string>

namespace slipway::core {

struct ReleasePhaseInput
{
  std::string app_dir; // a fresh copy of the slug; files written here are thrown away
  const util::OverlayView* view = nullptr; // set when app_dir is an overlay view to enter
  std::string command; // the Procfile release: command, given to bash
  ConfigVars config;   // the new release's config vars
  double timeout = 3600;
  double kill_grace = 10;
  std::string log_path;         // release.log: every output line is appended as it is written
  std::string runner_path;      // receives "<pid> <start time>" of the supervisor, for releases:cancel
  bool drop_privileges = false; // run as uid:gid, the app's user (app_user.hpp)
  uid_t uid = 0;
  gid_t gid = 0;
};

// Run the command: bash in its own process group with the config vars, then .profile.d/*.sh
// sourced, HOME set to the app, DYNO=release.1, stdin /dev/null. Output goes to `out` and the
// log line by line. Every process it started is gone when this returns.
util::Result<util::ProcessResult> run_release_phase(const ReleasePhaseInput& in, util::Output& out);

} // namespace slipway::core
