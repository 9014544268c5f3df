// A tree's metadata as a slug carries it: owner 0 (when running as root), files 0644 or 0755,
// directories 0755, every mtime k_slug_mtime. A built tree normalized this way equals the
// tree its slug unpacks to, so a deploy can use the built tree instead of unpacking.
#pragma once

#include <util/result.hpp>

#include <sys/stat.h>

#include <functional>
#include <string>

namespace slipway::archive {

struct TakeOptions
{
  uid_t owner = 0; // every entry must belong to this user: the app's user, or Slipway's own
  // Called for each regular file with its path below the tree and its metadata as it was
  // before the take (its ctime included).
  std::function<void(const std::string& rel, const struct stat& st)> on_file;
};

// Take a tree that another user wrote away from that user before root reads or packs it.
// Every directory is re-owned (to root, when root) and made 0755 before it is listed, so from
// then on nobody else can add, remove or swap its entries; entries are looked up only in
// directories already taken, and never through a link: owners change with
// AT_SYMLINK_NOFOLLOW, modes through fds opened with O_NOFOLLOW. A file with other hard links
// is first replaced by a copy; an entry that does not belong to `options.owner` is refused.
// Times are left to the packer.
util::Status take_tree(int dirfd, const TakeOptions& options);

// take_tree's steps, for a walker that takes and reads a tree in one pass: the top directory
// (open as `dirfd`) first, then each entry before its directory is listed (walk_dir's order).
// take_entry returns the entry's metadata as it is once taken; special files are left as
// they are, for the walker to refuse.
util::Status take_top(int dirfd, const TakeOptions& options);
util::Result<struct stat> take_entry(
    int parent, const std::string& name, const std::string& rel, const struct stat& st, const TakeOptions& options);

util::Status normalize_tree(const std::string& dir);

// Normalize one entry `name` of directory `parent`, which nobody else can change; `fd` is the
// entry opened (a regular file or directory), or -1. Nothing is followed: owners and times
// change with AT_SYMLINK_NOFOLLOW, modes through an fd opened with O_NOFOLLOW. `shown` names
// the entry in errors.
util::Status normalize_entry(int parent, const char* name, int fd, const struct stat& st, const std::string& shown);

} // namespace slipway::archive
