// The command-line entry point: bin/slipway and the git hooks call only this.
#pragma once

namespace slipway::cmd {

// Parse global options, dispatch through the command table, print any error once as
// "slipway: error: ..." and return the exit status (0 ok, 1 failure, 2 usage).
int tool_main(int argc, char** argv);

} // namespace slipway::cmd
