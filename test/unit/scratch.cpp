#include "scratch.hpp"

#include <util/fs.hpp>

#include <cstdio>

namespace slipway::test {

std::string g_scratch_root;

std::string
scratch_dir(const std::string& name)
{
  static int counter = 0;
  std::string dir = g_scratch_root + "/" + name + "." + std::to_string(++counter);
  (void)util::remove_tree(dir);
  (void)util::make_dirs(dir);
  return dir;
}

void
report_skip(const std::string& why)
{
  std::fprintf(stderr, "skip unit: %s\n", why.c_str());
}

} // namespace slipway::test
