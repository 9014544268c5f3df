#include "retention.hpp"

#include <core/release_store.hpp>
#include <core/slug_store.hpp>
#include <util/clock.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <set>

namespace slipway::core {

namespace {

// Releases whose tree is some running process's working directory or root.
std::set<unsigned long>
releases_in_use(const AppPaths& paths)
{
  std::set<unsigned long> used;
  std::string prefix = paths.releases() + "/v";
  auto procs = util::list_dir("/proc");
  if (!procs) {
    return used;
  }
  for (const auto& pid : *procs) {
    unsigned long long n;
    if (!util::parse_uint(pid, n)) {
      continue;
    }
    for (const char* link : {"/cwd", "/root"}) {
      auto target = util::read_link("/proc/" + pid + link);
      if (target && util::starts_with(*target, prefix)) {
        unsigned long long v;
        auto rest = target->substr(prefix.size());
        if (util::parse_uint(rest.substr(0, rest.find('/')), v)) {
          used.insert(static_cast<unsigned long>(v));
        }
      }
    }
  }
  return used;
}

} // namespace

std::optional<unsigned long>
default_rollback_target(const AppPaths& paths)
{
  ReleaseStore store(paths);
  auto cur = store.current();
  auto all = store.versions();
  if (!cur || !all) {
    return std::nullopt;
  }
  for (auto it = all->rbegin(); it != all->rend(); ++it) {
    if (*it >= *cur) {
      continue;
    }
    auto r = store.load(*it);
    if (r && r->effective_status() == ReleaseStatus::succeeded) {
      return *it;
    }
  }
  return std::nullopt;
}

util::Result<PruneReport>
prune_releases(const AppPaths& paths, const AppSettings& settings)
{
  ReleaseStore store(paths);
  SlugStore slugs(paths);
  PruneReport report;
  SW_TRY_ASSIGN(auto all, store.versions());

  std::set<unsigned long> keep;
  if (auto cur = store.current()) {
    keep.insert(*cur);
  }
  if (auto target = default_rollback_target(paths)) {
    keep.insert(*target);
  }
  for (unsigned long v : releases_in_use(paths)) {
    keep.insert(v);
  }

  // Newest first: the first `retention` distinct slugs stay, with every release using them.
  std::set<std::string> kept_slugs, live_slugs;
  std::vector<ReleaseRecord> unpacked;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    auto r = store.load(*it);
    if (!r || r->status == ReleaseStatus::expired) {
      continue; // a broken record is left alone; doctor reports it
    }
    if (r->status == ReleaseStatus::pending && !r->interrupted) {
      keep.insert(r->version);
    }
    if (kept_slugs.size() < settings.retention || kept_slugs.count(r->slug_id)) {
      kept_slugs.insert(r->slug_id);
      keep.insert(r->version);
    }
    unpacked.push_back(*r);
  }
  // Releases of one slug share one tree: a slug any kept release uses stays whole.
  for (const auto& r : unpacked) {
    if (keep.count(r.version)) {
      live_slugs.insert(r.slug_id);
    }
  }
  for (const auto& r : unpacked) {
    if (live_slugs.count(r.slug_id)) {
      continue;
    }
    // Marker first: a crash mid-delete leaves a release that reads expired, never a half tree
    // that reads live.
    std::string dir = store.dir(r.version);
    SW_TRY(util::write_file_atomic(dir + "/" + ReleaseFiles::expired,
                                   "pruned " + util::now_iso8601() + " by retention (keep " +
                                       std::to_string(settings.retention) + " slugs)\n",
                                   0640));
    report.freed += util::disk_usage(dir + "/" + ReleaseFiles::app);
    SW_TRY(util::remove_tree(dir + "/" + ReleaseFiles::app));
    report.expired.push_back(r.version);
  }
  SW_TRY_ASSIGN(auto names, util::list_dir(paths.slugs()));
  for (const auto& name : names) {
    if (!util::ends_with(name, ".yml")) {
      continue;
    }
    std::string id = name.substr(0, name.size() - 4);
    if (live_slugs.count(id)) {
      continue;
    }
    auto s = slugs.load(id);
    if (s) {
      report.freed += s->size;
    }
    SW_TRY(slugs.remove(id));
    report.slugs.push_back(id);
  }
  return report;
}

} // namespace slipway::core
