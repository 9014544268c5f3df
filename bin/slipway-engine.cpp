// bin/slipway-engine: every command, the git hooks' entry point included. Users run
// bin/slipway, which hands over here for anything beyond reading releases and settings.
#include <cmd/main.hpp>

int
main(int argc, char** argv)
{
  return slipway::cmd::tool_main(argc, argv, slipway::cmd::command_table());
}
