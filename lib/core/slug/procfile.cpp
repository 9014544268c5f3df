#include "procfile.hpp"

#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <ranges>

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
    std::string where = fmt::format("{}:{}: ", label, i + 1);
    std::string_view line = lines[i];
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    std::string_view t = util::trim(line);
    if (t.empty() || t[0] == '#') {
      continue;
    }
    if (t.starts_with("<<<<<<<") || t.starts_with("=======") || t.starts_with(">>>>>>>")) {
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
      return util::error(
          fmt::format("{}duplicate process type '{}' (first defined on line {})", where, type, prev->second));
    }
    first_line[type] = i + 1;
    types[type] = command;
  }
  return types;
}

std::string
type_list(const ProcessTypes& types)
{
  return types.empty() ? "(none)" : fmt::format("{}", fmt::join(std::views::keys(types), ", "));
}

util::Result<ProcessTypes>
read_procfile_at(int app, uid_t owner, bool& present)
{
  struct stat st;
  present = ::fstatat(app, "Procfile", &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (!present) {
    return ProcessTypes{};
  }
  util::Fd fd(::openat(app, "Procfile", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!S_ISREG(st.st_mode) || !fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return util::error("Procfile is not a regular file (a symlink or a directory); commit the Procfile itself");
  }
  if (st.st_uid != owner || st.st_nlink != 1) {
    return util::error("Procfile is not a file of the app's own (another owner, or other hard links)");
  }
  SW_TRY_ASSIGN(std::string text, util::read_fd(fd.get(), "Procfile"));
  return parse_procfile(text, "Procfile");
}

util::Result<ProcessTypes>
discover_process_types(int app, uid_t owner, const ProcessTypes& buildpack_defaults, util::Output& out)
{
  bool has_procfile = false;
  SW_TRY_ASSIGN(ProcessTypes declared, read_procfile_at(app, owner, has_procfile));
  ProcessTypes types = buildpack_defaults;
  for (const auto& [k, v] : declared) {
    types[k] = v;
  }
  out.step("Discovering process types");
  out.detail("Procfile declares types     -> " + (has_procfile ? type_list(declared) : std::string("(none)")));
  if (!buildpack_defaults.empty()) {
    out.detail("Default types for buildpack -> " + type_list(buildpack_defaults));
  }
  if (types.empty()) {
    return util::error(has_procfile ? "the Procfile declares no process types; add a line like 'web: <command>'"
                                    : "no Procfile, and the buildpack gives no default process types; add a "
                                      "Procfile that says how to run this app");
  }
  return types;
}

} // namespace slipway::core
