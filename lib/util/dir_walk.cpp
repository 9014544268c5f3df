#include "dir_walk.hpp"

#include <util/fd.hpp>
#include <util/fs.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <vector>

namespace slipway::util {

namespace {} // namespace

Status
walk_dir(int dirfd, const Visitor& visit, const std::string& rel)
{
  SW_TRY_ASSIGN(auto names, list_dir_at(dirfd, rel));
  for (const auto& name : names) {
    std::string child = rel.empty() ? name : rel + "/" + name;
    struct stat st;
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) {
        continue;
      }
      return error(errno_message("cannot read", child));
    }
    SW_TRY_ASSIGN(Visit v, visit(dirfd, name, child, st));
    if (v == Visit::descend && S_ISDIR(st.st_mode)) {
      Fd sub(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub) {
        return error(errno_message("cannot open directory", child));
      }
      SW_TRY(walk_dir(sub.get(), visit, child));
    }
  }
  return {};
}

Status
walk_path(const std::string& dir, const Visitor& visit)
{
  Fd root(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) {
    return error(errno_message("cannot open", dir));
  }
  return walk_dir(root.get(), visit);
}

Status
remove_at(int dirfd, const std::string& name)
{
  if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) {
    return {};
  }
  if (errno != EISDIR && errno != EPERM) {
    return error(errno_message("cannot remove", name));
  }
  Fd sub(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!sub) {
    return error(errno_message("cannot open directory", name));
  }
  SW_TRY_ASSIGN(auto names, list_dir_at(sub.get(), name));
  for (const auto& n : names) {
    SW_TRY(remove_at(sub.get(), n));
  }
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return error(errno_message("cannot remove directory", name));
  }
  return {};
}

static Status
link_dir(int src, int dest, const std::string& rel, long owner_uid, gid_t owner_gid)
{
  SW_TRY_ASSIGN(auto names, list_dir_at(src, rel));
  for (const auto& name : names) {
    std::string child = rel.empty() ? name : rel + "/" + name;
    struct stat st;
    if (::fstatat(src, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return error(errno_message("cannot read", child));
    }
    if (S_ISDIR(st.st_mode)) {
      if (::mkdirat(dest, name.c_str(), st.st_mode & 07777) != 0) {
        return error(errno_message("cannot create directory", child));
      }
      Fd s(::openat(src, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      Fd d(::openat(dest, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!s || !d) {
        return error(errno_message("cannot open directory", child));
      }
      ::fchmod(d.get(), st.st_mode & 07777);
      if (owner_uid >= 0 && ::fchown(d.get(), static_cast<uid_t>(owner_uid), owner_gid) != 0) {
        return error(errno_message("cannot change the owner of", child));
      }
      SW_TRY(link_dir(s.get(), d.get(), child, owner_uid, owner_gid));
      timespec times[2] = {st.st_atim, st.st_mtim};
      ::futimens(d.get(), times);
    } else if (S_ISLNK(st.st_mode)) {
      char buf[4096];
      ssize_t n = ::readlinkat(src, name.c_str(), buf, sizeof buf - 1);
      if (n < 0) {
        return error(errno_message("cannot read link", child));
      }
      buf[n] = '\0';
      if (::symlinkat(buf, dest, name.c_str()) != 0) {
        return error(errno_message("cannot create symlink", child));
      }
      timespec times[2] = {st.st_atim, st.st_mtim};
      ::utimensat(dest, name.c_str(), times, AT_SYMLINK_NOFOLLOW);
    } else if (::linkat(src, name.c_str(), dest, name.c_str(), 0) != 0) {
      return error(errno_message("cannot link", child));
    }
  }
  return {};
}

Status
link_tree(const std::string& src, const std::string& dest, long owner_uid, gid_t owner_gid)
{
  Fd s(::open(src.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  struct stat st;
  if (!s || ::fstat(s.get(), &st) != 0) {
    return error(errno_message("cannot open", src));
  }
  if (::mkdir(dest.c_str(), st.st_mode & 07777) != 0) {
    return error(errno_message("cannot create directory", dest));
  }
  Fd d(::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d) {
    return error(errno_message("cannot open", dest));
  }
  ::fchmod(d.get(), st.st_mode & 07777);
  if (owner_uid >= 0 && ::fchown(d.get(), static_cast<uid_t>(owner_uid), owner_gid) != 0) {
    return error(errno_message("cannot change the owner of", dest));
  }
  SW_TRY(link_dir(s.get(), d.get(), "", owner_uid, owner_gid));
  timespec times[2] = {st.st_atim, st.st_mtim};
  ::futimens(d.get(), times);
  return {};
}

Status
chown_tree(const std::string& path, uid_t uid, gid_t gid)
{
  if (::lchown(path.c_str(), uid, gid) != 0) {
    return error(errno_message("cannot change the owner of", path));
  }
  Fd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) {
    return {}; // a file: done
  }
  return walk_dir(
      dir.get(),
      [&](int parent, const std::string& name, const std::string& rel, const struct stat& st) -> Result<Visit> {
        // Another name of the same file may lie outside the tree: it is not handed over.
        if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
          return error("cannot hand over '" + path + "/" + rel + "': it has other hard links");
        }
        if (::fchownat(parent, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
          return error(errno_message("cannot change the owner of", path + "/" + rel));
        }
        return Visit::descend;
      });
}

} // namespace slipway::util
