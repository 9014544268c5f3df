// slipway releases:retry, releases:cancel, releases:prune
#include <cmd/command.hpp>
#include <core/release/app_lock.hpp>
#include <core/release/cancel.hpp>
#include <core/release/retention.hpp>
#include <core/ops/retry.hpp>
#include <core/app/settings.hpp>
#include <util/identity.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

namespace slipway::cmd {

static util::Result<int>
run_retry(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  auto on_created = [&](const core::ReleaseRecord& r, unsigned long of) {
    ctx.out->line(fmt::format("Retrying v{} on {}... done, v{}", of, paths.name(), r.version));
  };
  SW_TRY_ASSIGN(core::ReleaseOutcome o, core::retry_release(paths, wait_for_lock(ctx, false), *ctx.out, on_created));
  return o.succeeded() ? 0 : 1;
}

static util::Result<int>
run_cancel(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(core::AppSettings s, core::load_settings(paths));
  std::string user = util::current_user();
  SW_TRY_ASSIGN(core::CancelOutcome o, core::cancel_release(paths, user, static_cast<double>(s.kill_grace) + 10));
  std::string v = core::version_name(o.version);
  if (o.finished) {
    ctx.out->line("Cancelled the release phase of " + v + " on " + paths.name() +
                  ": recorded as failed (cancelled by " + user + "); current is unchanged");
  } else {
    ctx.out->line("Cancelling the release phase of " + v + " on " + paths.name() +
                  ": stop signal sent; it is still shutting down (see 'slipway releases -a " + paths.name() + "')");
  }
  return 0;
}

static util::Result<int>
run_prune(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(core::AppSettings s, core::load_settings(paths));
  SW_TRY_ASSIGN(core::AppLock lock,
                core::AppLock::acquire(paths, "releases:prune", wait_for_lock(ctx, false), *ctx.out));
  SW_TRY_ASSIGN(core::PruneReport r, core::prune_releases(paths, s));
  if (r.expired.empty() && r.slugs.empty()) {
    ctx.out->line(fmt::format("Nothing to prune: {} keeps the slugs of its newest {} distinct builds", paths.name(),
                              s.retention));
    return 0;
  }
  std::vector<std::string> names;
  for (auto v : r.expired) {
    names.push_back(core::version_name(v));
  }
  ctx.out->line(fmt::format("Pruned {} releases{} and {} slugs; freed {}", r.expired.size(),
                            names.empty() ? std::string() : " (" + util::join(names, ", ") + ")", r.slugs.size(),
                            util::human_size(r.freed)));
  return 0;
}

extern const CommandSpec k_cmd_releases_retry{
    "releases:retry",
    "",
    "run the latest release's release phase again, as a new release",
    "The new release uses the latest release's slug and the app's current config.",
    {k_app_option, k_wait_option},
    0,
    0,
    run_retry};

extern const CommandSpec k_cmd_releases_cancel{
    "releases:cancel",
    "",
    "stop the release phase running now; the release fails and current stays",
    "Does not wait for the deploy lock: the deploy that runs the release phase holds it.",
    {k_app_option},
    0,
    0,
    run_cancel};

extern const CommandSpec k_cmd_releases_prune{
    "releases:prune",
    "",
    "remove old slugs and unpacked releases now (retention runs after each release)",
    "Keeps the newest 'retention' distinct slugs, the current release, the default rollback\n"
    "target and any release a running process uses. Pruned releases keep their records and\n"
    "logs and show as expired.",
    {k_app_option, k_wait_option},
    0,
    0,
    run_prune};

} // namespace slipway::cmd
