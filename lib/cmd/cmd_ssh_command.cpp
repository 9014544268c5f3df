// slipway ssh-command --user NAME: what each user's SSH key is forced to run. It reads
// SSH_ORIGINAL_COMMAND and allows only a git push or fetch of an app, or a Slipway command,
// each only on apps the user may use that way; nothing reaches a shell.
#include <cmd/command.hpp>
#include <cmd/help.hpp>
#include <core/app/app_lookup.hpp>
#include <core/app/app_name.hpp>
#include <core/ops/apps.hpp>
#include <core/app/resources.hpp>
#include <core/app/settings.hpp>
#include <core/access/users.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <unistd.h>

#include <cstdlib>
#include <map>

namespace slipway::cmd {

namespace {

constexpr size_t k_max_command = 64 * 1024;

// The Slipway commands a user may run over SSH, and the role each needs on its app.
// Everything else (users, keys, settings, serve, doctor, add-on providers, and
// addons:attach, which would hand one app's credentials to another) is for admins.
const std::map<std::string, core::Role>&
remote_commands()
{
  static const std::map<std::string, core::Role> table = {
      {"apps:info", core::Role::viewer},
      {"releases", core::Role::viewer},
      {"releases:info", core::k_config_values_role}, // it prints the release's config
      {"releases:output", core::Role::viewer},
      {"logs", core::Role::viewer},
      {"ps", core::Role::viewer},
      {"domains", core::Role::viewer},
      {"config", core::k_config_values_role},
      {"config:get", core::k_config_values_role},
      {"config:set", core::Role::deployer},
      {"config:unset", core::Role::deployer},
      {"rollback", core::Role::deployer},
      {"releases:retry", core::Role::deployer},
      {"releases:cancel", core::Role::deployer},
      {"ps:scale", core::Role::deployer},
      {"ps:resize", core::Role::deployer},
      {"ps:restart", core::Role::deployer},
      {"ps:stop", core::Role::deployer},
      {"run", core::Role::deployer},
      {"domains:add", core::Role::deployer},
      {"domains:remove", core::Role::deployer},
      {"addons", core::Role::viewer},
      {"addons:info", core::Role::viewer},
      {"addons:create", core::Role::deployer},
      {"addons:detach", core::Role::deployer},
      {"addons:credentials:rotate", core::Role::deployer},
      {"addons:destroy", core::Role::owner},
      {"access", core::Role::owner},
      {"access:add", core::Role::owner},
      {"access:remove", core::Role::owner},
  };
  return table;
}

// Split a command line into words the way a shell would quote them ('…', "…", \x), with no
// expansion of any kind; an error for an unfinished quote.
util::Result<std::vector<std::string>>
split_words(const std::string& line)
{
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ' || c == '\t') {
      if (in_word) {
        words.push_back(std::move(word));
        word.clear();
        in_word = false;
      }
      continue;
    }
    in_word = true;
    if (c == '\'' || c == '"') {
      size_t end = line.find(c, i + 1);
      if (end == std::string::npos) {
        return util::error("unfinished quote in the command", 2);
      }
      word += line.substr(i + 1, end - i - 1);
      i = end;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
    } else {
      word += c;
    }
  }
  if (in_word) {
    words.push_back(std::move(word));
  }
  return words;
}

// The app a git command names: 'APP', '/APP', 'APP.git' all mean APP.
util::Result<std::string>
git_app(std::string path)
{
  if (!path.empty() && path[0] == '/') {
    path.erase(0, 1);
  }
  if (path.ends_with(".git")) {
    path.resize(path.size() - 4);
  }
  SW_TRY(core::validate_app_name(path));
  return path;
}

// An error (exit 3) unless `have` reaches `need`: "USER may not WHAT APP (a ROLE of it; DEED
// needs NEED)", where WHAT reads before the app ("push to") and DEED names the act alone.
util::Status
require(core::Role have,
        core::Role need,
        const core::User& user,
        const std::string& app,
        const std::string& what,
        const std::string& deed)
{
  if (have >= need) {
    return {};
  }
  return util::error(user.name + " may not " + what + " " + app +
                         (have == core::Role::none ? " (no access to it)"
                                                   : " (a " + core::role_name(have) + " of it; " + deed + " needs " +
                                                         core::role_name(need) + ")") +
                         "; ask an admin (slipway access:add)",
                     3);
}

// The environment a user's command runs in: nothing of sshd's or sudo's but the locale.
std::vector<std::string>
clean_environment(const Context& ctx, const core::User& user)
{
  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin", "SLIPWAY_ROOT=" + ctx.root,
                                  "SLIPWAY_USER=" + user.display()};
  for (const char* keep : {"LANG", "LC_ALL", "TERM"}) {
    if (const char* v = std::getenv(keep)) {
      env.push_back(std::string(keep) + "=" + v);
    }
  }
  return env;
}

// Replace this process with `argv` (git's programs), as `user`, in a clean environment.
util::Result<int>
exec_as(const Context& ctx, const core::User& user, const std::vector<std::string>& argv)
{
  std::vector<std::string> env = clean_environment(ctx, user);
  std::vector<char*> args, envp;
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  for (const auto& e : env) {
    envp.push_back(const_cast<char*>(e.c_str()));
  }
  envp.push_back(nullptr);
  ::execvpe(args[0], args.data(), envp.data());
  return util::error(util::errno_message("cannot run", argv[0]));
}

// Run the parsed command in this process, as `user`, in a clean environment: what was
// authorized is what runs, and its words (config values among them) never reach an argv,
// where every local user could read them in /proc.
util::Result<int>
run_as(Context& ctx, const core::User& user, Context& parsed)
{
  ::clearenv();
  for (const auto& e : clean_environment(ctx, user)) {
    auto eq = e.find('=');
    ::setenv(e.substr(0, eq).c_str(), e.substr(eq + 1).c_str(), 1);
  }
  parsed.out = ctx.out;
  return parsed.spec->run(parsed);
}

} // namespace

static util::Result<int>
run_ssh_command(Context& ctx)
{
  SW_TRY_ASSIGN(core::User user, core::UserStore(ctx.root).load(ctx.get("user")));
  ::setenv("SLIPWAY_USER", user.display().c_str(), 1); // what this process changes is theirs
  const char* original = std::getenv("SSH_ORIGINAL_COMMAND");
  std::string line = original ? original : "";
  if (line.empty()) {
    return util::error("no shell here; push with git (git push slipway@HOST:APP main) or run a command (ssh "
                       "slipway@HOST releases -a APP)",
                       2);
  }
  if (line.size() > k_max_command) {
    return util::error("the command is longer than 64 KiB", 2);
  }
  if (line.find_first_of(std::string("\n\r\0", 3)) != std::string::npos) {
    return util::error("the command has a line break in it; give one command on one line", 2);
  }
  SW_TRY_ASSIGN(auto words, split_words(line));
  if (words.empty()) {
    return util::error("no command given", 2);
  }
  if (words[0] == "git-receive-pack" || words[0] == "git-upload-pack") {
    bool push = words[0] == "git-receive-pack";
    if (words.size() != 2) {
      return util::error(words[0] + " takes one repository, the app's name", 2);
    }
    SW_TRY_ASSIGN(std::string app, git_app(words[1]));
    core::AppPaths paths(ctx.root, app);
    if (!core::open_app(ctx.root, app)) {
      if (!push || !user.admin) {
        return util::error("no app '" + app + "' on this server" +
                               (push ? " (only an admin can create one by pushing; ask one, or see 'ssh "
                                       "slipway@HOST apps')"
                                     : ""),
                           1);
      }
      SW_TRY(core::create_app(ctx.root, app));
      SW_TRY(core::grant_access(paths, user.name, core::Role::owner)); // its creator owns it
      ctx.out->warn("Created app " + app + " for " + user.name);
    }
    SW_TRY_ASSIGN(core::Role role, core::role_of(paths, user));
    SW_TRY(require(role, push ? core::Role::deployer : core::Role::viewer, user, app, push ? "push to" : "fetch",
                   push ? "a push" : "a fetch"));
    return exec_as(ctx, user, {words[0], paths.repo()});
  }
  if (words[0] == "slipway") {
    words.erase(words.begin());
  }
  for (const auto& w : words) {
    if (w == "--root" || w.starts_with("--root=")) {
      return util::error("--root is not for remote commands: each server has one root", 2);
    }
  }
  if (words.size() == 1 && words[0] == "apps") {
    // Everyone may list the apps they may use (an admin: all).
    SW_TRY_ASSIGN(auto apps, core::list_apps(ctx.root));
    ctx.out->line("=== Apps");
    for (const auto& a : apps) {
      SW_TRY_ASSIGN(core::Role role, core::role_of(core::AppPaths(ctx.root, a), user));
      if (role != core::Role::none) {
        ctx.out->line(a);
      }
    }
    return 0;
  }
  if (words.size() == 2 && words[0] == "apps:create" && user.admin) {
    SW_TRY_ASSIGN(core::AppPaths paths, core::create_app(ctx.root, words[1]));
    SW_TRY(core::grant_access(paths, user.name, core::Role::owner)); // its creator owns it
    ctx.out->line("Creating " + paths.name() + "... done");
    SW_TRY_ASSIGN(core::AppSettings server, core::load_server_settings(ctx.root));
    ctx.out->line("Push to it with: git push " + server.ssh_user + "@HOST:" + paths.name() + " main");
    return 0;
  }
  const CommandSpec* spec = find_command(command_table(), words[0]);
  auto it = remote_commands().find(words[0]);
  bool admin_may = user.admin && spec && !spec->hidden && std::string(spec->name) != "serve";
  if (!admin_may && it == remote_commands().end()) {
    if (spec && !spec->hidden) {
      return util::error("only admins may run " + words[0] + " over SSH", 3);
    }
    return util::error("'" + util::printable(words[0].substr(0, 60)) +
                           "' is not a command you can run over SSH; try releases, config:set, logs, run, ps or "
                           "git push",
                       2);
  }
  if (spec == nullptr) {
    return util::error("'" + words[0] + "' is allowed over SSH but is not a command; report this as a bug", 1);
  }
  // One parse: the role check reads the app these options name, and the command runs from the
  // same parse, so the two cannot disagree (a second -a is refused by the parse).
  Context parsed;
  parsed.spec = spec;
  parsed.root = ctx.root;
  SW_TRY_ASSIGN(bool proceed, parse_command_line(*spec, {words.begin() + 1, words.end()}, parsed));
  if (!proceed) { // --help
    ctx.out->line(command_help(*spec));
    return 0;
  }
  if (admin_may) {
    // Admins may do everything a server's root may, but start a second serve.
    return run_as(ctx, user, parsed);
  }
  std::string app = parsed.get("app");
  if (app.empty()) {
    return util::error("name the app with -a APP", 2);
  }
  SW_TRY(core::validate_app_name(app));
  if (!core::open_app(ctx.root, app)) {
    return util::error("no app '" + app + "' on this server", 1);
  }
  SW_TRY_ASSIGN(core::Role role, core::role_of(core::AppPaths(ctx.root, app), user));
  SW_TRY(require(role, it->second, user, app, "run " + it->first + " on", it->first));
  return run_as(ctx, user, parsed);
}

extern const CommandSpec k_cmd_ssh_command{
    "ssh-command",
    "",
    "what an SSH key runs: SSH_ORIGINAL_COMMAND, if the key's user may",
    "Allows git-receive-pack/git-upload-pack 'APP' and the Slipway commands a user may run on\n"
    "an app (viewers read, deployers change); nothing else, and never a shell.",
    {{"user", 0, "NAME", "the user the key belongs to", true}},
    0,
    0,
    run_ssh_command,
    true};

} // namespace slipway::cmd
