// The one way a release is made: every deploy, config change, rollback, retry and promotion
// creates release vN from a stored slug plus config, runs the slug's release command, and
// switches `current` only if it succeeds.
#pragma once

#include <core/app/config_vars.hpp>
#include <core/app/layout.hpp>
#include <core/release/release_record.hpp>
#include <core/release/release_store.hpp>
#include <core/app/settings.hpp>
#include <core/slug/slug_store.hpp>
#include <util/output.hpp>

#include <functional>
#include <optional>

namespace slipway::core {

struct ReleaseRequest
{
  SlugRecord slug;
  ConfigVars config;
  std::string description; // "Deploy 1a2b3c4d", "Set FOO config vars", "Rollback to v3"...
  std::string commit;
  // Called once the release record exists, before its release phase runs.
  std::function<void(const ReleaseRecord&)> on_created;
  // A tree equal to what the slug unpacks to (a fresh build's), renamed into place instead
  // of unpacking; empty to unpack (or link from a release with the same slug).
  std::string prepared_tree = {};
  // An add-on changed its own config vars (a credential rotation): as on Heroku, the release
  // succeeds without running the release command, and its record says so.
  bool skip_release_phase = false;
};

struct ReleaseOutcome
{
  ReleaseRecord record;                  // as finished: succeeded or failed
  std::optional<unsigned long> previous; // what was current before
  bool
  succeeded() const
  {
    return record.status == ReleaseStatus::succeeded;
  }
};

// Create and run a release. The caller holds the app's deploy lock. A failed release phase
// is an outcome, not an error; errors are for what kept the release from being recorded.
// After a switch, the app's env file is the release's config, so the two never disagree.
// The config released is the request's with the app's add-on attachments' current vars over
// it (addons.hpp): a rollback or retry never brings back a rotated password.
util::Result<ReleaseOutcome>
create_release(const AppPaths& paths, const AppSettings& settings, const ReleaseRequest& req, util::Output& out);

// Give release `version` its live tree, the cheapest safe way: rename `prepared` (a fresh
// build's tree, if any); else link ../vK/app, the real tree of a release with the same slug
// (trees are never written after they are made, and retention keeps or prunes all releases of
// one slug together); else unpack the slug. releases/vN/app must not exist.
util::Status
place_tree(const ReleaseStore& store, const SlugRecord& slug, unsigned long version, const std::string& prepared = {});

} // namespace slipway::core
