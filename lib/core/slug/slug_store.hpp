// Slugs: immutable tarballs in apps/APP/slugs, named by a content-derived id, each with a
// human-readable ID.yml beside it (checksum, size, process types, buildpack, commit).
#pragma once

#include <core/app/layout.hpp>
#include <core/slug/procfile.hpp>
#include <util/result.hpp>

#include <string>
#include <vector>

namespace slipway::core {

struct SlugRecord
{
  std::string id;     // uuid-shaped, derived from the sha256 and the process types
  std::string sha256; // of the tarball bytes
  unsigned long long size = 0;
  std::string compression; // zstd or gzip
  ProcessTypes process_types;
  std::string buildpack; // buildpack_provided_description, e.g. "Node.js"
  std::string commit;    // the commit it was first built from
  std::string created_at;

  // The release command declared by the Procfile, or "".
  std::string release_command() const;
};

class SlugStore
{
public:
  explicit SlugStore(AppPaths paths) : m_paths(std::move(paths)) {}

  std::string tarball(const SlugRecord& s) const;
  // The slug's blob manifest (blob_manifest.hpp), which may be missing.
  std::string
  blobs(const std::string& id) const
  {
    return m_paths.slugs() + "/" + id + ".blobs";
  }
  util::Result<SlugRecord> load(const std::string& id) const;
  bool exists(const std::string& id) const;

  // Move a freshly packed tarball (in apps/APP/slugs) in under its id and write its record.
  // The same bytes and process types give the same id, so an identical build is stored once.
  // Stores only: adopt_slug (slug_index.hpp) also records the use in the index.
  util::Result<SlugRecord> adopt(const std::string& packed_file, SlugRecord meta) const;

  // Delete a slug, its record and its blob manifest.
  util::Status remove(const std::string& id) const;

private:
  std::string
  meta_path(const std::string& id) const
  {
    return m_paths.slugs() + "/" + id + ".yml";
  }
  AppPaths m_paths;
};

} // namespace slipway::core
