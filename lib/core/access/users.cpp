#include "users.hpp"

#include <core/app/app_name.hpp>
#include <core/access/audit.hpp>
#include <core/app/resources.hpp>
#include <util/clock.hpp>
#include <util/file_lock.hpp>
#include <util/fs.hpp>
#include <util/random.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>
#include <util/uuid.hpp>
#include <yaml/yaml_io.hpp>

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

namespace slipway::core {

namespace {

util::Result<User>
load_user(const std::string& path)
{
  SW_TRY_ASSIGN(YAML::Node doc, yaml::load_file(path));
  if (!doc.IsMap()) {
    return util::error(path + ": not a user record");
  }
  User u;
  u.name = yaml::get_string(doc, "name");
  u.email = yaml::get_string(doc, "email");
  u.admin = yaml::get_string(doc, "admin") == "true";
  u.created_at = yaml::get_string(doc, "created_at");
  if (doc["keys"] && doc["keys"].IsSequence()) {
    for (const auto& k : doc["keys"]) {
      auto parsed = parse_public_key(yaml::get_string(k, "key"));
      if (!parsed) {
        return util::error(path + ": a stored key is broken: " + parsed.error().message);
      }
      parsed->comment = yaml::get_string(k, "comment");
      u.keys.push_back({*parsed, yaml::get_string(k, "added_at")});
    }
  }
  if (doc["tokens"] && doc["tokens"].IsSequence()) {
    for (const auto& t : doc["tokens"]) {
      u.tokens.push_back({yaml::get_string(t, "id"), yaml::get_string(t, "hash"), yaml::get_string(t, "description"),
                          yaml::get_string(t, "created_at")});
    }
  }
  return u;
}

std::string
token_hash(const std::string& token)
{
  util::Sha256 h;
  h.update(token);
  return h.hex_digest();
}

// Hold the store's lock for one change.
util::Result<util::FileLock>
lock_store(const UserPaths& paths)
{
  SW_TRY(util::make_dirs(paths.dir, 0700));
  return util::FileLock::acquire(paths.lock(), [](const std::string&) {});
}

} // namespace

std::string
forced_command(const std::string& root, const std::string& user)
{
  std::string cmd =
      util::shell_word(self_executable()) + " --root " + util::shell_word(root) + " ssh-command --user " + user;
  return ::geteuid() == 0 ? "sudo -n " + cmd : cmd;
}

util::Status
UserStore::write_authorized_keys() const
{
  std::string text = "# Written by Slipway from " + m_paths.dir + " (slipway keys:add); changes here are lost.\n";
  SW_TRY_ASSIGN(auto users, list());
  for (const auto& u : users) {
    std::string command = forced_command(m_paths.root, u.name);
    std::string escaped;
    for (char c : command) {
      if (c == '"' || c == '\\') {
        escaped += '\\';
      }
      escaped += c;
    }
    for (const auto& k : u.keys) {
      text += "command=\"" + escaped + "\",restrict,pty " + k.key.line() + " " + u.name + "\n";
    }
  }
  SW_TRY(util::make_dirs(m_paths.ssh_dir(), 0755));
  return util::write_file_atomic(m_paths.authorized_keys(), text, 0644);
}

std::string
role_name(Role r)
{
  return util::enum_name(r, std::array{"none", "viewer", "deployer", "owner"});
}

util::Result<Role>
parse_role(const std::string& text)
{
  for (Role r : {Role::viewer, Role::deployer, Role::owner}) {
    if (text == role_name(r)) {
      return r;
    }
  }
  return util::error("--role takes deployer, viewer or owner, not '" + util::printable(text) + "'", 2);
}

util::Result<std::vector<User>>
UserStore::list() const
{
  std::vector<User> users;
  if (!util::is_directory(m_paths.dir)) {
    return users;
  }
  SW_TRY_ASSIGN(auto names, util::list_dir(m_paths.dir));
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    if (n.ends_with(".yml")) {
      SW_TRY_ASSIGN(User u, load_user(m_paths.dir + "/" + n));
      users.push_back(std::move(u));
    }
  }
  return users;
}

bool
UserStore::exists(const std::string& name) const
{
  return check_user_name(name) && util::path_exists(m_paths.file(name));
}

util::Result<User>
UserStore::load(const std::string& name) const
{
  SW_TRY(check_user_name(name));
  if (!exists(name)) {
    return util::error("no user '" + name + "'; see 'slipway users', or add one with 'slipway users:add " + name + "'");
  }
  return load_user(m_paths.file(name));
}

util::Status
UserStore::save(const User& u) const
{
  YAML::Emitter e;
  e << YAML::BeginMap << YAML::Key << "name" << YAML::Value << u.name;
  e << YAML::Key << "email" << YAML::Value;
  yaml::emit_string(e, u.email);
  e << YAML::Key << "admin" << YAML::Value << (u.admin ? "true" : "false");
  e << YAML::Key << "created_at" << YAML::Value << u.created_at;
  e << YAML::Key << "keys" << YAML::Value << YAML::BeginSeq;
  for (const auto& k : u.keys) {
    e << YAML::BeginMap << YAML::Key << "fingerprint" << YAML::Value << k.key.fingerprint;
    e << YAML::Key << "key" << YAML::Value << k.key.line();
    e << YAML::Key << "comment" << YAML::Value;
    yaml::emit_string(e, k.key.comment);
    e << YAML::Key << "added_at" << YAML::Value << k.added_at << YAML::EndMap;
  }
  e << YAML::EndSeq;
  e << YAML::Key << "tokens" << YAML::Value << YAML::BeginSeq;
  for (const auto& t : u.tokens) {
    e << YAML::BeginMap << YAML::Key << "id" << YAML::Value << t.id << YAML::Key << "hash" << YAML::Value << t.hash;
    e << YAML::Key << "description" << YAML::Value;
    yaml::emit_string(e, t.description);
    e << YAML::Key << "created_at" << YAML::Value << t.created_at << YAML::EndMap;
  }
  e << YAML::EndSeq << YAML::EndMap;
  return util::write_file_atomic(m_paths.file(u.name), std::string(e.c_str()) + "\n", 0600);
}

util::Status
UserStore::add(const User& user)
{
  SW_TRY(check_user_name(user.name));
  SW_TRY_ASSIGN(auto lock, lock_store(m_paths));
  if (exists(user.name)) {
    return util::error("user '" + user.name + "' already exists");
  }
  User u = user;
  u.created_at = util::now_iso8601();
  SW_TRY(save(u));
  audit(m_paths.root, "", "Added user " + u.name + (u.admin ? " (admin)" : ""));
  return {};
}

util::Status
UserStore::remove(const std::string& name)
{
  SW_TRY_ASSIGN(auto lock, lock_store(m_paths));
  SW_TRY_ASSIGN(User u, load(name));
  SW_TRY_ASSIGN(auto all, list());
  if (u.admin && std::count_if(all.begin(), all.end(), [](const User& x) { return x.admin; }) == 1) {
    return util::error("'" + name + "' is the last admin; make another admin first (slipway users:add NAME --admin)");
  }
  SW_TRY(util::remove_tree(m_paths.file(name)));
  audit(m_paths.root, "", "Removed user " + name);
  return write_authorized_keys();
}

util::Result<UserKey>
UserStore::add_key(const std::string& name, const SshKey& key)
{
  SW_TRY_ASSIGN(auto lock, lock_store(m_paths));
  SW_TRY_ASSIGN(User u, load(name));
  SW_TRY_ASSIGN(auto owner, owner_of(key.fingerprint));
  if (owner) {
    return util::error("key " + key.fingerprint + " already belongs to " + owner->name +
                       (owner->name == name ? "" : "; one key names one person: make a key of their own"));
  }
  u.keys.push_back({key, util::now_iso8601()});
  SW_TRY(save(u));
  SW_TRY(write_authorized_keys());
  audit(m_paths.root, "", "Added key " + key.fingerprint + " to " + name);
  return u.keys.back();
}

util::Result<std::string>
UserStore::remove_key(const std::string& fingerprint)
{
  SW_TRY_ASSIGN(auto lock, lock_store(m_paths));
  SW_TRY_ASSIGN(auto owner, owner_of(fingerprint));
  if (!owner) {
    return util::error("no key " + util::printable(fingerprint) + "; see 'slipway keys'");
  }
  std::erase_if(owner->keys, [&](const UserKey& k) { return k.key.fingerprint == fingerprint; });
  SW_TRY(save(*owner));
  SW_TRY(write_authorized_keys());
  audit(m_paths.root, "", "Removed key " + fingerprint + " from " + owner->name);
  return owner->name;
}

util::Result<std::optional<User>>
UserStore::owner_of(const std::string& fingerprint) const
{
  SW_TRY_ASSIGN(auto all, list());
  for (auto& u : all) {
    for (const auto& k : u.keys) {
      if (k.key.fingerprint == fingerprint) {
        return std::optional<User>(std::move(u));
      }
    }
  }
  return std::optional<User>();
}

util::Result<std::pair<std::string, UserToken>>
UserStore::create_token(const std::string& name, const std::string& description)
{
  SW_TRY_ASSIGN(auto lock, lock_store(m_paths));
  SW_TRY_ASSIGN(User u, load(name));
  SW_TRY_ASSIGN(std::string random, util::random_hex(20));
  std::string token = "slp_" + random;
  UserToken t{token_id_of(token), token_hash(token), description, util::now_iso8601()};
  u.tokens.push_back(t);
  SW_TRY(save(u));
  audit(m_paths.root, "", "Created API token " + t.id + " for " + name);
  return std::make_pair(token, t);
}

util::Result<std::string>
UserStore::revoke_token(const std::string& id)
{
  SW_TRY_ASSIGN(auto lock, lock_store(m_paths));
  SW_TRY_ASSIGN(auto all, list());
  for (auto& u : all) {
    if (std::erase_if(u.tokens, [&](const UserToken& t) { return t.id == id; })) {
      SW_TRY(save(u));
      audit(m_paths.root, "", "Revoked API token " + id + " of " + u.name);
      return u.name;
    }
  }
  return util::error("no token " + util::printable(id) + "; see 'slipway tokens'");
}

std::string
token_id_of(const std::string& token)
{
  return util::name_uuid("token:" + token_hash(token));
}

bool
holds_token(const User& user, const std::string& id)
{
  return std::any_of(user.tokens.begin(), user.tokens.end(), [&](const UserToken& t) { return t.id == id; });
}

util::Result<std::optional<User>>
UserStore::token_user(const std::string& token) const
{
  std::string hash = token_hash(token);
  SW_TRY_ASSIGN(auto all, list());
  for (auto& u : all) {
    for (const auto& t : u.tokens) {
      if (t.hash == hash) {
        return std::optional<User>(std::move(u));
      }
    }
  }
  return std::optional<User>();
}

util::Result<Access>
load_access(const AppPaths& paths)
{
  Access access;
  if (!util::path_exists(paths.access())) {
    return access;
  }
  SW_TRY_ASSIGN(auto doc, yaml::load_file(paths.access()));
  if (doc.IsNull()) {
    return access;
  }
  for (const auto& kv : doc) {
    auto role = parse_role(kv.second.IsScalar() ? kv.second.Scalar() : "");
    if (!role || !kv.first.IsScalar()) {
      return util::error(paths.access() + ": not 'user: owner|deployer|viewer' lines");
    }
    access[kv.first.Scalar()] = *role;
  }
  return access;
}

util::Status
save_access(const AppPaths& paths, const Access& access)
{
  YAML::Emitter e;
  e << YAML::BeginMap;
  for (const auto& [user, role] : access) {
    e << YAML::Key << user << YAML::Value << role_name(role);
  }
  e << YAML::EndMap;
  return util::write_file_atomic(paths.access(), std::string(e.c_str()) + "\n", 0600);
}

util::Status
grant_access(const AppPaths& paths, const std::string& user, Role role)
{
  SW_TRY_ASSIGN(Access access, load_access(paths));
  access[user] = role;
  SW_TRY(save_access(paths, access));
  audit(paths.root(), paths.name(), "Gave " + user + " " + role_name(role) + " access");
  return {};
}

util::Status
revoke_access(const AppPaths& paths, const std::string& user)
{
  SW_TRY_ASSIGN(Access access, load_access(paths));
  if (!access.erase(user)) {
    return util::error(util::printable(user) + " has no access to " + paths.name() + " (see 'slipway access -a " +
                       paths.name() + "')");
  }
  SW_TRY(save_access(paths, access));
  audit(paths.root(), paths.name(), "Took " + user + "'s access away");
  return {};
}

util::Result<Role>
role_of(const AppPaths& paths, const User& user)
{
  if (user.admin) {
    return Role::owner;
  }
  SW_TRY_ASSIGN(Access access, load_access(paths));
  auto it = access.find(user.name);
  return it == access.end() ? Role::none : it->second;
}

} // namespace slipway::core
