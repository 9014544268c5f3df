#include "layout.hpp"

#include <util/fs.hpp>

#include <cstdlib>

namespace slipway::core {

std::string
default_root()
{
  const char* env = std::getenv("SLIPWAY_ROOT");
  return env && *env ? env : "/var/lib/slipway";
}

AppPaths::AppPaths(std::string root, std::string app)
    : m_root(std::move(root)), m_name(std::move(app)), m_dir(m_root + "/apps/" + m_name)
{}

bool
is_temp_name(std::string_view name)
{
  bool app_staging = name.starts_with(".") && (name.ends_with(".creating") || name.find(".destroying.") != name.npos);
  return app_staging || name.find(util::k_temp_infix) != name.npos;
}

} // namespace slipway::core
