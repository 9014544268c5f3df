// A tree's metadata as a slug carries it: owner 0 (when running as root), files 0644 or 0755,
// directories 0755, every mtime k_slug_mtime. A built tree normalized this way equals the
// tree its slug unpacks to, so a deploy can use the built tree instead of unpacking.
#pragma once

#include <util/result.hpp>

#include <string>

#include <sys/stat.h>

namespace slipway::archive {

util::Status normalize_tree(const std::string& dir);

// Normalize one entry `name` of directory `parent`; `fd` is the entry opened (a regular file
// or directory), or -1. With an fd no path is looked up again. `shown` names it in errors.
util::Status normalize_entry(int parent, const char* name, int fd, const struct stat& st, const std::string& shown);

} // namespace slipway::archive
