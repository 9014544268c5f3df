// slipway releases: the release list, newest first, in Heroku's layout.
#include <api/shapes.hpp>
#include <cmd/release_view.hpp>
#include <util/clock.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

namespace slipway::cmd {

static util::Result<int>
run_releases(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  core::ReleaseStore store(paths);
  unsigned long long n = 15;
  if (ctx.has("num") && (!util::parse_uint(ctx.get("num"), n) || n == 0)) {
    return util::error("-n takes a positive number, not '" + util::printable(ctx.get("num")) + "'", 2);
  }
  // Newest first, from the latest version down: no listing of thousands of releases.
  SW_TRY_ASSIGN(unsigned long latest, store.latest());
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> broken;
  std::vector<core::ReleaseRecord> shown;
  for (unsigned long v = latest; v > 0 && rows.size() < n; --v) {
    if (!util::is_directory(store.dir(v))) {
      continue;
    }
    auto r = store.load(v);
    if (!r) {
      rows.push_back({core::version_name(v), "(unreadable record)", "?", "?"});
      broken.push_back(r.error().message);
      continue;
    }
    rows.push_back({core::version_name(r->version), change_text(*r), r->user, util::display_time(r->created_at)});
    shown.push_back(*r);
  }
  if (ctx.has("json")) {
    ctx.out->line(api::releases_json(shown, paths.name()));
  } else {
    auto cur = store.current();
    ctx.out->line("=== " + paths.name() + " Releases" +
                  (cur ? " - Current: " + core::version_name(*cur) : std::string()));
    if (rows.empty()) {
      ctx.out->line("No releases yet: push to deploy (git push deploy main)");
    }
    print_columns(*ctx.out, rows);
  }
  for (const auto& b : broken) {
    ctx.out->warn("broken release record: " + b + "; see 'slipway releases:info' or repair the file");
  }
  return 0;
}

extern const CommandSpec k_cmd_releases{
    "releases",
    "",
    "list an app's releases, newest first",
    "Each line: version, what changed (with 'release command executing' or 'release command failed'\n"
    "when the release phase runs or failed), who made it, and when.",
    {k_app_option, {"num", 'n', "N", "how many releases to show (default 15)"}, k_json_option},
    0,
    0,
    run_releases};

} // namespace slipway::cmd
