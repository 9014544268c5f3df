// The release store: records, version numbers, statuses and the `current` link of one app.
// Every front end (CLI, hooks, a future API server) reads and writes releases through it.
// Writers must hold the app's deploy lock (AppLock); readers need no lock.
#pragma once

#include <core/app/config_vars.hpp>
#include <core/app/layout.hpp>
#include <core/release/release_record.hpp>

#include <optional>
#include <vector>

namespace slipway::core {

class ReleaseStore
{
public:
  explicit ReleaseStore(AppPaths paths) : m_paths(std::move(paths)) {}

  const AppPaths&
  paths() const
  {
    return m_paths;
  }
  std::string
  dir(unsigned long v) const
  {
    return m_paths.release(v);
  }

  // Versions that have a release directory, ascending; other entries are ignored.
  util::Result<std::vector<unsigned long>> versions() const;

  // The newest version (0: none), without reading all of releases/, which is slow with
  // thousands: versions are allocated in order and release directories are never removed,
  // so it probes upward from `current`. Without a current release it lists.
  util::Result<unsigned long> latest() const;

  // One record, with the derived flags set: current, interrupted (pending but its owner
  // died; a current one counts as succeeded, since it passed its release phase) and expired
  // (retention pruned its slug and tree).
  util::Result<ReleaseRecord> load(unsigned long v) const;

  // One record exactly as stored.
  util::Result<ReleaseRecord> load_raw(unsigned long v) const;

  // The config vars stored with release v.
  util::Result<ConfigVars> config_of(unsigned long v) const;

  // Allocate the next version after latest() (never reused: a directory is created without
  // -p, so a clash is an error), write its env (0600) and its pending record owned by this
  // process, and note in the slug index that it uses its slug.
  util::Result<ReleaseRecord> create(ReleaseRecord draft, const ConfigVars& config);

  // Rewrite the record of a release (atomically).
  util::Status save(const ReleaseRecord& r) const;

  // The release whose own directory holds v's tree: v when releases/vN/app is a real
  // directory, K when it is the link ../vK/app to a real one; nothing for anything else
  // (a link elsewhere, a chain, a missing tree). Never follows a link to find out.
  std::optional<unsigned long> tree_owner(unsigned long v) const;

  // The version `current` points to, if any.
  std::optional<unsigned long> current() const;

  // Point `current` at release v: relative link under a temp name, renamed over, dir fsynced.
  util::Status switch_current(unsigned long v) const;

  // The newest releases whose record is pending or unreadable, newest first: the only ones an
  // interrupted run can have left unfinished (with temp files in their directories). Call
  // with the deploy lock held.
  util::Result<std::vector<unsigned long>> unfinished() const;

  // Finish the records of releases whose owner died (among unfinished()). A release that `current` already
  // points at had passed its release phase, so it becomes succeeded and its config the app's;
  // others failed.
  // Returns the versions it finished. Call with the deploy lock held.
  util::Result<std::vector<unsigned long>> recover_interrupted() const;

private:
  // Pending, and the process that owns it is gone.
  bool owner_died(const ReleaseRecord& r) const;

  AppPaths m_paths;
};

// The config a reader sees: the current release's, which the switch of `current` changes in the
// same step; before any release is current, the config waiting for the first one.
util::Result<ConfigVars> visible_config(const AppPaths& paths);

// "v12" or "12" -> 12; a usage error (exit 2) for "v", "v0", "v-1", "vx", overflow.
util::Result<unsigned long> parse_version(const std::string& text);

} // namespace slipway::core
