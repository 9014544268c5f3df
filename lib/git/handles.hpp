// Owners for libgit2 handles (unique_ptr + the library's free function) and its errors.
#pragma once

#include <util/result.hpp>

#include <git2.h>

#include <memory>
#include <string>
#include <string_view>

namespace slipway::git {

template <auto FreeFn> struct GitFree
{
  template <typename T>
  void
  operator()(T* p) const
  {
    FreeFn(p);
  }
};

using Repository = std::unique_ptr<git_repository, GitFree<git_repository_free>>;
using Commit = std::unique_ptr<git_commit, GitFree<git_commit_free>>;
using Tree = std::unique_ptr<git_tree, GitFree<git_tree_free>>;
using Blob = std::unique_ptr<git_blob, GitFree<git_blob_free>>;
using TreeEntry = std::unique_ptr<git_tree_entry, GitFree<git_tree_entry_free>>;
using Reference = std::unique_ptr<git_reference, GitFree<git_reference_free>>;
using Object = std::unique_ptr<git_object, GitFree<git_object_free>>;
using Remote = std::unique_ptr<git_remote, GitFree<git_remote_free>>;

// Initializes libgit2 for the lifetime of the object (init/shutdown are reference counted),
// with memory kept small: pack files are mapped in 16 MiB windows, at most 32 MiB at once,
// the object cache holds 8 MiB and no trees (an export reads each tree once, and the cache
// counts a tree's packed size, a fraction of what the parsed tree takes), so a large push does not grow the hook with
// the pack (600 MB of files deploy in under 100 MB).
class Session
{
public:
  Session()
  {
    git_libgit2_init();
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, static_cast<size_t>(16) << 20);
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, static_cast<size_t>(32) << 20);
    git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, static_cast<ssize_t>(8) << 20);
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, static_cast<size_t>(0));
  }
  ~Session() { git_libgit2_shutdown(); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

// "<what>: <libgit2's last error message>".
util::Error last_error(const std::string& what);

// Parse 40 hex digits; false on anything else.
bool parse_oid(const std::string& hex, git_oid& out);

// Whether `hex` is an object id as git prints it: 40 lowercase hex digits.
inline bool
is_oid_hex(std::string_view hex)
{
  return hex.size() == 40 && hex.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Whether `hex` is the all-zero id with which git names a ref that does not exist.
inline bool
is_zero_oid(std::string_view hex)
{
  return hex.find_first_not_of('0') == std::string_view::npos;
}
std::string oid_hex(const git_oid& oid);

} // namespace slipway::git
