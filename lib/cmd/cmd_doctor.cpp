// slipway doctor [-a APP] [--fix]
#include <cmd/command.hpp>
#include <core/ops/apps.hpp>
#include <core/ops/doctor.hpp>
#include <core/app/settings.hpp>
#include <util/cgroup.hpp>

#include <unistd.h>

#include <fmt/format.h>

namespace slipway::cmd {

static util::Result<int>
run_doctor(Context& ctx)
{
  std::vector<std::string> names;
  if (ctx.has("app")) {
    names.push_back(ctx.get("app"));
  } else {
    SW_TRY_ASSIGN(names, core::list_apps(ctx.root));
  }
  size_t open = 0, fixed = 0;
  auto print = [&](const std::string& where, const core::Finding& f) {
    std::string tag = f.fixed ? "fixed" : (f.fixable ? "fixable" : "problem");
    ctx.out->line(where + ": " + tag + ": " + f.what);
    for (const auto& a : f.advice) {
      ctx.out->line("    " + a);
    }
    (f.fixed ? fixed : open) += 1;
  };
  if (!ctx.has("app")) {
    SW_TRY_ASSIGN(core::AppSettings server, core::load_server_settings(ctx.root));
    for (const auto& f :
         core::check_ssh_setup(ctx.root, server.ssh_user, ctx.get("sshd-config", "/etc/ssh/sshd_config"))) {
      print("ssh", f);
    }
    for (const auto& f : core::check_addons(ctx.root)) {
      print("addons", f);
    }
    // serve runs as root; as anyone else it has no cgroups to limit dynos with, and says so.
    if (std::string why = util::limit_problem(util::own_cgroup()); !why.empty() && ::geteuid() == 0) {
      print("dynos", {"dynos would run without memory and CPU limits: " + why, false, false,
                      {"boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1) and run serve from its systemd "
                       "unit (Delegate=yes), or mount the cgroup v1 memory and cpu hierarchies"}});
    }
  }
  for (const auto& name : names) {
    SW_TRY_ASSIGN(core::AppPaths paths, core::open_app(ctx.root, name));
    SW_TRY_ASSIGN(auto findings, core::check_app(paths, ctx.has("fix"), *ctx.out));
    for (const auto& f : findings) {
      print(name, f);
    }
  }
  ctx.out->line(fmt::format("{} apps checked: {} problems, {} fixed{}", names.size(), open, fixed,
                            open && !ctx.has("fix") ? " (run with --fix to repair what is safe)" : ""));
  return open ? 1 : 0;
}

extern const CommandSpec k_cmd_doctor{
    "doctor",
    "",
    "check a root (or one app) for broken links, records, modes, leftovers and corrupted slugs",
    "Exits 1 if problems remain. --fix repairs modes, leftovers and interrupted records, under\n"
    "the deploy lock; it never deletes releases or slugs. Without -a, once users exist, it also\n"
    "checks the SSH set-up (account, sshd config, sudo rule, key store) and prints what to add,\n"
    "and that each add-on provider answers and each add-on's database (or service) exists.",
    {k_app_option,
     {"fix", 0, nullptr, "repair what is safe to repair"},
     {"sshd-config", 0, "FILE", "the sshd config to check (default /etc/ssh/sshd_config)"}},
    0,
    0,
    run_doctor};

} // namespace slipway::cmd
