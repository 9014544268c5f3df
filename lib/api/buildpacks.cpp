// Buildpack installations: the app's buildpacks, in order (heroku buildpacks, buildpacks:set,
// :add, :remove, :clear). The CLI reads them, then puts the whole new list.
#include "call.hpp"

#include <core/build/buildpack_source.hpp>
#include <util/uuid.hpp>

namespace slipway::api {

namespace {

// Heroku's shape: [{"buildpack": {"url", "name"}, "ordinal"}].
json
installations(const std::vector<std::string>& urls)
{
  json out = json::array();
  for (size_t i = 0; i < urls.size(); ++i) {
    out.push_back({{"buildpack", {{"url", urls[i]}, {"name", urls[i]}}}, {"ordinal", i}});
  }
  return out;
}

} // namespace

namespace buildpacks {

void
list(Call& c)
{
  auto urls = core::load_buildpack_urls(*c.app);
  if (!urls) {
    send_error(c.res, {500, "internal_server_error", urls.error().message});
    return;
  }
  send_json(c.res, 200, installations(*urls));
}

void
update(Call& c)
{
  auto body = c.json_body();
  if (!body) {
    return;
  }
  std::vector<std::string> urls;
  const json& updates = body->is_object() && body->contains("updates") ? (*body)["updates"] : json();
  if (!updates.is_array()) {
    send_error(c.res, {422, "invalid_params", "Give {\"updates\": [{\"buildpack\": \"heroku/python\"}]}."});
    return;
  }
  for (const auto& u : updates) {
    if (!u.is_object() || !u.contains("buildpack") || !u["buildpack"].is_string()) {
      send_error(c.res, {422, "invalid_params", "Each update needs a buildpack (a string: its URL or name)."});
      return;
    }
    urls.push_back(u["buildpack"].get<std::string>());
  }
  if (auto set = core::set_buildpack_urls(*c.app, urls); !set) {
    send_error(c.res, {422, "invalid_params", set.error().message});
    return;
  }
  send_json(c.res, 200, installations(urls));
}

} // namespace buildpacks

} // namespace slipway::api
