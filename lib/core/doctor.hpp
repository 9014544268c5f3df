// slipway doctor: check an app's on-disk state against the contract (links, records,
// modes, leftovers, slug checksums) and repair what is safe to repair.
#pragma once

#include <core/layout.hpp>
#include <util/output.hpp>
#include <util/result.hpp>

#include <string>
#include <vector>

namespace slipway::core {

struct Finding
{
  std::string what; // one line: what is wrong, where
  bool fixable = false;
  bool fixed = false;
};

// Check one app. With `fix`, take the deploy lock (failing fast if it is held) and repair
// what is safe: modes, leftovers, interrupted records. Corrupted slugs, broken records and
// a broken `current` are reported for a person to decide.
util::Result<std::vector<Finding>> check_app(const AppPaths& paths, bool fix, util::Output& out);

} // namespace slipway::core
