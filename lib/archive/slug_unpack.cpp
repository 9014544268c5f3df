#include "slug_unpack.hpp"

#include <archive/handles.hpp>
#include <archive/tree_normalize.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/path_safety.hpp>
#include <util/strings.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <unordered_set>

namespace slipway::archive {

namespace {

// "./app/x/y" -> "x/y"; "./app" -> ""; anything outside app -> nullopt-like false.
bool
strip_app_prefix(std::string path, std::string& rel)
{
  if (path.starts_with("./")) {
    path.erase(0, 2);
  }
  while (!path.empty() && path.back() == '/') {
    path.pop_back();
  }
  if (path == "app") {
    rel.clear();
    return true;
  }
  if (!path.starts_with("app/")) {
    return false;
  }
  rel = path.substr(4);
  return true;
}

// Whether a path has a ".." part.
bool
climbs(std::string_view path)
{
  for (const auto& part : util::split(path, '/')) {
    if (part == "..") {
      return true;
    }
  }
  return false;
}

// Creates entries relative to open directory fds. Slugs list entries depth first, so a
// stack of the open directories on the current path serves every entry without building
// long paths, and a path through a symlink is refused rather than followed.
struct Unpacker
{
  std::string slug;
  std::unordered_set<std::string> links;               // symlinks created so far, by relative path
  std::vector<std::pair<std::string, util::Fd>> stack; // ("", dest), then open subdirectories

  util::Error
  refuse(const std::string& rel, const std::string& why) const
  {
    return util::error("slug '" + slug + "' is unsafe: 'app/" + util::printable(rel) + "' " + why);
  }

  // The fd of directory `dir` (relative), creating missing directories on the way.
  util::Result<int>
  open_dir(const std::string& dir, const std::string& rel)
  {
    while (stack.size() > 1) {
      const std::string& top = stack.back().first;
      if (dir == top || dir.starts_with(top + "/")) {
        break;
      }
      stack.pop_back();
    }
    std::string have = stack.back().first;
    if (dir == have) {
      return stack.back().second.get();
    }
    std::string rest = have.empty() ? dir : dir.substr(have.size() + 1);
    for (const auto& part : util::split(rest, '/')) {
      std::string path = have.empty() ? part : have + "/" + part;
      if (links.count(path)) {
        return refuse(rel, "lies below the symlink 'app/" + util::printable(path) + "'");
      }
      int parent = stack.back().second.get();
      if (::mkdirat(parent, part.c_str(), 0755) != 0 && errno != EEXIST) {
        return util::error(util::errno_message("cannot create directory", "app/" + util::printable(path)));
      }
      util::Fd fd(::openat(parent, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!fd) {
        return util::error(util::errno_message("cannot open directory", "app/" + util::printable(path)));
      }
      stack.emplace_back(path, std::move(fd));
      have = path;
    }
    return stack.back().second.get();
  }
};

std::string
parent_of(const std::string& rel)
{
  auto slash = rel.rfind('/');
  return slash == std::string::npos ? std::string() : rel.substr(0, slash);
}

std::string
leaf_of(const std::string& rel)
{
  auto slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

} // namespace

util::Status
unpack_slug(const std::string& slug_path, const std::string& dest, const UnpackLimits& limits)
{
  Reader r(archive_read_new());
  archive_read_support_filter_all(r.get());
  archive_read_support_format_tar(r.get());
  if (archive_read_open_filename(r.get(), slug_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return last_error(r.get(), "cannot open slug '" + slug_path + "'");
  }
  SW_TRY(util::make_dir(dest, 0755));
  Unpacker u{slug_path, {}, {}};
  u.stack.emplace_back("", util::Fd(::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)));
  if (!u.stack.back().second) {
    return util::error(util::errno_message("cannot open", dest));
  }
  unsigned long long bytes = 0, entries = 0;
  archive_entry* entry = nullptr;
  while (true) {
    int rc = archive_read_next_header(r.get(), &entry);
    if (rc == ARCHIVE_EOF) {
      break;
    }
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      return last_error(r.get(), "cannot read slug '" + slug_path + "'");
    }
    const char* raw_path = archive_entry_pathname(entry);
    std::string rel;
    if (raw_path && (raw_path[0] == '/' || climbs(raw_path))) {
      // Never made by Slipway's packer: a slug from elsewhere that tries to escape.
      return util::error("slug '" + slug_path + "' is unsafe: '" + util::printable(raw_path) +
                         "' is absolute or climbs out with '..'");
    }
    if (!raw_path || !strip_app_prefix(raw_path, rel) || rel.empty()) {
      continue; // Heroku ignores files outside ./app
    }
    if (!util::is_safe_relative_path(rel)) {
      return u.refuse(rel, "is not a plain relative path (absolute or with '..')");
    }
    if (++entries > limits.max_entries) {
      return util::error(
          fmt::format("slug '{}' has more than {} entries; refusing to unpack it", slug_path, limits.max_entries));
    }
    if (u.links.count(rel)) {
      return u.refuse(rel, "appears twice (once as a symlink)");
    }
    SW_TRY_ASSIGN(int dir, u.open_dir(parent_of(rel), rel));
    std::string leaf = leaf_of(rel);
    if (const char* hard = archive_entry_hardlink(entry)) {
      std::string target;
      if (!strip_app_prefix(hard, target) || !util::is_safe_relative_path(target) || u.links.count(target)) {
        return u.refuse(rel, "is a hard link to something outside the app's files");
      }
      util::Fd tdir;
      int target_dir = u.stack.front().second.get();
      for (const auto& part : util::split(parent_of(target), '/')) {
        if (part.empty()) {
          continue;
        }
        tdir.reset(::openat(target_dir, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!tdir) {
          return u.refuse(rel, "is a hard link to something outside the app's files");
        }
        target_dir = tdir.get();
      }
      struct stat tst;
      if (::fstatat(target_dir, leaf_of(target).c_str(), &tst, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(tst.st_mode)) {
        return u.refuse(rel, "is a hard link to something outside the app's files");
      }
      if (::linkat(target_dir, leaf_of(target).c_str(), dir, leaf.c_str(), 0) != 0) {
        return util::error(util::errno_message("cannot create hard link", "app/" + util::printable(rel)));
      }
      continue;
    }
    switch (archive_entry_filetype(entry)) {
    case AE_IFDIR:
      SW_TRY(u.open_dir(rel, rel));
      break;
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(entry);
      if (!target || !util::symlink_stays_inside(rel, target)) {
        return u.refuse(rel, "is a symlink that points outside the app");
      }
      if (::symlinkat(target, dir, leaf.c_str()) != 0) {
        return util::error(util::errno_message("cannot create symlink", "app/" + util::printable(rel)));
      }
      u.links.insert(rel);
      break;
    }
    case AE_IFREG: {
      auto size = archive_entry_size(entry);
      if (size < 0 || (bytes += static_cast<unsigned long long>(size)) > limits.max_bytes) {
        return util::error("slug '" + slug_path + "' unpacks to more than " + util::human_size(limits.max_bytes) +
                           "; refusing to unpack it");
      }
      mode_t mode = (archive_entry_perm(entry) & 0111) ? 0755 : 0644;
      util::Fd fd(::openat(dir, leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
      if (!fd) {
        return util::error(util::errno_message("cannot create", "app/" + util::printable(rel)));
      }
      ::fchmod(fd.get(), mode);
      const void* buf;
      size_t len;
      la_int64_t offset;
      long long written = 0;
      while ((rc = archive_read_data_block(r.get(), &buf, &len, &offset)) == ARCHIVE_OK) {
        if (::pwrite(fd.get(), buf, len, offset) != static_cast<ssize_t>(len)) {
          return util::error(util::errno_message("cannot write", "app/" + util::printable(rel)));
        }
        written = offset + static_cast<long long>(len);
      }
      if (rc != ARCHIVE_EOF) {
        return last_error(r.get(), "cannot read slug '" + slug_path + "'");
      }
      if (written < size && ::ftruncate(fd.get(), size) != 0) {
        return util::error(util::errno_message("cannot write", "app/" + util::printable(rel)));
      }
      break;
    }
    default:
      return u.refuse(rel, "is a device, FIFO or socket");
    }
  }
  u.stack.clear();
  return normalize_tree(dest);
  return {};
}

} // namespace slipway::archive
