// slipway hook pre-receive|post-receive: what the git hooks run.
#include <cmd/command.hpp>
#include <core/app/app_name.hpp>
#include <core/ops/push.hpp>
#include <util/fs.hpp>

#include <spdlog/spdlog.h>

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <climits>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <iterator>

namespace slipway::cmd {

// The repository is ROOT/apps/APP/repo.git; the hook runs inside it (GIT_DIR).
static util::Result<core::AppPaths>
app_from_repository()
{
  const char* git_dir = std::getenv("GIT_DIR");
  char real[PATH_MAX];
  if (!::realpath(git_dir && *git_dir ? git_dir : ".", real)) {
    return util::error(util::errno_message("cannot resolve the repository", git_dir ? git_dir : "."));
  }
  std::string repo = real;
  std::string app_dir = util::dir_name(repo);
  std::string apps_dir = util::dir_name(app_dir);
  if (util::base_name(repo) != "repo.git" || util::base_name(apps_dir) != "apps") {
    return util::error("'" + repo + "' is not a Slipway repository (expected ROOT/apps/APP/repo.git)");
  }
  std::string name = util::base_name(app_dir);
  SW_TRY(core::validate_app_name(name));
  return core::AppPaths(util::dir_name(apps_dir), name);
}

static util::Result<int>
run_hook(Context& ctx)
{
  const std::string& which = ctx.args[0];
  core::HookKind kind;
  if (which == "pre-receive") {
    kind = core::HookKind::pre_receive;
  } else if (which == "post-receive") {
    kind = core::HookKind::post_receive;
  } else {
    return util::error("unknown hook '" + which + "'; expected pre-receive or post-receive", 2);
  }
  // A pusher pressing Ctrl-C (or hanging up) must not stop a release half-way.
  std::signal(SIGINT, SIG_IGN);
  std::signal(SIGHUP, SIG_IGN);
  std::signal(SIGQUIT, SIG_IGN);
  // Blobs read whole (packed ones cannot stream) go to their own mappings and back to the
  // system when freed; glibc would otherwise raise this threshold after the first large one
  // and keep such memory in its heap, growing the hook with every large file.
  ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
  SW_TRY_ASSIGN(core::AppPaths paths, app_from_repository());
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  SW_TRY_ASSIGN(auto updates, core::parse_hook_input(input));
  SW_TRY_ASSIGN(bool ok, core::handle_push(paths, kind, updates, *ctx.out));
  rusage usage;
  if (::getrusage(RUSAGE_SELF, &usage) == 0) {
    spdlog::info("hook {} for {}: peak_rss_kb={}", which, paths.name(), usage.ru_maxrss);
  }
  return ok ? 0 : 1;
}

static util::Result<int>
run_receive_pack(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  std::string repo = paths.repo();
  ::execlp("git-receive-pack", "git-receive-pack", repo.c_str(), static_cast<char*>(nullptr));
  return util::error(util::errno_message("cannot run", "git-receive-pack"));
}

static util::Result<int>
run_receive_pack_arg(Context& ctx)
{
  // git runs "<receivepack> '<path>'": the path is the app's name.
  std::string name = ctx.args[0];
  while (!name.empty() && name.back() == '/') {
    name.pop_back();
  }
  if (name.size() > 4 && name.substr(name.size() - 4) == ".git") {
    name.resize(name.size() - 4);
  }
  ctx.options["app"] = name;
  return run_receive_pack(ctx);
}

extern const CommandSpec k_cmd_hook{
    "hook", "pre-receive|post-receive", "run a git hook (installed in each app's repository)", "", {}, 1, 1, run_hook,
    true};

extern const CommandSpec k_cmd_git_receive_pack{
    "git-receive-pack",
    "APP",
    "receive a push for APP (the front door for SSH and remote.NAME.receivepack)",
    "Checks that APP is a valid, existing app, then runs git-receive-pack on its repository.\n"
    "Example: git config remote.deploy.receivepack 'slipway git-receive-pack'; git push deploy main\n"
    "with the remote's URL set to the app's name.",
    {},
    1,
    1,
    run_receive_pack_arg};

} // namespace slipway::cmd
