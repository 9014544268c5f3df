// JSON output for --json. JSON is UTF-8: bytes that are not (config values may hold any
// byte) are shown as U+FFFD; `config:get` and `--shell` print the exact bytes.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace slipway::cmd {

inline std::string
json_text(const nlohmann::json& j)
{
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace slipway::cmd
