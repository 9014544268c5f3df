// A slug's blob manifest (slugs/ID.blobs): which files of its tree hold exactly a git blob,
// as left by the export and untouched by the buildpacks. The next build copies those files
// from the current release's tree instead of inflating the blobs again.
#pragma once

#include <core/app/layout.hpp>
#include <git/tree_export.hpp>
#include <util/fd.hpp>
#include <util/result.hpp>

#include <sys/stat.h>

#include <ctime>
#include <optional>
#include <string>

namespace slipway::core {

// Append one entry, "<blob id> <path>\0", to a manifest's text (paths may hold newlines;
// read it with `tr '\0' '\n'`), and save the text made so.
void add_blob_entry(std::string& text, const git_oid& blob, const std::string& rel);
util::Status save_blob_manifest(const std::string& path, const std::string& text);

// The manifest at `path`; an error if it is missing or malformed (a build then inflates all).
util::Result<git::BlobsByPath> load_blob_manifest(const std::string& path);

// Whether a packed file is exactly as the export wrote it: the same inode and change time,
// and that time before `fence` (buildpacks started after it; see util::change_time_fence),
// so that a change stamped with the export's own time cannot go unseen.
bool unchanged_since_export(const git::ExportedFile& exported, const struct stat& now, const timespec& fence);

// Where a build may copy files from: the current release's tree (opened with no link
// followed) and its slug's manifest.
struct ReuseSource
{
  util::Fd dir;
  git::BlobsByPath blobs;
};

// None when there is no current release, its tree has expired or its slug has no manifest.
std::optional<ReuseSource> reuse_source(const AppPaths& paths);

// The fence for unchanged_since_export, taken in `app` right before any buildpack runs:
// later than every exported file's ctime. None when the filesystem cannot give one (then no
// file can be vouched for: an empty manifest).
std::optional<timespec> export_fence(const std::string& app, const git::ExportedFiles& exported);

} // namespace slipway::core
