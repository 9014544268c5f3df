// slipway ps:scale [TYPE=N...]
#include <api/shapes.hpp>
#include <cmd/command.hpp>
#include <core/run/formation.hpp>


#include <fmt/format.h>

namespace slipway::cmd {

static util::Result<int>
run_scale(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(core::Formation f, core::scale(paths, ctx.args, wait_for_lock(ctx, false), *ctx.out));
  if (ctx.has("json")) {
    ctx.out->line(api::formation_json(paths.name(), f));
  } else if (ctx.args.empty()) {
    ctx.out->line(core::formation_text(f));
  } else {
    ctx.out->line(fmt::format("Scaling dynos on {}... done, now {}", paths.name(), core::formation_text(f)));
  }
  return 0;
}

extern const CommandSpec k_cmd_ps_scale{
    "ps:scale",
    "[TYPE=N...]",
    "set how many dynos of each process type the app runs; without arguments, show it",
    "TYPE is a process type of the current release (not 'release'); N from 0 to the app's\n"
    "dyno_limit setting. Until an app is scaled it runs one web dyno, if it has a web type.",
    {k_app_option, k_wait_option, k_json_option},
    0,
    SIZE_MAX,
    run_scale};

} // namespace slipway::cmd
