#include "release_store.hpp"

#include <core/app/app_user.hpp>
#include <core/release/slug_index.hpp>
#include <util/clock.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace slipway::core {

util::Result<unsigned long>
parse_version(const std::string& text)
{
  std::string digits = text.starts_with("v") ? text.substr(1) : text;
  unsigned long long n;
  if (!util::parse_uint(digits, n) || n == 0 || n > 1000000000000ULL) {
    return util::error(
        "invalid release version '" + util::printable(text) + "': expected vN with N a positive number, like v12", 2);
  }
  return static_cast<unsigned long>(n);
}

util::Result<std::vector<unsigned long>>
ReleaseStore::versions() const
{
  std::vector<unsigned long> out;
  if (!util::path_exists(m_paths.releases())) {
    return out;
  }
  SW_TRY_ASSIGN(auto names, util::list_dir(m_paths.releases()));
  for (const auto& name : names) {
    unsigned long long n;
    if (name.size() > 1 && name[0] == 'v' && util::parse_uint(name.substr(1), n) && n > 0 && name[1] != '0') {
      out.push_back(static_cast<unsigned long>(n));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

util::Result<unsigned long>
ReleaseStore::latest() const
{
  auto cur = current();
  if (!cur || !util::is_directory(dir(*cur))) {
    SW_TRY_ASSIGN(auto all, versions());
    return all.empty() ? 0 : all.back();
  }
  unsigned long v = *cur;
  while (util::is_directory(dir(v + 1))) {
    ++v;
  }
  return v;
}

util::Result<ReleaseRecord>
ReleaseStore::load_raw(unsigned long v) const
{
  std::string path = dir(v) + "/" + ReleaseFiles::record;
  SW_TRY_ASSIGN(std::string text, util::read_file(path));
  SW_TRY_ASSIGN(ReleaseRecord r, record_from_yaml(text, path));
  if (r.version != v) {
    return util::error(fmt::format("{}: records version {} in the directory of v{}", path, r.version, v));
  }
  return r;
}

bool
ReleaseStore::owner_died(const ReleaseRecord& r) const
{
  unsigned long long pid = 0;
  util::parse_uint(r.owner_pid, pid);
  return r.status == ReleaseStatus::pending && !util::process_alive(static_cast<pid_t>(pid), r.owner_start);
}

util::Result<ReleaseRecord>
ReleaseStore::load(unsigned long v) const
{
  SW_TRY_ASSIGN(ReleaseRecord r, load_raw(v));
  auto cur = current();
  r.current = cur && *cur == v;
  if (owner_died(r)) {
    // Current only after its release phase passed: then it died between switch and record.
    if (r.current) {
      r.status = ReleaseStatus::succeeded;
    } else {
      r.interrupted = true;
    }
  } else if (r.status != ReleaseStatus::pending && util::path_exists(dir(v) + "/" + ReleaseFiles::expired)) {
    r.status = ReleaseStatus::expired;
  }
  return r;
}

util::Result<ConfigVars>
ReleaseStore::config_of(unsigned long v) const
{
  return load_env(dir(v) + "/" + ReleaseFiles::config);
}

util::Result<ReleaseRecord>
ReleaseStore::create(ReleaseRecord draft, const ConfigVars& config)
{
  SW_TRY(util::make_dir(m_paths.releases(), 0750, true));
  SW_TRY_ASSIGN(auto user, app_user(m_paths.name()));
  SW_TRY_ASSIGN(auto latest_version, latest());
  draft.version = latest_version + 1;
  draft.status = ReleaseStatus::pending;
  draft.created_at = util::now_iso8601();
  draft.owner_pid = std::to_string(::getpid());
  draft.owner_start = util::process_start_time(::getpid());
  std::string d = dir(draft.version);
  SW_TRY(util::make_dir(d, 0750));
  // The app's user may read its release's tree (to run it), not its env or record.
  if (user && ::chown(d.c_str(), 0, user->gid) != 0) {
    return util::error(util::errno_message("cannot give the app's group access to", d));
  }
  SW_TRY(save_env(d + "/" + ReleaseFiles::config, config));
  SW_TRY(save(draft));
  if (!draft.slug_id.empty()) {
    SW_TRY(record_slug_use(m_paths, draft.slug_id, draft.version));
  }
  return draft;
}

util::Status
ReleaseStore::save(const ReleaseRecord& r) const
{
  return util::write_file_atomic(dir(r.version) + "/" + ReleaseFiles::record, record_to_yaml(r), 0640);
}

std::optional<unsigned long>
ReleaseStore::tree_owner(unsigned long v) const
{
  std::string app = dir(v) + "/" + ReleaseFiles::app;
  struct stat st;
  if (::lstat(app.c_str(), &st) != 0) {
    return std::nullopt;
  }
  if (S_ISDIR(st.st_mode)) {
    return v;
  }
  // The only link made: "../vK/app", K another release whose own app is a directory.
  auto target = util::read_link(app);
  std::string suffix = std::string("/") + ReleaseFiles::app;
  if (!S_ISLNK(st.st_mode) || !target || !target->starts_with("../v") || !target->ends_with(suffix)) {
    return std::nullopt;
  }
  auto k = parse_version(target->substr(3, target->size() - 3 - suffix.size()));
  if (!k || *k == v || ::lstat((dir(*k) + suffix).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return std::nullopt;
  }
  return *k;
}

std::optional<unsigned long>
ReleaseStore::current() const
{
  auto target = util::read_link(m_paths.current());
  if (!target) {
    return std::nullopt;
  }
  constexpr std::string_view releases = "releases/";
  if (!target->starts_with(releases)) {
    return std::nullopt;
  }
  auto v = parse_version(target->substr(releases.size()));
  return v ? std::optional<unsigned long>(*v) : std::nullopt;
}

util::Status
ReleaseStore::switch_current(unsigned long v) const
{
  return util::replace_symlink("releases/" + version_name(v), m_paths.current(), "during-switch");
}

util::Result<std::vector<unsigned long>>
ReleaseStore::unfinished() const
{
  // Releases are made one at a time under the lock, and every lock holder finishes what the
  // one before left: only the newest can be unfinished, never one below a finished one.
  std::vector<unsigned long> out;
  SW_TRY_ASSIGN(unsigned long v, latest());
  for (; v > 0; --v) {
    auto r = load_raw(v);
    if (r && r->status != ReleaseStatus::pending) {
      break;
    }
    out.push_back(v);
  }
  return out;
}

util::Result<std::vector<unsigned long>>
ReleaseStore::recover_interrupted() const
{
  std::vector<unsigned long> fixed;
  SW_TRY_ASSIGN(auto candidates, unfinished());
  auto cur = current();
  for (auto v : candidates) {
    auto r = load_raw(v);
    if (!r || !owner_died(*r)) {
      continue;
    }
    ReleaseRecord done = *r;
    done.finished_at = util::now_iso8601();
    if (cur && *cur == done.version) {
      // It died after the switch: the app's config may still be the one before.
      SW_TRY_ASSIGN(ConfigVars config, config_of(v));
      SW_TRY(save_env(m_paths.config_file(), config));
      done.status = ReleaseStatus::succeeded;
    } else {
      done.status = ReleaseStatus::failed;
      done.failure = "interrupted: the process running this release died";
    }
    SW_TRY(save(done));
    fixed.push_back(done.version);
  }
  std::reverse(fixed.begin(), fixed.end());
  return fixed;
}

util::Result<ConfigVars>
visible_config(const AppPaths& paths)
{
  ReleaseStore store(paths);
  auto cur = store.current();
  return cur ? store.config_of(*cur) : load_env(paths.config_file());
}

} // namespace slipway::core
