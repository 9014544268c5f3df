// Least privilege: when Slipway runs as root, each app gets its own system user, and its
// buildpacks and release commands run as that user. The user can traverse its app's
// directory (group) and write only the trees handed to it (build, cache, release scratch);
// other apps' directories are closed to it. Without root, everything runs as the caller.
#pragma once

#include <core/app/layout.hpp>
#include <util/result.hpp>

#include <sys/types.h>

#include <optional>
#include <string>

namespace slipway::core {

struct AppUser
{
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

// "slipway-APP", shortened with a hash when that would pass the 32-character limit.
std::string app_user_name(const std::string& app);

// Create the app's system user and group (root only; a no-op otherwise).
util::Status create_app_user(const std::string& app);

// Delete them again (best effort).
void remove_app_user(const std::string& app);

// The user to run the app's commands as: none when Slipway does not run as root (everything
// runs as the caller). As root, an app whose user is missing is an error, never a reason to
// run its code as root.
util::Result<std::optional<AppUser>> app_user(const std::string& app);

// As root, give back an app the user it lost: create it again and hand it the directories
// its group may enter and its cache (doctor --fix). The release directories are the
// caller's (their group is set by ReleaseStore).
util::Result<AppUser> restore_app_user(const AppPaths& paths);

// As root: every directory from / down to `root` lets others through (o+x), so that apps'
// users can reach their trees. The error names the first one that does not and the fix.
util::Status check_root_reachable(const std::string& root);

// Set the app directory's group to the app's group, so that its user can reach the trees
// it is given, and nothing else.
util::Status grant_app_directory(const AppPaths& paths, const AppUser& user);

} // namespace slipway::core
