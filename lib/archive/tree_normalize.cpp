#include "tree_normalize.hpp"

#include <archive/slug_pack.hpp>
#include <util/dir_walk.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace slipway::archive {

static util::Status
normalize_one(int parent, const char* name, const struct stat& st, const std::string& shown)
{
  bool root = ::geteuid() == 0;
  if (root && ::fchownat(parent, name, 0, 0, AT_SYMLINK_NOFOLLOW) != 0) {
    return util::error(util::errno_message("cannot change the owner of", shown));
  }
  if (!S_ISLNK(st.st_mode)) {
    mode_t mode = S_ISDIR(st.st_mode) || (st.st_mode & 0111) ? 0755 : 0644;
    if (::fchmodat(parent, name, mode, 0) != 0) {
      return util::error(util::errno_message("cannot change the mode of", shown));
    }
  }
  timespec times[2] = {{k_slug_mtime, 0}, {k_slug_mtime, 0}};
  if (::utimensat(parent, name, times, AT_SYMLINK_NOFOLLOW) != 0) {
    return util::error(util::errno_message("cannot set the time of", shown));
  }
  return {};
}

util::Status
normalize_tree(const std::string& dir)
{
  util::Fd root(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) {
    return util::error(util::errno_message("cannot open", dir));
  }
  // Only creating or removing entries changes a directory's mtime, and this creates none:
  // one pass in any order leaves every time as set.
  SW_TRY(util::walk_dir(root.get(),
                        [&](int parent, const std::string& name, const std::string& rel,
                            const struct stat& st) -> util::Result<util::Visit> {
                          SW_TRY(normalize_one(parent, name.c_str(), st, dir + "/" + rel));
                          return util::Visit::descend;
                        }));
  struct stat st;
  ::fstat(root.get(), &st);
  std::string parent = util::dir_name(dir);
  util::Fd up(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  return normalize_one(up.get(), util::base_name(dir).c_str(), st, dir);
}

} // namespace slipway::archive
