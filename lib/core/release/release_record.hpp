// One release as stored in releases/vN/release.yml: human-readable, written atomically.
#pragma once

#include <core/slug/procfile.hpp>
#include <util/result.hpp>

#include <string>

namespace slipway::core {

enum class ReleaseStatus {
  pending,
  succeeded,
  failed,
  expired // derived: retention pruned its slug (an `expired` file in the release directory)
};

std::string to_string(ReleaseStatus s);

// "v12": how a release is named to people and on disk.
std::string version_name(unsigned long v);

struct ReleaseRecord
{
  unsigned long version = 0;
  ReleaseStatus status = ReleaseStatus::pending;
  std::string description;
  std::string user;
  std::string commit;     // full sha of the deployed commit, if any
  std::string created_at; // ISO 8601 UTC
  std::string finished_at;
  std::string slug_id;
  std::string slug_sha256;
  unsigned long long slug_size = 0;
  ProcessTypes process_types;
  std::string release_command; // empty: no release phase
  bool release_phase_skipped = false; // an add-on's own config change: not run, as on Heroku
  int exit_status = -1;        // of the release command; -1 when it did not exit
  double duration = 0;         // seconds the release phase took
  std::string failure;         // why it failed, one line
  std::string owner_pid;       // process running this release while pending
  std::string owner_start;     // its start time, so a reused pid is not mistaken for it

  // Derived when read, never stored.
  bool interrupted = false; // pending, but its owner died: shown as failed
  bool current = false;

  // Heroku's description suffix: "release command executing", "release command failed", ...
  std::string status_suffix() const;
  // Status for display and the API: pending whose owner died counts as failed.
  ReleaseStatus effective_status() const;
};

std::string record_to_yaml(const ReleaseRecord& r);
util::Result<ReleaseRecord> record_from_yaml(const std::string& text, const std::string& label);

} // namespace slipway::core
