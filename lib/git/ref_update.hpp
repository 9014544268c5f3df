// Moving a branch back after a failed deploy, so that pushing the same commit retries it.
#pragma once

#include <git/handles.hpp>

namespace slipway::git {

// Set `refname` back to `old_hex` (delete it when old is all zeros), but only if it still
// points at `new_hex`: someone who moved it since keeps their update. Returns whether it moved.
util::Result<bool>
restore_ref(git_repository* repo, const std::string& refname, const std::string& old_hex, const std::string& new_hex);

} // namespace slipway::git
