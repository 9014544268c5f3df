#include "doctor.hpp"

#include <core/run/acme.hpp>

#include <core/addons/addons.hpp>
#include <core/release/app_lock.hpp>
#include <core/app/app_user.hpp>
#include <core/release/release_store.hpp>
#include <core/release/releaser.hpp>
#include <core/app/resources.hpp>
#include <core/release/slug_index.hpp>
#include <core/slug/slug_store.hpp>
#include <core/access/users.hpp>
#include <util/fs.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

#include <pwd.h>
#include <shadow.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

namespace slipway::core {

namespace {

struct Checker
{
  const AppPaths& paths;
  std::vector<Finding> findings;
  std::vector<std::string> temps; // leftover temp files found, for --fix

  void
  problem(const std::string& what, bool fixable = false)
  {
    findings.push_back({what, fixable, false});
  }

  void
  check_mode(const std::string& path, mode_t most)
  {
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0 && (st.st_mode & 07777 & ~most) != 0) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%04o (at most %04o)", st.st_mode & 07777, most);
      problem("mode of " + path + " is " + buf, true);
    }
  }

  void
  check_temp_names(const std::string& dir)
  {
    auto names = util::list_dir(dir);
    for (const auto& n : names ? *names : std::vector<std::string>{}) {
      if (is_temp_name(n)) {
        problem("leftover temporary file " + dir + "/" + n, true);
        temps.push_back(dir + "/" + n);
      }
    }
  }
};

} // namespace

util::Result<std::vector<Finding>>
check_app(const AppPaths& paths, bool fix, util::Output& out)
{
  Checker c{paths, {}, {}};
  ReleaseStore store(paths);
  SlugStore slugs(paths);
  if (auto reachable = check_root_reachable(paths.root()); !reachable) {
    c.problem(reachable.error().message);
  }
  bool user_missing = !app_user(paths.name());
  if (user_missing) {
    c.problem("the app's unix user " + app_user_name(paths.name()) + " is missing; nothing of the app can run", true);
  }

  // current: a relative symlink to a complete release.
  if (util::path_exists(paths.current())) {
    auto target = util::read_link(paths.current());
    if (!target) {
      c.problem(paths.current() + " is not a symlink; it must point at releases/vN");
    } else if (!store.current()) {
      c.problem(paths.current() + " points at '" + *target + "', not at releases/vN");
    } else if (!util::is_directory(paths.current() + "/app")) {
      c.problem(paths.current() + " -> " + *target + " does not resolve to an unpacked release");
    }
  }
  c.check_mode(paths.dir(), 0750);
  c.check_mode(paths.config_file(), 0600);
  // Automatic certificates that could not be had lately (acme.hpp).
  if (auto acme = load_acme_state(paths); acme && acme->enabled) {
    for (const auto& [host, h] : acme->hosts) {
      if (h.status == "Failing") {
        c.problem("the automatic certificate for " + host + " cannot be had: " + h.reason +
                  " (retried by serve; the one in force keeps serving; slipway certs:auto -a " + paths.name() + ")");
      }
    }
  }
  c.check_temp_names(paths.dir());
  c.check_temp_names(paths.slugs());
  if (util::is_directory(paths.tmp())) {
    auto left = util::list_dir(paths.tmp());
    if (left && !left->empty()) {
      c.problem("leftover staging directories in " + paths.tmp(), true);
    }
  }

  std::set<std::string> referenced;
  std::vector<unsigned long> bad_trees;
  auto index = SlugIndex::load(paths);
  bool index_agrees = static_cast<bool>(index);
  SW_TRY_ASSIGN(auto versions, store.versions());
  for (auto v : versions) {
    std::string dir = store.dir(v);
    auto r = store.load(v);
    if (!r) {
      c.problem("unreadable release record: " + r.error().message);
      continue;
    }
    c.check_mode(dir + "/" + ReleaseFiles::config, 0600);
    c.check_mode(dir + "/" + ReleaseFiles::record, 0640);
    c.check_temp_names(dir);
    if (r->interrupted) {
      c.problem(version_name(v) + " is pending but the process running it died", true);
    }
    // A failed release may have no tree; one that has an `app` entry must have a sound one.
    struct stat tree;
    if (r->status != ReleaseStatus::expired && r->status != ReleaseStatus::pending && !r->interrupted &&
        !r->slug_id.empty() && ::lstat((dir + "/" + ReleaseFiles::app).c_str(), &tree) == 0 && !store.tree_owner(v)) {
      c.problem("releases/" + version_name(v) + "/app is neither a directory nor a link to another release's tree",
                true);
      bad_trees.push_back(v);
    }
    if (r->status != ReleaseStatus::expired && !r->slug_id.empty()) {
      const auto* e = index ? index->entry_of_release(v) : nullptr;
      index_agrees = index_agrees && e && e->slug == r->slug_id;
    }
    if (r->status != ReleaseStatus::expired) {
      referenced.insert(r->slug_id);
      if (!r->slug_id.empty() && !slugs.exists(r->slug_id)) {
        c.problem(version_name(v) + " names slug " + r->slug_id + ", which is missing");
      }
    }
  }

  if (auto names = util::list_dir(paths.slugs())) {
    for (const auto& n : *names) {
      if (!n.ends_with(".yml")) {
        continue;
      }
      auto s = slugs.load(n.substr(0, n.size() - 4));
      if (!s) {
        c.problem("unreadable slug record: " + s.error().message);
        continue;
      }
      bool ok = false;
      std::string sum = util::sha256_file(slugs.tarball(*s), &ok);
      if (!ok) {
        c.problem("slug " + s->id + " has a record but no tarball");
      } else if (sum != s->sha256) {
        c.problem("slug " + slugs.tarball(*s) +
                  " does not match its sha256 (corrupted); releases using it cannot be "
                  "rolled back to");
      }
    }
  }

  if (!index_agrees) {
    c.problem("the slug index " + paths.slug_index() + " disagrees with the release records", true);
  }

  bool any_fixable = false;
  for (const auto& f : c.findings) {
    any_fixable = any_fixable || f.fixable;
  }
  if (fix && any_fixable) {
    // Taking the lock cleans leftovers and finishes interrupted records (leftovers.hpp).
    SW_TRY_ASSIGN(AppLock lock, AppLock::acquire(paths, "doctor --fix", false, out));
    for (auto& f : c.findings) {
      if (f.fixable) {
        f.fixed = true;
      }
    }
    for (const auto& t : c.temps) {
      (void)util::remove_tree(t);
    }
    if (user_missing) {
      // The new user's group replaces the lost one wherever the app's group may enter.
      SW_TRY_ASSIGN(AppUser user, restore_app_user(paths));
      for (auto v : versions) {
        (void)::chown(store.dir(v).c_str(), 0, user.gid);
      }
      (void)::chown(util::dir_name(paths.one_off_scratch(0)).c_str(), 0, user.gid);
    }
    if (!index_agrees) {
      ::unlink(paths.slug_index().c_str());
      auto rebuilt = SlugIndex::load(paths);
      if (!rebuilt || !rebuilt->save()) {
        out.warn("cannot rebuild " + paths.slug_index());
      }
    }
    ::chmod(paths.dir().c_str(), 0750);
    ::chmod(paths.config_file().c_str(), 0600);
    for (auto v : versions) {
      ::chmod((store.dir(v) + "/" + ReleaseFiles::config).c_str(), 0600);
      ::chmod((store.dir(v) + "/" + ReleaseFiles::record).c_str(), 0640);
    }
    // A tree that is neither is put aside (never followed) and placed again from the slug.
    for (auto v : bad_trees) {
      std::string app = store.dir(v) + "/" + ReleaseFiles::app;
      auto r = store.load_raw(v);
      auto slug = r ? slugs.load(r->slug_id) : util::Result<SlugRecord>(util::error("no record"));
      if (!slug || !util::remove_tree(app) || !place_tree(store, *slug, v)) {
        out.warn("cannot repair " + app + "; its slug is missing or unreadable");
      }
    }
  }
  return c.findings;
}

} // namespace slipway::core

namespace slipway::core {

namespace {

// The non-comment lines of an sshd config and the files its sshd_config.d holds.
std::vector<std::string>
sshd_config_lines(const std::string& path)
{
  std::vector<std::string> files = {path};
  std::string dropins = util::dir_name(path) + "/sshd_config.d";
  if (auto names = util::list_dir(dropins)) {
    for (const auto& n : *names) {
      if (n.ends_with(".conf")) {
        files.push_back(dropins + "/" + n);
      }
    }
  }
  std::vector<std::string> lines;
  for (const auto& f : files) {
    auto text = util::read_file(f);
    for (const auto& l : util::split(text ? *text : "", '\n')) {
      auto t = util::trim(l);
      if (!t.empty() && t[0] != '#') {
        lines.emplace_back(t);
      }
    }
  }
  return lines;
}

} // namespace

std::vector<Finding>
check_ssh_setup(const std::string& root, const std::string& account, const std::string& sshd_config)
{
  std::vector<Finding> found;
  UserPaths users(root);
  auto listed = UserStore(root).list();
  if (!listed || listed->empty()) {
    return found; // no users: nobody comes in over SSH
  }
  struct stat st;
  if (::stat(users.dir.c_str(), &st) == 0 && (st.st_uid != 0 || (st.st_mode & 077))) {
    found.push_back({users.dir + " must be root's alone (mode 0700)",
                     false,
                     false,
                     {"chown root: " + users.dir + " && chmod 0700 " + users.dir}});
  }
  if (::stat(users.authorized_keys().c_str(), &st) == 0 && (st.st_uid != 0 || (st.st_mode & 022))) {
    found.push_back({users.authorized_keys() + " must be root's and written by Slipway alone (mode 0644)",
                     false,
                     false,
                     {"chown root: " + users.authorized_keys() + " && chmod 0644 " + users.authorized_keys()}});
  }
  std::string engine = self_executable();
  passwd entry{};
  passwd* pw = nullptr;
  std::vector<char> buf(16384);
  if (::getpwnam_r(account.c_str(), &entry, buf.data(), buf.size(), &pw) != 0 || !pw) {
    found.push_back({"the SSH account '" + account + "' is missing; create it:",
                     false,
                     false,
                     {"adduser --system --group --shell /bin/sh --home /home/" + account + " " + account,
                      "usermod -p '*' " + account + "   # no password, not locked: keys only"}});
  } else {
    std::string shell = pw->pw_shell ? pw->pw_shell : "";
    if (shell.empty() || shell.ends_with("nologin") || shell.ends_with("/false")) {
      found.push_back(
          {"the SSH account '" + account + "' has the shell '" + shell + "': sshd cannot run its forced command",
           false,
           false,
           {"usermod -s /bin/sh " + account}});
    }
    spwd sentry{};
    spwd* sp = nullptr;
    if (::getspnam_r(account.c_str(), &sentry, buf.data(), buf.size(), &sp) == 0 && sp && sp->sp_pwdp &&
        sp->sp_pwdp[0] == '!') {
      found.push_back({"the SSH account '" + account + "' is locked: sshd refuses its keys",
                       false,
                       false,
                       {"usermod -p '*' " + account + "   # no password, not locked: keys only"}});
    }
  }
  bool reads_keys = false;
  for (const auto& l : sshd_config_lines(sshd_config)) {
    reads_keys =
        reads_keys || (l.starts_with("AuthorizedKeysFile") && l.find(users.authorized_keys()) != std::string::npos);
  }
  if (!reads_keys) {
    found.push_back({"sshd does not read " + users.authorized_keys() + " for '" + account + "'; add to the end of " +
                         sshd_config + ", then reload sshd:",
                     false,
                     false,
                     {"Match User " + account, "    AuthorizedKeysFile " + users.authorized_keys(),
                      "    PasswordAuthentication no", "    KbdInteractiveAuthentication no"}});
  }
  bool sudo_rule = false;
  std::string rule = account + " ALL=(root) NOPASSWD: " + engine + " --root " + root + " ssh-command --user *";
  if (auto names = util::list_dir("/etc/sudoers.d")) {
    for (const auto& n : *names) {
      auto text = util::read_file("/etc/sudoers.d/" + n);
      sudo_rule = sudo_rule || (text && text->find(rule) != std::string::npos);
    }
  }
  if (::geteuid() == 0 && !sudo_rule) {
    found.push_back({"no sudo rule lets '" + account +
                         "' run ssh-command as root; put these lines in "
                         "/etc/sudoers.d/slipway (mode 0440; check with visudo -c):",
                     false,
                     false,
                     {"Defaults!" + engine + " env_keep += \"SSH_ORIGINAL_COMMAND\"", rule}});
  }
  return found;
}

std::vector<Finding>
check_addons(const std::string& root)
{
  std::vector<Finding> findings;
  AddonStore store(root);
  auto providers = store.providers();
  auto addons = store.list();
  auto server = load_server_settings(root);
  if (!providers || !addons || !server) {
    findings.push_back({(!providers ? providers.error() : !addons ? addons.error() : server.error()).message});
    return findings;
  }
  std::map<std::string, std::unique_ptr<Provider>> reachable;
  for (const auto& p : *providers) {
    auto provider = make_provider(p, *server);
    if (auto ok = provider->check(nullptr); !ok) {
      findings.push_back({"provider " + p.name + ": " + ok.error().message});
      continue;
    }
    if (auto apart = provider->check_isolation(); !apart) {
      findings.push_back({"provider " + p.name + ": " + apart.error().message});
    }
    reachable[p.name] = std::move(provider);
  }
  for (const auto& a : *addons) {
    auto it = reachable.find(a.provider);
    if (it == reachable.end()) {
      if (std::none_of(providers->begin(), providers->end(), [&](const auto& p) { return p.name == a.provider; })) {
        findings.push_back({a.name + ": its provider '" + a.provider + "' is not configured"});
      }
      continue;
    }
    if (auto ok = it->second->check(&a); !ok) {
      findings.push_back({a.name + ": " + ok.error().message,
                          false,
                          false,
                          {"remove what is left of it: slipway addons:destroy " + a.name + " --confirm " + a.app}});
    }
    for (const auto& at : a.attachments) {
      if (!util::is_directory(AppPaths(root, at.app).dir())) {
        findings.push_back({a.name + ": attached to " + at.app + ", which no longer exists"});
      }
    }
  }
  return findings;
}

} // namespace slipway::core
