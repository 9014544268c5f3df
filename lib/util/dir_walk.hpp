// Walking and removing directory trees relative to open directory fds, never through
// absolute paths: depth and path length are limited by the filesystem, not by PATH_MAX,
// and a symlink swapped in mid-walk is never followed.
#pragma once

#include <util/result.hpp>

#include <sys/stat.h>

#include <functional>
#include <string>

namespace slipway::util {

enum class Visit {
  descend, // go into this directory (ignored for non-directories)
  skip     // do not go into it (or it was removed)
};

// Called for each entry: the open parent directory, the entry's name, its path relative to
// the walk's root, and its lstat.
using Visitor =
    std::function<Result<Visit>(int parent_fd, const std::string& name, const std::string& rel, const struct stat& st)>;

// Visit everything below the directory open as `dirfd`, depth first, names in byte order;
// how deep it goes is limited only by the fds the process may open (one per level).
Status walk_dir(int dirfd, const Visitor& visit, const std::string& rel = "");

// walk_dir over the directory at `dir` (a link there is followed; none below it).
Status walk_path(const std::string& dir, const Visitor& visit);

// Remove `name` (a file, a link or a whole tree) in the directory open as `dirfd`.
Status remove_at(int dirfd, const std::string& name);

// Make `dest` (which must not exist) a copy of the tree `src` that shares its files: new
// directories, hard-linked files, recreated symlinks, the same modes and times. With
// `owner_uid` >= 0 the new directories belong to owner_uid:owner_gid (files keep theirs).
Status link_tree(const std::string& src, const std::string& dest, long owner_uid = -1, gid_t owner_gid = 0);

// Give `path` and everything below it (links themselves, not their targets) to uid:gid.
// A file with other hard links is an error: its other names may lie outside. For trees
// no other user can change while it runs (it walks through fds, but names are taken as found).
Status chown_tree(const std::string& path, uid_t uid, gid_t gid);

} // namespace slipway::util
