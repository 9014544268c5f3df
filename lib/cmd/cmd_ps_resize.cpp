// slipway ps:resize [TYPE=SIZE...]
#include <api/shapes.hpp>
#include <cmd/command.hpp>
#include <core/run/formation.hpp>


#include <fmt/format.h>

namespace slipway::cmd {

static util::Result<int>
run_resize(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(auto sizes, core::resize(paths, ctx.args, wait_for_lock(ctx, false), *ctx.out));
  if (ctx.has("json")) {
    ctx.out->line(api::sizes_json(paths.name(), sizes));
    return 0;
  }
  for (const auto& [type, size] : sizes) {
    ctx.out->line(fmt::format("{}: {} ({} MB, CPU share {}x)", type, size.name, size.memory >> 20, size.cpu_share));
  }
  if (!ctx.args.empty()) {
    ctx.out->line("Resized dynos on " + paths.name() + "; the resized types restart");
  }
  return 0;
}

extern const CommandSpec k_cmd_ps_resize{
    "ps:resize",
    "[TYPE=SIZE...]",
    "set the dyno size (memory and CPU share) of process types; without arguments, show them",
    "SIZE is one of eco, basic, standard-1X (512 MB, CPU share 1x), standard-2X (1 GB, 2x),\n"
    "performance-M (2.5 GB, 12x), performance-L (14 GB, 50x), in any letter case. A dyno above\n"
    "its size's memory is told so in its log (Error R14); at twice it the kernel kills it, and\n"
    "it restarts (Error R15). Types not resized run at the app's dyno_size setting.",
    {k_app_option, k_wait_option, k_json_option},
    0,
    SIZE_MAX,
    run_resize};

} // namespace slipway::cmd
