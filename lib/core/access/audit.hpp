// The audit log ($ROOT/audit.log, root's only): one line per change anyone made — releases,
// scaling, apps, users, keys, access — saying when, who (util::current_user: the SSH user,
// the API token's user or the local Unix user) and on which app.
#pragma once

#include <util/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace slipway::core {

struct AuditEntry
{
  std::string time, user, app, what; // app: "-" for changes to no app (users, keys)
};

// Append one entry by the current user; best effort (a change is never undone for its log).
void audit(const std::string& root, const std::string& app, std::string_view what);

// The last `count` entries, oldest first; only `app`'s when it is not empty.
util::Result<std::vector<AuditEntry>> read_audit(const std::string& root, const std::string& app, size_t count);

} // namespace slipway::core
