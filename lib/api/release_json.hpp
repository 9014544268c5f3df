// Releases in the Platform API's JSON shape (shared/reference/heroku-platform-api-schema.json),
// for the API and the commands' --json (shapes.hpp).
#pragma once

#include <core/release/release_record.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace slipway::api {

nlohmann::json release_to_json(const core::ReleaseRecord& r, const std::string& app);

} // namespace slipway::api
