#include "leftovers.hpp"

#include <core/release_store.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

namespace slipway::core {

// Remove what interrupted runs left behind. Only called with the deploy lock held, so
// nothing in tmp/ or slugs/.tmp-* belongs to a live process.
void
clean_leftovers(const AppPaths& paths, util::Output& out)
{
  (void)util::remove_tree(paths.tmp());
  (void)util::make_dirs(paths.tmp(), 0750);
  // Temp names: ".tmp-*" (slugs being packed) and "*.tmp.PID" (files and links being
  // replaced atomically, unpacked trees being moved into place).
  auto is_temp = [](const std::string& n) {
    return util::starts_with(n, ".tmp-") || n.find(".tmp.") != std::string::npos ||
           n.find(".fetch.") != std::string::npos;
  };
  for (const auto& dir : {paths.dir(), paths.slugs(), paths.buildpacks()}) {
    if (auto names = util::list_dir(dir)) {
      for (const auto& n : *names) {
        if (is_temp(n)) {
          (void)util::remove_tree(dir + "/" + n);
        }
      }
    }
  }
  ReleaseStore store(paths);
  if (auto versions = store.versions()) {
    for (auto v : *versions) {
      if (auto names = util::list_dir(store.dir(v))) {
        for (const auto& n : *names) {
          if (is_temp(n)) {
            (void)util::remove_tree(store.dir(v) + "/" + n);
          }
        }
      }
    }
  }
  if (auto fixed = store.recover_interrupted(); fixed) {
    for (auto v : *fixed) {
      auto r = store.load(v);
      out.warn("v" + std::to_string(v) + " was interrupted before it finished; recorded as " +
               (r ? to_string(r->status) : std::string("failed")));
    }
  }
}

} // namespace slipway::core
