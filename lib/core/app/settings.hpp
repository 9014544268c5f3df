// Per-app settings (apps/APP/settings.yml): one table of keys, defaults and checks, used
// by the loader, `settings:set` and the help text alike.
#pragma once

#include <core/app/layout.hpp>
#include <util/result.hpp>

#include <string>
#include <vector>

namespace slipway::core {

struct AppSettings
{
  std::string deploy_branch;                              // empty: main or master
  bool strict = false;                                    // run the pipeline in pre-receive; failures reject the push
  unsigned long long release_timeout = 3600;              // seconds for the release phase
  unsigned long long build_timeout = 3600;                // seconds for each bin/compile
  unsigned long long kill_grace = 10;                     // seconds between SIGTERM and SIGKILL
  unsigned long long slug_size_limit = 1ULL << 30;        // compressed bytes
  unsigned long long retention = 20;                      // distinct slugs kept
  std::string compression = "zstd";                       // zstd or gzip
  bool lock_wait = true;                                  // wait for the deploy lock, or fail at once
  unsigned long long dyno_limit = 100;                    // most dynos of one process type
  unsigned long long process_limit = 2048;                // most processes and threads of the app's user at once
  std::string dyno_size = "standard-1X";                  // size of dynos not resized, release phases, builds, one-offs
  unsigned long long stop_timeout = 30;                   // seconds a dyno gets between SIGTERM and SIGKILL
  unsigned long long boot_timeout = 60;                   // seconds a web dyno has to accept on $PORT
  std::string healthcheck_path;                           // web dynos must also answer 2xx/3xx here
  std::string stack;                                      // STACK for buildpacks; empty: the OS's id
  std::vector<std::string> buildpack_dirs;                // server only: where path buildpacks may live
  unsigned long long buildpack_fetch_timeout = 300;       // server only: seconds a git buildpack fetch may take
  unsigned long long buildpack_fetch_size = 200ULL << 20; // server only: bytes it may receive
  unsigned long long log_size = 10ULL << 20;              // server only: an app's log rotates past this
  unsigned long long log_keep = 5;                        // server only: rotated logs kept per app
  std::string domain = "localhost";                       // server only: apps answer as APP.<domain>
  std::string ssh_user = "slipway";                       // server only: the account users push to over SSH
  unsigned long long addon_connection_limit = 20;         // server only: CONNECTION LIMIT of each database role
  unsigned long long addon_timeout = 60;                  // server only: seconds a provider call may take
  bool force_https = false;                               // the router redirects HTTP to HTTPS
  unsigned long long hsts_max_age = 0;                    // Strict-Transport-Security on HTTPS answers; 0: none
  std::string acme_directory = "https://acme-v02.api.letsencrypt.org/directory"; // server only
  std::string acme_email;                                 // server only: the ACME account's contact
  unsigned long long acme_renew_days = 30;                // server only: renew automatic certificates this early
  std::string acme_ca_file;                               // server only: CAs to trust for the ACME directory
  std::string api_host;                                   // server only: the router sends this host to the API

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

// An app's settings: the built-in defaults, then the server's ($ROOT/settings.yml, any key),
// then the app's own (apps/APP/settings.yml). A broken file is an error naming file:line.
util::Result<AppSettings> load_settings(const AppPaths& paths);
// Saves the keys whose values differ from the server's, so server defaults keep applying.
util::Status save_settings(const AppPaths& paths, const AppSettings& s);

// The server's settings alone: the defaults every app starts from.
util::Result<AppSettings> load_server_settings(const std::string& root);
util::Status save_server_settings(const std::string& root, const AppSettings& s);

// Change one key, checking its value; unknown keys, bad values and server-only keys outside
// the server's file (`server` false) are usage errors.
util::Status set_setting(AppSettings& s, const std::string& key, const std::string& value);
util::Status set_setting_in(AppSettings& s, const std::string& key, const std::string& value, bool server);

// Every key with its current value and meaning, in table order (server-only keys with `server`).
std::vector<SettingInfo> describe_settings(const AppSettings& s, bool server = false);

} // namespace slipway::core
