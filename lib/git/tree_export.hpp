// Write a commit's tree into an empty directory straight from the object store:
// no `git` subprocess, no work tree in the repository.
#pragma once

#include <git/handles.hpp>

#include <sys/types.h>

#include <ctime>
#include <functional>
#include <string>
#include <unordered_map>

namespace slipway::git {

struct ExportStats
{
  unsigned long long files = 0;
  unsigned long long bytes = 0;
  unsigned long long reused = 0; // files copied from ExportOptions::reuse_dir
};

// A regular file as export_tree left it: the blob it holds and the inode's identity, so that
// a later check can tell whether anything changed it since.
struct ExportedFile
{
  git_oid blob{};
  ino_t ino = 0;
  timespec ctime{};
};
// By a hash of the path below the tree (std::hash): small for 50,000 files, and safe to look
// up because a match is then confirmed by inode and change time.
using ExportedFiles = std::unordered_map<size_t, ExportedFile>;
using BlobsByPath = std::unordered_map<std::string, git_oid>; // path -> blob id

// Who the exported entries belong to; owner_uid -1 leaves them to the caller. Giving them
// away as they are made saves walking the tree again to chown it.
struct ExportOwner
{
  long uid = -1;
  gid_t gid = 0;
};

struct ExportOptions
{
  ExportOwner owner;
  // Files known to hold a blob in another tree (fd of its root): a file of the same path and
  // blob is copied from there (copy_file_range) instead of being inflated from the pack.
  int reuse_dir = -1;
  const BlobsByPath* reuse = nullptr;
  ExportedFiles* files = nullptr; // when set, receives every regular file written
};

// Export tree `tree_hex` into the existing empty directory `dest`. Symlinks that would
// point outside the tree and submodules are skipped, each with one line to `warn`.
util::Result<ExportStats> export_tree(git_repository* repo,
                                      const std::string& tree_hex,
                                      const std::string& dest,
                                      const std::function<void(const std::string&)>& warn,
                                      const ExportOptions& options = {});

} // namespace slipway::git
