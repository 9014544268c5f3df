// A tree's metadata as a slug carries it: owner 0 (when running as root), files 0644 or 0755,
// directories 0755, every mtime k_slug_mtime. A built tree normalized this way equals the
// tree its slug unpacks to, so a deploy can use the built tree instead of unpacking.
#pragma once

#include <util/result.hpp>

#include <string>

namespace slipway::archive {

util::Status normalize_tree(const std::string& dir);

} // namespace slipway::archive
