#include "routes.hpp"

#include "call.hpp"

#include <core/access/users.hpp>
#include <util/strings.hpp>

namespace slipway::api {

namespace {

constexpr Need
need_of(core::Role role)
{
  return role == core::Role::owner ? Need::owner : role == core::Role::deployer ? Need::deployer : Need::viewer;
}

} // namespace

const std::vector<Route>&
route_table()
{
  using enum Need;
  // Config var values are for k_config_values_role and up, at every door.
  constexpr Need config_values = need_of(core::k_config_values_role);
  static const std::vector<Route> table = {
      {"GET", "/account", user, apps::account},
      {"GET", "/apps", user, apps::list},
      {"GET", "/users/~/apps", user, apps::list},
      {"POST", "/apps", admin, apps::create}, // the admin then owns it, as after a first push
      {"GET", "/apps/{app}", viewer, apps::show},
      {"DELETE", "/apps/{app}", owner, apps::destroy},
      {"GET", "/apps/{app}/pipeline-couplings", viewer, apps::pipeline_couplings},
      {"GET", "/apps/{app}/collaborators", viewer, apps::empty_list},
      {"GET", "/apps/{app}/features", viewer, apps::empty_list},

      {"GET", "/apps/{app}/releases", viewer, releases::list},
      {"POST", "/apps/{app}/releases", deployer, releases::create},
      {"GET", "/apps/{app}/releases/{id}", viewer, releases::show},
      {"GET", "/apps/{app}/releases/{id}/config-vars", config_values, config_vars::of_release},
      {"GET", "/streams/releases/{app}/{n}", grant, releases::output},

      {"GET", "/apps/{app}/config-vars", config_values, config_vars::show},
      {"PATCH", "/apps/{app}/config-vars", deployer, config_vars::update},

      {"GET", "/apps/{app}/formation", viewer, formation::show},
      {"PATCH", "/apps/{app}/formation", deployer, formation::update},
      {"GET", "/apps/{app}/dynos", viewer, formation::list_dynos},
      {"DELETE", "/apps/{app}/dynos", deployer, formation::restart},
      {"DELETE", "/apps/{app}/dynos/{id}", deployer, formation::restart},

      {"POST", "/apps/{app}/slugs", deployer, slugs::create},
      {"GET", "/apps/{app}/slugs/{id}", viewer, slugs::show},
      {"PUT", "/uploads/slugs/{app}/{uuid}", grant, slugs::upload},

      {"GET", "/apps/{app}/buildpack-installations", viewer, buildpacks::list},
      {"PUT", "/apps/{app}/buildpack-installations", deployer, buildpacks::update},

      {"GET", "/addons", user, addons::list},
      {"GET", "/addon-attachments", user, addons::list},
      {"GET", "/apps/{app}/addons", viewer, addons::list},
      {"GET", "/apps/{app}/addon-attachments", viewer, addons::list},
      {"POST", "/apps/{app}/addons", deployer, addons::create},

      {"POST", "/apps/{app}/log-sessions", viewer, log_sessions::create},
      {"GET", "/streams/logs/{app}", grant, log_sessions::stream},

      {"GET", "/login", grant, activity::login_form, Door::page},
      {"POST", "/login", grant, activity::login, Door::page},
      {"GET", "/apps/{app}/activity", viewer, activity::releases, Door::page},
      {"GET", "/apps/{app}/activity/releases/{n}", viewer, activity::release, Door::page},
      {"POST", "/apps/{app}/activity/rollback", deployer, activity::rollback, Door::page},
  };
  return table;
}

std::string
need_name(Need need)
{
  return util::enum_name(need, std::array{"grant", "user", "viewer", "deployer", "owner", "admin"});
}

std::string
path_pattern(const std::string& path)
{
  static const std::pair<const char*, const char*> k_parts[] = {
      {"{app}", "([^/]+)"}, {"{id}", "([^/]+)"}, {"{n}", "(\\d+)"}, {"{uuid}", "([0-9a-f-]+)"}};
  std::string out = path;
  for (const auto& [name, regex] : k_parts) {
    for (size_t at; (at = out.find(name)) != std::string::npos;) {
      out.replace(at, std::string(name).size(), regex);
    }
  }
  return out;
}

} // namespace slipway::api
