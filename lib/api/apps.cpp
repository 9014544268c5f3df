// Apps and the account: GET/POST/DELETE /apps, and the empty lists Heroku's CLI reads with them.
#include "call.hpp"

#include <core/app/app_lookup.hpp>
#include <core/app/serve_notice.hpp>
#include <core/access/users.hpp>
#include <core/app/settings.hpp>
#include <core/build/buildpack_source.hpp>
#include <core/ops/apps.hpp>
#include <core/release/release_store.hpp>
#include <util/clock.hpp>
#include <util/identity.hpp>
#include <util/uuid.hpp>

#include <fmt/format.h>
#include <sys/stat.h>

namespace slipway::api {

namespace {

std::string
iso_time_of(const std::string& path)
{
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return util::now_iso8601();
  }
  return util::iso8601_utc(st.st_mtime);
}

} // namespace

json
named(const std::string& kind, const std::string& name)
{
  return {{"id", util::name_uuid(kind + ":" + name)}, {"name", name}};
}

json
app_json(const Call& c, const core::AppPaths& paths)
{
  auto server = core::load_server_settings(c.root());
  core::ReleaseStore store(paths);
  auto cur = store.current();
  auto rec = cur ? store.load(*cur) : util::Result<core::ReleaseRecord>(util::error(""));
  std::string created = iso_time_of(paths.repo());
  auto settings = core::load_settings(paths);
  std::string stack_name = settings ? core::app_stack(*settings) : "local";
  json stack = {{"id", util::name_uuid("stack:" + stack_name)}, {"name", stack_name}};
  // The owner: the caller when they own it (the CLI's "Your Apps"), else its first owner.
  std::string owner;
  auto access = core::load_access(paths);
  for (const auto& [user, role] : access ? *access : core::Access{}) {
    if (role == core::Role::owner && (owner.empty() || user == c.caller->name)) {
      owner = user;
    }
  }
  auto owner_user = owner.empty() ? util::Result<core::User>(util::error("")) : core::UserStore(c.root()).load(owner);
  std::string owner_email = owner_user ? owner_user->display() : owner.empty() ? "slipway" : owner;
  return {{"id", util::name_uuid("app:" + paths.name())},
          {"name", paths.name()},
          {"created_at", created},
          {"updated_at", rec ? rec->created_at : created},
          {"released_at", rec ? json(rec->created_at) : json(nullptr)},
          {"git_url", paths.repo()},
          {"web_url", fmt::format("http://{}.{}{}/", paths.name(), server ? server->domain : "localhost",
                                  c.api.web_base)},
          {"owner", {{"id", util::name_uuid("user:" + owner_email)}, {"email", owner_email}}},
          {"organization", nullptr},
          {"team", nullptr},
          {"space", nullptr},
          {"region", {{"id", util::name_uuid("region:local")}, {"name", "local"}}},
          {"stack", stack},
          {"build_stack", stack},
          {"buildpack_provided_description", nullptr},
          {"maintenance", false},
          {"create_status", "complete"},
          {"acm", false},
          {"archived_at", nullptr},
          {"internal_routing", nullptr},
          {"repo_size", nullptr},
          {"slug_size", rec && rec->slug_size ? json(rec->slug_size) : json(nullptr)}};
}

namespace apps {

void
account(Call& c)
{
  const Caller& user = *c.caller;
  send_json(c.res, 200,
            {{"id", util::name_uuid("user:" + user.display())},
             {"email", user.display()},
             {"name", user.name},
             {"created_at", user.created_at},
             {"updated_at", user.created_at},
             {"verified", true},
             {"two_factor_authentication", false}});
}

// The apps the caller has any role on.
void
list(Call& c)
{
  json out = json::array();
  auto names = core::list_apps(c.root());
  for (const auto& name : names ? *names : std::vector<std::string>{}) {
    core::AppPaths paths(c.root(), name);
    auto role = core::role_of(paths, *c.caller);
    if (role && *role != core::Role::none) {
      out.push_back(app_json(c, paths));
    }
  }
  send_json(c.res, 200, out);
}

// Apps are made by admins (as by pushing over SSH), who then own them.
void
create(Call& c)
{
  auto body = c.object_body(true);
  if (!body) {
    return;
  }
  if (!body->contains("name") || !(*body)["name"].is_string()) {
    send_error(c.res, {422, "invalid_params", "Give the app a name: {\"name\": \"myapp\"}."});
    return;
  }
  util::ActingUser acting(c.caller->display());
  auto paths = core::create_app(c.root(), (*body)["name"].get<std::string>());
  if (!paths) {
    send_error(c.res, {422, "invalid_params", paths.error().message});
    return;
  }
  (void)core::grant_access(*paths, c.caller->name, core::Role::owner);
  send_json(c.res, 201, app_json(c, *paths));
}

void
destroy(Call& c)
{
  json gone = app_json(c, *c.app);
  util::ActingUser acting(c.caller->display());
  util::NullOutput quiet;
  if (auto ok = core::destroy_app(*c.app, false, quiet); !ok) {
    send_error(c.res, {409, "conflict", ok.error().message});
    return;
  }
  core::notify_serve(c.root(), c.app->name());
  send_json(c.res, 200, gone);
}

void
show(Call& c)
{
  send_json(c.res, 200, app_json(c, *c.app));
}

// Not coupled to a pipeline: Heroku answers 404, and the CLI expects it.
void
pipeline_couplings(Call& c)
{
  send_error(c.res, not_found("pipeline coupling"));
}

// Collaborators and features: none that Heroku's CLI needs to know of.
void
empty_list(Call& c)
{
  send_json(c.res, 200, json::array());
}

} // namespace apps

} // namespace slipway::api
