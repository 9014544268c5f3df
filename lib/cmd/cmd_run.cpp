// slipway run -a APP [--detach] -- COMMAND...: a one-off dyno (core/run/one_off.hpp).
#include <cmd/command.hpp>
#include <core/run/one_off.hpp>
#include <core/app/resources.hpp>
#include <util/process.hpp>
#include <util/strings.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

extern char** environ;

namespace slipway::cmd {

// Start `slipway run:background` for the same app and command in a session of its own, and
// say where its output goes.
static util::Result<int>
run_detached(Context& ctx, const core::AppPaths& paths)
{
  util::ProcessSpec spec;
  spec.argv = {core::self_executable(), "--root", ctx.root, "run:background", "-a", paths.name(), "--"};
  spec.argv.insert(spec.argv.end(), ctx.args.begin(), ctx.args.end());
  for (char** e = environ; *e; ++e) {
    spec.env.emplace_back(*e);
  }
  spec.new_session = true;
  SW_TRY_ASSIGN(util::Spawned child, util::spawn_process(spec));
  std::string dyno = core::one_off_dyno(child.pid);
  ctx.out->line("Running `" + util::join(ctx.args, " ") + "` on " + paths.name() + "... up, " + dyno);
  ctx.out->line("Run 'slipway logs -a " + paths.name() + " --ps " + dyno + "' to see its output.");
  return 0;
}

static util::Result<int>
run_run(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  if (ctx.has("detach")) {
    SW_TRY(core::one_off_release(paths));
    return run_detached(ctx, paths);
  }
  // From a terminal (ssh -t included) the command gets it, as `heroku run` gives a console;
  // the terminal's Ctrl-C is then the command's.
  bool interactive = ::isatty(0) && ::isatty(1);
  if (interactive) {
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGQUIT, SIG_IGN);
  }
  SW_TRY_ASSIGN(util::ProcessResult r, core::run_one_off(paths, ctx.args, *ctx.out, interactive));
  if (!r.started()) {
    return util::error("the command " + r.describe());
  }
  if (r.out_of_memory) {
    ctx.out->warn("the command " + r.describe());
  }
  // As a shell does: the command's status, or 128 + the signal that killed it; a command the
  // kernel killed a part of for its memory failed, as if killed whole (SIGKILL).
  return r.signal ? 128 + r.signal : r.out_of_memory && r.exit_code == 0 ? 128 + SIGKILL : r.exit_code;
}

// The detached one-off itself: nothing of it reaches a terminal, all of it the app's log.
static util::Result<int>
run_background(Context& ctx)
{
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  ::dup2(null, 1);
  ::dup2(null, 2);
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(util::ProcessResult r, core::run_one_off_logged(paths, ctx.args));
  return r.success() ? 0 : 1;
}

extern const CommandSpec k_cmd_run{
    "run",
    "-- COMMAND...",
    "run a one-off command in a copy of the current release (a one-off dyno)",
    "As the app's user, with its config vars and .profile.d, in a throwaway copy of the current\n"
    "release: what it writes is gone afterwards. Output is streamed; slipway exits with the\n"
    "command's status. From a terminal (ssh -t too) the command gets the terminal, for\n"
    "consoles and shells. With --detach it runs in the background as run.N, its output and exit\n"
    "status in the app's log (slipway logs --ps run.N).",
    {k_app_option, {"detach", 0, nullptr, "run in the background; the output goes to the app's log"}},
    1,
    SIZE_MAX,
    run_run};

extern const CommandSpec k_cmd_run_background{
    "run:background",
    "-- COMMAND...",
    "what run --detach starts: a one-off command whose output goes to the app's log",
    "",
    {k_app_option},
    1,
    SIZE_MAX,
    run_background,
    true};

} // namespace slipway::cmd
