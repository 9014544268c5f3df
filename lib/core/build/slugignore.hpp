// .slugignore: roughly .gitignore, applied to the build directory before compile.
// '#' comments and blank lines are skipped; '!' negation is not supported (as on Heroku).
// A pattern with a '/' matches paths from the app root; others match a name at any depth.
#pragma once

#include <util/output.hpp>
#include <util/result.hpp>

#include <string>
#include <vector>

namespace slipway::core {

struct SlugIgnore
{
  std::vector<std::string> patterns;
  std::vector<std::string> warnings; // one line per ignored pattern, with file:line
};

SlugIgnore parse_slugignore(const std::string& text, const std::string& label = ".slugignore");

// True if `rel` (a path from the app root) matches; `is_dir` enables "dir/" patterns.
bool slugignore_matches(const SlugIgnore& ignore, const std::string& rel, bool is_dir);

// Delete every match under `dir`; returns how many paths were removed.
util::Result<unsigned long> apply_slugignore(const SlugIgnore& ignore, const std::string& dir);

// Apply `app`'s own .slugignore, if it has one, saying on `out` what it removed and which
// patterns it skipped. Root calls it while nobody else can change `app`.
util::Status apply_slugignore_file(const std::string& app, util::Output& out);

} // namespace slipway::core
