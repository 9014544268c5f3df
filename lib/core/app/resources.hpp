// Files Slipway ships beside its binary (built-in buildpacks, hook templates) and facts
// about the machine it runs on.
#pragma once

#include <string>

namespace slipway::core {

// The running binary's absolute path.
std::string self_executable();

// Directory of the built-in buildpacks: SLIPWAY_BUILDPACKS_DIR, else next to the binary
// (source tree: buildpack/builtin; installed: share/slipway/buildpacks).
std::string builtin_buildpacks_dir();

// Directory of the git hook templates (hooks/ or share/slipway/hooks).
std::string hook_templates_dir();

// STACK for buildpacks: "<os id>-<version>" from /etc/os-release, e.g. "debian-12".
std::string stack_name();

} // namespace slipway::core
