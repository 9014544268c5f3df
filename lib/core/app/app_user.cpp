#include "app_user.hpp"

#include <util/dir_walk.hpp>
#include <util/fs.hpp>
#include <util/process.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

namespace slipway::core {

std::string
app_user_name(const std::string& app)
{
  std::string name = "slipway-" + app;
  if (name.size() <= 32) {
    return name;
  }
  util::Sha256 h;
  h.update(app);
  return "slipway-" + app.substr(0, 15) + "-" + h.hex_digest().substr(0, 8);
}

static util::Status
run_admin(const std::vector<std::string>& argv)
{
  util::ProcessSpec spec;
  spec.argv = argv;
  spec.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  std::string output;
  SW_TRY_ASSIGN(util::ProcessResult r,
                util::run_process(spec, [&](std::string_view l) { output += std::string(l) + " "; }));
  if (!r.success()) {
    return util::error(argv[0] + " " + r.describe() + (output.empty() ? "" : ": " + output));
  }
  return {};
}

util::Status
create_app_user(const std::string& app)
{
  if (::geteuid() != 0) {
    return {};
  }
  std::string name = app_user_name(app);
  if (::getpwnam(name.c_str())) {
    return {};
  }
  // useradd fails while another holds /etc/passwd's lock (or made the same user first).
  util::Status made;
  for (int attempt = 0; attempt < 20; ++attempt) {
    made = run_admin({"useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                      "--shell", "/usr/sbin/nologin", "--comment", "Slipway app " + app, name});
    if (made || ::getpwnam(name.c_str())) {
      return {};
    }
    ::usleep(100 * 1000);
  }
  return util::error("cannot create the unix user '" + name + "' for app '" + app + "': " + made.error().message);
}

void
remove_app_user(const std::string& app)
{
  if (::geteuid() == 0 && ::getpwnam(app_user_name(app).c_str())) {
    (void)run_admin({"userdel", app_user_name(app)});
  }
}

util::Result<std::optional<AppUser>>
app_user(const std::string& app)
{
  if (::geteuid() != 0) {
    return std::optional<AppUser>();
  }
  std::string name = app_user_name(app);
  passwd entry{};
  passwd* pw = nullptr;
  std::vector<char> buf(16384);
  if (::getpwnam_r(name.c_str(), &entry, buf.data(), buf.size(), &pw) != 0 || !pw) {
    return util::error("app '" + app + "' has no unix user '" + name + "' to run its code as; run 'slipway doctor -a " +
                       app + " --fix' to create it again");
  }
  return std::optional<AppUser>(AppUser{name, pw->pw_uid, pw->pw_gid});
}

util::Result<AppUser>
restore_app_user(const AppPaths& paths)
{
  SW_TRY(create_app_user(paths.name()));
  SW_TRY_ASSIGN(auto user, app_user(paths.name()));
  if (!user) {
    return util::error("only root can create an app's user");
  }
  SW_TRY(grant_app_directory(paths, *user));
  return *user;
}

util::Status
check_root_reachable(const std::string& root)
{
  if (::geteuid() != 0) {
    return {};
  }
  std::string path;
  for (const auto& part : util::split(root, '/')) {
    if (part.empty()) {
      continue;
    }
    path += "/" + part;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || (st.st_mode & S_IXOTH)) {
      continue;
    }
    char mode[8];
    ::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return util::error("apps' users cannot reach the Slipway root " + root + ": '" + path + "' (mode " + mode +
                       ") lets only its owner and group in; run 'chmod o+x " + path +
                       "' or use a root below directories everyone may enter");
  }
  return {};
}

util::Status
grant_app_directory(const AppPaths& paths, const AppUser& user)
{
  for (const auto& dir : {paths.dir(), paths.releases(), paths.tmp()}) {
    if (util::path_exists(dir) && ::chown(dir.c_str(), 0, user.gid) != 0) {
      return util::error(util::errno_message("cannot give the app's group access to", dir));
    }
  }
  struct stat st;
  if (::stat(paths.cache().c_str(), &st) == 0 && st.st_uid != user.uid) {
    return util::chown_tree(paths.cache(), user.uid, user.gid);
  }
  return {};
}

} // namespace slipway::core
