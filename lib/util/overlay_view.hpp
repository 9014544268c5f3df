// A private writable view of a tree that must not change, in O(1) instead of a copy: inside
// a new mount namespace, an overlay whose lower layer is the tree seen through a read-only
// idmapped mount (files owned by 0 appear owned by the given user), and whose upper layer
// receives every change. Only the process that enters it and its children see it; the view
// disappears with them. Needs root and Linux 5.19 or later (idmapped overlay layers).
#pragma once

#include <sys/types.h>

#include <string>

namespace slipway::util {

struct OverlayView
{
  std::string lower;  // the tree to show (followed if it is a symlink); never written
  std::string upper;  // empty directory owned by uid:gid: receives changes
  std::string work;   // empty directory on upper's filesystem, for overlayfs itself
  std::string mount;  // empty directory where the idmapped lower layer is attached
  std::string target; // empty directory where the merged view appears
  uid_t uid = 0;      // who lower's uid 0 appears as (the user who will write)
  gid_t gid = 0;
};

// Whether the paths can be given to overlayfs (its options cannot quote ',' ':' or '\').
bool overlay_paths_usable(const OverlayView& view);

// Everything enter_overlay_view needs, built before fork so that the child only makes
// system calls.
struct PreparedOverlay
{
  std::string options;
  const OverlayView* view = nullptr;
};
PreparedOverlay prepare_overlay(const OverlayView& view);

// Call in a freshly forked, single-threaded child, running as root: moves it into the view.
// Returns 0, or an errno with `*step` set to an index for overlay_step_name().
int enter_overlay_view(const PreparedOverlay& prepared, int* step);

// What step `step` of enter_overlay_view was doing, for error messages.
const char* overlay_step_name(int step);

} // namespace slipway::util
