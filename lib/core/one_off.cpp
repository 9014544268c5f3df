#include "one_off.hpp"

#include <core/app_user.hpp>
#include <core/release_phase.hpp>
#include <core/release_store.hpp>
#include <core/settings.hpp>
#include <core/slug_store.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>
#include <unistd.h>

#include <csignal>

namespace slipway::core {

namespace {

// Copies left by runs that died (their pid is gone) are removed before a new one is made.
void
remove_stale_copies(const AppPaths& paths)
{
  std::string dir = util::dir_name(paths.one_off_scratch(0));
  auto names = util::list_dir(dir);
  for (const auto& n : names ? *names : std::vector<std::string>{}) {
    unsigned long long pid = 0;
    if (n.starts_with("run-") && util::parse_uint(n.substr(4), pid) && ::kill(static_cast<pid_t>(pid), 0) != 0) {
      (void)util::remove_tree(dir + "/" + n);
    }
  }
}

} // namespace

util::Result<util::ProcessResult>
run_one_off(const AppPaths& paths, const std::vector<std::string>& argv, util::Output& out)
{
  ReleaseStore store(paths);
  auto cur = store.current();
  if (!cur) {
    return util::error("app '" + paths.name() + "' has no release to run a command in yet; push to deploy one");
  }
  SW_TRY_ASSIGN(AppSettings settings, load_settings(paths));
  SW_TRY_ASSIGN(ReleaseRecord record, store.load(*cur));
  SW_TRY_ASSIGN(ConfigVars config, store.config_of(*cur));
  SW_TRY_ASSIGN(SlugRecord slug, SlugStore(paths).load(record.slug_id));
  remove_stale_copies(paths);
  // The copies' directory: root's, which the app's group may enter (like tmp/).
  std::string copies = util::dir_name(paths.one_off_scratch(0));
  SW_TRY(util::make_dirs(copies, 0750));
  SW_TRY_ASSIGN(auto user, app_user(paths.name()));
  if (user && ::chown(copies.c_str(), 0, user->gid) != 0) {
    return util::error(util::errno_message("cannot give the app's group access to", copies));
  }
  std::vector<std::string> words;
  for (const auto& a : argv) {
    words.push_back(util::shell_word(a));
  }
  ReleasePhaseInput in;
  in.paths = &paths;
  in.version = *cur;
  in.tree = store.dir(*cur) + "/" + ReleaseFiles::app;
  in.tarball = SlugStore(paths).tarball(slug);
  in.command = util::join(words, " ");
  in.config = config;
  in.timeout = 0;
  in.kill_grace = static_cast<double>(settings.kill_grace);
  in.user = user;
  in.dyno = fmt::format("run.{}", ::getpid() % 10000);
  in.scratch_dir = paths.one_off_scratch(::getpid());
  return run_release_phase(in, out);
}

} // namespace slipway::core
