#include "release_scratch.hpp"

#include <archive/slug_unpack.hpp>
#include <util/dir_walk.hpp>
#include <util/fault.hpp>
#include <util/fs.hpp>

#include <unistd.h>

namespace slipway::core {

namespace {

util::Status
make_overlay(ReleaseScratch& s, const std::string& live, const AppUser& user)
{
  util::OverlayView v;
  v.lower = live;
  v.upper = s.dir + "/upper";
  v.work = s.dir + "/work";
  v.mount = s.dir + "/lower";
  v.target = s.app_dir;
  v.uid = user.uid;
  v.gid = user.gid;
  SW_TRY(util::make_dir(v.upper, 0755));
  SW_TRY(util::make_dir(v.work, 0700));
  SW_TRY(util::make_dir(v.mount, 0700));
  SW_TRY(util::make_dir(v.target, 0755));
  if (::chown(v.upper.c_str(), user.uid, user.gid) != 0) {
    return util::error(util::errno_message("cannot change the owner of", v.upper));
  }
  s.view = std::move(v);
  return {};
}

} // namespace

util::Result<ReleaseScratch>
make_release_scratch(const AppPaths& paths,
                     const std::string& dir,
                     const std::string& live,
                     const std::string& tarball,
                     const std::optional<AppUser>& user,
                     ScratchKind want)
{
  ReleaseScratch s;
  s.dir = dir;
  s.app_dir = s.dir + "/app";
  SW_TRY(util::make_dirs(util::dir_name(dir), 0750));
  SW_TRY(util::remove_tree(s.dir));
  SW_TRY(util::make_dir(s.dir, 0750));
  if (user) {
    SW_TRY(grant_app_directory(paths, *user));
    if (::chown(s.dir.c_str(), user->uid, user->gid) != 0) {
      return util::error(util::errno_message("cannot change the owner of", s.dir));
    }
  }
  util::OverlayView probe{live, s.dir + "/upper", s.dir + "/work", s.dir + "/lower", s.app_dir};
  bool overlay =
      want == ScratchKind::overlay && user && util::overlay_paths_usable(probe) && !util::fault_active("no-overlay");
  if (overlay) {
    SW_TRY(make_overlay(s, live, *user));
  } else if (want != ScratchKind::unpack && user) {
    SW_TRY(util::link_tree(live, s.app_dir, static_cast<long>(user->uid), user->gid));
  } else {
    SW_TRY(archive::unpack_slug(tarball, s.app_dir));
  }
  return s;
}

void
remove_release_scratch(const ReleaseScratch& scratch)
{
  (void)util::remove_tree(scratch.dir);
}

} // namespace slipway::core
