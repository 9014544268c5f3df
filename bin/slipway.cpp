// bin/slipway: answers the read-only commands itself (quick_table.cpp) and hands every
// other command to bin/slipway-engine beside it, so that `slipway releases` does not pay
// for loading libgit2, libarchive and their dozens of libraries.
#include <cmd/main.hpp>
#include <util/fs.hpp>

int
main(int argc, char** argv)
{
  auto self = slipway::util::read_link("/proc/self/exe");
  std::string engine = (self ? slipway::util::dir_name(*self) : std::string(".")) + "/slipway-engine";
  return slipway::cmd::tool_main(argc, argv, slipway::cmd::quick_command_table(), engine.c_str());
}
