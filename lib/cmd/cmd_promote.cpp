// slipway pipelines:promote -a SOURCE --to TARGET[,TARGET...]
#include <cmd/command.hpp>
#include <core/ops/promote.hpp>
#include <util/strings.hpp>

namespace slipway::cmd {

static util::Result<int>
run_promote(Context& ctx)
{
  SW_TRY_ASSIGN(auto results,
                core::promote(ctx.root, ctx.get("app"), ctx.list("to"), wait_for_lock(ctx, false), *ctx.out));
  bool all = true;
  for (const auto& r : results) {
    ctx.out->line(r.target + ": " + (r.succeeded ? "succeeded (" + r.detail + ")" : "failed: " + r.detail));
    all = all && r.succeeded;
  }
  if (!all) {
    ctx.out->warn("Promotion to some apps failed");
  }
  return all ? 0 : 1;
}

extern const CommandSpec k_cmd_pipelines_promote{
    "pipelines:promote",
    "",
    "release the source app's current slug on other apps, with their own config",
    "Each target gets a new release, 'Promote SOURCE vN <commit>', whose release phase runs with\n"
    "the target's config and gates that target's switch. Exits 1 if any target failed.",
    {{"app", 'a', "APP", "the source app", true},
     {"to", 't', "APPS", "comma-separated target apps", true, true},
     k_wait_option},
    0,
    0,
    run_promote};

} // namespace slipway::cmd
