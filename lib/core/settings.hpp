// Per-app settings (apps/APP/settings.yml): one table of keys, defaults and checks, used
// by the loader, `settings:set` and the help text alike.
#pragma once

#include <util/result.hpp>

#include <string>
#include <vector>

namespace slipway::core {

struct AppSettings
{
  std::string deploy_branch;                       // empty: main or master
  bool strict = false;                             // run the pipeline in pre-receive; failures reject the push
  unsigned long long release_timeout = 3600;       // seconds for the release phase
  unsigned long long build_timeout = 3600;         // seconds for each bin/compile
  unsigned long long kill_grace = 10;              // seconds between SIGTERM and SIGKILL
  unsigned long long slug_size_limit = 1ULL << 30; // compressed bytes
  unsigned long long retention = 20;               // distinct slugs kept
  std::string compression = "zstd";                // zstd or gzip
  bool lock_wait = true;                           // wait for the deploy lock, or fail at once

  // True if a push to `branch` (a short name, "main") deploys.
  bool deploys_branch(const std::string& branch) const;
  // "main or master", or the configured branch.
  std::string deploy_branch_label() const;
};

struct SettingInfo
{
  std::string key;
  std::string value;
  std::string help;
};

// Defaults when the file does not exist; a broken file is an error naming file:line.
util::Result<AppSettings> load_settings(const std::string& path);
util::Status save_settings(const std::string& path, const AppSettings& s);

// Change one key, checking its value; unknown keys and bad values are usage errors.
util::Status set_setting(AppSettings& s, const std::string& key, const std::string& value);

// Every key with its current value and meaning, in table order.
std::vector<SettingInfo> describe_settings(const AppSettings& s);

} // namespace slipway::core
