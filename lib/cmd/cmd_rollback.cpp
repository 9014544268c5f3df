// slipway rollback [vN]
#include <cmd/command.hpp>
#include <core/release/release_store.hpp>
#include <core/ops/rollback.hpp>

#include <fmt/format.h>

namespace slipway::cmd {

static util::Result<int>
run_rollback(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  std::optional<unsigned long> target;
  if (!ctx.args.empty()) {
    SW_TRY_ASSIGN(target, core::parse_version(ctx.args[0]));
  }
  auto on_created = [&](const core::ReleaseRecord& r, unsigned long to, unsigned long previous) {
    ctx.out->line(fmt::format("Rolling back {} to v{}... done, v{}", paths.name(), to, r.version));
    ctx.out->line("Rollback affects code and config vars; it does not undo database migrations or other state.");
    ctx.out->line(fmt::format("To undo, run: slipway rollback v{} -a {}", previous, paths.name()));
  };
  SW_TRY_ASSIGN(core::ReleaseOutcome o, core::rollback(paths, target, wait_for_lock(ctx, false), *ctx.out, on_created));
  return o.succeeded() ? 0 : 1;
}

extern const CommandSpec k_cmd_rollback{
    "rollback",
    "[vN]",
    "roll back to an earlier release (a new release with its slug and config)",
    "Without vN: the newest succeeded release before the current one. The old slug's release\n"
    "command runs and must succeed before the rollback goes live. Failed, pending and expired\n"
    "releases cannot be rolled back to.",
    {k_app_option, k_wait_option},
    0,
    1,
    run_rollback};

} // namespace slipway::cmd
