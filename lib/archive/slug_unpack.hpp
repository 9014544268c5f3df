// Unpack a slug into a fresh directory, refusing anything that could escape it.
#pragma once

#include <util/result.hpp>

#include <string>

namespace slipway::archive {

struct UnpackLimits
{
  unsigned long long max_bytes = 16ULL << 30; // total uncompressed file bytes
  unsigned long long max_entries = 2000000;
};

// Unpack the ./app part of slug `slug_path` into `dest` (created; must not exist).
// Refuses absolute paths, "..", entries below a symlink, symlinks and hard links that point
// outside the app, devices, FIFOs and sockets, and stops as soon as a limit is passed.
util::Status unpack_slug(const std::string& slug_path, const std::string& dest, const UnpackLimits& limits = {});

} // namespace slipway::archive
