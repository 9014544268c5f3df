// slipway access, access:add, access:remove: who may use an app, and how (core/access/users.hpp).
#include <cmd/command.hpp>
#include <core/access/users.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

namespace slipway::cmd {

static util::Result<int>
run_access(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(core::Access access, core::load_access(paths));
  for (const auto& [user, role] : access) {
    ctx.out->line(fmt::format("{:<20} {}", user, core::role_name(role)));
  }
  return 0;
}

static util::Result<int>
run_access_add(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(core::Role role, core::parse_role(ctx.get("role", "deployer")));
  SW_TRY_ASSIGN(core::User user, core::UserStore(ctx.root).load(ctx.args[0]));
  SW_TRY(core::grant_access(paths, user.name, role));
  ctx.out->line("Giving " + user.name + " " + core::role_name(role) + " access to " + paths.name() + "... done");
  return 0;
}

static util::Result<int>
run_access_remove(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY(core::revoke_access(paths, ctx.args[0]));
  ctx.out->line("Removing " + ctx.args[0] + "'s access to " + paths.name() + "... done");
  return 0;
}

extern const CommandSpec k_cmd_access{"access", "",        "list who may use the app, and how", "", {k_app_option}, 0,
                                      0,        run_access};

extern const CommandSpec k_cmd_access_add{
    "access:add",
    "USER",
    "let USER use the app: deployer (default) or viewer",
    "A deployer may push, change config, roll back and scale; a viewer may read releases, their\n"
    "output and logs. Admins may do everything anyway.",
    {k_app_option, {"role", 0, "ROLE", "deployer, viewer or owner"}},
    1,
    1,
    run_access_add};

extern const CommandSpec k_cmd_access_remove{
    "access:remove", "USER", "take USER's access to the app away", "", {k_app_option}, 1, 1, run_access_remove};

} // namespace slipway::cmd
