// Fetching a buildpack from a git URL with libgit2 (no git subprocess).
#pragma once

#include <util/result.hpp>

#include <string>

namespace slipway::git {

struct FetchLimits
{
  unsigned seconds = 0;         // the fetch stops once it has run this long (0: no limit)
  unsigned long long bytes = 0; // ... or received this much (0: no limit)
};

// Clone `url` into `dest` (which must not exist) and check out `ref` (a branch, tag or
// commit; empty means the remote's default branch). The limits are checked whenever data
// arrives; a remote that sends nothing at all is bounded by the transport's own timeouts.
util::Status
clone_at(const std::string& url, const std::string& ref, const std::string& dest, const FetchLimits& limits = {});

} // namespace slipway::git
