#include "build_key.hpp"

#include <core/buildpack_source.hpp>
#include <core/resources.hpp>
#include <core/slug_store.hpp>
#include <util/dir_walk.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

#include <fcntl.h>
#include <unistd.h>

namespace slipway::core {

namespace {

// Names, kinds, exec bits, link targets and file contents of a directory tree.
util::Status
hash_dir(util::Sha256& h, const std::string& dir)
{
  util::Fd root(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) {
    return util::error(util::errno_message("cannot read buildpack", dir));
  }
  return util::walk_dir(root.get(),
                        [&](int parent, const std::string& name, const std::string& rel,
                            const struct stat& st) -> util::Result<util::Visit> {
                          if (name == ".git") {
                            return util::Visit::skip;
                          }
                          h.update("\n" + rel + (S_ISDIR(st.st_mode) ? "/" : (st.st_mode & 0111) ? "*" : ""));
                          if (S_ISLNK(st.st_mode)) {
                            char buf[4096];
                            ssize_t n = ::readlinkat(parent, name.c_str(), buf, sizeof buf);
                            h.update(" -> " + std::string(buf, n > 0 ? static_cast<size_t>(n) : 0));
                          } else if (S_ISREG(st.st_mode)) {
                            util::Fd fd(::openat(parent, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
                            char buf[1 << 16];
                            ssize_t n;
                            while (fd && (n = ::read(fd.get(), buf, sizeof buf)) > 0) {
                              h.update(buf, static_cast<size_t>(n));
                            }
                          }
                          return util::Visit::descend;
                        });
}

// The sources the app asks for, reading .buildpacks straight from the commit's tree.
std::vector<std::string>
requested(git_repository* repo, const git::CommitInfo& commit, const ConfigVars& config)
{
  std::vector<std::string> out;
  if (auto it = config.find("BUILDPACK_URL"); it != config.end() && !util::trim(it->second).empty()) {
    out.emplace_back(util::trim(it->second));
    return out;
  }
  git_oid tree_id;
  git_tree* raw = nullptr;
  if (!git::parse_oid(commit.tree_id, tree_id) || git_tree_lookup(&raw, repo, &tree_id) != 0) {
    return out;
  }
  git::Tree tree(raw);
  git_tree_entry* entry = nullptr;
  if (git_tree_entry_bypath(&entry, tree.get(), ".buildpacks") != 0) {
    git_error_clear();
    return out;
  }
  std::unique_ptr<git_tree_entry, git::GitFree<git_tree_entry_free>> owner(entry);
  git_blob* blob = nullptr;
  if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB || git_blob_lookup(&blob, repo, git_tree_entry_id(entry)) != 0) {
    return out;
  }
  git::Blob b(blob);
  std::string text(static_cast<const char*>(git_blob_rawcontent(b.get())),
                   static_cast<size_t>(git_blob_rawsize(b.get())));
  for (const auto& line : util::split(text, '\n')) {
    std::string s(util::trim(line));
    if (!s.empty() && s[0] != '#') {
      out.push_back(s);
    }
  }
  return out;
}

} // namespace

util::Result<std::string>
build_key(const AppPaths& paths,
          const AppSettings& settings,
          git_repository* repo,
          const git::CommitInfo& commit,
          const ConfigVars& config)
{
  util::Sha256 h;
  h.update("slipway-build-key-1\ntree " + commit.tree_id + "\nstack " + app_stack(settings) + "\ncompression " +
           settings.compression + "\nconfig\n" + format_env(config));
  auto sources = requested(repo, commit, config);
  if (sources.empty()) {
    for (const auto& bp : builtin_buildpacks()) {
      h.update("\nbuildpack " + bp.name);
      SW_TRY(hash_dir(h, bp.dir));
    }
  }
  for (const auto& source : sources) {
    util::NullOutput quiet;
    SW_TRY_ASSIGN(auto bp, resolve_buildpack(paths, settings, source, quiet));
    h.update("\nbuildpack " + source);
    SW_TRY(hash_dir(h, bp.dir));
  }
  return h.hex_digest();
}

std::optional<std::string>
slug_for_key(const AppPaths& paths, const std::string& key)
{
  auto id = util::read_file(paths.slugs() + "/by-input/" + key);
  if (!id) {
    return std::nullopt;
  }
  std::string slug(util::trim(*id));
  if (!SlugStore(paths).exists(slug)) {
    return std::nullopt;
  }
  return slug;
}

util::Status
remember_key(const AppPaths& paths, const std::string& key, const std::string& slug_id)
{
  SW_TRY(util::make_dir(paths.slugs() + "/by-input", 0750, true));
  return util::write_file_atomic(paths.slugs() + "/by-input/" + key, slug_id + "\n", 0640);
}

} // namespace slipway::core
