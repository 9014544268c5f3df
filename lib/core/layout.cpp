#include "layout.hpp"

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

} // namespace slipway::core
