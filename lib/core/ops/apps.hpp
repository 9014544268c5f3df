// Creating and destroying apps under a root (finding them: app_lookup.hpp).
#pragma once

#include <core/app/app_lookup.hpp>
#include <core/app/layout.hpp>
#include <util/output.hpp>
#include <util/result.hpp>

#include <vector>

namespace slipway::core {

// Create apps/APP: a bare repository with the hooks installed (running this binary), empty
// config, default settings, and the release, slug, cache and build directories.
util::Result<AppPaths> create_app(const std::string& root, const std::string& name);

// Remove an app and everything it holds, under its deploy lock. Refused while it has add-ons
// (addon_actions.hpp) unless `destroy_addons`: then those only it uses are deprovisioned.
util::Status destroy_app(const AppPaths& paths, bool destroy_addons, util::Output& out);

} // namespace slipway::core
