// Config vars and their file format. An env file has one KEY=value line per var; in values,
// backslash, newline and carriage return are written as \\, \n and \r, so that any byte but
// NUL round-trips. The same format is read by `config:set --file`.
#pragma once

#include <util/result.hpp>

#include <map>
#include <string>

namespace slipway::core {

using ConfigVars = std::map<std::string, std::string>;

// Keys match ^[A-Za-z_][A-Za-z0-9_]*$; a usage error says what is wrong with `key`.
util::Status validate_config_key(const std::string& key);
// Values may hold any byte but NUL.
util::Status validate_config_value(const std::string& key, const std::string& value);

// Parse env-file text; errors carry `label:line:`. Blank lines and '#' comments are skipped.
util::Result<ConfigVars> parse_env(const std::string& text, const std::string& label);
std::string format_env(const ConfigVars& vars);

// Read an env file; a missing file is an empty config.
util::Result<ConfigVars> load_env(const std::string& path);
// Write an env file atomically with mode 0600: config vars are secrets.
util::Status save_env(const std::string& path, const ConfigVars& vars);

// The `config_vars` a legacy bin/release gives, as .profile.d/00_config_vars.sh in the app
// open as `app` (a tree root has taken: written with mkdirat/openat O_NOFOLLOW, never through
// a link). Each var applies only where the config does not set it.
util::Status write_profile_config_vars(int app, const ConfigVars& vars);

} // namespace slipway::core
