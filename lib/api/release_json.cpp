#include "release_json.hpp"

#include <util/uuid.hpp>

#include <fmt/format.h>

namespace slipway::api {

nlohmann::json
release_to_json(const core::ReleaseRecord& r, const std::string& app)
{
  auto status = r.effective_status();
  nlohmann::json j;
  j["id"] = util::name_uuid(fmt::format("release:{}:{}", app, r.version));
  j["version"] = r.version;
  j["status"] = core::to_string(status);
  j["description"] = r.description;
  j["slug"] = r.slug_id.empty() ? nlohmann::json(nullptr) : nlohmann::json{{"id", r.slug_id}};
  j["user"] = {{"id", util::name_uuid("user:" + r.user)}, {"email", r.user}};
  j["app"] = {{"id", util::name_uuid("app:" + app)}, {"name", app}};
  j["current"] = r.current;
  j["output_stream_url"] = nullptr;
  j["addon_plan_names"] = nlohmann::json::array();
  j["artifacts"] = nlohmann::json::array();
  if (!r.slug_id.empty()) {
    j["artifacts"].push_back({{"type", "slug"}, {"id", r.slug_id}});
  }
  j["eligible_for_rollback"] = status == core::ReleaseStatus::succeeded;
  j["created_at"] = r.created_at;
  j["updated_at"] = r.finished_at.empty() ? r.created_at : r.finished_at;
  return j;
}

} // namespace slipway::api
