// Rollback: a new release copying an earlier release's slug and config, whose release
// phase (the old slug's release command) gates the switch, as on Heroku.
#pragma once

#include <core/app/layout.hpp>
#include <core/release/releaser.hpp>

#include <optional>

namespace slipway::core {

// Roll back to `target`, or by default to the newest succeeded release before the current
// one. Refused, with a message saying why: an unknown version, the current release, a
// failed, pending or expired release, or nothing to roll back to.
util::Result<ReleaseOutcome> rollback(
    const AppPaths& paths,
    std::optional<unsigned long> target,
    bool wait,
    util::Output& out,
    const std::function<void(const ReleaseRecord&, unsigned long target, unsigned long previous)>& on_created = {});

} // namespace slipway::core
