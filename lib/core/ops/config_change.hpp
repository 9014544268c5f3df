// config:set and config:unset: each real change is a new release on the current slug whose
// release phase runs with the new config and gates the switch. The app's config changes
// only if that release goes live, so config and `current` never disagree.
#pragma once

#include <core/app/config_vars.hpp>
#include <core/app/layout.hpp>
#include <core/release/releaser.hpp>

#include <optional>

namespace slipway::core {

// Largest value and largest whole config. The kernel refuses an environment string over
// 128 KiB and an environment over about 2 MiB, and the release phase needs both to fit.
constexpr size_t k_max_config_value = 64 * 1024;
constexpr size_t k_max_config_total = 1024 * 1024;

// Key -> new value, or nullopt to remove it.
using ConfigEdit = std::map<std::string, std::optional<std::string>>;

// Check keys, values and sizes before anything is locked or written.
util::Status validate_config_edit(const ConfigEdit& edit);

struct ConfigOutcome
{
  std::vector<std::string> changed;      // keys whose value actually changes
  bool applied_without_release = false;  // no slug deployed yet: only the env file changed
  std::optional<ReleaseOutcome> release; // set when a release was made
};

// Apply `edit` under the deploy lock. Keys set to their current value and removals of keys
// that are not set change nothing; if nothing changes, no release is made. Keys an add-on
// attachment sets are refused.
util::Result<ConfigOutcome> change_config(const AppPaths& paths,
                                          const ConfigEdit& edit,
                                          bool wait,
                                          util::Output& out,
                                          const std::function<void(const ReleaseRecord&)>& on_created = {});

// A release of the current slug with `config` (the caller holds the deploy lock). With
// nothing deployed, the config is saved for the first push instead and no release is made.
util::Result<std::optional<ReleaseOutcome>>
release_config(const AppPaths& paths,
               const AppSettings& settings,
               ConfigVars config,
               const std::string& description,
               bool skip_release_phase,
               util::Output& out,
               const std::function<void(const ReleaseRecord&)>& on_created = {});

} // namespace slipway::core
