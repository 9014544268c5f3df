// Fetching a buildpack from a git URL with libgit2 (no git subprocess).
#pragma once

#include <util/result.hpp>

#include <string>

namespace slipway::git {

// Clone `url` into `dest` (which must not exist) and check out `ref` (a branch, tag or
// commit; empty means the remote's default branch).
util::Status clone_at(const std::string& url, const std::string& ref, const std::string& dest);

} // namespace slipway::git
