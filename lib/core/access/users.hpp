// The people who use Slipway: users with SSH keys (root's store under $ROOT/users), and who
// may use which app (apps/APP/access.yml). Admins may do everything; on an app an owner or a
// deployer may deploy and change it, a viewer may read it.
#pragma once

#include <core/app/layout.hpp>
#include <core/access/ssh_key.hpp>
#include <util/result.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace slipway::core {

struct UserKey
{
  SshKey key;
  std::string added_at;
};

// An API token: only its SHA-256 is kept; the token itself is shown once.
struct UserToken
{
  std::string id;   // a UUID, to name it in `tokens` and `tokens:revoke`
  std::string hash; // hex SHA-256 of the token
  std::string description, created_at;
};

struct User
{
  std::string name, email;
  bool admin = false;
  std::string created_at;
  std::vector<UserKey> keys;
  std::vector<UserToken> tokens;

  // How records name the user: the email when set, else the name.
  std::string
  display() const
  {
    return email.empty() ? name : email;
  }
};

// What a user may do on one app, weakest first.
enum class Role {
  none,
  viewer,
  deployer,
  owner,
};

std::string role_name(Role r);

// The one rule for secrets: config var values (and anything that prints them, such as a
// release's config) are for this role and up, at every door; viewers see names at most.
inline constexpr Role k_config_values_role = Role::deployer;

// The id (UserToken::id) of a presented token, whether or not it is live.
std::string token_id_of(const std::string& token);

// Whether `user` still holds the token with `id` (it was not revoked).
bool holds_token(const User& user, const std::string& id);

// "viewer", "deployer" or "owner"; an error naming the choices otherwise.
util::Result<Role> parse_role(const std::string& text);


class UserStore
{
public:
  explicit UserStore(const std::string& root) : m_paths(root) {}

  util::Result<std::vector<User>> list() const;
  // The user; an error naming the fix when there is none.
  util::Result<User> load(const std::string& name) const;
  bool exists(const std::string& name) const;

  // Each change takes the store's lock and writes one user's file atomically.
  util::Status add(const User& user);
  util::Status remove(const std::string& name);
  util::Result<UserKey> add_key(const std::string& name, const SshKey& key);
  // The user the key was removed from.
  util::Result<std::string> remove_key(const std::string& fingerprint);

  // The user who owns the key with `fingerprint`, if any.
  util::Result<std::optional<User>> owner_of(const std::string& fingerprint) const;

  // A new API token for `name`: the token (returned once, never stored) and its record.
  util::Result<std::pair<std::string, UserToken>> create_token(const std::string& name, const std::string& description);
  // Revoke the token with `id`; the user it belonged to.
  util::Result<std::string> revoke_token(const std::string& id);
  // The user a presented token belongs to, if it is a live token.
  util::Result<std::optional<User>> token_user(const std::string& token) const;

  // Rewrite the authorized_keys file from the store (each change does).
  util::Status write_authorized_keys() const;

private:
  util::Status save(const User& user) const;
  UserPaths m_paths;
};

// The command each key of `user` is forced to run: `ENGINE --root ROOT ssh-command --user
// NAME`, through `sudo -n` when Slipway runs as root (sshd runs it as the SSH account).
std::string forced_command(const std::string& root, const std::string& user);

// Who may use an app, and how.
using Access = std::map<std::string, Role>;

util::Result<Access> load_access(const AppPaths& paths);
util::Status save_access(const AppPaths& paths, const Access& access);

// Give `user` `role` on the app, or take their access away (an error when they have none);
// each is audited.
util::Status grant_access(const AppPaths& paths, const std::string& user, Role role);
util::Status revoke_access(const AppPaths& paths, const std::string& user);

// What `user` may do on the app: owner for admins, else what access.yml gives.
util::Result<Role> role_of(const AppPaths& paths, const User& user);

} // namespace slipway::core
