#include "scratch.hpp"

#include <util/fs.hpp>

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

} // namespace slipway::test
