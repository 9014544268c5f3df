// slipway apps (read-only: bin/slipway answers it without the engine)
#include <cmd/command.hpp>
#include <core/app/app_lookup.hpp>

namespace slipway::cmd {

static util::Result<int>
run_apps(Context& ctx)
{
  SW_TRY_ASSIGN(auto apps, core::list_apps(ctx.root));
  ctx.out->line("=== Apps");
  for (const auto& a : apps) {
    ctx.out->line(a);
  }
  return 0;
}

extern const CommandSpec k_cmd_apps{"apps", "", "list apps", "", {}, 0, 0, run_apps};

} // namespace slipway::cmd
