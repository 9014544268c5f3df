// Help text, generated from the command table.
#pragma once

#include <cmd/command.hpp>

namespace slipway::cmd {

// The command list, for `slipway --help`.
std::string general_help(const CommandTable& table);
// One command's usage, options and details, for `slipway CMD --help`.
std::string command_help(const CommandSpec& spec);
// The closest command name to a mistyped one, or "".
std::string suggest_command(const CommandTable& table, const std::string& name);

} // namespace slipway::cmd
