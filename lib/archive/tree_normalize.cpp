#include "tree_normalize.hpp"

#include <archive/slug_pack.hpp>
#include <util/dir_walk.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace slipway::archive {

util::Status
normalize_entry(int parent, const char* name, int fd, const struct stat& st, const std::string& shown)
{
  static const bool root = ::geteuid() == 0;
  bool by_fd = fd >= 0 && !S_ISLNK(st.st_mode);
  if (root && (st.st_uid != 0 || st.st_gid != 0)) {
    int rc = by_fd ? ::fchown(fd, 0, 0) : ::fchownat(parent, name, 0, 0, AT_SYMLINK_NOFOLLOW);
    if (rc != 0) {
      return util::error(util::errno_message("cannot change the owner of", shown));
    }
  }
  if (!S_ISLNK(st.st_mode)) {
    mode_t mode = S_ISDIR(st.st_mode) || (st.st_mode & 0111) ? 0755 : 0644;
    // A chown clears set-id bits, so the mode is set after it; unchanged modes are left alone.
    if ((st.st_mode & 07777) != mode) {
      int rc = by_fd ? ::fchmod(fd, mode) : ::fchmodat(parent, name, mode, 0);
      if (rc != 0) {
        return util::error(util::errno_message("cannot change the mode of", shown));
      }
    }
  }
  if (st.st_mtim.tv_sec != k_slug_mtime || st.st_mtim.tv_nsec != 0) {
    timespec times[2] = {{k_slug_mtime, 0}, {k_slug_mtime, 0}};
    int rc = by_fd ? ::futimens(fd, times) : ::utimensat(parent, name, times, AT_SYMLINK_NOFOLLOW);
    if (rc != 0) {
      return util::error(util::errno_message("cannot set the time of", shown));
    }
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
                          SW_TRY(normalize_entry(parent, name.c_str(), -1, st, dir + "/" + rel));
                          return util::Visit::descend;
                        }));
  struct stat st;
  ::fstat(root.get(), &st);
  std::string parent = util::dir_name(dir);
  util::Fd up(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  return normalize_entry(up.get(), util::base_name(dir).c_str(), root.get(), st, dir);
}

} // namespace slipway::archive
