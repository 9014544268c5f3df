// Pack a built app directory into a slug: a tarball whose entries live under ./app,
// deterministic (sorted entries, owner 0, fixed times) so that the same build gives the
// same bytes, checksummed with sha256 while it is written.
#pragma once

#include <archive/tree_normalize.hpp>
#include <util/result.hpp>

#include <sys/stat.h>

#include <functional>
#include <string>

namespace slipway::archive {

enum class Compression { zstd, gzip };

// "zstd" -> .tar.zst, "gzip" -> .tgz.
std::string slug_extension(Compression c);
bool parse_compression(const std::string& name, Compression& out);

struct PackResult
{
  std::string sha256;
  unsigned long long size = 0;  // compressed bytes
  unsigned long long files = 0; // entries written
  bool too_large = false;       // packing stopped: more than PackOptions::max_size
};

// Called for each regular file packed, with its path below the app and its metadata as it was
// before any normalization.
using PackedFileFn = std::function<void(const std::string& rel, const struct stat& st)>;

struct PackOptions
{
  // Also normalize each entry in place as it is read (tree_normalize.hpp), saving a second
  // walk; `dir`'s parent must then be root's.
  bool normalize = false;
  // With normalize: first take each entry from the user who wrote it (take_tree, in the same
  // walk: every directory before it is listed).
  const TakeOptions* take = nullptr;
  PackedFileFn on_file;
  // Stop as soon as the compressed output passes this many bytes (0: no limit); the result
  // then says too_large, with `size` what was written until then.
  unsigned long long max_size = 0;
};

// Pack `dir` into `out_path` (created, must not exist). Fails on symlinks that point
// outside the app and on special files (FIFOs, sockets, devices).
util::Result<PackResult> pack_slug(const std::string& dir,
                                   const std::string& out_path,
                                   Compression compression,
                                   const PackOptions& options = {});

// The fixed modification time of every slug entry (2000-01-01T00:00:00Z).
constexpr long k_slug_mtime = 946684800;

} // namespace slipway::archive
