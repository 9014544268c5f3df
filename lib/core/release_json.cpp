#include "release_json.hpp"

#include <util/sha256.hpp>

namespace slipway::core {

std::string
stable_uuid(const std::string& name)
{
  util::Sha256 h;
  h.update(name);
  std::string x = h.hex_digest();
  return x.substr(0, 8) + "-" + x.substr(8, 4) + "-" + x.substr(12, 4) + "-" + x.substr(16, 4) + "-" + x.substr(20, 12);
}

nlohmann::json
release_to_json(const ReleaseRecord& r, const std::string& app)
{
  auto status = r.effective_status();
  nlohmann::json j;
  j["id"] = stable_uuid("release:" + app + ":" + std::to_string(r.version));
  j["version"] = r.version;
  j["status"] = to_string(status);
  j["description"] = r.description;
  j["slug"] = r.slug_id.empty() ? nlohmann::json(nullptr) : nlohmann::json{{"id", r.slug_id}};
  j["user"] = {{"id", stable_uuid("user:" + r.user)}, {"email", r.user}};
  j["app"] = {{"id", stable_uuid("app:" + app)}, {"name", app}};
  j["current"] = r.current;
  j["output_stream_url"] = nullptr;
  j["addon_plan_names"] = nlohmann::json::array();
  j["artifacts"] = nlohmann::json::array();
  if (!r.slug_id.empty()) {
    j["artifacts"].push_back({{"type", "slug"}, {"id", r.slug_id}});
  }
  j["eligible_for_rollback"] = status == ReleaseStatus::succeeded;
  j["created_at"] = r.created_at;
  j["updated_at"] = r.finished_at.empty() ? r.created_at : r.finished_at;
  return j;
}

} // namespace slipway::core
