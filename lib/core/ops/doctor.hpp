// slipway doctor: check an app's on-disk state against the contract (links, records,
// modes, leftovers, slug checksums) and repair what is safe to repair.
#pragma once

#include <core/app/layout.hpp>
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
  std::vector<std::string> advice; // lines to add somewhere, printed indented below `what`
};

// Check one app. With `fix`, take the deploy lock (failing fast if it is held) and repair
// what is safe: modes, leftovers, interrupted records. Corrupted slugs, broken records and
// a broken `current` are reported for a person to decide.
util::Result<std::vector<Finding>> check_app(const AppPaths& paths, bool fix, util::Output& out);

// Once users exist (SSH is in use): the SSH account `account` (can log in with a key, has a
// shell), the sshd config `sshd_config` (and its sshd_config.d) reading the root's
// authorized_keys for it, a sudoers rule letting it run ssh-command, and the modes of the
// user store. Each problem comes with the lines that fix it.
std::vector<Finding>
check_ssh_setup(const std::string& root, const std::string& account, const std::string& sshd_config);

// Add-ons (addons.hpp): each provider reachable with its credentials (a script provider's
// programs root's and executable), each add-on's service still there (a PostgreSQL add-on's
// database exists), each attachment's app still there.
std::vector<Finding> check_addons(const std::string& root);

} // namespace slipway::core
