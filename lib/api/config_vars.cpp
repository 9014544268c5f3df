// Config vars: the app's (read and changed, each change a release) and a release's.
#include "call.hpp"

#include <core/app/config_vars.hpp>
#include <core/ops/config_change.hpp>
#include <core/release/release_store.hpp>
#include <util/identity.hpp>

#include <fmt/format.h>

namespace slipway::api {

namespace {

json
config_json(const core::ConfigVars& vars)
{
  json j = json::object();
  for (const auto& [k, v] : vars) {
    j[k] = v;
  }
  return j;
}

void
send_app_config(Call& c)
{
  auto vars = core::visible_config(*c.app);
  send_json(c.res, 200, config_json(vars ? *vars : core::ConfigVars{}));
}

} // namespace

namespace config_vars {

void
show(Call& c)
{
  send_app_config(c);
}

// {"NAME": "value", "OTHER": null}: set and unset in one release; the vars after it.
void
update(Call& c)
{
  auto parsed = c.json_body();
  if (!parsed) {
    return;
  }
  const json& body = *parsed;
  if (!body.is_object()) {
    send_error(c.res, {422, "invalid_params", "Config vars must be a JSON object of names to strings or null."});
    return;
  }
  core::ConfigEdit edit;
  for (const auto& [k, v] : body.items()) {
    if (v.is_null()) {
      edit[k] = std::nullopt;
    } else if (v.is_string()) {
      edit[k] = v.get<std::string>();
    } else {
      send_error(c.res, {422, "invalid_params", "Config var " + k + " must be a string or null."});
      return;
    }
  }
  if (auto ok = core::validate_config_edit(edit); !ok) {
    send_error(c.res, {422, "invalid_params", ok.error().message});
    return;
  }
  util::ActingUser acting(c.caller->display());
  util::NullOutput quiet;
  auto outcome = core::change_config(*c.app, edit, true, quiet);
  if (!outcome) {
    send_error(c.res, {422, "invalid_params", outcome.error().message});
    return;
  }
  if (outcome->release && outcome->release->record.effective_status() == core::ReleaseStatus::failed) {
    send_error(c.res, {422, "release_failed",
                       fmt::format("Release v{} failed: {}; the config vars are unchanged.",
                                   outcome->release->record.version, outcome->release->record.failure)});
    return;
  }
  send_app_config(c);
}

void
of_release(Call& c)
{
  if (auto rec = c.path_release()) {
    auto vars = core::ReleaseStore(*c.app).config_of(rec->version);
    send_json(c.res, 200, config_json(vars ? *vars : core::ConfigVars{}));
  }
}

} // namespace config_vars

} // namespace slipway::api
