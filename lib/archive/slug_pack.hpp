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
};

// Called for each regular file packed, with its path below the app and its metadata as it was
// before any normalization.
using PackedFileFn = std::function<void(const std::string& rel, const struct stat& st)>;

// Pack `dir` into `out_path` (created, must not exist). Fails on symlinks that point
// outside the app and on special files (FIFOs, sockets, devices). With `normalize`, each
// entry is also normalized in place as it is read (tree_normalize.hpp), saving a second walk;
// with `take` as well, each entry is first taken from the user who wrote it (take_tree, in
// the same walk: every directory before it is listed). `dir`'s parent must be root's.
util::Result<PackResult> pack_slug(const std::string& dir,
                                   const std::string& out_path,
                                   Compression compression,
                                   bool normalize = false,
                                   const PackedFileFn& on_file = {},
                                   const TakeOptions* take = nullptr);

// The fixed modification time of every slug entry (2000-01-01T00:00:00Z).
constexpr long k_slug_mtime = 946684800;

} // namespace slipway::archive
