// Which buildpacks build an app: BUILDPACK_URL, the app's .buildpacks file, or detection
// over the built-ins. A source is a built-in name, an absolute path or a git URL with an
// optional #ref, fetched with libgit2 and cached in apps/APP/buildpacks.
#pragma once

#include <core/config_vars.hpp>
#include <core/layout.hpp>
#include <runner/runner.hpp>

#include <vector>

namespace slipway::core {

// Built-in buildpacks in detection order (Node.js, Python, then Procfile-only).
std::vector<buildpack::Buildpack> builtin_buildpacks();

// The sources the app asks for (BUILDPACK_URL wins over .buildpacks); empty means detect.
// `build_dir` is the exported app.
util::Result<std::vector<std::string>> requested_buildpacks(const ConfigVars& config, const std::string& build_dir);

// Turn one source into a directory with bin/, fetching git URLs. When a fetch fails and
// an earlier copy is cached, the copy is used and `warn` says so.
util::Result<buildpack::Buildpack>
resolve_buildpack(const AppPaths& paths, const std::string& source, util::Output& out);

} // namespace slipway::core
