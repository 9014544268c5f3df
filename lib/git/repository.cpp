#include "repository.hpp"

#include <git2/sys/repository.h>

namespace slipway::git {

util::Result<Repository>
open_repository(const std::string& path, bool from_env)
{
  git_repository* raw = nullptr;
  int rc = from_env ? git_repository_open_ext(&raw, nullptr, GIT_REPOSITORY_OPEN_FROM_ENV, nullptr)
                    : git_repository_open_bare(&raw, path.c_str());
  if (rc != 0) {
    return last_error("cannot open repository '" + path + "'");
  }
  return Repository(raw);
}

util::Status
init_bare(const std::string& path, const std::string& head_branch)
{
  git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  opts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
  std::string head = "refs/heads/" + head_branch;
  opts.initial_head = head.c_str();
  git_repository* raw = nullptr;
  if (git_repository_init_ext(&raw, path.c_str(), &opts) != 0) {
    return last_error("cannot create repository '" + path + "'");
  }
  Repository repo(raw);
  return {};
}

util::Result<CommitInfo>
read_commit(git_repository* repo, const std::string& commit_hex)
{
  git_oid oid;
  if (!parse_oid(commit_hex, oid)) {
    return util::error("'" + commit_hex + "' is not a commit id");
  }
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, repo, &oid) != 0) {
    return last_error("cannot read commit " + commit_hex);
  }
  Commit commit(raw);
  CommitInfo info;
  info.id = commit_hex;
  info.tree_id = oid_hex(*git_commit_tree_id(commit.get()));
  const char* summary = git_commit_summary(commit.get());
  info.summary = summary ? summary : "";
  return info;
}

util::Result<std::optional<std::string>>
read_tree_file(git_repository* repo, const std::string& tree_hex, const std::string& path)
{
  git_oid tree_id;
  git_tree* raw = nullptr;
  if (!parse_oid(tree_hex, tree_id) || git_tree_lookup(&raw, repo, &tree_id) != 0) {
    return last_error("cannot read tree " + tree_hex);
  }
  Tree tree(raw);
  git_tree_entry* entry = nullptr;
  if (git_tree_entry_bypath(&entry, tree.get(), path.c_str()) != 0) {
    git_error_clear();
    return std::optional<std::string>();
  }
  TreeEntry owner(entry);
  if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
    return std::optional<std::string>();
  }
  git_blob* blob = nullptr;
  if (git_blob_lookup(&blob, repo, git_tree_entry_id(entry)) != 0) {
    return last_error("cannot read " + path + " in tree " + tree_hex);
  }
  Blob b(blob);
  return std::optional<std::string>(std::in_place, static_cast<const char*>(git_blob_rawcontent(b.get())),
                                    static_cast<size_t>(git_blob_rawsize(b.get())));
}

void
release_memory(git_repository* repo)
{
  git_repository__cleanup(repo);
}

} // namespace slipway::git
