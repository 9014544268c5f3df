// Which buildpacks build an app: BUILDPACK_URL, the app's .buildpacks file, or detection
// over the built-ins. A source is a built-in name, an absolute path or a git URL with an
// optional #ref, fetched with libgit2 and cached in apps/APP/buildpacks. Paths and file://
// URLs must lie in a directory the server's `buildpack_dirs` setting names: root reads them.
#pragma once

#include <core/app/config_vars.hpp>
#include <core/app/layout.hpp>
#include <core/app/settings.hpp>
#include <runner/runner.hpp>

#include <optional>
#include <vector>

namespace slipway::core {

// Built-in buildpacks in detection order (Node.js, Python, then Procfile-only).
std::vector<buildpack::Buildpack> builtin_buildpacks();

// The buildpacks one push builds with, resolved once and given to both the build key
// (build_key.hpp) and the build (slug_builder.hpp).
struct BuildpackPlan
{
  std::vector<std::string> requested;           // the sources asked for; empty: detect
  std::vector<buildpack::Buildpack> candidates; // those, fetched, in order; or the built-ins

  bool
  detecting() const
  {
    return requested.empty();
  }
};

// BUILDPACK_URL, else the app's buildpacks (set_buildpack_urls), else the lines of
// `dot_buildpacks` (the pushed commit's .buildpacks, if it has one), else detection over the
// built-ins; each source resolved (fetched) once, which
// `out` announces ("Using buildpack: ...").
util::Result<BuildpackPlan> plan_buildpacks(const AppPaths& paths,
                                            const AppSettings& settings,
                                            const ConfigVars& config,
                                            const std::optional<std::string>& dot_buildpacks,
                                            util::Output& out);

// The app's buildpacks, in order (none: not set).
util::Result<std::vector<std::string>> load_buildpack_urls(const AppPaths& paths);
// Set them (none: clear them); each a built-in, an absolute path or a git URL, checked for its
// form here and fetched at the next build. Usage errors (exit 2) name the bad one.
util::Status set_buildpack_urls(const AppPaths& paths, const std::vector<std::string>& urls);

// Turn one source into a directory with bin/, fetching git URLs (within the server's
// buildpack_fetch_timeout and buildpack_fetch_size).
// When a fetch fails and an earlier copy is cached, the copy is used and `out` says why.
util::Result<buildpack::Buildpack>
resolve_buildpack(const AppPaths& paths, const AppSettings& settings, const std::string& source, util::Output& out);

// The STACK buildpacks are told: the app's `stack` setting (or the server's), else this OS's
// id, e.g. debian-12.
std::string app_stack(const AppSettings& settings);

} // namespace slipway::core
