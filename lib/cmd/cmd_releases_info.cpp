// slipway releases:info [vN]: one release in full, with its config vars.
#include <api/shapes.hpp>
#include <cmd/release_view.hpp>
#include <core/slug/slug_store.hpp>
#include <util/clock.hpp>
#include <util/strings.hpp>

namespace slipway::cmd {

static util::Result<int>
run_info(Context& ctx)
{
  SW_TRY_ASSIGN(ChosenRelease chosen, release_argument(ctx));
  auto& [store, r] = chosen;
  SW_TRY_ASSIGN(core::ConfigVars config, store.config_of(r.version));
  if (ctx.has("shell")) {
    print_shell_assignments(*ctx.out, config);
    return 0;
  }
  if (ctx.has("json")) {
    ctx.out->line(api::release_info_json(r, store.paths().name(), config));
    return 0;
  }
  auto status = r.effective_status();
  std::vector<std::vector<std::string>> rows = {
      {"By:", r.user},
      {"Change:", change_text(r)},
      {"Commit:", r.commit.empty() ? "(none)" : r.commit},
      {"Current:", r.current ? "Yes" : "No"},
      {"Eligible for Rollback?:", status == core::ReleaseStatus::succeeded && !r.current ? "Yes" : "No"},
      {"Process types:", core::type_list(r.process_types)},
      {"Release command:", r.release_command.empty() ? "(none)" : r.release_command},
      {"Slug:", r.slug_id + " (" + util::human_size(r.slug_size) + ", sha256 " + r.slug_sha256 + ")"},
      {"Status:", core::to_string(status) + (r.interrupted ? " (interrupted)" : "")},
      {"When:", r.created_at},
  };
  if (!r.release_command.empty() && r.status != core::ReleaseStatus::pending) {
    rows.push_back({"Exit status:", r.exit_status >= 0 ? std::to_string(r.exit_status) : "(did not exit)"});
    rows.push_back({"Duration:", std::to_string(static_cast<long>(r.duration + 0.5)) + "s"});
  }
  if (!r.failure.empty()) {
    rows.push_back({"Failure:", r.failure});
  }
  ctx.out->line("=== Release " + core::version_name(r.version));
  print_columns(*ctx.out, rows);
  ctx.out->line("");
  ctx.out->line("=== " + core::version_name(r.version) + " Config vars");
  ctx.out->line("");
  std::vector<std::vector<std::string>> vars;
  for (const auto& [k, val] : config) {
    vars.push_back({k + ":", val});
  }
  print_columns(*ctx.out, vars);
  return 0;
}

extern const CommandSpec k_cmd_releases_info{
    "releases:info",
    "[vN]",
    "show one release (default: the newest) and its config vars",
    "",
    {k_app_option, {"shell", 's', nullptr, "print only the config vars, as KEY=value lines to source"}, k_json_option},
    0,
    1,
    run_info};

} // namespace slipway::cmd
