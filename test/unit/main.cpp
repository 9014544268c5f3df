// doctest main: every test case runs inside testdir/<pid>, which is deleted on success and
// kept (and named) on failure. The environment cannot leak in: HOME and Slipway's
// variables are reset.
#define DOCTEST_CONFIG_IMPLEMENT
#include "scratch.hpp"

#include <util/fs.hpp>

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

int
main(int argc, char** argv)
{
  std::string dir = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/slipway-unit." +
                    std::to_string(::getpid());
  (void)slipway::util::remove_tree(dir);
  (void)slipway::util::make_dirs(dir);
  ::setenv("HOME", dir.c_str(), 1);
  ::setenv("LC_ALL", "C", 1);
  ::unsetenv("SLIPWAY_ROOT");
  ::unsetenv("SLIPWAY_FAULT");
  ::unsetenv("SLIPWAY_USER");
  slipway::test::g_scratch_root = dir;
  doctest::Context ctx(argc, argv);
  int rc = ctx.run();
  if (rc == 0) {
    (void)slipway::util::remove_tree(dir);
  } else {
    std::fprintf(stderr, "Note: test data has been left in %s\n", dir.c_str());
  }
  return rc;
}
