#include "cancel.hpp"

#include <core/release/release_store.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>
#include <util/strings.hpp>

#include <unistd.h>

#include <csignal>

namespace slipway::core {

util::Result<CancelOutcome>
cancel_release(const AppPaths& paths, const std::string& user, double wait_seconds)
{
  ReleaseStore store(paths);
  SW_TRY_ASSIGN(auto versions, store.versions());
  // Only the newest few can be running: releases are made one at a time under the lock.
  for (size_t n = 0; n < versions.size() && n < 5; ++n) {
    const unsigned long* it = &versions[versions.size() - 1 - n];
    std::string dir = store.dir(*it);
    auto runner = util::read_file(dir + "/" + ReleaseFiles::runner);
    if (!runner) {
      continue;
    }
    auto parts = util::split(std::string(util::trim(*runner)), ' ');
    unsigned long long pid = 0;
    if (parts.size() != 2 || !util::parse_uint(parts[0], pid) ||
        !util::process_alive(static_cast<pid_t>(pid), parts[1])) {
      continue; // a stale file: that release phase is over
    }
    SW_TRY(util::write_file_atomic(dir + "/" + ReleaseFiles::cancel, user + "\n", 0640));
    if (::kill(static_cast<pid_t>(pid), SIGTERM) != 0) {
      return util::error(util::errno_message("cannot signal the release phase of", version_name(*it)));
    }
    CancelOutcome outcome{*it, false};
    for (double waited = 0; waited < wait_seconds; waited += 0.1) {
      auto r = store.load(*it);
      if (r && r->status != ReleaseStatus::pending) {
        outcome.finished = true;
        break;
      }
      ::usleep(100 * 1000);
    }
    return outcome;
  }
  return util::error("no release phase is running for " + paths.name() + "; nothing to cancel");
}

} // namespace slipway::core
