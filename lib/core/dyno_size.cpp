#include "dyno_size.hpp"

#include <core/app_lock.hpp>
#include <core/app_log.hpp>
#include <core/audit.hpp>
#include <core/release_store.hpp>
#include <core/serve.hpp>
#include <core/settings.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>
#include <yaml/yaml_io.hpp>

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

namespace slipway::core {

namespace {

constexpr unsigned long long k_mb = 1ULL << 20;

bool
same_name(std::string_view a, std::string_view b)
{
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
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
  std::map<std::string, std::string> stored;
  if (!util::path_exists(paths.dyno_sizes())) {
    return stored;
  }
  SW_TRY_ASSIGN(YAML::Node doc, yaml::load_file(paths.dyno_sizes()));
  if (doc && !doc.IsNull() && !doc.IsMap()) {
    return util::error(paths.dyno_sizes() + ": expected 'TYPE: SIZE' lines");
  }
  for (const auto& kv : doc) {
    if (!kv.first.IsScalar() || !kv.second.IsScalar()) {
      return util::error(paths.dyno_sizes() + ": expected 'TYPE: SIZE' lines");
    }
    auto size = find_dyno_size(kv.second.Scalar());
    if (!size) {
      return util::error(paths.dyno_sizes() + ": " + size.error().message);
    }
    stored[kv.first.Scalar()] = size->name;
  }
  return stored;
}

} // namespace

const std::vector<DynoSize>&
dyno_sizes()
{
  static const std::vector<DynoSize> sizes = {
      {"eco", 512 * k_mb, 1},
      {"basic", 512 * k_mb, 1},
      {"standard-1X", 512 * k_mb, 1},
      {"standard-2X", 1024 * k_mb, 2},
      {"performance-M", 2560 * k_mb, 12},
      {"performance-L", 14336 * k_mb, 50},
  };
  return sizes;
}

util::Result<DynoSize>
find_dyno_size(std::string_view name)
{
  std::vector<std::string> names;
  for (const auto& size : dyno_sizes()) {
    if (same_name(size.name, name)) {
      return size;
    }
    names.push_back(size.name);
  }
  return util::error(fmt::format("no dyno size '{}'; the sizes are {}", util::printable(std::string(name)),
                                 util::join(names, ", ")),
                     2);
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
  std::optional<AppLock> lock; // reading needs none
  if (!args.empty()) {
    SW_TRY_ASSIGN(lock, AppLock::acquire(paths, "ps:resize", wait, out));
  }
  ReleaseStore store(paths);
  auto cur = store.current();
  if (!cur) {
    return util::error("app '" + paths.name() + "' has no release to resize yet; push to deploy one");
  }
  SW_TRY_ASSIGN(ReleaseRecord r, store.load(*cur));
  std::vector<std::string> known;
  for (const auto& [type, command] : r.process_types) {
    if (type != "release") {
      known.push_back(type);
    }
  }
  SW_TRY_ASSIGN(auto stored, stored_sizes(paths));
  std::map<std::string, std::string> changed;
  for (const auto& arg : args) {
    auto eq = arg.find('=');
    std::string type = arg.substr(0, eq);
    if (eq == std::string::npos || type.empty()) {
      return util::error("expected TYPE=SIZE, like web=standard-2X, not '" + util::printable(arg) + "'", 2);
    }
    if (!r.process_types.count(type) || type == "release") {
      return util::error(fmt::format("no process type '{}' to resize; this release has: {}", util::printable(type),
                                     known.empty() ? std::string("none") : util::join(known, ", ")),
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
    SW_TRY_ASSIGN(auto now, load_dyno_sizes(paths, r.process_types));
    std::map<std::string, DynoSize> shown;
    for (const auto& [type, size] : changed) {
      shown.emplace(type, now.at(type));
      (void)restart_dynos(paths.root(), paths, type); // none to restart when serve is not running
    }
    log_event(paths, settings.log_size, fmt::format("Resized to {} by {}", sizes_text(shown), util::current_user()));
    audit(paths.root(), paths.name(), "Resized to " + sizes_text(shown));
  }
  return load_dyno_sizes(paths, r.process_types);
}

util::CgroupLimits
dyno_limits(unsigned long long memory, unsigned cpu_share)
{
  return {2 * memory, cpu_share * 100};
}

util::Result<util::CommandCgroups>
command_cgroups(const AppPaths& paths, const std::string& what)
{
  if (::geteuid() != 0) {
    return util::CommandCgroups();
  }
  SW_TRY_ASSIGN(AppSettings settings, load_settings(paths));
  SW_TRY_ASSIGN(DynoSize size, find_dyno_size(settings.dyno_size));
  util::Sha256 h;
  h.update(paths.root());
  // Never moves this process: a command runs where its caller put it (an SSH session, a hook).
  auto home = util::find_limit_home(util::own_cgroup(), "slipway-commands-" + h.hex_digest().substr(0, 12), false);
  return util::CommandCgroups::make(home, fmt::format("{}.{}.{}", paths.name(), what, ::getpid()),
                                    dyno_limits(size.memory, size.cpu_share));
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
