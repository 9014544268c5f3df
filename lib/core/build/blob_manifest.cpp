// Blob reuse: how a build avoids inflating what it already has.
//
// Exporting a commit means inflating every blob from git's packs, which for a large app is
// most of a build. Yet a push usually changes a few files, and the current release tree
// already holds the others, byte for byte, as files on disk. Copying a file (or letting the
// kernel share its extents) is much cheaper than inflating it.
//
// The catch is knowing which files of the release tree are still exactly a given blob:
// buildpacks rewrite files freely (compile assets, patch shebangs), and the release tree
// holds what they left. So the build that made the tree vouches for its files: while it
// packs, a file is listed in the slug's manifest only if it is the very inode the export
// wrote and its ctime is older than a fence taken just before any buildpack ran
// (`export_fence`; util::change_time_fence asks the filesystem for a timestamp that any later
// change must exceed). Any write, rename or chmod by a buildpack moves the ctime past the
// fence, so a touched file is never listed. The manifest is keyed by path and blob id.
//
// The next export (git/tree_export.cpp) copies a file from the current release tree when the
// manifest of that release's slug lists the same path with the same blob id; it opens the file
// with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) so that nothing in the tree can point it
// elsewhere. Anything missing or unreadable (no manifest, an expired tree) only means the
// blob is inflated as before: the manifest is a hint, never a source of truth.
#include "blob_manifest.hpp"

#include <core/release/release_store.hpp>
#include <core/slug/slug_store.hpp>
#include <util/clock.hpp>
#include <util/fs.hpp>

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>

namespace slipway::core {

namespace {} // namespace

void
add_blob_entry(std::string& text, const git_oid& blob, const std::string& rel)
{
  text += git::oid_hex(blob);
  text.push_back(' ');
  text += rel;
  text.push_back('\0');
}

util::Status
save_blob_manifest(const std::string& path, const std::string& text)
{
  // A hint, not a record: a manifest cut short by a crash fails to load and costs one
  // full export, so it is not worth an fsync on every build.
  return util::write_file_atomic(path, text, 0640, false);
}

util::Result<git::BlobsByPath>
load_blob_manifest(const std::string& path)
{
  SW_TRY_ASSIGN(std::string text, util::read_file(path));
  git::BlobsByPath out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\0', start);
    if (end == std::string::npos) {
      return util::error(path + ": the last entry is not terminated");
    }
    std::string_view record(text.data() + start, end - start);
    git_oid id;
    if (record.size() < 42 || record[40] != ' ' || !git::is_oid_hex(record.substr(0, 40)) ||
        !git::parse_oid(std::string(record.substr(0, 40)), id)) {
      return util::error(fmt::format("{}: malformed entry at byte {}", path, start));
    }
    out.emplace(std::string(record.substr(41)), id);
    start = end + 1;
  }
  return out;
}

bool
unchanged_since_export(const git::ExportedFile& exported, const struct stat& now, const timespec& fence)
{
  return exported.ino == now.st_ino && exported.ctime.tv_sec == now.st_ctim.tv_sec &&
         exported.ctime.tv_nsec == now.st_ctim.tv_nsec && util::earlier(exported.ctime, fence);
}

std::optional<ReuseSource>
reuse_source(const AppPaths& paths)
{
  ReleaseStore store(paths);
  auto current = store.current();
  auto record = current ? store.load_raw(*current) : util::Result<ReleaseRecord>(util::error("no current release"));
  auto tree = current ? store.tree_owner(*current) : std::nullopt;
  if (!record || record->slug_id.empty() || !tree) {
    return std::nullopt;
  }
  auto blobs = load_blob_manifest(SlugStore(paths).blobs(record->slug_id));
  if (!blobs) {
    return std::nullopt;
  }
  std::string dir = store.dir(*tree) + "/" + ReleaseFiles::app;
  util::Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    return std::nullopt;
  }
  return ReuseSource{std::move(fd), std::move(*blobs)};
}

std::optional<timespec>
export_fence(const std::string& app, const git::ExportedFiles& exported)
{
  timespec last_export{};
  for (const auto& [rel, file] : exported) {
    if (util::earlier(last_export, file.ctime)) {
      last_export = file.ctime;
    }
  }
  auto fence = util::change_time_fence(app, last_export);
  if (!fence) {
    spdlog::warn("no blob manifest: {}", fence.error().message);
    return std::nullopt;
  }
  return *fence;
}

} // namespace slipway::core
