#include "command.hpp"

#include <core/app_lookup.hpp>
#include <util/strings.hpp>

namespace slipway::cmd {

std::string
Context::get(const std::string& name, const std::string& fallback) const
{
  auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

std::vector<std::string>
Context::list(const std::string& name) const
{
  std::vector<std::string> out;
  for (const auto& item : util::split(get(name), ',')) {
    if (!util::trim(item).empty()) {
      out.emplace_back(util::trim(item));
    }
  }
  return out;
}

util::Result<core::AppPaths>
Context::app() const
{
  if (!has("app") || get("app").empty()) {
    return util::error("missing app; name it with -a APP (see 'slipway " + std::string(spec->name) + " --help')", 2);
  }
  return core::open_app(root, get("app"));
}

bool
wait_for_lock(const Context& ctx, bool fallback)
{
  return ctx.has("wait") || fallback;
}

const CommandSpec*
find_command(const CommandTable& table, const std::string& name)
{
  for (const auto* c : table) {
    if (name == c->name) {
      return c;
    }
  }
  return nullptr;
}

} // namespace slipway::cmd
