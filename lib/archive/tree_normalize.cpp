#include "tree_normalize.hpp"

#include <archive/slug_pack.hpp>
#include <util/dir_walk.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace slipway::archive {

namespace {

// The mode an entry has in a slug.
mode_t
slug_mode(const struct stat& st)
{
  return S_ISDIR(st.st_mode) || (st.st_mode & 0111) ? 0755 : 0644;
}

// Owner 0 (as root) and the slug's mode for entry `name` of `parent`, a directory no one
// else can change (so the name cannot be swapped): the owner without following a link, the
// mode through `fd` or through the entry opened with O_NOFOLLOW, and only when it differs.
util::Status
own_and_mode(int parent, const char* name, int fd, const struct stat& st, const std::string& shown)
{
  if (::geteuid() == 0 && (st.st_uid != 0 || st.st_gid != 0)) {
    int rc = fd >= 0 ? ::fchown(fd, 0, 0) : ::fchownat(parent, name, 0, 0, AT_SYMLINK_NOFOLLOW);
    if (rc != 0) {
      return util::error(util::errno_message("cannot change the owner of", shown));
    }
  }
  // A chown clears set-id bits, so the mode is set after it; unchanged modes are left alone.
  if (S_ISLNK(st.st_mode) || (st.st_mode & 07777) == slug_mode(st)) {
    return {};
  }
  util::Fd opened;
  if (fd < 0) {
    opened.reset(::openat(parent, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    fd = opened.get();
  }
  if (fd < 0 || ::fchmod(fd, slug_mode(st)) != 0) {
    return util::error(util::errno_message("cannot change the mode of", shown));
  }
  return {};
}

// Replace the file `name` in `parent` (already taken) by a copy of its own, so that changing
// the copy's owner and mode cannot reach the file's other names. Returns the copy, open.
util::Result<util::Fd>
unshare(int parent, const std::string& name, int fd, const std::string& shown)
{
  std::string tmp;
  util::Fd copy;
  for (int i = 0; !copy && i < 100; ++i) {
    tmp = ".slipway-unshare." + std::to_string(i);
    copy.reset(::openat(parent, tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!copy && errno != EEXIST) {
      break;
    }
  }
  if (!copy) {
    return util::error(util::errno_message("cannot copy the hard-linked file", shown));
  }
  ssize_t n;
  while ((n = ::copy_file_range(fd, nullptr, copy.get(), nullptr, 1 << 30, 0)) > 0) {
  }
  if (n < 0 || ::renameat(parent, tmp.c_str(), parent, name.c_str()) != 0) {
    auto e = util::error(util::errno_message("cannot copy the hard-linked file", shown));
    ::unlinkat(parent, tmp.c_str(), 0);
    return e;
  }
  return copy;
}

// What `st` becomes once taken: owner 0 (as root) and the slug's mode.
struct stat
as_taken(struct stat st)
{
  if (::geteuid() == 0) {
    st.st_uid = 0;
    st.st_gid = 0;
  }
  if (!S_ISLNK(st.st_mode)) {
    st.st_mode = (st.st_mode & ~07777) | slug_mode(st);
  }
  return st;
}

} // namespace

util::Result<struct stat>
take_entry(int parent, const std::string& name, const std::string& rel, const struct stat& st, const TakeOptions& opt)
{
  std::string shown = "app/" + util::printable(rel);
  if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
    return st; // special files: the packer refuses them
  }
  if (st.st_uid != opt.owner) {
    return util::error(fmt::format(
        "'{}' belongs to uid {}, not to the app's user; a build may only leave files of its own", shown, st.st_uid));
  }
  if (S_ISREG(st.st_mode) && opt.on_file) {
    opt.on_file(rel, st);
  }
  if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
    util::Fd fd(::openat(parent, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) {
      return util::error(util::errno_message("cannot open", shown));
    }
    // The copy is this process's own already; it takes the original's slug mode.
    SW_TRY_ASSIGN(fd, unshare(parent, name, fd.get(), shown));
    if (::fchmod(fd.get(), slug_mode(st)) != 0) {
      return util::error(util::errno_message("cannot change the mode of", shown));
    }
  } else {
    // `parent` is taken: `name` is the very entry `st` describes, and stays so.
    SW_TRY(own_and_mode(parent, name.c_str(), -1, st, shown));
  }
  return as_taken(st);
}

util::Status
take_top(int dirfd, const TakeOptions& options)
{
  struct stat st;
  if (::fstat(dirfd, &st) != 0) {
    return util::error(util::errno_message("cannot read", "app"));
  }
  if (::geteuid() == 0 && st.st_uid == 0) {
    return {}; // taken already: the app's user cannot give a directory to root
  }
  if (st.st_uid != options.owner) {
    return util::error(fmt::format("'app' belongs to uid {}, not to the app's user", st.st_uid));
  }
  return own_and_mode(-1, "", dirfd, st, "app");
}

util::Status
take_tree(int dirfd, const TakeOptions& options)
{
  SW_TRY(take_top(dirfd, options));
  return util::walk_dir(dirfd,
                        [&](int parent, const std::string& name, const std::string& rel,
                            const struct stat& s) -> util::Result<util::Visit> {
                          SW_TRY(take_entry(parent, name, rel, s, options));
                          // walk_dir opens a directory with O_NOFOLLOW and lists it: it is taken.
                          return util::Visit::descend;
                        });
}

util::Status
normalize_entry(int parent, const char* name, int fd, const struct stat& st, const std::string& shown)
{
  if (S_ISLNK(st.st_mode)) {
    fd = -1;
  }
  SW_TRY(own_and_mode(parent, name, fd, st, shown));
  if (st.st_mtim.tv_sec != k_slug_mtime || st.st_mtim.tv_nsec != 0) {
    timespec times[2] = {{k_slug_mtime, 0}, {k_slug_mtime, 0}};
    int rc = fd >= 0 ? ::futimens(fd, times) : ::utimensat(parent, name, times, AT_SYMLINK_NOFOLLOW);
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
