// slipway apps:info
#include <api/shapes.hpp>
#include <cmd/command.hpp>
#include <cmd/release_view.hpp>
#include <core/release/release_store.hpp>
#include <core/app/settings.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>


#include <fmt/format.h>

namespace slipway::cmd {

static util::Result<int>
run_info(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(core::AppSettings s, core::load_settings(paths));
  core::ReleaseStore store(paths);
  SW_TRY_ASSIGN(auto versions, store.versions());
  auto cur = store.current();
  core::ReleaseRecord r;
  if (cur) {
    SW_TRY_ASSIGN(r, store.load(*cur));
  }
  unsigned long long disk = util::disk_usage(paths.dir());
  if (ctx.has("json")) {
    ctx.out->line(api::app_info_json(paths, {cur, r, s.deploy_branch_label(), versions.size(), disk}));
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {
      {"Current release:", cur ? fmt::format("v{} ({})", *cur, r.description) : "(none)"},
      {"Commit:", r.commit.empty() ? "(none)" : r.commit},
      {"Slug size:", cur ? util::human_size(r.slug_size) : "(none)"},
      {"Process types:", cur ? core::type_list(r.process_types) : "(none)"},
      {"Deploy branch:", s.deploy_branch_label()},
      {"Releases:", std::to_string(versions.size())},
      {"Disk used:", util::human_size(disk)},
      {"Git remote:", paths.repo()},
  };
  ctx.out->line("=== " + paths.name());
  print_columns(*ctx.out, rows);
  return 0;
}

extern const CommandSpec k_cmd_apps_info{"apps:info",
                                         "",
                                         "show an app's current release, commit, slug, process types and disk use",
                                         "",
                                         {k_app_option, k_json_option},
                                         0,
                                         0,
                                         run_info};

} // namespace slipway::cmd
