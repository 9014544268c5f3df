// pipelines:promote: the source app's current slug becomes a new release on each target,
// with the target's own config; each target's release phase gates its own switch.
#pragma once

#include <core/app/layout.hpp>
#include <core/release/releaser.hpp>

#include <vector>

namespace slipway::core {

struct PromoteResult
{
  std::string target;
  bool succeeded = false;
  std::string detail; // "v3" or why it failed
};

// Check every target first (exists, not the source), then promote to each in turn.
util::Result<std::vector<PromoteResult>> promote(const std::string& root,
                                                 const std::string& source,
                                                 const std::vector<std::string>& targets,
                                                 bool wait,
                                                 util::Output& out);

} // namespace slipway::core
