// The slipway binary: the CLI and, through one-line wrappers, the git hooks.
#include <cmd/main.hpp>

int
main(int argc, char** argv)
{
  return slipway::cmd::tool_main(argc, argv);
}
