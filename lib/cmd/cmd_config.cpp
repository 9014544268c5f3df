// slipway config, config:get (read-only: bin/slipway answers them without the engine)
#include <api/shapes.hpp>
#include <cmd/command.hpp>
#include <cmd/release_view.hpp>
#include <core/app/config_vars.hpp>
#include <core/release/release_store.hpp>


namespace slipway::cmd {

static util::Result<int>
run_config(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(core::ConfigVars vars, core::visible_config(paths));
  if (ctx.has("json")) {
    ctx.out->line(api::config_json(vars));
  } else if (ctx.has("shell")) {
    print_shell_assignments(*ctx.out, vars);
  } else {
    ctx.out->line("=== " + paths.name() + " Config Vars");
    std::vector<std::vector<std::string>> rows;
    for (const auto& [k, v] : vars) {
      rows.push_back({k + ":", v});
    }
    print_columns(*ctx.out, rows);
  }
  return 0;
}

static util::Result<int>
run_get(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY(core::validate_config_key(ctx.args[0]));
  SW_TRY_ASSIGN(core::ConfigVars vars, core::visible_config(paths));
  auto it = vars.find(ctx.args[0]);
  if (it == vars.end()) {
    return util::error("config var '" + ctx.args[0] + "' is not set for " + paths.name());
  }
  ctx.out->line(it->second);
  return 0;
}

extern const CommandSpec k_cmd_config{
    "config",
    "",
    "show an app's config vars",
    "",
    {k_app_option,
     {"shell", 's', nullptr, "print KEY=value lines to source (values shell-quoted where needed)"},
     k_json_option},
    0,
    0,
    run_config};

extern const CommandSpec k_cmd_config_get{
    "config:get", "KEY", "print one config var's value", "Exits 1 if the var is not set.", {k_app_option}, 1, 1,
    run_get};

} // namespace slipway::cmd
