// The release phase's own copy of a release, which its command may change freely and which
// is thrown away afterwards, made the cheapest way the machine allows.
#pragma once

#include <core/app/app_user.hpp>
#include <core/app/layout.hpp>
#include <util/overlay_view.hpp>
#include <util/result.hpp>

#include <optional>
#include <string>

namespace slipway::core {

enum class ScratchKind {
  overlay, // root: an overlay view of the live tree, O(1); the command enters it (overlay_view.hpp)
  links,   // root: the app user's directories holding hard links to the release's files
  unpack,  // not root: the slug unpacked again
};

struct ReleaseScratch
{
  std::string dir;                       // tmp/release-vN: everything made for this copy
  std::string app_dir;                   // what the release command gets as HOME and cwd
  std::optional<util::OverlayView> view; // set for ScratchKind::overlay
};

// Make the copy of `live` (the release's tree; `tarball` its slug) in `dir` (made anew). The kind
// asked for falls back to the next when it does not apply: overlay needs root and plain
// paths, links need root. SLIPWAY_FAULT=no-overlay skips the overlay, for tests.
util::Result<ReleaseScratch> make_release_scratch(const AppPaths& paths,
                                                  const std::string& dir,
                                                  const std::string& live,
                                                  const std::string& tarball,
                                                  const std::optional<AppUser>& user,
                                                  ScratchKind want);

// Delete everything make_release_scratch made (best effort).
void remove_release_scratch(const ReleaseScratch& scratch);

} // namespace slipway::core
