// releases:cancel: stop a running release phase. It does not take the deploy lock (the
// deploy holds it); it signals the release phase's supervisor, which stops the whole
// process group, and the deploy records the release as failed, "cancelled by USER".
#pragma once

#include <core/app/layout.hpp>
#include <util/result.hpp>

namespace slipway::core {

struct CancelOutcome
{
  unsigned long version = 0;
  bool finished = false; // the release was recorded as failed within the wait
};

// Cancel the release phase running now, and wait up to `wait_seconds` for it to be recorded.
util::Result<CancelOutcome> cancel_release(const AppPaths& paths, const std::string& user, double wait_seconds);

} // namespace slipway::core
