// The command-line entry point: bin/slipway, bin/slipway-engine and the git hooks call only this.
#pragma once

#include <cmd/command.hpp>

namespace slipway::cmd {

// Parse global options, dispatch through `table`, print any error once as
// "slipway: error: ..." and return the exit status (0 ok, 1 failure, 2 usage).
// With `engine` set (bin/slipway), whatever `table` cannot answer, help included, is
// handed to that program with the same arguments; it returns only if that fails.
int tool_main(int argc, char** argv, const CommandTable& table, const char* engine = nullptr);

} // namespace slipway::cmd
