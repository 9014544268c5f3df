// Where everything lives under SLIPWAY_ROOT: the on-disk contract sysadmins rely on.
// See ARCHITECTURE.md for the tree; every path in Slipway comes from here.
#pragma once

#include <string>

namespace slipway::core {

// SLIPWAY_ROOT if set, else /var/lib/slipway.
std::string default_root();

class AppPaths
{
public:
  AppPaths(std::string root, std::string app);

  const std::string&
  root() const
  {
    return m_root;
  }
  const std::string&
  name() const
  {
    return m_name;
  }
  const std::string&
  dir() const
  {
    return m_dir;
  } // apps/APP
  std::string
  repo() const
  {
    return m_dir + "/repo.git";
  } // bare repository
  std::string
  env() const
  {
    return m_dir + "/env";
  } // config vars now (0600)
  std::string
  settings() const
  {
    return m_dir + "/settings.yml";
  }
  std::string
  releases() const
  {
    return m_dir + "/releases";
  }
  std::string
  release(unsigned long v) const
  {
    return releases() + "/v" + std::to_string(v);
  }
  std::string
  slugs() const
  {
    return m_dir + "/slugs";
  }
  std::string
  cache() const
  {
    return m_dir + "/cache";
  } // buildpack CACHE_DIR
  std::string
  builds() const
  {
    return m_dir + "/builds";
  } // build logs
  std::string
  buildpacks() const
  {
    return m_dir + "/buildpacks";
  } // fetched buildpacks
  std::string
  tmp() const
  {
    return m_dir + "/tmp";
  } // staging; cleaned by each deploy
  std::string
  build_area(long pid) const
  {
    return tmp() + "/build-" + std::to_string(pid);
  } // one build's staging area
  std::string
  built_tree(long pid) const
  {
    return tmp() + "/tree-" + std::to_string(pid);
  } // a built tree waiting to become a release's app/
  std::string
  hooks() const
  {
    return m_dir + "/hooks";
  } // sysadmin's post-release hook
  std::string
  current() const
  {
    return m_dir + "/current";
  }
  std::string
  lock() const
  {
    return m_dir + "/deploy.lock";
  }

private:
  std::string m_root;
  std::string m_name;
  std::string m_dir;
};

// Files inside one release directory.
struct ReleaseFiles
{
  static constexpr const char* record = "release.yml";
  static constexpr const char* env = "env";
  static constexpr const char* log = "release.log";
  static constexpr const char* app = "app";
  static constexpr const char* runner = "release.pid"; // who runs the release phase now
  static constexpr const char* cancel = "cancel";      // written by releases:cancel
  static constexpr const char* expired = "expired";    // written by retention when it prunes
};

} // namespace slipway::core
