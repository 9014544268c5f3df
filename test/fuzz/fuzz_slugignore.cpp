// libFuzzer target: .slugignore parsing never crashes, and applying it to a real tree removes
// exactly what the matcher says: a path stays if and only if neither it nor a directory above
// it matches.
#include "target.hpp"

#include <core/build/slugignore.hpp>
#include <util/fs.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace slipway::fuzz {

namespace {

// The generated tree: directories end with '/', parents come before children.
const char* const k_tree[] = {"a",          "b.psd",      "dir/",        "dir/a",    "dir/b.psd",
                              "test/",      "test/unit/", "test/unit/x", ".git/",    ".git/config",
                              "log/",       "log/x.log",  "deep/",       "deep/a/",  "deep/a/b/",
                              "deep/a/b/c", "sp ace",     "dir/.hidden", "dir/sub/", "dir/sub/a.psd"};

bool
expected_present(const core::SlugIgnore& ignore, const std::string& entry)
{
  std::string rel = entry.back() == '/' ? entry.substr(0, entry.size() - 1) : entry;
  for (size_t slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1)) {
    if (core::slugignore_matches(ignore, rel.substr(0, slash), true)) {
      return false;
    }
  }
  return !core::slugignore_matches(ignore, rel, entry.back() == '/');
}

} // namespace

// True when this input keeps the target's invariants (test/unit/test_fuzz_corpus.cpp replays
// the seeds through it in `make test`).
bool
slugignore(const uint8_t* data, size_t size)
{
  auto ignore = core::parse_slugignore(std::string(reinterpret_cast<const char*>(data), size));
  char tmpl[] = "/tmp/slipway-fuzz-slugignore.XXXXXX";
  if (!::mkdtemp(tmpl)) {
    return true; // no tree to try: nothing to judge
  }
  std::string dir = tmpl;
  for (const char* entry : k_tree) {
    std::string path = dir + "/" + entry;
    bool made = path.back() == '/' ? static_cast<bool>(util::make_dir(path.substr(0, path.size() - 1)))
                                   : static_cast<bool>(util::write_file_atomic(path, "x", 0644, false));
    if (!made) {
      (void)util::remove_tree(dir);
      return true;
    }
  }
  bool ok = static_cast<bool>(core::apply_slugignore(ignore, dir));
  for (const char* entry : k_tree) {
    std::string path = dir + "/" + entry;
    ok = ok && util::path_exists(path.back() == '/' ? path.substr(0, path.size() - 1) : path) ==
                   expected_present(ignore, entry);
  }
  (void)util::remove_tree(dir);
  return ok;
}

} // namespace slipway::fuzz

SLIPWAY_FUZZ_TARGET(slipway::fuzz::slugignore)
