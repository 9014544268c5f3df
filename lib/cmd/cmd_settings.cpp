// slipway settings, settings:set KEY=VALUE...
#include <cmd/command.hpp>
#include <cmd/release_view.hpp>
#include <core/release/app_lock.hpp>
#include <core/app/settings.hpp>
#include <util/strings.hpp>

namespace slipway::cmd {

static const OptionSpec k_server_option{"server", 0, nullptr,
                                        "the server's settings: defaults for every app, and server-only keys"};

static util::Result<int>
run_settings(Context& ctx)
{
  bool server = ctx.has("server");
  core::AppSettings s;
  if (server) {
    SW_TRY_ASSIGN(s, core::load_server_settings(ctx.root));
    ctx.out->line("=== Server Settings");
  } else {
    SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
    SW_TRY_ASSIGN(s, core::load_settings(paths));
    ctx.out->line("=== " + paths.name() + " Settings");
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& info : core::describe_settings(s, server)) {
    rows.push_back({info.key + ":", info.value.empty() ? "(default)" : info.value, "# " + info.help});
  }
  print_columns(*ctx.out, rows);
  return 0;
}

// KEY=VALUE arguments applied to `s`.
static util::Status
apply_args(const Context& ctx, core::AppSettings& s, bool server)
{
  for (const auto& arg : ctx.args) {
    auto eq = arg.find('=');
    if (eq == std::string::npos) {
      return util::error("expected KEY=VALUE, not '" + util::printable(arg) + "'", 2);
    }
    SW_TRY(core::set_setting_in(s, arg.substr(0, eq), arg.substr(eq + 1), server));
  }
  return {};
}

static util::Status
set_app_settings(const Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(core::AppLock lock, core::AppLock::acquire(paths, "settings:set", wait_for_lock(ctx, false), *ctx.out));
  SW_TRY_ASSIGN(core::AppSettings s, core::load_settings(paths));
  SW_TRY(apply_args(ctx, s, false));
  return core::save_settings(paths, s);
}

static util::Status
set_server_settings(const Context& ctx)
{
  SW_TRY_ASSIGN(core::AppSettings s, core::load_server_settings(ctx.root));
  SW_TRY(apply_args(ctx, s, true));
  return core::save_server_settings(ctx.root, s);
}

static util::Result<int>
run_set(Context& ctx)
{
  SW_TRY(ctx.has("server") ? set_server_settings(ctx) : set_app_settings(ctx));
  for (const auto& arg : ctx.args) {
    ctx.out->line(arg);
  }
  return 0;
}

extern const CommandSpec k_cmd_settings{
    "settings", "", "show an app's settings (or --server's)", "", {k_app_option, k_server_option}, 0, 0, run_settings};

extern const CommandSpec k_cmd_settings_set{
    "settings:set",
    "KEY=VALUE...",
    "change an app's settings (see 'slipway settings' for the keys)",
    "With --server, the server's: defaults for every app that does not set the key "
    "itself, and the server-only keys (buildpack_dirs, buildpack_fetch_timeout, buildpack_fetch_size).",
    {k_app_option, k_wait_option, k_server_option},
    1,
    SIZE_MAX,
    run_set};

} // namespace slipway::cmd
