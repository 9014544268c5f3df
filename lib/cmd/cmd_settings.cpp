// slipway settings, settings:set KEY=VALUE...
#include <cmd/command.hpp>
#include <cmd/release_view.hpp>
#include <core/app_lock.hpp>
#include <core/settings.hpp>
#include <util/strings.hpp>

namespace slipway::cmd {

static util::Result<int>
run_settings(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(core::AppSettings s, core::load_settings(paths.settings()));
  ctx.out->line("=== " + paths.name() + " Settings");
  std::vector<std::vector<std::string>> rows;
  for (const auto& info : core::describe_settings(s)) {
    rows.push_back({info.key + ":", info.value.empty() ? "(default)" : info.value, "# " + info.help});
  }
  print_columns(*ctx.out, rows);
  return 0;
}

static util::Result<int>
run_set(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(core::AppSettings s, core::load_settings(paths.settings()));
  SW_TRY_ASSIGN(core::AppLock lock, core::AppLock::acquire(paths, "settings:set", wait_for_lock(ctx, false), *ctx.out));
  SW_TRY_ASSIGN(s, core::load_settings(paths.settings()));
  for (const auto& arg : ctx.args) {
    auto eq = arg.find('=');
    if (eq == std::string::npos) {
      return util::error("expected KEY=VALUE, not '" + util::printable(arg) + "'", 2);
    }
    SW_TRY(core::set_setting(s, arg.substr(0, eq), arg.substr(eq + 1)));
  }
  SW_TRY(core::save_settings(paths.settings(), s));
  for (const auto& arg : ctx.args) {
    ctx.out->line(arg);
  }
  return 0;
}

extern const CommandSpec k_cmd_settings{"settings", "",          "show an app's settings", "", {k_app_option}, 0,
                                        0,          run_settings};

extern const CommandSpec k_cmd_settings_set{"settings:set",
                                            "KEY=VALUE...",
                                            "change an app's settings (see 'slipway settings' for the keys)",
                                            "",
                                            {k_app_option, k_wait_option},
                                            1,
                                            SIZE_MAX,
                                            run_set};

} // namespace slipway::cmd
