// Retention: keep the slugs (and unpacked trees) of the newest `retention` distinct slugs;
// config-only releases share a slug and cost nothing (Flynn's rule). Never pruned: the
// current release, the default rollback target, a release still pending, and a tree a
// running process works in. Pruned releases keep their record and log and read `expired`.
#pragma once

#include <core/app/layout.hpp>
#include <core/app/settings.hpp>
#include <util/result.hpp>

#include <vector>

namespace slipway::core {

struct PruneReport
{
  std::vector<unsigned long> expired; // releases whose trees were removed
  std::vector<std::string> slugs;     // slug ids removed
  unsigned long long freed = 0;       // bytes
};

// Prune one app. The caller holds the deploy lock.
util::Result<PruneReport> prune_releases(const AppPaths& paths, const AppSettings& settings);

// The default rollback target: the newest succeeded, unexpired release older than current.
std::optional<unsigned long> default_rollback_target(const AppPaths& paths);

} // namespace slipway::core
