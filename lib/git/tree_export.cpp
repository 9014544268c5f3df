#include "tree_export.hpp"

#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/memory.hpp>
#include <util/path_safety.hpp>
#include <util/strings.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <vector>

namespace slipway::git {

namespace {

// Whether the process umask removes any of `mode`'s bits. Read from /proc, since setting
// the umask to read it would race with other threads of a server.
bool
umask_strips(mode_t mode)
{
  auto umask = util::proc_status("Umask");
  if (!umask) {
    return true;
  }
  mode_t mask = static_cast<mode_t>(std::strtoul(umask->c_str(), nullptr, 8));
  return (mask & mode) != 0;
}

struct Exporter
{
  git_repository* repo;
  const std::function<void(const std::string&)>& warn;
  const ExportOptions& options;
  const ExportOwner& owner = options.owner;
  bool umask_strict = true; // the umask would strip bits of 0755/0644: set modes explicitly
  ExportStats stats{};

  // Make the entry open as `fd` the export's owner's (chown: "give" means only this).
  util::Status
  own(int fd, const std::string& rel)
  {
    if (owner.uid >= 0 && ::fchown(fd, static_cast<uid_t>(owner.uid), owner.gid) != 0) {
      return util::error(util::errno_message("cannot change the owner of", util::printable(rel)));
    }
    return {};
  }

  // A loose object inflated with read() in 1 MiB steps: libgit2's own stream maps the whole
  // compressed file, which puts all of it in the hook's resident set. False (no error) when
  // the object is not loose, so that libgit2 reads it instead.
  util::Result<bool>
  inflate_loose(int fd, const git_oid* id, size_t size, const std::string& rel)
  {
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, id);
    std::string path = std::string(git_repository_path(repo)) + "objects/" + std::string(hex, 2) + "/" + (hex + 2);
    util::Fd in(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in) {
      return false;
    }
    z_stream z{};
    if (inflateInit(&z) != Z_OK) {
      return false;
    }
    std::unique_ptr<z_stream, int (*)(z_stream*)> owner(&z, inflateEnd);
    std::vector<unsigned char> packed(1 << 20), plain(1 << 20);
    std::string header; // "blob <size>\0" comes first
    bool in_header = true;
    size_t total = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      ssize_t n = ::read(in.get(), packed.data(), packed.size());
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return util::error("cannot read '" + util::printable(rel) + "': its loose object is cut short");
      }
      z.next_in = packed.data();
      z.avail_in = static_cast<uInt>(n);
      while (z.avail_in > 0 && rc != Z_STREAM_END) {
        z.next_out = plain.data();
        z.avail_out = static_cast<uInt>(plain.size());
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
          return util::error("cannot read '" + util::printable(rel) + "': its loose object is corrupt");
        }
        const char* out = reinterpret_cast<const char*>(plain.data());
        size_t got = plain.size() - z.avail_out;
        while (in_header && got > 0) {
          in_header = *out != '\0';
          header += *out++;
          --got;
        }
        total += got;
        SW_TRY(util::write_fd(fd, std::string_view(out, got), util::printable(rel)));
      }
    }
    if (header != "blob " + std::to_string(size) + std::string(1, '\0') || total != size) {
      return util::error("cannot read '" + util::printable(rel) + "': its loose object does not hold the blob");
    }
    stats.bytes += total;
    return true;
  }

  // Large blobs are streamed so memory stays flat: loose ones through inflate_loose, others
  // through libgit2 (which reads packed objects whole). Returns false (no error) when
  // streaming is not possible.
  util::Result<bool>
  stream_blob(int fd, const git_oid* id, const std::string& rel)
  {
    git_odb* odb = nullptr;
    if (git_repository_odb(&odb, repo) != 0) {
      return false;
    }
    std::unique_ptr<git_odb, GitFree<git_odb_free>> odb_owner(odb);
    size_t size = 0;
    git_object_t type;
    if (git_odb_read_header(&size, &type, odb, id) != 0 || size < k_stream_threshold) {
      return false;
    }
    SW_TRY_ASSIGN(bool inflated, inflate_loose(fd, id, size, rel));
    if (inflated) {
      return true;
    }
    git_odb_stream* stream = nullptr;
    if (git_odb_open_rstream(&stream, &size, &type, odb, id) != 0) {
      git_error_clear();
      return false;
    }
    std::unique_ptr<git_odb_stream, GitFree<git_odb_stream_free>> owner(stream);
    std::vector<char> buf(1 << 20);
    size_t total = 0;
    while (true) {
      int n = git_odb_stream_read(stream, buf.data(), buf.size());
      if (n < 0) {
        return last_error("cannot read '" + util::printable(rel) + "'");
      }
      if (n == 0) {
        break;
      }
      SW_TRY(util::write_fd(fd, std::string_view(buf.data(), static_cast<size_t>(n)), util::printable(rel)));
      total += static_cast<size_t>(n);
    }
    stats.bytes += total;
    return true;
  }

  // Copy the file at `rel` in the reuse tree, which holds this very blob. False (no error)
  // when it cannot, leaving `fd` empty for the caller to fill from git.
  bool
  copy_reused(int fd, const std::string& rel, const git_oid* blob)
  {
    if (!options.reuse) {
      return false;
    }
    auto it = options.reuse->find(rel);
    if (it == options.reuse->end() || git_oid_cmp(&it->second, blob) != 0) {
      return false;
    }
    util::Fd src(util::open_beneath(options.reuse_dir, rel));
    struct stat st;
    if (!src || ::fstat(src.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return false;
    }
    off_t left = st.st_size;
    while (left > 0) {
      ssize_t n = ::copy_file_range(src.get(), nullptr, fd, nullptr, static_cast<size_t>(left), 0);
      if (n <= 0) {
        (void)!::ftruncate(fd, 0);
        ::lseek(fd, 0, SEEK_SET);
        return false;
      }
      left -= n;
    }
    stats.bytes += static_cast<unsigned long long>(st.st_size);
    ++stats.reused;
    return true;
  }

  void
  note_file(int fd, const std::string& rel, const git_oid* blob)
  {
    struct stat st;
    if (options.files && ::fstat(fd, &st) == 0) {
      (*options.files)[std::hash<std::string>{}(rel)] = ExportedFile{*blob, st.st_ino, st.st_ctim};
    }
  }

  util::Status
  write_blob(int dirfd, const std::string& name, const std::string& rel, const git_oid* id, mode_t mode)
  {
    util::Fd fd(::openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd) {
      return util::error(util::errno_message("cannot create", util::printable(rel)));
    }
    if (umask_strict) {
      ::fchmod(fd.get(), mode);
    }
    SW_TRY(own(fd.get(), rel));
    ++stats.files;
    if (copy_reused(fd.get(), rel, id)) {
      note_file(fd.get(), rel, id);
      return {};
    }
    SW_TRY_ASSIGN(bool streamed, stream_blob(fd.get(), id, rel));
    if (streamed) {
      note_file(fd.get(), rel, id);
      return {};
    }
    git_blob* raw = nullptr;
    if (git_blob_lookup(&raw, repo, id) != 0) {
      return last_error("cannot read '" + util::printable(rel) + "'");
    }
    Blob data(raw);
    auto size = static_cast<size_t>(git_blob_rawsize(data.get()));
    stats.bytes += size;
    SW_TRY(util::write_fd(fd.get(), std::string_view(static_cast<const char*>(git_blob_rawcontent(data.get())), size),
                          util::printable(rel)));
    note_file(fd.get(), rel, id);
    return {};
  }

  static constexpr size_t k_stream_threshold = 8 << 20;

  util::Status
  write_link(int dirfd, const std::string& name, const std::string& rel, const git_oid* id)
  {
    git_blob* raw = nullptr;
    if (git_blob_lookup(&raw, repo, id) != 0) {
      return last_error("cannot read '" + util::printable(rel) + "'");
    }
    Blob blob(raw);
    std::string target(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                       static_cast<size_t>(git_blob_rawsize(blob.get())));
    if (!util::symlink_stays_inside(rel, target)) {
      warn("skipping symlink '" + util::printable(rel) + "' -> '" + util::printable(target) +
           "': it points outside the app");
      return {};
    }
    if (::symlinkat(target.c_str(), dirfd, name.c_str()) != 0) {
      return util::error(util::errno_message("cannot create symlink", util::printable(rel)));
    }
    if (owner.uid >= 0 &&
        ::fchownat(dirfd, name.c_str(), static_cast<uid_t>(owner.uid), owner.gid, AT_SYMLINK_NOFOLLOW) != 0) {
      return util::error(util::errno_message("cannot change the owner of", util::printable(rel)));
    }
    return {};
  }

  util::Status
  walk(git_tree* tree, int dirfd, const std::string& prefix)
  {
    size_t count = git_tree_entrycount(tree);
    for (size_t i = 0; i < count; ++i) {
      const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
      std::string name = git_tree_entry_name(entry);
      std::string rel = prefix.empty() ? name : prefix + "/" + name;
      if (name.empty() || name == "." || name == ".." || name == ".git" || name.find('/') != std::string::npos) {
        warn("skipping '" + util::printable(rel) + "': not a valid file name");
        continue;
      }
      const git_oid* id = git_tree_entry_id(entry);
      switch (git_tree_entry_filemode(entry)) {
      case GIT_FILEMODE_TREE: {
        if (::mkdirat(dirfd, name.c_str(), 0755) != 0) {
          return util::error(util::errno_message("cannot create directory", util::printable(rel)));
        }
        util::Fd sub(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        git_tree* raw = nullptr;
        if (!sub || git_tree_lookup(&raw, repo, id) != 0) {
          return last_error("cannot read directory '" + util::printable(rel) + "'");
        }
        Tree subtree(raw);
        if (umask_strict) {
          ::fchmod(sub.get(), 0755);
        }
        SW_TRY(own(sub.get(), rel));
        SW_TRY(walk(subtree.get(), sub.get(), rel));
        break;
      }
      case GIT_FILEMODE_BLOB:
        SW_TRY(write_blob(dirfd, name, rel, id, 0644));
        break;
      case GIT_FILEMODE_BLOB_EXECUTABLE:
        SW_TRY(write_blob(dirfd, name, rel, id, 0755));
        break;
      case GIT_FILEMODE_LINK:
        SW_TRY(write_link(dirfd, name, rel, id));
        break;
      case GIT_FILEMODE_COMMIT:
        warn("submodule '" + util::printable(rel) + "' is not fetched; vendor it or use a buildpack");
        ::mkdirat(dirfd, name.c_str(), 0755);
        if (owner.uid >= 0) {
          ::fchownat(dirfd, name.c_str(), static_cast<uid_t>(owner.uid), owner.gid, AT_SYMLINK_NOFOLLOW);
        }
        break;
      default:
        warn("skipping '" + util::printable(rel) + "': unknown file mode");
      }
    }
    return {};
  }
};

} // namespace

util::Result<ExportStats>
export_tree(git_repository* repo,
            const std::string& tree_hex,
            const std::string& dest,
            const std::function<void(const std::string&)>& warn,
            const ExportOptions& options)
{
  git_oid oid;
  git_tree* raw = nullptr;
  if (!parse_oid(tree_hex, oid) || git_tree_lookup(&raw, repo, &oid) != 0) {
    return last_error("cannot read tree " + tree_hex);
  }
  Tree tree(raw);
  util::Fd root(::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) {
    return util::error(util::errno_message("cannot open", dest));
  }
  Exporter ex{repo, warn, options};
  ex.umask_strict = umask_strips(0755);
  SW_TRY(ex.walk(tree.get(), root.get(), ""));
  return ex.stats;
}

} // namespace slipway::git
