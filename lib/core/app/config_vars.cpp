#include "config_vars.hpp"

#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace slipway::core {

util::Status
validate_config_key(const std::string& key)
{
  bool ok = !key.empty() && !(key[0] >= '0' && key[0] <= '9');
  for (char c : key) {
    ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (!ok) {
    return util::error("invalid config var name '" + util::printable(key) +
                           "': use letters, digits and _, not starting with a digit",
                       2);
  }
  return {};
}

util::Status
validate_config_value(const std::string& key, const std::string& value)
{
  if (value.find('\0') != std::string::npos) {
    return util::error("config var '" + key + "' holds a NUL byte, which no environment can carry", 2);
  }
  return {};
}

static std::string
escape(const std::string& v)
{
  std::string out;
  for (char c : v) {
    switch (c) {
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      out += c;
    }
  }
  return out;
}

static bool
unescape(std::string_view v, std::string& out)
{
  out.clear();
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '\\') {
      out += v[i];
      continue;
    }
    if (++i == v.size()) {
      return false;
    }
    switch (v[i]) {
    case '\\':
      out += '\\';
      break;
    case 'n':
      out += '\n';
      break;
    case 'r':
      out += '\r';
      break;
    default:
      return false;
    }
  }
  return true;
}

util::Result<ConfigVars>
parse_env(const std::string& text, const std::string& label)
{
  ConfigVars vars;
  if (text.find('\0') != std::string::npos) {
    size_t line =
        1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<long>(text.find('\0')), '\n'));
    return util::error(fmt::format("{}:{}: NUL byte; config values cannot hold NUL", label, line), 2);
  }
  auto lines = util::split(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string where = fmt::format("{}:{}: ", label, i + 1);
    std::string_view line = lines[i];
    if (util::trim(line).empty() || util::trim(line)[0] == '#') {
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      return util::error(where + "expected KEY=value", 2);
    }
    std::string key(line.substr(0, eq));
    auto valid = validate_config_key(key);
    if (!valid) {
      return util::error(where + valid.error().message, 2);
    }
    std::string value;
    if (!unescape(line.substr(eq + 1), value)) {
      return util::error(where + "bad escape in value of '" + key + "' (only \\\\, \\n and \\r)", 2);
    }
    vars[key] = value;
  }
  return vars;
}

std::string
format_env(const ConfigVars& vars)
{
  std::string out;
  for (const auto& [k, v] : vars) {
    out += k + "=" + escape(v) + "\n";
  }
  return out;
}

util::Result<ConfigVars>
load_env(const std::string& path)
{
  if (!util::path_exists(path)) {
    return ConfigVars{};
  }
  SW_TRY_ASSIGN(std::string text, util::read_file(path));
  return parse_env(text, path);
}

util::Status
save_env(const std::string& path, const ConfigVars& vars)
{
  return util::write_file_atomic(path, format_env(vars), 0600);
}

util::Status
write_profile_config_vars(int app, const ConfigVars& vars)
{
  if (vars.empty()) {
    return {};
  }
  std::string script;
  for (const auto& [k, v] : vars) {
    SW_TRY(validate_config_key(k));
    script += "export " + k + "=\"${" + k + ":-" + "$(printf %s " + util::shell_quote(v) + ")}\"\n";
  }
  if (::mkdirat(app, ".profile.d", 0755) != 0 && errno != EEXIST) {
    return util::error(util::errno_message("cannot create", "app/.profile.d"));
  }
  util::Fd dir(::openat(app, ".profile.d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) {
    return util::error("app/.profile.d is not a directory; bin/release's config_vars need one");
  }
  const char* name = "00_config_vars.sh";
  if (::unlinkat(dir.get(), name, 0) != 0 && errno != ENOENT) {
    return util::error(util::errno_message("cannot replace", "app/.profile.d/00_config_vars.sh"));
  }
  util::Fd file(::openat(dir.get(), name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!file) {
    return util::error(util::errno_message("cannot write", "app/.profile.d/00_config_vars.sh"));
  }
  return util::write_fd(file.get(), script, "app/.profile.d/00_config_vars.sh");
}

} // namespace slipway::core
