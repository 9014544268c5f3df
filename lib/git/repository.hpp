// Opening and creating the bare repositories that receive pushes.
#pragma once

#include <git/handles.hpp>

#include <optional>

namespace slipway::git {

// Open `path`. With `from_env`, honour GIT_DIR, GIT_OBJECT_DIRECTORY and
// GIT_ALTERNATE_OBJECT_DIRECTORIES, which is how a pre-receive hook sees quarantined objects.
util::Result<Repository> open_repository(const std::string& path, bool from_env);

// Give back what libgit2 holds for `repo` (object and delta caches, mapped pack windows), so
// that later steps do not carry it. The repository stays usable for refs; objects read later
// come from its own object directory only (a pre-receive quarantine is not reloaded).
void release_memory(git_repository* repo);

// Create a bare repository whose HEAD names `head_branch`.
util::Status init_bare(const std::string& path, const std::string& head_branch);

// What a deploy needs to know about a commit.
struct CommitInfo
{
  std::string id;
  std::string tree_id;
  std::string summary;
};

util::Result<CommitInfo> read_commit(git_repository* repo, const std::string& commit_hex);

// The content of the file at `path` in tree `tree_hex`; nothing when there is no such path or
// it is not a file.
util::Result<std::optional<std::string>>
read_tree_file(git_repository* repo, const std::string& tree_hex, const std::string& path);

} // namespace slipway::git
