// slipway users, users:add, users:remove; keys, keys:add, keys:remove: who may use Slipway
// (core/access/users.hpp).
#include <cmd/command.hpp>
#include <core/access/users.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace slipway::cmd {

// Print `line` and succeed: what a command that changed one thing ends with.
static util::Result<int>
said(Context& ctx, const std::string& line)
{
  ctx.out->line(line);
  return 0;
}

static util::Result<int>
run_users(Context& ctx)
{
  SW_TRY_ASSIGN(auto users, core::UserStore(ctx.root).list());
  for (const auto& u : users) {
    ctx.out->line(fmt::format("{:<20} {:<6} {} key{}{}", u.name, u.admin ? "admin" : "", u.keys.size(),
                              u.keys.size() == 1 ? "" : "s", u.email.empty() ? "" : "  " + u.email));
  }
  return 0;
}

static util::Result<int>
run_users_add(Context& ctx)
{
  core::User u;
  u.name = ctx.args[0];
  u.email = ctx.get("email");
  u.admin = ctx.has("admin");
  if (u.email.find_first_of(" \t\n\r\"'") != std::string::npos) {
    return util::error("--email takes an address like ada@example.com, not '" + util::printable(u.email) + "'", 2);
  }
  SW_TRY(core::UserStore(ctx.root).add(u));
  ctx.out->line("Added user " + u.name + (u.admin ? " (admin)" : "") + "; give them a key with 'slipway keys:add " +
                u.name + " FILE'");
  return 0;
}

static util::Result<int>
run_users_remove(Context& ctx)
{
  SW_TRY(core::UserStore(ctx.root).remove(ctx.args[0]));
  return said(ctx, "Removed user " + ctx.args[0] + " and their keys");
}

// The user -u names, or every user.
static util::Result<std::vector<core::User>>
selected_users(const Context& ctx)
{
  core::UserStore store(ctx.root);
  if (ctx.has("user")) {
    SW_TRY_ASSIGN(core::User u, store.load(ctx.get("user")));
    return std::vector<core::User>{u};
  }
  return store.list();
}

static util::Result<int>
run_keys(Context& ctx)
{
  SW_TRY_ASSIGN(auto users, selected_users(ctx));
  for (const auto& u : users) {
    for (const auto& k : u.keys) {
      ctx.out->line(fmt::format("{} {} {} {}", u.name, k.key.fingerprint, k.key.type, k.key.comment));
    }
  }
  return 0;
}

static util::Result<int>
run_keys_add(Context& ctx)
{
  std::string file = ctx.args.size() > 1 ? ctx.args[1] : "-";
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(file);
    if (!in) {
      return util::error("cannot read " + file + "; name a public key file like ~/.ssh/id_ed25519.pub");
    }
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  if (core::looks_private(text)) {
    ctx.out->warn("!!! " + file +
                  " holds a PRIVATE key. Never hand it to a server: treat it as leaked if it was "
                  "copied anywhere, and make a new key pair. !!!");
  }
  SW_TRY_ASSIGN(core::SshKey key, core::parse_public_key(text));
  SW_TRY_ASSIGN(core::UserKey added, core::UserStore(ctx.root).add_key(ctx.args[0], key));
  return said(ctx, "Added key " + added.key.fingerprint + " (" + added.key.type + ") to " + ctx.args[0]);
}

static util::Result<int>
run_keys_remove(Context& ctx)
{
  SW_TRY_ASSIGN(std::string owner, core::UserStore(ctx.root).remove_key(ctx.args[0]));
  return said(ctx, "Removed key " + ctx.args[0] + " from " + owner);
}

static util::Result<int>
run_tokens(Context& ctx)
{
  SW_TRY_ASSIGN(auto users, selected_users(ctx));
  for (const auto& u : users) {
    for (const auto& t : u.tokens) {
      ctx.out->line(fmt::format("{} {} {} {}", t.id, u.name, t.created_at, t.description));
    }
  }
  return 0;
}

static util::Result<int>
run_tokens_create(Context& ctx)
{
  SW_TRY_ASSIGN(auto made, core::UserStore(ctx.root).create_token(ctx.args[0], ctx.get("description")));
  ctx.out->line(made.first);
  ctx.out->warn("This is the only time the token is shown (id " + made.second.id +
                "); use it as HEROKU_API_KEY or 'Authorization: Bearer TOKEN'");
  return 0;
}

static util::Result<int>
run_tokens_revoke(Context& ctx)
{
  SW_TRY_ASSIGN(std::string owner, core::UserStore(ctx.root).revoke_token(ctx.args[0]));
  return said(ctx, "Revoked token " + ctx.args[0] + " of " + owner);
}

extern const CommandSpec k_cmd_tokens{"tokens",
                                      "",
                                      "list API tokens: id, user, created, description (never the tokens)",
                                      "",
                                      {{"user", 'u', "NAME", "only this user's tokens"}},
                                      0,
                                      0,
                                      run_tokens};

extern const CommandSpec k_cmd_tokens_create{
    "tokens:create",
    "USER",
    "make an API token for USER and print it, once (only its hash is kept)",
    "The token reaches what USER may reach: every app for an admin, else the apps 'access:add'\n"
    "gave them. Use it with the heroku CLI: HEROKU_API_KEY=TOKEN HEROKU_HOST=http://HOST:PORT.",
    {{"description", 0, "TEXT", "what the token is for"}},
    1,
    1,
    run_tokens_create};

extern const CommandSpec k_cmd_tokens_revoke{
    "tokens:revoke",  "ID", "revoke an API token (its id, as 'slipway tokens' shows it)", "", {}, 1, 1,
    run_tokens_revoke};

extern const CommandSpec k_cmd_users{"users", "", "list the people who may use Slipway", "", {}, 0, 0, run_users};

extern const CommandSpec k_cmd_users_add{
    "users:add",
    "NAME",
    "add a user (NAME: a lowercase letter, then up to 31 lowercase letters, digits or dashes)",
    "Admins may do everything; other users only what 'access:add' gives them on each app.",
    {{"admin", 0, nullptr, "the user may do everything"},
     {"email", 0, "EMAIL", "how releases and the audit log name the user (default: NAME)"}},
    1,
    1,
    run_users_add};

extern const CommandSpec k_cmd_users_remove{
    "users:remove", "NAME", "remove a user and their keys (never the last admin)", "", {}, 1, 1, run_users_remove};

extern const CommandSpec k_cmd_keys{"keys",
                                    "",
                                    "list users' SSH keys: user, fingerprint, type, comment",
                                    "",
                                    {{"user", 'u', "NAME", "only this user's keys"}},
                                    0,
                                    0,
                                    run_keys};

extern const CommandSpec k_cmd_keys_add{
    "keys:add",
    "NAME [FILE|-]",
    "add an OpenSSH public key (ed25519, ecdsa, rsa of 2048 bits or more) to a user",
    "Reads FILE, or stdin when it is '-' or missing. Prints the key's fingerprint. Refused: private\n"
    "keys, DSA and short RSA keys, keys with options in front, a key another user has.",
    {},
    1,
    2,
    run_keys_add};

extern const CommandSpec k_cmd_keys_remove{
    "keys:remove", "FINGERPRINT", "remove a key (SHA256:…, as 'slipway keys' shows it)", "", {}, 1, 1, run_keys_remove};

} // namespace slipway::cmd
