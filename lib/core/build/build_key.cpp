#include "build_key.hpp"

#include <core/build/buildpack_source.hpp>
#include <core/app/resources.hpp>
#include <core/slug/slug_store.hpp>
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
  return util::walk_path(dir,
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

} // namespace

util::Result<std::string>
build_key(const AppSettings& settings,
          const git::CommitInfo& commit,
          const ConfigVars& config,
          const BuildpackPlan& buildpacks)
{
  util::Sha256 h;
  h.update("slipway-build-key-1\ntree " + commit.tree_id + "\nstack " + app_stack(settings) + "\ncompression " +
           settings.compression + "\nconfig\n" + format_env(config));
  for (size_t i = 0; i < buildpacks.candidates.size(); ++i) {
    // A requested buildpack counts by the source named, a built-in by its name.
    h.update("\nbuildpack " + (buildpacks.detecting() ? buildpacks.candidates[i].name : buildpacks.requested[i]));
    SW_TRY(hash_dir(h, buildpacks.candidates[i].dir));
  }
  return h.hex_digest();
}

std::optional<std::string>
slug_for_key(const AppPaths& paths, const std::string& key)
{
  auto id = util::read_file(paths.build_keys() + "/" + key);
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
  SW_TRY(util::make_dir(paths.build_keys(), 0750, true));
  // A hint, written in place (no temp file in a directory that grows with every build):
  // a cut-short id names no slug, and the next push builds.
  return util::write_file(paths.build_keys() + "/" + key, slug_id + "\n", 0640);
}

} // namespace slipway::core
