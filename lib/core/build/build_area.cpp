#include "build_area.hpp"

#include <util/dir_walk.hpp>
#include <util/fs.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace slipway::core {

std::string
BuildArea::buildpack(size_t index) const
{
  return dir + "/buildpacks/" + std::to_string(index);
}

BuildArea::~BuildArea()
{
  (void)util::remove_tree(dir);
}

util::Status
BuildArea::open_to_user(bool open) const
{
  if (!user) {
    return {};
  }
  if (::fchown(fd.get(), 0, open ? user->gid : 0) != 0 || ::fchmod(fd.get(), open ? 0750 : 0700) != 0) {
    return util::error(util::errno_message("cannot change the access to", dir));
  }
  return {};
}

util::Result<std::unique_ptr<BuildArea>>
open_build_area(const AppPaths& paths)
{
  SW_TRY(check_root_reachable(paths.root()));
  SW_TRY_ASSIGN(auto user, app_user(paths.name()));
  if (user) {
    SW_TRY(grant_app_directory(paths, *user));
  }
  auto area = std::make_unique<BuildArea>();
  area->dir = paths.build_area(::getpid());
  area->app = area->dir + "/app";
  area->env_dir = area->dir + "/env";
  area->home = area->dir + "/home";
  area->user = user;
  SW_TRY(util::remove_tree(area->dir));
  SW_TRY(util::make_dirs(paths.tmp(), 0750));
  SW_TRY(util::make_dir(area->dir, 0700));
  area->fd.reset(::open(area->dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!area->fd) {
    return util::error(util::errno_message("cannot open", area->dir));
  }
  SW_TRY(util::make_dir(area->app, 0755));
  SW_TRY(util::make_dir(area->home, 0700));
  SW_TRY(util::make_dir(area->dir + "/buildpacks", 0755));
  if (user) {
    // Nothing of the user's runs yet and the area is closed: these paths are root's alone.
    for (const auto& d : {area->app, area->home}) {
      if (::chown(d.c_str(), user->uid, user->gid) != 0) {
        return util::error(util::errno_message("cannot give the build directory to the app's user", d));
      }
    }
  }
  return area;
}

util::Status
write_env_dir(const BuildArea& area, const ConfigVars& config)
{
  SW_TRY(util::make_dir(area.env_dir, 0750));
  for (const auto& [k, v] : config) {
    SW_TRY(util::write_file_atomic(area.env_dir + "/" + k, v, 0640, false));
  }
  return area.user ? util::chown_tree(area.env_dir, 0, area.user->gid) : util::Status();
}

util::Result<std::vector<buildpack::Buildpack>>
stage_buildpacks(const BuildpackPlan& plan, const BuildArea& area)
{
  std::vector<buildpack::Buildpack> staged;
  for (size_t i = 0; i < plan.candidates.size(); ++i) {
    const auto& bp = plan.candidates[i];
    std::string dest = area.buildpack(i);
    std::error_code ec;
    std::filesystem::copy(bp.dir, dest,
                          std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks, ec);
    if (ec) {
      return util::error("cannot stage buildpack '" + bp.name + "': " + ec.message());
    }
    SW_TRY(util::remove_tree(dest + "/.git"));
    if (area.user) {
      SW_TRY(util::chown_tree(dest, area.user->uid, area.user->gid));
    }
    staged.push_back({bp.name, dest});
  }
  return staged;
}

} // namespace slipway::core
