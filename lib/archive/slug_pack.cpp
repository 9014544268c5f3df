#include "slug_pack.hpp"

#include <archive/handles.hpp>
#include <archive/tree_normalize.hpp>
#include <util/dir_walk.hpp>
#include <util/fault.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/path_safety.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace slipway::archive {

std::string
slug_extension(Compression c)
{
  return c == Compression::gzip ? ".tgz" : ".tar.zst";
}

bool
parse_compression(const std::string& name, Compression& out)
{
  if (name == "zstd") {
    out = Compression::zstd;
  } else if (name == "gzip") {
    out = Compression::gzip;
  } else {
    return false;
  }
  return true;
}

namespace {

struct Sink
{
  int fd;
  util::Sha256 hash;
  unsigned long long size = 0;
  unsigned long long max_size = 0;
  bool too_large = false;
};

la_ssize_t
write_cb(::archive* a, void* data, const void* buf, size_t n)
{
  auto* sink = static_cast<Sink*>(data);
  if (sink->max_size && sink->size + n > sink->max_size) {
    sink->too_large = true;
    sink->size += n;
    archive_set_error(a, EFBIG, "the slug is larger than its limit");
    return -1;
  }
  if (!util::write_all(sink->fd, {static_cast<const char*>(buf), n})) {
    // Without this the cause (a full disk, say) would read "unknown libarchive error".
    archive_set_error(a, errno, "cannot write the slug: %s", std::strerror(errno));
    return -1;
  }
  sink->hash.update(buf, n);
  sink->size += n;
  return static_cast<la_ssize_t>(n);
}

struct Packer
{
  ::archive* a;
  bool normalize = false;
  const PackedFileFn& on_file;
  const TakeOptions* take = nullptr;
  unsigned long long files = 0;

  // Write one entry; `rel` is its path below the app ("" for the app directory itself).
  util::Status
  header(const std::string& rel, const struct stat& st, const std::string& target)
  {
    Entry entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), rel.empty() ? "./app" : ("./app/" + rel).c_str());
    archive_entry_set_mtime(entry.get(), k_slug_mtime, 0);
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    if (S_ISDIR(st.st_mode)) {
      archive_entry_set_filetype(entry.get(), AE_IFDIR);
      archive_entry_set_perm(entry.get(), 0755);
    } else if (S_ISREG(st.st_mode)) {
      archive_entry_set_filetype(entry.get(), AE_IFREG);
      archive_entry_set_perm(entry.get(), (st.st_mode & 0111) ? 0755 : 0644);
      archive_entry_set_size(entry.get(), st.st_size);
    } else {
      archive_entry_set_filetype(entry.get(), AE_IFLNK);
      archive_entry_set_perm(entry.get(), 0777);
      archive_entry_set_symlink(entry.get(), target.c_str());
    }
    if (archive_write_header(a, entry.get()) != ARCHIVE_OK) {
      return last_error(a, "cannot write slug entry 'app/" + util::printable(rel) + "'");
    }
    ++files;
    return {};
  }

  util::Result<util::Visit>
  add(int parent, const std::string& name, const std::string& rel, const struct stat& found)
  {
    struct stat st = found;
    if (take) {
      SW_TRY_ASSIGN(st, take_entry(parent, name, rel, found, *take));
    }
    std::string target;
    if (S_ISLNK(st.st_mode)) {
      char buf[4096];
      ssize_t n = ::readlinkat(parent, name.c_str(), buf, sizeof buf);
      if (n < 0) {
        return util::error(util::errno_message("cannot read link", "app/" + util::printable(rel)));
      }
      target.assign(buf, static_cast<size_t>(n));
      if (!util::symlink_stays_inside(rel, target)) {
        return util::error("symlink 'app/" + util::printable(rel) + "' -> '" + util::printable(target) +
                           "' points outside the app; slugs may only link inside it");
      }
    } else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
      return util::error(
          "'app/" + util::printable(rel) +
          "' is a special file (FIFO, socket or device); slugs hold only files, directories and symlinks");
    }
    SW_TRY(header(rel, st, target));
    if (S_ISREG(st.st_mode)) {
      if (on_file) {
        on_file(rel, st);
      }
      SW_TRY(copy_data(parent, name, rel, st));
      util::fault_point("during-slug-write");
    } else if (normalize) {
      SW_TRY(normalize_entry(parent, name.c_str(), -1, st, "app/" + util::printable(rel)));
    }
    return util::Visit::descend;
  }

  util::Status
  copy_data(int parent, const std::string& name, const std::string& rel, const struct stat& st)
  {
    util::Fd fd(::openat(parent, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
      return util::error(util::errno_message("cannot read", "app/" + util::printable(rel)));
    }
    char buf[1 << 16];
    ssize_t n;
    while ((n = ::read(fd.get(), buf, sizeof buf)) > 0) {
      if (archive_write_data(a, buf, static_cast<size_t>(n)) < 0) {
        return last_error(a, "cannot write slug data for 'app/" + util::printable(rel) + "'");
      }
    }
    if (n < 0) {
      return util::error(util::errno_message("cannot read", "app/" + util::printable(rel)));
    }
    return normalize ? normalize_entry(parent, name.c_str(), fd.get(), st, "app/" + util::printable(rel))
                     : util::Status();
  }
};

} // namespace

util::Result<PackResult>
pack_slug(const std::string& dir, const std::string& out_path, Compression compression, const PackOptions& options)
{
  util::Fd fd(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd) {
    return util::error(util::errno_message("cannot create slug", out_path));
  }
  Writer w(archive_write_new());
  archive_write_set_format_pax_restricted(w.get());
  // File names are bytes (git allows any but NUL and '/'): store them as they are.
  archive_write_set_format_option(w.get(), "pax", "hdrcharset", "BINARY");
  // No zero padding after the compressed stream: zstd reads trailing zeros as a bad frame.
  archive_write_set_bytes_in_last_block(w.get(), 1);
  if (compression == Compression::gzip) {
    archive_write_add_filter_gzip(w.get());
    // The gzip header would otherwise carry the current time, breaking determinism.
    archive_write_set_filter_option(w.get(), "gzip", "timestamp", nullptr);
  } else {
    archive_write_add_filter_zstd(w.get());
    archive_write_set_filter_option(w.get(), "zstd", "threads", "0");
  }
  Sink sink{fd.get(), util::Sha256(), 0, options.max_size, false};
  auto stopped = [&]() { return PackResult{"", sink.size, 0, true}; };
  if (archive_write_open(w.get(), &sink, nullptr, write_cb, nullptr) != ARCHIVE_OK) {
    return last_error(w.get(), "cannot start slug '" + out_path + "'");
  }
  util::Fd root(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat root_st;
  if (!root || ::fstat(root.get(), &root_st) != 0) {
    return util::error(util::errno_message("cannot open", dir));
  }
  Packer packer{w.get(), options.normalize, options.on_file, options.take};
  if (options.take) {
    SW_TRY(take_top(root.get(), *options.take));
    ::fstat(root.get(), &root_st);
  }
  auto added = packer.header("", root_st, "");
  if (added) {
    added = util::walk_dir(root.get(), [&](int parent, const std::string& name, const std::string& rel,
                                           const struct stat& st) { return packer.add(parent, name, rel, st); });
  }
  if (!added) {
    return sink.too_large ? util::Result<PackResult>(stopped()) : added.error();
  }
  if (options.normalize) {
    util::Fd up(::open(util::dir_name(dir).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    SW_TRY(normalize_entry(up.get(), util::base_name(dir).c_str(), root.get(), root_st, dir));
  }
  if (archive_write_close(w.get()) != ARCHIVE_OK) {
    return sink.too_large ? util::Result<PackResult>(stopped())
                          : last_error(w.get(), "cannot finish slug '" + out_path + "'");
  }
  if (::fsync(fd.get()) != 0) {
    return util::error(util::errno_message("cannot sync slug", out_path));
  }
  return PackResult{sink.hash.hex_digest(), sink.size, packer.files};
}

} // namespace slipway::archive
