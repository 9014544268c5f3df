#include "formation.hpp"

#include <core/release/app_lock.hpp>
#include <core/app/app_log.hpp>
#include <core/access/audit.hpp>
#include <core/release/release_store.hpp>
#include <core/run/serve.hpp>
#include <core/app/settings.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>
#include <util/strings.hpp>
#include <yaml/yaml_io.hpp>

#include <fmt/format.h>

#include <optional>

namespace slipway::core {

namespace {

// The release phase runs once per release, never as a dyno.
bool
scalable(const std::string& type)
{
  return type != "release";
}

// "web, worker": the types of `types` a formation may hold, or "none".
std::string
scalable_types(const ProcessTypes& types)
{
  std::vector<std::string> known;
  for (const auto& [type, command] : types) {
    if (scalable(type)) {
      known.push_back(type);
    }
  }
  return known.empty() ? std::string("none") : util::join(known, ", ");
}

// The app's current release, read under the deploy lock when `changing` (`verb`: "scale",
// "resize"; reading needs no lock), which the result holds.
struct Current
{
  std::optional<AppLock> lock;
  ReleaseRecord record;
};

util::Result<Current>
current_release(const AppPaths& paths, const std::string& verb, bool changing, bool wait, util::Output& out)
{
  Current c;
  if (changing) {
    SW_TRY_ASSIGN(c.lock, AppLock::acquire(paths, "ps:" + verb, wait, out));
  }
  ReleaseStore store(paths);
  auto cur = store.current();
  if (!cur) {
    return util::error("app '" + paths.name() + "' has no release to " + verb + " yet; push to deploy one");
  }
  SW_TRY_ASSIGN(c.record, store.load(*cur));
  return c;
}

util::Status
save_formation(const AppPaths& paths, const Formation& f)
{
  std::string text;
  for (const auto& [type, count] : f) {
    text += fmt::format("{}: {}\n", type, count);
  }
  return util::write_file_atomic(paths.formation(), text, 0640);
}

util::Status
save_dyno_sizes(const AppPaths& paths, const std::map<std::string, std::string>& sizes)
{
  std::string text;
  for (const auto& [type, size] : sizes) {
    text += fmt::format("{}: {}\n", type, size);
  }
  return util::write_file_atomic(paths.dyno_sizes(), text, 0640);
}

// sizes.yml as it is: TYPE -> size name (checked).
util::Result<std::map<std::string, std::string>>
stored_sizes(const AppPaths& paths)
{
  SW_TRY_ASSIGN(auto stored, yaml::load_scalar_map(paths.dyno_sizes(), "TYPE: SIZE"));
  for (auto& [type, name] : stored) {
    auto size = find_dyno_size(name);
    if (!size) {
      return util::error(paths.dyno_sizes() + ": " + size.error().message);
    }
    name = size->name;
  }
  return stored;
}

} // namespace

util::Result<Formation>
load_formation(const AppPaths& paths, const ProcessTypes& types)
{
  SW_TRY_ASSIGN(auto stored, yaml::load_scalar_map(paths.formation(), "TYPE: COUNT"));
  Formation f;
  for (const auto& [type, command] : types) {
    if (!scalable(type)) {
      continue;
    }
    auto it = stored.find(type);
    unsigned long long n = type == "web" ? 1 : 0;
    if (it != stored.end() && !util::parse_uint(it->second, n)) {
      return util::error(fmt::format("{}: '{}' must be a number of dynos, not '{}'", paths.formation(), type,
                                     util::printable(it->second)));
    }
    f[type] = n;
  }
  return f;
}

util::Result<Formation>
parse_scale(const std::vector<std::string>& args, const ProcessTypes& types, unsigned long long limit)
{
  Formation changes;
  for (const auto& arg : args) {
    auto eq = arg.find('=');
    std::string type = arg.substr(0, eq);
    std::string count = eq == std::string::npos ? "" : arg.substr(eq + 1);
    unsigned long long n = 0;
    if (eq == std::string::npos || type.empty()) {
      return util::error("expected TYPE=N, like web=2, not '" + util::printable(arg) + "'", 2);
    }
    if (!types.count(type) || !scalable(type)) {
      return util::error(
          fmt::format("no process type '{}' to scale; this release has: {}", util::printable(type), scalable_types(types)),
          2);
    }
    if (!util::parse_uint(count, n)) {
      return util::error(fmt::format("'{}': the number of dynos must be a whole number from 0, not '{}'",
                                     util::printable(arg), util::printable(count)),
                         2);
    }
    if (n > limit) {
      return util::error(
          fmt::format("'{}': at most {} dynos of one type (the app's dyno_limit setting)", util::printable(arg), limit),
          2);
    }
    changes[type] = n;
  }
  return changes;
}

util::Result<Formation>
scale(const AppPaths& paths, const std::vector<std::string>& args, bool wait, util::Output& out)
{
  SW_TRY_ASSIGN(AppSettings settings, load_settings(paths));
  SW_TRY_ASSIGN(Current current, current_release(paths, "scale", !args.empty(), wait, out));
  const ReleaseRecord& r = current.record;
  SW_TRY_ASSIGN(Formation changes, parse_scale(args, r.process_types, settings.dyno_limit));
  SW_TRY_ASSIGN(Formation f, load_formation(paths, r.process_types));
  for (const auto& [type, n] : changes) {
    f[type] = n;
  }
  if (!changes.empty()) {
    SW_TRY(save_formation(paths, f));
    notify_serve(paths.root(), paths.name());
    log_event(paths, settings, fmt::format("Scaled to {} by {}", formation_text(f), util::current_user()));
    audit(paths.root(), paths.name(), "Scaled to " + formation_text(f));
  }
  return f;
}

std::string
formation_text(const Formation& f)
{
  std::vector<std::string> parts;
  for (const auto& [type, n] : f) {
    parts.push_back(fmt::format("{}={}", type, n));
  }
  return util::join(parts, " ");
}

util::Result<std::map<std::string, DynoSize>>
load_dyno_sizes(const AppPaths& paths, const ProcessTypes& types)
{
  SW_TRY_ASSIGN(AppSettings settings, load_settings(paths));
  SW_TRY_ASSIGN(DynoSize fallback, find_dyno_size(settings.dyno_size));
  SW_TRY_ASSIGN(auto stored, stored_sizes(paths));
  std::map<std::string, DynoSize> sizes;
  for (const auto& [type, command] : types) {
    auto it = type == "release" ? stored.end() : stored.find(type); // the release phase: dyno_size
    sizes.emplace(type, it == stored.end() ? fallback : *find_dyno_size(it->second));
  }
  return sizes;
}

util::Result<std::map<std::string, DynoSize>>
resize(const AppPaths& paths, const std::vector<std::string>& args, bool wait, util::Output& out)
{
  SW_TRY_ASSIGN(AppSettings settings, load_settings(paths));
  SW_TRY_ASSIGN(Current current, current_release(paths, "resize", !args.empty(), wait, out));
  const ReleaseRecord& r = current.record;
  SW_TRY_ASSIGN(auto stored, stored_sizes(paths));
  std::map<std::string, std::string> changed;
  for (const auto& arg : args) {
    auto eq = arg.find('=');
    std::string type = arg.substr(0, eq);
    if (eq == std::string::npos || type.empty()) {
      return util::error("expected TYPE=SIZE, like web=standard-2X, not '" + util::printable(arg) + "'", 2);
    }
    if (!r.process_types.count(type) || !scalable(type)) {
      return util::error(fmt::format("no process type '{}' to resize; this release has: {}", util::printable(type),
                                     scalable_types(r.process_types)),
                         2);
    }
    auto size = find_dyno_size(arg.substr(eq + 1));
    if (!size) {
      return util::error("'" + util::printable(arg) + "': " + size.error().message, 2);
    }
    changed[type] = size->name;
  }
  if (!changed.empty()) {
    for (const auto& [type, size] : changed) {
      stored[type] = size;
    }
    SW_TRY(save_dyno_sizes(paths, stored));
    std::map<std::string, DynoSize> shown;
    for (const auto& [type, size] : changed) {
      shown.emplace(type, *find_dyno_size(size));
      (void)restart_dynos(paths.root(), paths, type); // none to restart when serve is not running
    }
    log_event(paths, settings, fmt::format("Resized to {} by {}", sizes_text(shown), util::current_user()));
    audit(paths.root(), paths.name(), "Resized to " + sizes_text(shown));
  }
  return load_dyno_sizes(paths, r.process_types);
}

std::string
sizes_text(const std::map<std::string, DynoSize>& sizes)
{
  std::vector<std::string> parts;
  for (const auto& [type, size] : sizes) {
    parts.push_back(type + "=" + size.name);
  }
  return util::join(parts, " ");
}

} // namespace slipway::core
