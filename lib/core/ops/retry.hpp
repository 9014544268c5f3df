// releases:retry: a new release with the latest release's slug and the app's current
// config, to run the release phase again (after fixing what made it fail, say).
#pragma once

#include <core/app/layout.hpp>
#include <core/release/releaser.hpp>

namespace slipway::core {

// Refused when there is no release, when the latest slug declares no release command,
// or when that slug has expired.
util::Result<ReleaseOutcome>
retry_release(const AppPaths& paths,
              bool wait,
              util::Output& out,
              const std::function<void(const ReleaseRecord&, unsigned long)>& on_created = {});

} // namespace slipway::core
