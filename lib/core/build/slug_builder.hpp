// Build a slug from a pushed commit: export the tree, apply .slugignore, run the
// buildpacks, discover process types, pack and store the tarball.
#pragma once

#include <core/build/buildpack_source.hpp>
#include <core/app/config_vars.hpp>
#include <core/app/layout.hpp>
#include <core/app/settings.hpp>
#include <core/slug/slug_store.hpp>
#include <git/repository.hpp>
#include <util/output.hpp>

namespace slipway::core {

struct BuildInput
{
  const AppPaths& paths;
  const AppSettings& settings;
  git_repository* repo;
  git::CommitInfo commit;
  ConfigVars config;
  const BuildpackPlan& buildpacks; // resolved once for the push
};

struct BuildResult
{
  SlugRecord slug;
  // The built tree, normalized to what the slug unpacks to (archive/tree_normalize.hpp),
  // left in apps/APP/tmp for the release to rename into place instead of unpacking.
  std::string tree;
};

// Build and store a slug. All build output goes to `out` as it happens; a failure is one
// line saying what failed and what to do. The staging directory is always removed.
util::Result<BuildResult> build_slug(const BuildInput& in, util::Output& out);

} // namespace slipway::core
