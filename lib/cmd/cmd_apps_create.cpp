// slipway apps:create, apps:destroy
#include <cmd/command.hpp>
#include <core/ops/apps.hpp>

namespace slipway::cmd {

static util::Result<int>
run_create(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, core::create_app(ctx.root, ctx.args[0]));
  ctx.out->line("Creating " + paths.name() + "... done");
  ctx.out->line("Git remote: " + paths.repo());
  ctx.out->line("Add it with: git remote add deploy " + paths.repo());
  return 0;
}

static util::Result<int>
run_destroy(Context& ctx)
{
  const std::string& name = ctx.args[0];
  if (ctx.get("confirm") != name) {
    return util::error("destroying '" + name +
                           "' deletes its releases, slugs, config and repository; to proceed, "
                           "run again with --confirm " +
                           name,
                       2);
  }
  SW_TRY_ASSIGN(core::AppPaths paths, core::open_app(ctx.root, name));
  SW_TRY(core::destroy_app(paths, ctx.has("destroy-addons"), *ctx.out));
  ctx.out->line("Destroying " + name + " (including all releases)... done");
  return 0;
}

extern const CommandSpec k_cmd_apps_create{
    "apps:create",
    "APP",
    "create an app and print the git remote to push to",
    "APP: a lowercase letter, then lowercase letters, digits and dashes; 30 characters at most.",
    {},
    1,
    1,
    run_create};

extern const CommandSpec k_cmd_apps_destroy{"apps:destroy",
                                            "APP",
                                            "delete an app with all its releases, slugs, config and repository",
                                            "",
                                            {{"confirm", 0, "APP", "the app's name again, to confirm"},
                                             {"destroy-addons", 0, nullptr,
                                              "also destroy its add-ons (their data too); without it, an app with "
                                              "add-ons is not destroyed"}},
                                            1,
                                            1,
                                            run_destroy};

} // namespace slipway::cmd
