#include "procfile.hpp"

#include <util/strings.hpp>

namespace slipway::core {

bool
valid_process_type(std::string_view t)
{
  if (t.empty() || t.size() > 128) {
    return false;
  }
  for (char c : t) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

util::Result<ProcessTypes>
parse_procfile(const std::string& text, const std::string& label)
{
  ProcessTypes types;
  std::map<std::string, size_t> first_line;
  auto lines = util::split(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string where = label + ":" + std::to_string(i + 1) + ": ";
    std::string_view line = lines[i];
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    std::string_view t = util::trim(line);
    if (t.empty() || t[0] == '#') {
      continue;
    }
    if (util::starts_with(t, "<<<<<<<") || util::starts_with(t, "=======") || util::starts_with(t, ">>>>>>>")) {
      return util::error(where + "merge conflict marker; resolve the conflict and push again");
    }
    auto colon = t.find(':');
    if (colon == std::string_view::npos) {
      return util::error(where + "expected '<type>: <command>'");
    }
    std::string type(util::trim(t.substr(0, colon)));
    std::string command(util::trim(t.substr(colon + 1)));
    if (!valid_process_type(type)) {
      return util::error(where + "invalid process type '" + util::printable(type) +
                         "': use letters, digits, '_' and '-' (at most 128)");
    }
    if (command.empty()) {
      return util::error(where + "process type '" + type + "' has an empty command");
    }
    if (auto prev = first_line.find(type); prev != first_line.end()) {
      return util::error(where + "duplicate process type '" + type + "' (first defined on line " +
                         std::to_string(prev->second) + ")");
    }
    first_line[type] = i + 1;
    types[type] = command;
  }
  return types;
}

std::string
type_list(const ProcessTypes& types)
{
  std::string out;
  for (const auto& [name, cmd] : types) {
    out += (out.empty() ? "" : ", ") + name;
  }
  return out.empty() ? "(none)" : out;
}

} // namespace slipway::core
