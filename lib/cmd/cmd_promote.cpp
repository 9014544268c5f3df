// slipway pipelines:promote -a SOURCE --to TARGET[,TARGET...]
#include <cmd/command.hpp>
#include <core/promote.hpp>
#include <util/strings.hpp>

namespace slipway::cmd {

static util::Result<int>
run_promote(Context& ctx)
{
  if (!ctx.has("app") || !ctx.has("to") || ctx.get("to").empty()) {
    return util::error("name the source with -a APP and the targets with --to APP[,APP...]", 2);
  }
  std::vector<std::string> targets;
  for (const auto& t : util::split(ctx.get("to"), ',')) {
    if (!std::string(util::trim(t)).empty()) {
      targets.emplace_back(util::trim(t));
    }
  }
  SW_TRY_ASSIGN(auto results, core::promote(ctx.root, ctx.get("app"), targets, wait_for_lock(ctx, false), *ctx.out));
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
    {k_app_option, {"to", 't', "APPS", "comma-separated target apps"}, k_wait_option},
    0,
    0,
    run_promote};

} // namespace slipway::cmd
