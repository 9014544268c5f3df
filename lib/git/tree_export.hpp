// Write a commit's tree into an empty directory straight from the object store:
// no `git` subprocess, no work tree in the repository.
#pragma once

#include <git/handles.hpp>

#include <functional>
#include <string>

namespace slipway::git {

struct ExportStats
{
  unsigned long long files = 0;
  unsigned long long bytes = 0;
  unsigned long long symlinks = 0;
  unsigned long long skipped = 0;
};

// Who the exported entries belong to; owner_uid -1 leaves them to the caller. Giving them
// away as they are made saves walking the tree again to chown it.
struct ExportOwner
{
  long uid = -1;
  gid_t gid = 0;
};

// Export tree `tree_hex` into the existing empty directory `dest`. Symlinks that would
// point outside the tree and submodules are skipped, each with one line to `warn`.
util::Result<ExportStats> export_tree(git_repository* repo,
                                      const std::string& tree_hex,
                                      const std::string& dest,
                                      const std::function<void(const std::string&)>& warn,
                                      ExportOwner owner = {});

} // namespace slipway::git
