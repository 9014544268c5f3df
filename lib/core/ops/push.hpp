// What the git hooks do with a push: pick the deploy branch's update, take the deploy
// lock, build a slug, release it, and (post-receive) put the branch back after a failure
// so that pushing the same commit again retries it.
#pragma once

#include <core/app/layout.hpp>
#include <util/output.hpp>
#include <util/result.hpp>

#include <optional>
#include <string>
#include <vector>

namespace slipway::core {

struct RefUpdate
{
  std::string old_id;
  std::string new_id;
  std::string ref;

  // The branch name when `ref` is refs/heads/NAME.
  std::optional<std::string> branch() const;
};

// Parse a hook's stdin: "<old> <new> <ref>" lines. Errors carry "hook input:N:".
util::Result<std::vector<RefUpdate>> parse_hook_input(const std::string& text);

enum class HookKind { pre_receive, post_receive };

// Handle a push. Returns whether it succeeded: false when the build or the release phase
// failed (a pre-receive hook then rejects the push). Non-strict apps deploy from
// post-receive; strict apps from pre-receive, with objects still in quarantine.
util::Result<bool>
handle_push(const AppPaths& paths, HookKind kind, const std::vector<RefUpdate>& updates, util::Output& out);

} // namespace slipway::core
