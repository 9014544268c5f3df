// Add-ons and their attachments: listed as far as the caller may see the apps, and made
// (heroku addons:create) on an app.
#include "call.hpp"

#include <core/addons/addons.hpp>
#include <core/app/app_lookup.hpp>
#include <core/ops/addon_actions.hpp>
#include <util/identity.hpp>
#include <util/uuid.hpp>

#include <condition_variable>
#include <thread>

namespace slipway::api {

namespace {

// The add-ons on apps `user` may see, with only the attachments to those apps; with `app`, only
// those attached to it or made for it.
Answer<std::vector<core::Addon>>
visible_addons(const std::string& root, const core::User& user, const std::string& app)
{
  auto all = core::AddonStore(root).list();
  if (!all) {
    return ApiError{500, "internal_server_error", all.error().message};
  }
  std::map<std::string, bool> seen;
  auto visible = [&](const std::string& name) {
    if (!app.empty() && name != app) {
      return false;
    }
    if (!seen.count(name)) {
      auto paths = core::open_app(root, name);
      auto role = paths ? core::role_of(*paths, user) : util::Result<core::Role>(core::Role::none);
      seen[name] = role && *role != core::Role::none;
    }
    return seen[name];
  };
  std::vector<core::Addon> out;
  for (auto& a : *all) {
    std::erase_if(a.attachments, [&](const core::Attachment& at) { return !visible(at.app); });
    if (visible(a.app) || !a.attachments.empty()) {
      out.push_back(std::move(a));
    }
  }
  return out;
}

// Heroku's add-on shape; the plan and the service are the provider, free. Never the
// credentials: only the names of the vars its (visible) attachments set.
json
addon_json(const core::Addon& a)
{
  json vars = json::array();
  for (const auto& at : a.attachments) {
    for (const auto& [k, v] : a.vars_for(at)) {
      vars.push_back(k);
    }
  }
  json free = {{"cents", 0}, {"contract", false}, {"unit", "month"}};
  return {{"id", a.id},
          {"name", a.name},
          {"addon_service", named("service", a.provider)},
          {"plan", {{"id", util::name_uuid("plan:" + a.provider)}, {"name", a.provider}, {"price", free}}},
          {"app", named("app", a.app)},
          {"billing_entity", {{"id", util::name_uuid("app:" + a.app)}, {"name", a.app}, {"type", "app"}}},
          {"billed_price", free},
          {"config_vars", vars},
          {"provider_id", a.handle},
          {"provision_message", nullptr},
          {"state", "provisioned"},
          {"actions", json::array()},
          {"web_url", nullptr},
          {"created_at", a.created_at},
          {"updated_at", a.created_at}};
}

json
attachment_json(const core::Addon& a, const core::Attachment& at)
{
  return {{"id", util::name_uuid("attachment:" + a.id + ":" + at.app + ":" + at.as)},
          {"name", at.as},
          {"addon", {{"id", a.id}, {"name", a.name}, {"app", named("app", a.app)}}},
          {"app", named("app", at.app)},
          {"namespace", nullptr},
          {"web_url", nullptr},
          {"log_input_url", nullptr},
          {"created_at", a.created_at},
          {"updated_at", a.created_at}};
}

} // namespace

namespace addons {

// /addons, /addon-attachments, and the same under /apps/{app} for one app.
void
list(Call& c)
{
  auto addons = visible_addons(c.root(), *c.caller, c.app ? c.app->name() : "");
  if (auto* e = std::get_if<ApiError>(&addons)) {
    send_error(c.res, *e);
    return;
  }
  bool attachments = c.req.path.ends_with("/addon-attachments");
  json out = json::array();
  for (const auto& a : std::get<std::vector<core::Addon>>(addons)) {
    if (!attachments) {
      out.push_back(addon_json(a));
      continue;
    }
    for (const auto& at : a.attachments) {
      out.push_back(attachment_json(a, at));
    }
  }
  send_json(c.res, 200, out);
}

// heroku addons:create: provisioned here (bounded by addon_timeout); answered once the Attach
// release exists, whose release phase goes on in the background, as with POST releases.
void
create(Call& c)
{
  json body = json::parse(c.req.body, nullptr, false);
  auto text = [&](const char* key, const char* inner) {
    const json* v = body.is_object() && body.contains(key) ? &body[key] : nullptr;
    if (v && inner && v->is_object() && v->contains(inner)) {
      v = &(*v)[inner];
    }
    return v && v->is_string() ? v->get<std::string>() : std::string();
  };
  core::CreateAddon request{text("plan", "name"), text("attachment", "name"), text("name", nullptr)};
  if (request.provider.empty()) {
    send_error(c.res, {400, "bad_request", "Name the provider as {\"plan\": {\"name\": \"postgresql\"}}."});
    return;
  }
  struct Shared
  {
    std::mutex m;
    std::condition_variable cv;
    std::string name;
    bool answered = false;
    std::optional<std::string> error;
  };
  auto shared = std::make_shared<Shared>();
  std::string actor = c.caller->display();
  std::thread([shared, actor, paths = *c.app, request] {
    util::ActingUser acting(actor);
    util::NullOutput quiet;
    auto on_provisioned = [&](const core::Addon& a) {
      std::lock_guard lock(shared->m);
      shared->name = a.name;
    };
    auto on_created = [&](const core::ReleaseRecord&) {
      std::lock_guard lock(shared->m);
      shared->answered = true;
      shared->cv.notify_all();
    };
    auto outcome = core::create_addon(paths, request, true, quiet, on_provisioned, on_created);
    std::lock_guard lock(shared->m);
    if (!outcome && !shared->answered) {
      shared->error = outcome.error().message;
    }
    shared->answered = true;
    shared->cv.notify_all();
  }).detach();
  std::unique_lock lock(shared->m);
  shared->cv.wait(lock, [&] { return shared->answered; });
  if (shared->error) {
    send_error(c.res, {422, "invalid_params", *shared->error});
    return;
  }
  auto addon = core::AddonStore(c.root()).load(shared->name);
  if (!addon) {
    send_error(c.res, {500, "internal_server_error", addon.error().message});
    return;
  }
  send_json(c.res, 201, addon_json(*addon));
}

} // namespace addons

} // namespace slipway::api
