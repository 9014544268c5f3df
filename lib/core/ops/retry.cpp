#include "retry.hpp"

#include <core/release/app_lock.hpp>
#include <core/release/release_store.hpp>
#include <core/app/settings.hpp>
#include <core/slug/slug_store.hpp>

namespace slipway::core {

util::Result<ReleaseOutcome>
retry_release(const AppPaths& paths,
              bool wait,
              util::Output& out,
              const std::function<void(const ReleaseRecord&, unsigned long)>& on_created)
{
  SW_TRY_ASSIGN(AppSettings settings, load_settings(paths));
  SW_TRY_ASSIGN(AppLock lock, AppLock::acquire(paths, "releases:retry", wait, out));
  ReleaseStore store(paths);
  SW_TRY_ASSIGN(auto versions, store.versions());
  if (versions.empty()) {
    return util::error("no release found for " + paths.name() + "; push to deploy one");
  }
  unsigned long latest = versions.back();
  SW_TRY_ASSIGN(ReleaseRecord last, store.load(latest));
  std::string v = version_name(latest);
  if (last.release_command.empty()) {
    return util::error(v + "'s slug declares no release command, so there is no release phase to retry; "
                           "add a 'release:' line to the Procfile and push");
  }
  SlugStore slugs(paths);
  if (last.effective_status() == ReleaseStatus::expired || !slugs.exists(last.slug_id)) {
    return util::error("cannot retry " + v + ": its slug was pruned by retention");
  }
  SW_TRY_ASSIGN(SlugRecord slug, slugs.load(last.slug_id));
  SW_TRY_ASSIGN(ConfigVars config, load_env(paths.config_file()));
  ReleaseRequest req{slug, config, "Retry of " + v + ": " + last.description, last.commit, {}};
  if (on_created) {
    req.on_created = [&](const ReleaseRecord& r) { on_created(r, latest); };
  }
  return create_release(paths, settings, req, out);
}

} // namespace slipway::core
