// Lexical checks that keep untrusted paths (git trees, slug archives) inside their root.
#pragma once

#include <string>
#include <string_view>

namespace slipway::util {

// A relative path with no empty, "." or ".." parts and no leading "/".
bool is_safe_relative_path(std::string_view rel);

// True if a symlink at `link_rel` (relative to the root) pointing to `target` resolves inside
// the root. Rule: the target is relative, climbs with leading ".." no higher than the root, and
// has no ".." after a named part (a named part may itself be a link, so ".." after it is
// unsound to judge lexically). Sound when no directory on `link_rel` is itself a symlink.
bool symlink_stays_inside(std::string_view link_rel, std::string_view target);

// Open `rel` below the directory `dirfd` without following any symlink on the way and
// without leaving it (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS),
// read-only. -1 with errno set when it cannot (ELOOP for a link on the way).
int open_beneath(int dirfd, const std::string& rel);

} // namespace slipway::util
