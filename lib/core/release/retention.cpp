#include "retention.hpp"

#include <core/release/release_store.hpp>
#include <core/release/slug_index.hpp>
#include <core/slug/slug_store.hpp>
#include <util/clock.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

#include <algorithm>
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
      if (target && target->starts_with(prefix)) {
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

// The newest succeeded, unexpired release below current.
std::optional<unsigned long>
rollback_target(const ReleaseStore& store, const SlugIndex& index)
{
  auto cur = store.current();
  if (!cur) {
    return std::nullopt;
  }
  // Only releases the index lists are unexpired; newest first.
  std::vector<unsigned long> live;
  for (const auto& e : index.entries()) {
    live.insert(live.end(), e.releases.begin(), e.releases.end());
  }
  std::sort(live.begin(), live.end());
  for (auto it = std::lower_bound(live.begin(), live.end(), *cur); it != live.begin();) {
    --it;
    auto r = store.load(*it);
    if (r && r->effective_status() == ReleaseStatus::succeeded) {
      return *it;
    }
  }
  return std::nullopt;
}

} // namespace

std::optional<unsigned long>
default_rollback_target(const AppPaths& paths)
{
  auto index = SlugIndex::load(paths);
  return index ? rollback_target(ReleaseStore(paths), *index) : std::nullopt;
}

util::Result<PruneReport>
prune_releases(const AppPaths& paths, const AppSettings& settings)
{
  ReleaseStore store(paths);
  SlugStore slugs(paths);
  PruneReport report;
  SW_TRY_ASSIGN(SlugIndex index, SlugIndex::load(paths));

  // The slugs of the releases that always stay.
  std::set<unsigned long> keep = releases_in_use(paths);
  if (auto cur = store.current()) {
    keep.insert(*cur);
  }
  if (auto target = rollback_target(store, index)) {
    keep.insert(*target);
  }
  std::set<std::string> live;
  for (auto v : keep) {
    if (const auto* e = index.entry_of_release(v)) {
      live.insert(e->slug);
    }
  }
  // Then the `retention` most recently used slugs; every other goes with all its releases.
  const auto& entries = index.entries();
  size_t newest = 0;
  std::vector<SlugIndex::Entry> doomed;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (newest < settings.retention) {
      ++newest;
      live.insert(it->slug);
    } else if (!live.count(it->slug)) {
      doomed.push_back(*it);
    }
  }
  for (const auto& e : doomed) {
    for (auto v : e.releases) {
      // Marker first: a crash mid-delete leaves a release that reads expired, never a half
      // tree that reads live. Written in place: only its existence counts.
      std::string dir = store.dir(v);
      SW_TRY(util::write_file(
          dir + "/" + ReleaseFiles::expired,
          fmt::format("pruned {} by retention (keep {} slugs)\n", util::now_iso8601(), settings.retention), 0640));
      report.freed += util::disk_usage(dir + "/" + ReleaseFiles::app);
      SW_TRY(util::remove_tree(dir + "/" + ReleaseFiles::app));
      report.expired.push_back(v);
    }
    if (auto s = slugs.load(e.slug)) {
      report.freed += s->size;
    }
    SW_TRY(slugs.remove(e.slug));
    report.slugs.push_back(e.slug);
    index.forget(e.slug);
  }
  if (!doomed.empty()) {
    SW_TRY(index.save());
  }
  std::sort(report.expired.begin(), report.expired.end());
  return report;
}

} // namespace slipway::core
