#include "app_lookup.hpp"

#include <core/app/app_name.hpp>
#include <util/fs.hpp>

#include <algorithm>

namespace slipway::core {

util::Result<AppPaths>
open_app(const std::string& root, const std::string& name)
{
  SW_TRY(validate_app_name(name));
  AppPaths paths(root, name);
  if (!util::is_directory(paths.dir())) {
    return util::error("app '" + name + "' does not exist (root " + root + "); create it with: slipway apps:create " +
                       name);
  }
  return paths;
}

util::Result<std::vector<std::string>>
list_apps(const std::string& root)
{
  std::vector<std::string> out;
  if (!util::is_directory(root + "/apps")) {
    return out;
  }
  SW_TRY_ASSIGN(auto names, util::list_dir(root + "/apps"));
  for (const auto& n : names) {
    if (validate_app_name(n) && util::is_directory(root + "/apps/" + n)) {
      out.push_back(n);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace slipway::core
