// slipway domains, domains:add, domains:remove: the host names the router sends to an app.
#include <cmd/command.hpp>
#include <core/run/router.hpp>
#include <core/app/serve_notice.hpp>
#include <core/app/settings.hpp>

namespace slipway::cmd {

static util::Result<int>
run_domains(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(core::AppSettings server, core::load_server_settings(ctx.root));
  SW_TRY_ASSIGN(auto domains, core::load_domains(paths));
  ctx.out->line("=== " + paths.name() + " Domains");
  ctx.out->line(paths.name() + "." + server.domain);
  for (const auto& d : domains) {
    ctx.out->line(d);
  }
  return 0;
}

static util::Result<int>
run_add(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(core::AppSettings server, core::load_server_settings(ctx.root));
  SW_TRY(core::add_domain(paths, ctx.args[0], server.domain));
  core::notify_serve(ctx.root, paths.name());
  ctx.out->line("Adding " + ctx.args[0] + " to " + paths.name() + "... done");
  return 0;
}

static util::Result<int>
run_remove(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY(core::remove_domain(paths, ctx.args[0]));
  core::notify_serve(ctx.root, paths.name());
  ctx.out->line("Removing " + ctx.args[0] + " from " + paths.name() + "... done");
  return 0;
}

extern const CommandSpec k_cmd_domains{
    "domains", "", "list the host names the router sends to the app", "", {k_app_option}, 0, 0, run_domains};

extern const CommandSpec k_cmd_domains_add{"domains:add",
                                           "HOST",
                                           "send HOST's web traffic to the app",
                                           "HOST: lowercase letters, digits, dashes and dots; not another app's.",
                                           {k_app_option},
                                           1,
                                           1,
                                           run_add};

extern const CommandSpec k_cmd_domains_remove{
    "domains:remove", "HOST", "stop sending HOST's traffic to the app", "", {k_app_option}, 1, 1, run_remove};

} // namespace slipway::cmd
