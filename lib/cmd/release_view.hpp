// Reading releases for display: which version a command means, and the table rows.
#pragma once

#include <cmd/command.hpp>
#include <core/release/release_store.hpp>
#include <util/fs.hpp>

namespace slipway::cmd {

// A release of the command's app, with the store it is in.
struct ChosenRelease
{
  core::ReleaseStore store;
  core::ReleaseRecord record;
};

// The release named by the optional [vN] argument, else the newest one.
util::Result<ChosenRelease> release_argument(const Context& ctx);

// "Deploy 1a2b3c4d release command failed": Heroku's description with its status suffix.
std::string change_text(const core::ReleaseRecord& r);

// Render rows as aligned columns separated by two spaces.
std::vector<std::string> align_columns(const std::vector<std::vector<std::string>>& rows);

// Print rows as aligned columns, one line each.
void print_columns(util::Output& out, const std::vector<std::vector<std::string>>& rows);

// KEY=value lines that a POSIX shell may source: each value is one shell word, quoted where
// needed, so sourcing sets exactly these values and runs nothing (`config --shell`).
void print_shell_assignments(util::Output& out, const std::map<std::string, std::string>& vars);

} // namespace slipway::cmd
