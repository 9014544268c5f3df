#include "one_off.hpp"

#include <core/app/app_log.hpp>
#include <core/app/app_user.hpp>
#include <core/release/release_phase.hpp>
#include <core/release/release_store.hpp>
#include <core/app/settings.hpp>
#include <core/slug/slug_store.hpp>
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

// The shell command that runs `argv`, each word quoted.
std::string
shell_command(const std::vector<std::string>& argv)
{
  std::vector<std::string> words;
  for (const auto& a : argv) {
    words.push_back(util::shell_word(a));
  }
  return util::join(words, " ");
}

} // namespace

std::string
one_off_dyno(pid_t pid)
{
  return fmt::format("run.{}", pid % 10000);
}

util::Result<unsigned long>
one_off_release(const AppPaths& paths)
{
  auto cur = ReleaseStore(paths).current();
  if (!cur) {
    return util::error("app '" + paths.name() + "' has no release to run a command in yet; push to deploy one");
  }
  return *cur;
}

util::Result<util::ProcessResult>
run_one_off_logged(const AppPaths& paths, const std::vector<std::string>& argv)
{
  SW_TRY_ASSIGN(AppSettings server, load_server_settings(paths.root()));
  AppLogs logs(paths.root(), server.log_size, static_cast<unsigned>(server.log_keep));
  std::string dyno = one_off_dyno(::getpid());
  AppLogOutput events(logs, paths.name(), "slipway[" + dyno + "]");
  AppLogOutput output(logs, paths.name(), "app[" + dyno + "]");
  events.line("Starting process with command `" + shell_command(argv) + "`");
  auto r = run_one_off(paths, argv, output);
  events.line(r ? "Process " + r->describe() : "Could not start: " + r.error().message);
  return r;
}

util::Result<util::ProcessResult>
run_one_off(const AppPaths& paths, const std::vector<std::string>& argv, util::Output& out, bool interactive)
{
  SW_TRY_ASSIGN(unsigned long cur, one_off_release(paths));
  ReleaseStore store(paths);
  SW_TRY_ASSIGN(AppSettings settings, load_settings(paths));
  SW_TRY_ASSIGN(ReleaseRecord record, store.load(cur));
  SW_TRY_ASSIGN(ConfigVars config, store.config_of(cur));
  SW_TRY_ASSIGN(SlugRecord slug, SlugStore(paths).load(record.slug_id));
  remove_stale_copies(paths);
  // The copies' directory: root's, which the app's group may enter (like tmp/).
  std::string copies = util::dir_name(paths.one_off_scratch(0));
  SW_TRY(util::make_dirs(copies, 0750));
  SW_TRY_ASSIGN(auto user, app_user(paths.name()));
  if (user && ::chown(copies.c_str(), 0, user->gid) != 0) {
    return util::error(util::errno_message("cannot give the app's group access to", copies));
  }
  ReleasePhaseInput in;
  in.paths = &paths;
  in.version = cur;
  in.tree = store.dir(cur) + "/" + ReleaseFiles::app;
  in.tarball = SlugStore(paths).tarball(slug);
  in.command = shell_command(argv);
  in.config = config;
  in.timeout = 0;
  in.kill_grace = static_cast<double>(settings.kill_grace);
  in.max_processes = settings.process_limit;
  in.user = user;
  in.dyno = one_off_dyno(::getpid());
  in.scratch_dir = paths.one_off_scratch(::getpid());
  in.interactive = interactive;
  return run_release_phase(in, out);
}

} // namespace slipway::core
