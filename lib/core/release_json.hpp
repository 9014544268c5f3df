// Releases in the Platform API's JSON shape (shared/reference/heroku-platform-api-schema.json),
// for --json now and the HTTP API later.
#pragma once

#include <core/release_record.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace slipway::core {

// A stable uuid-shaped id for a name ("app:web", "release:web:3"), so ids survive restarts.
std::string stable_uuid(const std::string& name);

nlohmann::json release_to_json(const ReleaseRecord& r, const std::string& app);

} // namespace slipway::core
