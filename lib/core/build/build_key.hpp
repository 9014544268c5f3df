// The identity of a build: everything that determines a slug's bytes. Two pushes with the
// same key get the same slug, so the second reuses the first's instead of building again
// (a `git revert`, a redeploy of an old commit). Recorded in apps/APP/slugs/by-input/KEY.
#pragma once

#include <core/build/buildpack_source.hpp>
#include <core/app/config_vars.hpp>
#include <core/app/layout.hpp>
#include <core/app/settings.hpp>
#include <git/repository.hpp>

#include <optional>

namespace slipway::core {

// sha256 over: the commit's tree id, every config var (they reach bin/compile), the stack,
// the compression, and the content of each buildpack in the push's plan (the built-ins, or
// the ones BUILDPACK_URL or the tree's .buildpacks name, already fetched). Fails only when a
// buildpack cannot be read.
util::Result<std::string> build_key(const AppSettings& settings,
                                    const git::CommitInfo& commit,
                                    const ConfigVars& config,
                                    const BuildpackPlan& buildpacks);

// The slug recorded for `key`, if its tarball still exists.
std::optional<std::string> slug_for_key(const AppPaths& paths, const std::string& key);

// Record that `key` built `slug_id`.
util::Status remember_key(const AppPaths& paths, const std::string& key, const std::string& slug_id);

} // namespace slipway::core
