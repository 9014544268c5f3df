#include "dyno_state.hpp"

#include <util/fs.hpp>

#include <nlohmann/json.hpp>

namespace slipway::core {

std::string
dyno_state_text(const std::vector<PublishedDyno>& dynos)
{
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : dynos) {
    list.push_back({{"name", d.name},
                    {"type", d.type},
                    {"index", d.index},
                    {"release", d.release},
                    {"command", d.command},
                    {"size", d.size},
                    {"state", d.state},
                    {"since", d.since},
                    {"port", d.port},
                    {"last_exit", d.last_exit},
                    {"handle", d.handle}});
  }
  return list.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

util::Result<std::vector<PublishedDyno>>
load_dyno_state(const AppPaths& paths)
{
  std::vector<PublishedDyno> out;
  if (!util::path_exists(paths.dyno_state())) {
    return out;
  }
  SW_TRY_ASSIGN(std::string text, util::read_file(paths.dyno_state()));
  auto list = nlohmann::json::parse(text, nullptr, false);
  if (!list.is_array()) {
    return util::error(paths.dyno_state() + " is not a JSON list; it is rewritten while serve runs");
  }
  try {
    for (const auto& d : list) {
      if (d.is_object()) {
        out.push_back({d.value("name", ""), d.value("type", ""), d.value("command", ""), d.value("size", ""),
                       d.value("state", ""), d.value("since", ""), d.value("last_exit", ""), d.value("handle", ""),
                       d.value("index", 1U), d.value("release", 0UL), d.value("port", 0)});
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return util::error(paths.dyno_state() + ": a field of the wrong type (" + e.what() +
                       "); it is rewritten while serve runs");
  }
  return out;
}

} // namespace slipway::core
