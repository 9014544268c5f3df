// Releases in the Platform API's JSON shape (shared/reference/heroku-platform-api-schema.json),
// for --json now and the HTTP API later.
#pragma once

#include <core/release/release_record.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace slipway::core {

nlohmann::json release_to_json(const ReleaseRecord& r, const std::string& app);

} // namespace slipway::core
