// Formation and dynos: process types with their quantity and size (ps:scale, ps:resize), the
// dynos serve runs, and restarts.
#include "call.hpp"

#include <core/app/dyno_size.hpp>
#include <core/release/release_store.hpp>
#include <core/run/dyno_state.hpp>
#include <core/run/formation.hpp>
#include <core/run/serve.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>
#include <util/strings.hpp>
#include <util/uuid.hpp>

#include <fmt/format.h>

namespace slipway::api {

namespace {

json
formation_json(const core::AppPaths& paths)
{
  core::ReleaseStore store(paths);
  auto cur = store.current();
  auto rec = cur ? store.load(*cur) : util::Result<core::ReleaseRecord>(util::error(""));
  json out = json::array();
  if (!rec) {
    return out;
  }
  auto formation = core::load_formation(paths, rec->process_types);
  auto sizes = core::load_dyno_sizes(paths, rec->process_types);
  for (const auto& [type, command] : rec->process_types) {
    unsigned long long n = formation && formation->count(type) ? formation->at(type) : 0;
    out.push_back({{"id", util::name_uuid("formation:" + paths.name() + ":" + type)},
                   {"type", type},
                   {"quantity", n},
                   {"size", sizes && sizes->count(type) ? sizes->at(type).name : "standard-1X"},
                   {"command", command},
                   {"app", named("app", paths.name())},
                   {"created_at", rec->created_at},
                   {"updated_at", rec->created_at}});
  }
  return out;
}

} // namespace

namespace formation {

void
show(Call& c)
{
  send_json(c.res, 200, formation_json(*c.app));
}

// ps:scale and ps:resize: {"updates": [{"type": "web", "quantity": 2, "size": "standard-2X"}]}
// (quantity a number or a string; each update has a quantity, a size or both).
void
update(Call& c)
{
  auto body = c.json_body();
  if (!body) {
    return;
  }
  std::vector<std::string> args, sizes;
  const json& updates = body->is_object() && body->contains("updates") ? (*body)["updates"] : json();
  for (const auto& u : updates.is_array() ? updates : json::array()) {
    bool quantity = u.is_object() && u.contains("quantity");
    bool size = u.is_object() && u.contains("size");
    if (!u.is_object() || !u.contains("type") || !u["type"].is_string() || (!quantity && !size) ||
        (quantity && !(u["quantity"].is_number_unsigned() || u["quantity"].is_string())) ||
        (size && !u["size"].is_string())) {
      send_error(c.res, {422, "invalid_params", "Each update needs a type (a string) and a quantity, a size or both."});
      return;
    }
    std::string type = u["type"].get<std::string>();
    if (quantity) {
      args.push_back(type + "=" + (u["quantity"].is_string() ? u["quantity"].get<std::string>()
                                                            : std::to_string(u["quantity"].get<unsigned long long>())));
    }
    if (size) {
      sizes.push_back(type + "=" + u["size"].get<std::string>());
    }
  }
  if (args.empty() && sizes.empty()) {
    send_error(c.res, {422, "invalid_params", "Give {\"updates\": [{\"type\": \"web\", \"quantity\": 1}]}."});
    return;
  }
  // Every size is checked before anything changes; scale then checks its own arguments.
  core::ReleaseStore store(*c.app);
  auto cur = store.current();
  auto rec = cur ? store.load(*cur) : util::Result<core::ReleaseRecord>(util::error("no release"));
  // A type the current release does not run: Heroku's answer, word for word.
  for (const auto& arg : args) {
    std::string type = arg.substr(0, arg.find('='));
    if (rec && (!rec->process_types.count(type) || type == "release")) {
      send_error(c.res, {404, "not_found", "Couldn't find that process type (" + util::printable(type) + ")."});
      return;
    }
  }
  for (const auto& arg : sizes) {
    std::string type = arg.substr(0, arg.find('='));
    auto size = core::find_dyno_size(arg.substr(arg.find('=') + 1));
    if (rec && (!rec->process_types.count(type) || type == "release")) {
      send_error(c.res, {404, "not_found", "Couldn't find that process type (" + util::printable(type) + ")."});
      return;
    }
    if (!size) {
      send_error(c.res, {422, "invalid_params", size.error().message});
      return;
    }
  }
  util::ActingUser acting(c.caller->display());
  util::NullOutput quiet;
  auto scaled = args.empty() ? util::Result<core::Formation>(core::Formation{}) : core::scale(*c.app, args, true, quiet);
  if (!scaled) {
    send_error(c.res, {422, "invalid_params", scaled.error().message});
    return;
  }
  auto resized = sizes.empty() ? util::Result<std::map<std::string, core::DynoSize>>(
                                     std::map<std::string, core::DynoSize>{})
                               : core::resize(*c.app, sizes, true, quiet);
  if (!resized) {
    send_error(c.res, {422, "invalid_params", resized.error().message});
    return;
  }
  send_json(c.res, 200, formation_json(*c.app));
}

// The dynos serve runs (its state file): a name's newest release is the dyno (an older one is
// on its way out).
void
list_dynos(Call& c)
{
  const core::AppPaths& paths = *c.app;
  auto state = core::load_dyno_state(paths);
  std::map<std::string, core::PublishedDyno> newest;
  for (const auto& d : state ? *state : std::vector<core::PublishedDyno>{}) {
    if (!newest.count(d.name) || newest[d.name].release <= d.release) {
      newest[d.name] = d;
    }
  }
  json out = json::array();
  for (const auto& [name, d] : newest) {
    out.push_back({{"id", util::name_uuid("dyno:" + paths.name() + ":" + d.name + ":" + d.handle)},
                   {"name", d.name},
                   {"type", d.type},
                   {"state", d.state},
                   {"command", d.command},
                   {"size", d.size.empty() ? json(nullptr) : json(d.size)},
                   {"attach_url", nullptr},
                   {"release",
                    {{"id", util::name_uuid(fmt::format("release:{}:{}", paths.name(), d.release))},
                     {"version", d.release}}},
                   {"app", named("app", paths.name())},
                   {"created_at", d.since},
                   {"updated_at", d.since}});
  }
  send_json(c.res, 200, out);
}

// ps:restart: every dyno, or one type or dyno.
void
restart(Call& c)
{
  std::string what = c.req.matches.size() > 2 ? c.req.matches[2].str() : "";
  util::ActingUser acting(c.caller->display());
  if (auto ok = core::restart_dynos(c.root(), *c.app, what); !ok) {
    send_error(c.res, {422, "invalid_params", ok.error().message});
    return;
  }
  send_json(c.res, 202, json::object());
}

} // namespace formation

} // namespace slipway::api
