#include "shapes.hpp"

#include "release_json.hpp"

#include <nlohmann/json.hpp>

namespace slipway::api {

namespace {

using nlohmann::json;

std::string
text(const json& j)
{
  return j.dump(2, ' ', false, json::error_handler_t::replace);
}

} // namespace

std::string
releases_json(const std::vector<core::ReleaseRecord>& releases, const std::string& app)
{
  json list = json::array();
  for (const auto& r : releases) {
    list.push_back(release_to_json(r, app));
  }
  return text(list);
}

std::string
release_info_json(const core::ReleaseRecord& r, const std::string& app, const core::ConfigVars& config)
{
  json j = release_to_json(r, app);
  j["config_vars"] = config;
  j["release_command"] = r.release_command;
  j["exit_status"] = r.exit_status;
  j["failure"] = r.failure;
  j["process_types"] = r.process_types;
  return text(j);
}

std::string
config_json(const core::ConfigVars& vars)
{
  return text(json(vars));
}

std::string
app_info_json(const core::AppPaths& paths, const AppInfo& info)
{
  const core::ReleaseRecord& r = info.release;
  return text({{"name", paths.name()},
               {"current_release", info.current ? json(*info.current) : json(nullptr)},
               {"commit", r.commit},
               {"slug", {{"id", r.slug_id}, {"size", r.slug_size}}},
               {"process_types", r.process_types},
               {"deploy_branch", info.deploy_branch},
               {"releases", info.releases},
               {"disk_used", info.disk_used},
               {"git_url", paths.repo()}});
}

std::string
formation_json(const std::string& app, const core::Formation& formation)
{
  json list = json::array();
  for (const auto& [type, n] : formation) {
    list.push_back({{"type", type}, {"quantity", n}, {"app", {{"name", app}}}});
  }
  return text(list);
}

std::string
sizes_json(const std::string& app, const std::map<std::string, core::DynoSize>& sizes)
{
  json list = json::array();
  for (const auto& [type, size] : sizes) {
    list.push_back({{"type", type}, {"size", size.name}, {"memory", size.memory}, {"app", {{"name", app}}}});
  }
  return text(list);
}

std::string
restart_json(const std::string& app, bool stopped, const std::string& what)
{
  return json{{"app", app}, {stopped ? "stopped" : "restarted", what.empty() ? "*" : what}}.dump();
}

} // namespace slipway::api
