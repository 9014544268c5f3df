#include "promote.hpp"

#include <core/release/app_lock.hpp>
#include <core/ops/apps.hpp>
#include <core/release/release_store.hpp>
#include <core/app/settings.hpp>
#include <core/release/slug_adopt.hpp>
#include <core/slug/slug_store.hpp>
#include <util/fs.hpp>

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

namespace slipway::core {

namespace {

// Make the slug available in the target app: a hard link when both sit on one filesystem
// (slugs are immutable, so sharing the bytes is safe), else a copy.
util::Result<SlugRecord>
import_slug(const AppPaths& from, const AppPaths& to, const SlugRecord& slug)
{
  SlugStore target(to);
  if (target.exists(slug.id)) {
    return target.load(slug.id);
  }
  SW_TRY(util::make_dir(to.slugs(), 0750, true));
  std::string src = SlugStore(from).tarball(slug);
  std::string tmp = to.packed_slug(::getpid());
  SW_TRY(util::make_dirs(to.tmp(), 0750));
  ::unlink(tmp.c_str());
  if (::link(src.c_str(), tmp.c_str()) != 0) {
    std::error_code ec;
    std::filesystem::copy_file(src, tmp, ec);
    if (ec) {
      return util::error("cannot copy slug " + slug.id + " to " + to.name() + ": " + ec.message());
    }
  }
  return adopt_slug(to, tmp, slug);
}

} // namespace

util::Result<std::vector<PromoteResult>>
promote(const std::string& root,
        const std::string& source,
        const std::vector<std::string>& targets,
        bool wait,
        util::Output& out)
{
  SW_TRY_ASSIGN(AppPaths src, open_app(root, source));
  std::vector<AppPaths> apps;
  for (const auto& t : targets) {
    if (t == source) {
      return util::error("cannot promote from an app to itself: " + t, 2);
    }
    SW_TRY_ASSIGN(AppPaths p, open_app(root, t));
    apps.push_back(p);
  }
  ReleaseStore store(src);
  auto cur = store.current();
  if (!cur) {
    return util::error("app '" + source + "' has no current release to promote; push to deploy one");
  }
  SW_TRY_ASSIGN(ReleaseRecord release, store.load(*cur));
  SW_TRY_ASSIGN(SlugRecord slug, SlugStore(src).load(release.slug_id));
  std::string description = fmt::format("Promote {} v{} {}", source, *cur, release.commit.substr(0, 8));

  std::vector<PromoteResult> results;
  for (const auto& target : apps) {
    PromoteResult r{target.name(), false, ""};
    out.step(fmt::format("Promoting {} v{} to {}", source, *cur, target.name()));
    auto done = [&]() -> util::Status {
      SW_TRY_ASSIGN(AppSettings settings, load_settings(target));
      SW_TRY_ASSIGN(AppLock lock, AppLock::acquire(target, "promotion from " + source, wait, out));
      SW_TRY_ASSIGN(SlugRecord imported, import_slug(src, target, slug));
      SW_TRY_ASSIGN(ConfigVars config, load_env(target.config_file()));
      SW_TRY_ASSIGN(ReleaseOutcome o,
                    create_release(target, settings, {imported, config, description, release.commit, {}}, out));
      r.succeeded = o.succeeded();
      r.detail = o.succeeded() ? version_name(o.record.version) : o.record.failure;
      return {};
    }();
    if (!done) {
      r.detail = done.error().message;
    }
    results.push_back(r);
  }
  return results;
}

} // namespace slipway::core
