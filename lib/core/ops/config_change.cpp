#include "config_change.hpp"

#include <core/addons/addons.hpp>
#include <core/release/app_lock.hpp>
#include <core/release/release_store.hpp>
#include <core/app/settings.hpp>
#include <core/slug/slug_store.hpp>
#include <util/strings.hpp>

namespace slipway::core {

util::Status
validate_config_edit(const ConfigEdit& edit)
{
  if (edit.empty()) {
    return util::error("no config vars given", 2);
  }
  for (const auto& [k, v] : edit) {
    SW_TRY(validate_config_key(k));
    if (v) {
      SW_TRY(validate_config_value(k, *v));
      if (v->size() > k_max_config_value) {
        return util::error(
            "config var '" + k + "' is " + util::human_size(v->size()) + "; values are limited to " +
                util::human_size(k_max_config_value) +
                " (the kernel caps one environment variable at 128K); store large data in a file or service",
            2);
      }
    }
  }
  return {};
}

// Heroku's words: "Set A, B config vars", "Remove A config vars"; an edit that does both (the
// API's PATCH) says both: "Set A, remove B config vars".
static std::string
describe(const ConfigEdit& edit, const std::vector<std::string>& changed)
{
  std::vector<std::string> set, removed;
  for (const auto& k : changed) {
    (edit.at(k).has_value() ? set : removed).push_back(k);
  }
  if (set.empty()) {
    return "Remove " + util::join(removed, ", ") + " config vars";
  }
  return "Set " + util::join(set, ", ") + (removed.empty() ? "" : ", remove " + util::join(removed, ", ")) +
         " config vars";
}

util::Result<ConfigOutcome>
change_config(const AppPaths& paths,
              const ConfigEdit& edit,
              bool wait,
              util::Output& out,
              const std::function<void(const ReleaseRecord&)>& on_created)
{
  SW_TRY(validate_config_edit(edit));
  // An attachment's vars are its add-on's to change (Heroku: "Cannot overwrite attachment values").
  ConfigVars attached;
  SW_TRY(overlay_addon_vars(paths.root(), paths.name(), attached));
  for (const auto& [k, v] : edit) {
    if (attached.count(k)) {
      return util::error("config var " + k + " belongs to an add-on attachment; see 'slipway addons -a " +
                             paths.name() + "', and detach it to remove it (slipway addons:detach ATTACHMENT -a " +
                             paths.name() + ")",
                         2);
    }
  }
  SW_TRY_ASSIGN(AppSettings settings, load_settings(paths));
  SW_TRY_ASSIGN(AppLock lock, AppLock::acquire(paths, "config change", wait, out));
  SW_TRY_ASSIGN(ConfigVars config, load_env(paths.config_file()));
  ConfigOutcome outcome;
  for (const auto& [k, v] : edit) {
    auto it = config.find(k);
    bool differs = v ? (it == config.end() || it->second != *v) : it != config.end();
    if (differs) {
      outcome.changed.push_back(k);
      if (v) {
        config[k] = *v;
      } else {
        config.erase(k);
      }
    }
  }
  if (outcome.changed.empty()) {
    return outcome;
  }
  size_t total = 0;
  for (const auto& [k, v] : config) {
    total += k.size() + v.size() + 2;
  }
  if (total > k_max_config_total) {
    return util::error("the config would hold " + util::human_size(total) + "; an app's config is limited to " +
                           util::human_size(k_max_config_total) + " so that it fits in a process environment",
                       2);
  }
  SW_TRY_ASSIGN(outcome.release,
                release_config(paths, settings, config, describe(edit, outcome.changed), false, out, on_created));
  outcome.applied_without_release = !outcome.release;
  return outcome;
}

util::Result<std::optional<ReleaseOutcome>>
release_config(const AppPaths& paths,
               const AppSettings& settings,
               ConfigVars config,
               const std::string& description,
               bool skip_release_phase,
               util::Output& out,
               const std::function<void(const ReleaseRecord&)>& on_created)
{
  ReleaseStore store(paths);
  auto cur = store.current();
  if (!cur) {
    // Nothing deployed: there is no slug to release, so the config waits for the first push.
    SW_TRY(overlay_addon_vars(paths.root(), paths.name(), config));
    SW_TRY(save_env(paths.config_file(), config));
    return std::optional<ReleaseOutcome>();
  }
  SW_TRY_ASSIGN(ReleaseRecord current, store.load(*cur));
  SW_TRY_ASSIGN(SlugRecord slug, SlugStore(paths).load(current.slug_id));
  ReleaseRequest req{slug, config, description, current.commit, on_created};
  req.skip_release_phase = skip_release_phase;
  SW_TRY_ASSIGN(ReleaseOutcome outcome, create_release(paths, settings, req, out));
  return std::optional<ReleaseOutcome>(std::move(outcome));
}

} // namespace slipway::core
