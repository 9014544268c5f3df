// Creating, finding, listing and destroying apps under a root.
#pragma once

#include <core/layout.hpp>
#include <util/output.hpp>
#include <util/result.hpp>

#include <vector>

namespace slipway::core {

// Create apps/APP: a bare repository with the hooks installed (running this binary), empty
// config, default settings, and the release, slug, cache and build directories.
util::Result<AppPaths> create_app(const std::string& root, const std::string& name);

// An existing app; a clear error naming the create command when it does not exist.
util::Result<AppPaths> open_app(const std::string& root, const std::string& name);

// Names of all apps, sorted.
util::Result<std::vector<std::string>> list_apps(const std::string& root);

// Remove an app and everything it holds, under its deploy lock.
util::Status destroy_app(const AppPaths& paths, util::Output& out);

} // namespace slipway::core
