// slipway run -a APP -- COMMAND...: a one-off dyno (core/one_off.hpp).
#include <cmd/command.hpp>
#include <core/one_off.hpp>

namespace slipway::cmd {

static util::Result<int>
run_run(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(util::ProcessResult r, core::run_one_off(paths, ctx.args, *ctx.out));
  if (!r.started()) {
    return util::error("the command " + r.describe());
  }
  // As a shell does: the command's status, or 128 + the signal that killed it.
  return r.signal ? 128 + r.signal : r.exit_code;
}

extern const CommandSpec k_cmd_run{
    "run",
    "-- COMMAND...",
    "run a one-off command in a copy of the current release (a one-off dyno)",
    "As the app's user, with its config vars and .profile.d, in a throwaway copy of the current\n"
    "release: what it writes is gone afterwards. Output is streamed; slipway exits with the\n"
    "command's status.",
    {k_app_option},
    1,
    SIZE_MAX,
    run_run};

} // namespace slipway::cmd
