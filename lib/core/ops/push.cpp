#include "push.hpp"

#include <core/release/app_lock.hpp>
#include <core/build/build_key.hpp>
#include <core/app/config_vars.hpp>
#include <core/release/release_store.hpp>
#include <core/release/releaser.hpp>
#include <core/run/serve.hpp>
#include <core/app/settings.hpp>
#include <core/build/slug_builder.hpp>
#include <git/ref_update.hpp>
#include <git/repository.hpp>
#include <util/clock.hpp>
#include <util/file_output.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

#include <ctime>

namespace slipway::core {

namespace {

util::Result<BuildResult>
reuse_slug(const AppPaths& paths, const std::string& id, util::Output& out)
{
  SW_TRY_ASSIGN(SlugRecord slug, SlugStore(paths).load(id));
  out.step("Reusing slug " + slug.id + ": this tree was built before with the same buildpacks and config");
  return BuildResult{slug, ""};
}

// The push's buildpacks, resolved once; then the slug an identical build (same tree,
// buildpacks and config) made before, or a new build, remembered under its key.
util::Result<BuildResult>
build_or_reuse(const AppPaths& paths,
               const AppSettings& settings,
               git_repository* repo,
               const git::CommitInfo& commit,
               const ConfigVars& config,
               util::Output& out)
{
  SW_TRY_ASSIGN(auto dot_buildpacks, git::read_tree_file(repo, commit.tree_id, ".buildpacks"));
  SW_TRY_ASSIGN(BuildpackPlan buildpacks, plan_buildpacks(paths, settings, config, dot_buildpacks, out));
  SW_TRY_ASSIGN(std::string key, build_key(settings, commit, config, buildpacks));
  if (auto reused = slug_for_key(paths, key)) {
    return reuse_slug(paths, *reused, out);
  }
  SW_TRY_ASSIGN(BuildResult built, build_slug({paths, settings, repo, commit, config, buildpacks}, out));
  (void)remember_key(paths, key, built.slug.id);
  return built;
}

std::string
build_log_name(const std::string& commit)
{
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf) + "-" + commit.substr(0, 8) + ".log";
}

} // namespace

std::optional<std::string>
RefUpdate::branch() const
{
  constexpr std::string_view heads = "refs/heads/";
  if (!ref.starts_with(heads)) {
    return std::nullopt;
  }
  return ref.substr(heads.size());
}

util::Result<std::vector<RefUpdate>>
parse_hook_input(const std::string& text)
{
  std::vector<RefUpdate> out;
  auto lines = util::split(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      continue;
    }
    auto parts = util::split(lines[i], ' ');
    if (parts.size() != 3 || !git::is_oid_hex(parts[0]) || !git::is_oid_hex(parts[1]) || parts[2].empty() ||
        !parts[2].starts_with("refs/")) {
      return util::error(fmt::format("hook input:{}: expected '<old-sha> <new-sha> <ref>'", i + 1));
    }
    out.push_back({parts[0], parts[1], parts[2]});
  }
  return out;
}

util::Result<bool>
handle_push(const AppPaths& paths, HookKind kind, const std::vector<RefUpdate>& updates, util::Output& out)
{
  SW_TRY_ASSIGN(AppSettings settings, load_settings(paths));
  if ((kind == HookKind::pre_receive) != settings.strict) {
    return true;
  }
  const RefUpdate* deploy = nullptr;
  for (const auto& u : updates) {
    auto name = u.branch();
    if (!name || !settings.deploys_branch(*name)) {
      out.step("Not deploying " + util::printable(u.ref) + ": only pushes to " + settings.deploy_branch_label() +
               " deploy (slipway settings:set deploy_branch=NAME -a " + paths.name() + " to change)");
      continue;
    }
    if (git::is_zero_oid(u.new_id)) {
      out.step("Branch " + util::printable(*name) + " deleted: nothing deployed; the current release stays");
      continue;
    }
    deploy = &u;
  }
  if (!deploy) {
    return true;
  }
  std::string branch = *deploy->branch();
  std::string short_id = deploy->new_id.substr(0, 8);
  git::Session git_session; // libgit2 only for the commands that read git

  SW_TRY_ASSIGN(git::Repository repo, git::open_repository(paths.repo(), kind == HookKind::pre_receive));
  SW_TRY_ASSIGN(AppLock lock, AppLock::acquire(paths, "push of " + branch + " " + short_id, settings.lock_wait, out));
  SW_TRY_ASSIGN(git::CommitInfo commit, git::read_commit(repo.get(), deploy->new_id));
  SW_TRY_ASSIGN(ConfigVars config, load_env(paths.config_file()));

  auto put_branch_back = [&]() {
    if (kind != HookKind::post_receive) {
      return;
    }
    auto restored = git::restore_ref(repo.get(), deploy->ref, deploy->old_id, deploy->new_id);
    if (restored && *restored) {
      out.warn("Branch " + branch + " was put back to " +
               (git::is_zero_oid(deploy->old_id) ? std::string("its state before the push (none)")
                                                 : deploy->old_id.substr(0, 8)) +
               ", so pushing " + short_id + " again retries this deploy");
    }
  };

  SW_TRY(util::make_dirs(paths.builds(), 0750));
  std::string log_path = paths.builds() + "/" + build_log_name(commit.id);
  SW_TRY_ASSIGN(util::FileOutput log, util::FileOutput::open(log_path));
  util::TeeOutput build_out(out, log);
  build_out.step("Building " + paths.name() + " from " + branch + " (" + short_id + ")");
  auto built = build_or_reuse(paths, settings, repo.get(), commit, config, build_out);
  if (!built) {
    build_out.warn("Push rejected, failed to build: " + built.error().message);
    out.warn("Build log: " + log_path);
    put_branch_back();
    return false;
  }
  SW_TRY_ASSIGN(
      ReleaseOutcome outcome,
      create_release(paths, settings, {built->slug, config, "Deploy " + short_id, commit.id, {}, built->tree}, out));
  if (!outcome.succeeded()) {
    put_branch_back();
    return false;
  }
  // Live: the push waits for its web dynos (when serve runs); a strict push fails without them.
  bool web_up = await_web(paths, outcome.record.version, static_cast<double>(settings.boot_timeout), out);
  return web_up || !settings.strict;
}

} // namespace slipway::core
