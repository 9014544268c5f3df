#include "dyno_size.hpp"

#include <core/app/settings.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

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

} // namespace slipway::core
