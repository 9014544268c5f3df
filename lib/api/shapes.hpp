// Heroku's JSON shapes as text, for the commands' --json: made here, beside the API's, so that
// JSON is written by lib/api alone and the commands include no JSON library.
#pragma once

#include <core/app/config_vars.hpp>
#include <core/app/dyno_size.hpp>
#include <core/app/layout.hpp>
#include <core/release/release_record.hpp>
#include <core/run/formation.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace slipway::api {

// Each returns indented JSON (two spaces); bytes that are not UTF-8 (config values may hold
// any byte) show as U+FFFD: `config:get` and `--shell` print the exact bytes.

// The releases of `app`, in the Platform API's shape.
std::string releases_json(const std::vector<core::ReleaseRecord>& releases, const std::string& app);

// One release with what releases:info shows: its config, release command and outcome.
std::string release_info_json(const core::ReleaseRecord& r, const std::string& app, const core::ConfigVars& config);

// NAME -> value.
std::string config_json(const core::ConfigVars& vars);

// apps:info: the app, its current release (if any) and what it uses.
struct AppInfo
{
  std::optional<unsigned long> current;
  core::ReleaseRecord release; // the current one (empty when none)
  std::string deploy_branch;
  size_t releases = 0;
  unsigned long long disk_used = 0;
};
std::string app_info_json(const core::AppPaths& paths, const AppInfo& info);

// The formation after ps:scale, and the sizes after ps:resize.
std::string formation_json(const std::string& app, const core::Formation& formation);
std::string sizes_json(const std::string& app, const std::map<std::string, core::DynoSize>& sizes);

// ps:restart and ps:stop: what was restarted or stopped ("*" for every dyno), on one line.
std::string restart_json(const std::string& app, bool stopped, const std::string& what);

} // namespace slipway::api
