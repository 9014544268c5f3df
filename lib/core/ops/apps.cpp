#include "apps.hpp"

#include <core/ops/addon_actions.hpp>
#include <core/release/app_lock.hpp>
#include <core/app/app_name.hpp>
#include <core/app/app_user.hpp>
#include <core/access/audit.hpp>
#include <core/app/config_vars.hpp>
#include <core/app/resources.hpp>
#include <core/run/router.hpp>
#include <core/app/settings.hpp>
#include <git/repository.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

namespace slipway::core {

namespace {

util::Status
install_hook(const AppPaths& paths, const std::string& name)
{
  std::string tmpl = hook_templates_dir() + "/" + name;
  SW_TRY_ASSIGN(std::string text, util::read_file(tmpl));
  constexpr std::string_view placeholder = "@SLIPWAY_BIN@";
  auto at = text.find(placeholder);
  if (at == std::string::npos) {
    return util::error("hook template '" + tmpl + "' has no " + std::string(placeholder) + " placeholder");
  }
  text.replace(at, placeholder.size(), util::shell_quote(self_executable()));
  return util::write_file_atomic(paths.repo() + "/hooks/" + name, text, 0755);
}

} // namespace

util::Result<AppPaths>
create_app(const std::string& root, const std::string& name)
{
  SW_TRY(validate_app_name(name));
  AppPaths paths(root, name);
  SW_TRY(util::make_dirs(root + "/apps", 0755));
  SW_TRY(check_root_reachable(root));
  if (util::path_exists(paths.dir())) {
    return util::error("app '" + name + "' already exists", 1);
  }
  SW_TRY_ASSIGN(AppSettings server, load_server_settings(root));
  std::string host = name + "." + server.domain;
  SW_TRY_ASSIGN(std::string claimer, app_claiming(root, host));
  if (!claimer.empty()) {
    return util::error("app '" + name + "' would answer as " + host + ", a domain of app " + claimer +
                           "; choose another name, or remove the domain (slipway domains:remove " + host + " -a " +
                           claimer + ")",
                       1);
  }
  // Build the app under a temp name and rename it in: a half-created app never shows.
  std::string staging = paths.staging_dir();
  SW_TRY(util::remove_tree(staging));
  AppPaths staged(root, util::base_name(staging));
  SW_TRY(util::make_dir(staging, 0750));
  git::Session git_session;
  SW_TRY(git::init_bare(staged.repo(), "main"));
  if (auto samples = util::list_dir(staged.repo() + "/hooks")) {
    for (const auto& s : *samples) {
      (void)util::remove_tree(staged.repo() + "/hooks/" + s);
    }
  }
  SW_TRY(install_hook(staged, "pre-receive"));
  SW_TRY(install_hook(staged, "post-receive"));
  for (const auto& d :
       {staged.releases(), staged.slugs(), staged.cache(), staged.builds(), staged.tmp(), staged.hooks()}) {
    SW_TRY(util::make_dir(d, 0750));
  }
  SW_TRY(save_env(staged.config_file(), {}));
  SW_TRY(save_settings(staged, server));
  SW_TRY(create_app_user(name));
  SW_TRY_ASSIGN(auto user, app_user(name));
  if (user) {
    SW_TRY(grant_app_directory(staged, *user));
  }
  if (::rename(staging.c_str(), paths.dir().c_str()) != 0) {
    (void)util::remove_tree(staging);
    return util::error(util::errno_message("cannot create app", paths.dir()));
  }
  SW_TRY(util::fsync_dir(root + "/apps"));
  audit(root, name, "Created app " + name);
  return paths;
}

util::Status
destroy_app(const AppPaths& paths, bool destroy_addons, util::Output& out)
{
  SW_TRY_ASSIGN(AppLock lock, AppLock::acquire(paths, "apps:destroy", true, out));
  SW_TRY(release_app_addons(paths.root(), paths.name(), destroy_addons, out));
  // Rename first so the app disappears at once, then delete at leisure.
  std::string doomed = paths.doomed_dir(::getpid());
  if (::rename(paths.dir().c_str(), doomed.c_str()) != 0) {
    return util::error(util::errno_message("cannot destroy app", paths.dir()));
  }
  audit(paths.root(), paths.name(), "Destroyed app " + paths.name());
  SW_TRY(util::remove_tree(doomed));
  remove_app_user(paths.name());
  return {};
}

} // namespace slipway::core
