// The build's staging area, tmp/build-PID. Root owns the directory itself, so the app's user
// can never rename or replace what is in it: `app` (the build dir, the user's), `home` (the
// user's), `env` (ENV_DIR, root's, readable by the app's group) and `buildpacks/N` (copies
// made by root before any app code runs, then handed to the user). Closed (0700) except
// while the buildpacks run.
#pragma once

#include <core/app/app_user.hpp>
#include <core/build/buildpack_source.hpp>
#include <core/app/config_vars.hpp>
#include <core/app/layout.hpp>
#include <util/fd.hpp>

#include <memory>
#include <optional>
#include <vector>

namespace slipway::core {

struct BuildArea
{
  std::string dir, app, env_dir, home;
  util::Fd fd; // dir, opened O_NOFOLLOW
  std::optional<AppUser> user;

  std::string buildpack(size_t index) const;
  ~BuildArea();

  // Let the app's user in (the buildpacks run) or shut it out again (root takes over).
  util::Status open_to_user(bool open) const;
};

// Check that the app's user can reach the root, give it its app directory, and make the
// area, closed, with `app` and `home` the user's (tmp/build-PID; removed with the object).
util::Result<std::unique_ptr<BuildArea>> open_build_area(const AppPaths& paths);

// ENV_DIR: one file per config var, root's, readable by the app's group.
util::Status write_env_dir(const BuildArea& area, const ConfigVars& config);

// Copy every buildpack of the plan into the area (buildpacks/N) before any app code runs:
// one may write its `export` file there, the app's user can read it wherever the original
// lives, and the original is never touched.
util::Result<std::vector<buildpack::Buildpack>> stage_buildpacks(const BuildpackPlan& plan, const BuildArea& area);

} // namespace slipway::core
