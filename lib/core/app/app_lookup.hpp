// Finding existing apps under a root. Apart from apps.hpp (which creates them with libgit2),
// so that read-only front ends link without it.
#pragma once

#include <core/app/layout.hpp>
#include <util/result.hpp>

#include <string>
#include <vector>

namespace slipway::core {

// An existing app; a clear error naming the create command when it does not exist.
util::Result<AppPaths> open_app(const std::string& root, const std::string& name);

// Names of all apps, sorted.
util::Result<std::vector<std::string>> list_apps(const std::string& root);

} // namespace slipway::core
