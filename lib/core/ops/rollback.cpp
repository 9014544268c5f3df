#include "rollback.hpp"

#include <core/release/app_lock.hpp>
#include <core/release/release_store.hpp>
#include <core/release/retention.hpp>
#include <core/app/settings.hpp>
#include <core/slug/slug_store.hpp>
#include <util/fs.hpp>

#include <fmt/format.h>

namespace slipway::core {

util::Result<ReleaseOutcome>
rollback(const AppPaths& paths,
         std::optional<unsigned long> target,
         bool wait,
         util::Output& out,
         const std::function<void(const ReleaseRecord&, unsigned long target, unsigned long previous)>& on_created)
{
  SW_TRY_ASSIGN(AppSettings settings, load_settings(paths));
  SW_TRY_ASSIGN(AppLock lock, AppLock::acquire(paths, "rollback", wait, out));
  ReleaseStore store(paths);
  auto cur = store.current();
  if (!cur) {
    return util::error("app '" + paths.name() + "' has no current release to roll back from; push to deploy one");
  }
  if (!target) {
    target = default_rollback_target(paths);
    if (!target) {
      return util::error(fmt::format("no succeeded release before v{} to roll back to", *cur));
    }
  }
  std::string v = version_name(*target);
  if (!util::path_exists(store.dir(*target))) {
    return util::error("no release " + v + " for " + paths.name() + "; see 'slipway releases -a " + paths.name() + "'");
  }
  if (*target == *cur) {
    return util::error(v + " is the current release; roll back to an earlier one (see 'slipway releases -a " +
                       paths.name() + "')");
  }
  SW_TRY_ASSIGN(ReleaseRecord from, store.load(*target));
  switch (from.effective_status()) {
  case ReleaseStatus::failed:
    return util::error("cannot roll back to " + v + ": its release failed (" +
                       (from.failure.empty() ? std::string("interrupted") : from.failure) +
                       "); pick a succeeded release");
  case ReleaseStatus::pending:
    return util::error("cannot roll back to " + v + ": its release phase is still running");
  case ReleaseStatus::expired:
    return util::error("cannot roll back to " + v + ": it has expired (its slug was pruned by retention)");
  case ReleaseStatus::succeeded:
    break;
  }
  SlugStore slugs(paths);
  if (!slugs.exists(from.slug_id)) {
    return util::error("cannot roll back to " + v + ": its slug " + from.slug_id + " is missing; run 'slipway doctor'");
  }
  SW_TRY_ASSIGN(SlugRecord slug, slugs.load(from.slug_id));
  SW_TRY_ASSIGN(ConfigVars config, store.config_of(*target));
  unsigned long previous = *cur;
  ReleaseRequest req{slug, config, "Rollback to " + v, from.commit, {}};
  if (on_created) {
    req.on_created = [&](const ReleaseRecord& r) { on_created(r, *target, previous); };
  }
  return create_release(paths, settings, req, out);
}

} // namespace slipway::core
