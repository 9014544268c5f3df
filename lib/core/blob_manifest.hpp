// A slug's blob manifest (slugs/ID.blobs): which files of its tree hold exactly a git blob,
// as left by the export and untouched by the buildpacks. The next build copies those files
// from the current release's tree instead of inflating the blobs again.
#pragma once

#include <git/tree_export.hpp>
#include <util/result.hpp>

#include <ctime>
#include <string>

#include <sys/stat.h>

namespace slipway::core {

// Append one record, "<blob id> <path>\0", to a manifest's text (paths may hold newlines;
// read it with `tr '\0' '\n'`), and save the text made so.
void add_blob_record(std::string& text, const git_oid& blob, const std::string& rel);
util::Status save_blob_manifest(const std::string& path, const std::string& text);

// The manifest at `path`; an error if it is missing or malformed (a build then inflates all).
util::Result<git::BlobsByPath> load_blob_manifest(const std::string& path);

// Whether a packed file is exactly as the export wrote it: the same inode and change time,
// and that time before `fence` (buildpacks started after it; see util::change_time_fence),
// so that a change stamped with the export's own time cannot go unseen.
bool unchanged_since_export(const git::ExportedFile& exported, const struct stat& now, const timespec& fence);

} // namespace slipway::core
