#include "slug_unpack.hpp"

#include <archive/handles.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/path_safety.hpp>
#include <util/strings.hpp>

#include <fcntl.h>
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
  if (util::starts_with(path, "./")) {
    path.erase(0, 2);
  }
  while (!path.empty() && path.back() == '/') {
    path.pop_back();
  }
  if (path == "app") {
    rel.clear();
    return true;
  }
  if (!util::starts_with(path, "app/")) {
    return false;
  }
  rel = path.substr(4);
  return true;
}

struct Unpacker
{
  std::string dest;
  std::string slug;
  std::unordered_set<std::string> links; // symlinks created so far, by relative path
  std::unordered_set<std::string> dirs;  // directories created so far

  util::Error refuse(const std::string& rel, const std::string& why) const
  {
    return util::error("slug '" + slug + "' is unsafe: 'app/" + util::printable(rel) + "' " + why);
  }

  // Create missing parent directories of `rel`; refuse a path that goes through a symlink.
  util::Status parents(const std::string& rel)
  {
    std::string sofar;
    auto parts = util::split(rel, '/');
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      sofar = sofar.empty() ? parts[i] : sofar + "/" + parts[i];
      if (links.count(sofar)) {
        return refuse(rel, "lies below the symlink 'app/" + util::printable(sofar) + "'");
      }
      if (!dirs.count(sofar)) {
        SW_TRY(util::make_dir(dest + "/" + sofar, 0755, true));
        dirs.insert(sofar);
      }
    }
    return {};
  }
};

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
  Unpacker u{dest, slug_path, {}, {}};
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
    if (!raw_path || !strip_app_prefix(raw_path, rel)) {
      continue; // Heroku ignores files outside ./app
    }
    if (rel.empty()) {
      continue;
    }
    if (!util::is_safe_relative_path(rel)) {
      return u.refuse(rel, "is not a plain relative path (absolute or with '..')");
    }
    if (++entries > limits.max_entries) {
      return util::error("slug '" + slug_path + "' has more than " +
                         std::to_string(limits.max_entries) + " entries; refusing to unpack it");
    }
    SW_TRY(u.parents(rel));
    std::string full = dest + "/" + rel;
    if (const char* hard = archive_entry_hardlink(entry)) {
      std::string target;
      if (!strip_app_prefix(hard, target) || !util::is_safe_relative_path(target) ||
          u.links.count(target) || u.dirs.count(target)) {
        return u.refuse(rel, "is a hard link to something outside the app's files");
      }
      if (::link((dest + "/" + target).c_str(), full.c_str()) != 0) {
        return util::error(util::errno_message("cannot create hard link", full));
      }
      continue;
    }
    switch (archive_entry_filetype(entry)) {
    case AE_IFDIR:
      if (u.links.count(rel)) {
        return u.refuse(rel, "is both a symlink and a directory");
      }
      SW_TRY(util::make_dir(full, 0755, true));
      u.dirs.insert(rel);
      break;
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(entry);
      if (!target || !util::symlink_stays_inside(rel, target)) {
        return u.refuse(rel, "is a symlink that points outside the app");
      }
      if (::symlink(target, full.c_str()) != 0) {
        return util::error(util::errno_message("cannot create symlink", full));
      }
      u.links.insert(rel);
      break;
    }
    case AE_IFREG: {
      auto size = archive_entry_size(entry);
      if (size < 0 || (bytes += static_cast<unsigned long long>(size)) > limits.max_bytes) {
        return util::error("slug '" + slug_path + "' unpacks to more than " +
                           util::human_size(limits.max_bytes) + "; refusing to unpack it");
      }
      mode_t mode = (archive_entry_perm(entry) & 0111) ? 0755 : 0644;
      util::Fd fd(::open(full.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
      if (!fd) {
        return util::error(util::errno_message("cannot create", full));
      }
      ::fchmod(fd.get(), mode);
      const void* buf;
      size_t len;
      la_int64_t offset;
      long long written = 0;
      while ((rc = archive_read_data_block(r.get(), &buf, &len, &offset)) == ARCHIVE_OK) {
        if (::pwrite(fd.get(), buf, len, offset) != static_cast<ssize_t>(len)) {
          return util::error(util::errno_message("cannot write", full));
        }
        written = offset + static_cast<long long>(len);
      }
      if (rc != ARCHIVE_EOF) {
        return last_error(r.get(), "cannot read slug '" + slug_path + "'");
      }
      if (written < size && ::ftruncate(fd.get(), size) != 0) {
        return util::error(util::errno_message("cannot write", full));
      }
      break;
    }
    default:
      return u.refuse(rel, "is a device, FIFO or socket");
    }
  }
  return {};
}

} // namespace slipway::archive
