#include "leftovers.hpp"

#include <core/release/release_store.hpp>
#include <util/fs.hpp>

namespace slipway::core {

namespace {

void
remove_temp_names(const std::string& dir)
{
  if (auto names = util::list_dir(dir)) {
    for (const auto& n : *names) {
      if (is_temp_name(n)) {
        (void)util::remove_tree(dir + "/" + n);
      }
    }
  }
}

} // namespace

void
clean_leftovers(const AppPaths& paths, util::Output& out)
{
  // Every temporary directory and tarball lives in tmp/; only atomic writes leave temp files
  // elsewhere: beside the app's own files, and in a release's directory only while it is
  // unfinished. None of these directories grows with history.
  (void)util::remove_tree(paths.tmp());
  (void)util::make_dirs(paths.tmp(), 0750);
  for (const auto& dir : {paths.dir(), paths.slugs(), paths.buildpacks()}) {
    remove_temp_names(dir);
  }
  ReleaseStore store(paths);
  if (auto unfinished = store.unfinished()) {
    for (auto v : *unfinished) {
      remove_temp_names(store.dir(v));
    }
  }
  if (auto fixed = store.recover_interrupted(); fixed) {
    for (auto v : *fixed) {
      auto r = store.load(v);
      out.warn(version_name(v) + " was interrupted before it finished; recorded as " +
               (r ? to_string(r->status) : std::string("failed")));
    }
  }
}

} // namespace slipway::core
