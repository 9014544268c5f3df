#include "releaser.hpp"

#include <archive/slug_unpack.hpp>
#include <core/addons/addons.hpp>
#include <core/app/app_log.hpp>
#include <core/app/app_user.hpp>
#include <core/access/audit.hpp>
#include <core/release/release_phase.hpp>
#include <core/release/release_store.hpp>
#include <core/release/retention.hpp>
#include <core/app/serve_notice.hpp>
#include <core/release/slug_index.hpp>
#include <util/clock.hpp>
#include <util/dir_walk.hpp>
#include <util/fault.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>
#include <util/process.hpp>
#include <util/strings.hpp>

#include <spdlog/spdlog.h>

#include <fmt/format.h>
#include <unistd.h>

namespace slipway::core {

namespace {

// Unpack into tmp/, then rename: a half-unpacked tree never has the final name.
util::Status
unpack_into(const AppPaths& paths, const std::string& tarball, const std::string& dest)
{
  std::string tmp = paths.unpacked_tree(::getpid());
  SW_TRY(util::make_dirs(paths.tmp(), 0750));
  SW_TRY(util::remove_tree(tmp));
  auto unpacked = archive::unpack_slug(tarball, tmp);
  if (!unpacked) {
    (void)util::remove_tree(tmp);
    return unpacked;
  }
  if (::rename(tmp.c_str(), dest.c_str()) != 0) {
    return util::error(util::errno_message("cannot move unpacked slug to", dest));
  }
  return {};
}

} // namespace

util::Status
place_tree(const ReleaseStore& store, const SlugRecord& slug, unsigned long version, const std::string& prepared)
{
  std::string dest = store.dir(version) + "/" + ReleaseFiles::app;
  if (!prepared.empty() && ::rename(prepared.c_str(), dest.c_str()) == 0) {
    return {};
  }
  // Another release of the same slug (the index lists them) already has the tree: link to
  // the release that owns it, so that links never chain. A tree that is neither a directory
  // nor such a link is never shared (doctor reports it).
  auto index = SlugIndex::load(store.paths());
  const SlugIndex::Entry* uses = index ? index->entry_of_slug(slug.id) : nullptr;
  std::vector<unsigned long> others = uses ? uses->releases : std::vector<unsigned long>{};
  for (auto it = others.rbegin(); it != others.rend(); ++it) {
    auto owner = *it == version ? std::nullopt : store.tree_owner(*it);
    if (owner && util::replace_symlink(fmt::format("../v{}/{}", *owner, ReleaseFiles::app), dest)) {
      return {};
    }
  }
  return unpack_into(store.paths(), SlugStore(store.paths()).tarball(slug), dest);
}

namespace {

void
run_post_release_hook(const AppPaths& paths,
                      const AppSettings& settings,
                      unsigned long v,
                      std::optional<unsigned long> previous,
                      util::Output& out)
{
  std::string hook = paths.hooks() + "/post-release";
  if (::access(hook.c_str(), X_OK) != 0) {
    return;
  }
  out.step("Running post-release hook");
  util::ProcessSpec spec;
  spec.argv = {hook};
  spec.cwd = paths.dir();
  spec.timeout_seconds = static_cast<double>(settings.release_timeout);
  spec.kill_grace_seconds = static_cast<double>(settings.kill_grace);
  spec.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
              "SLIPWAY_ROOT=" + paths.root(),
              "SLIPWAY_APP=" + paths.name(),
              "SLIPWAY_RELEASE=" + version_name(v),
              "SLIPWAY_RELEASE_DIR=" + paths.release(v),
              "SLIPWAY_PREVIOUS_RELEASE=" + (previous ? version_name(*previous) : std::string())};
  auto r = util::run_process(spec, [&](std::string_view line) { out.detail(line); });
  if (!r) {
    out.warn("post-release hook could not run: " + r.error().message + "; " + version_name(v) + " stays current");
  } else if (!r->success()) {
    out.warn("post-release hook " + r->describe(spec.timeout_seconds) + "; " + version_name(v) + " stays current");
  }
}

std::string
cancelled_by(const std::string& release_dir)
{
  auto who = util::read_file(release_dir + "/" + ReleaseFiles::cancel);
  return who ? std::string(util::trim(*who)) : std::string();
}

} // namespace

util::Result<ReleaseOutcome>
create_release(const AppPaths& paths, const AppSettings& settings, const ReleaseRequest& req, util::Output& out)
{
  ReleaseStore store(paths);
  SlugStore slugs(paths);
  ReleaseOutcome outcome;
  outcome.previous = store.current();

  ReleaseRecord draft;
  draft.description = req.description;
  draft.user = util::current_user();
  draft.commit = req.commit;
  draft.slug_id = req.slug.id;
  draft.slug_sha256 = req.slug.sha256;
  draft.slug_size = req.slug.size;
  draft.process_types = req.slug.process_types;
  draft.release_command = req.slug.release_command();
  draft.release_phase_skipped = req.skip_release_phase && !draft.release_command.empty();
  ConfigVars config = req.config;
  SW_TRY(overlay_addon_vars(paths.root(), paths.name(), config));
  SW_TRY_ASSIGN(ReleaseRecord rec, store.create(draft, config));
  util::fault_point("after-record-created");
  if (req.on_created) {
    req.on_created(rec);
  }
  const std::string dir = store.dir(rec.version);
  const std::string v = version_name(rec.version);
  std::string was =
      outcome.previous ? version_name(*outcome.previous) + " is still current" : "no release is current yet";

  auto finish_failed = [&](const std::string& why) -> util::Result<ReleaseOutcome> {
    rec.status = ReleaseStatus::failed;
    rec.failure = why;
    rec.finished_at = util::now_iso8601();
    SW_TRY(store.save(rec));
    out.warn("Release " + v + " failed: " + why + "; " + was + " (slipway releases:output " + v + " -a " +
             paths.name() + ")");
    log_event(paths, settings, fmt::format("Release {} by {} failed: {}", v, rec.user, why));
    audit(paths.root(), paths.name(), fmt::format("Release {} failed ({}): {}", v, rec.description, why));
    outcome.record = rec;
    return outcome;
  };

  out.step("Launching " + v + "...");
  auto placed = place_tree(store, req.slug, rec.version, req.prepared_tree);
  if (!placed) {
    return finish_failed("cannot unpack slug: " + placed.error().message);
  }
  spdlog::info("{}: live tree in place", v);

  if (rec.release_phase_skipped) {
    out.step("Release command not run: an add-on changed its own config vars");
  } else if (!rec.release_command.empty()) {
    out.warn("Release command declared: this new release will not be available until the command succeeds.");
    out.step("Running release command: " + rec.release_command);
    ReleasePhaseInput in;
    in.paths = &paths;
    in.version = rec.version;
    in.tree = dir + "/" + ReleaseFiles::app;
    in.tarball = slugs.tarball(req.slug);
    auto user = app_user(paths.name());
    if (!user) {
      return finish_failed(user.error().message);
    }
    in.user = *user;
    in.command = rec.release_command;
    in.config = config;
    in.timeout = static_cast<double>(settings.release_timeout);
    in.kill_grace = static_cast<double>(settings.kill_grace);
    in.max_processes = settings.process_limit;
    in.log_path = dir + "/" + ReleaseFiles::log;
    in.runner_path = dir + "/" + ReleaseFiles::runner;
    double started = util::monotonic_seconds();
    AppLogs logs(paths.root(), settings.log_size, static_cast<unsigned>(settings.log_keep));
    AppLogOutput to_log(logs, paths.name(), "app[release.1]");
    util::TeeOutput both(out, to_log);
    util::FaultOnLine phase_out(both, "during-release-phase");
    auto result = run_release_phase(in, phase_out);
    rec.duration = util::monotonic_seconds() - started;
    if (!result) {
      return finish_failed(result.error().message);
    }
    rec.exit_status = result->signal == 0 && !result->timed_out ? result->exit_code : -1;
    util::fault_point("after-release-command");
    if (result->cancelled) {
      std::string who = cancelled_by(dir);
      return finish_failed("cancelled by " + (who.empty() ? std::string("another process") : who));
    }
    if (!result->success()) {
      return finish_failed("release command " + result->describe(in.timeout));
    }
    out.step(fmt::format("Release command succeeded in {}s", static_cast<long>(rec.duration + 0.5)));
    SW_TRY(store.save(rec));
  }

  spdlog::info("{}: release phase done", v);
  util::fault_point("before-switch");
  SW_TRY(store.switch_current(rec.version));
  util::fault_point("after-switch");
  // The app's env (where the next change starts) before the record says succeeded: a crash
  // between the switch and here leaves the record pending, and recover_interrupted writes the
  // env from this release. Readers see current's config (visible_config), switched above.
  SW_TRY(save_env(paths.config_file(), config));
  rec.status = ReleaseStatus::succeeded;
  rec.finished_at = util::now_iso8601();
  SW_TRY(store.save(rec));
  // The gate: only now, with the release phase passed and current switched, may its dynos start.
  notify_serve(paths.root(), paths.name());
  out.step("Released " + v);
  log_event(paths, settings, fmt::format("Release {} created by {}: {}", v, rec.user, rec.description));
  audit(paths.root(), paths.name(), fmt::format("Release {} created: {}", v, rec.description));
  out.detail("current -> releases/" + v +
             (outcome.previous ? " (was " + version_name(*outcome.previous) + ")" : std::string()));
  spdlog::info("{}: switched", v);
  run_post_release_hook(paths, settings, rec.version, outcome.previous, out);

  auto pruned = prune_releases(paths, settings);
  if (!pruned) {
    out.warn("pruning old releases failed: " + pruned.error().message + "; the deploy is not affected");
  } else if (!pruned->expired.empty() || !pruned->slugs.empty()) {
    out.detail(fmt::format("Pruned {} old release trees and {} slugs ({})", pruned->expired.size(),
                           pruned->slugs.size(), util::human_size(pruned->freed)));
  }
  outcome.record = rec;
  return outcome;
}

} // namespace slipway::core
