// slipway addons, addons:info, addons:create, addons:attach, addons:detach,
// addons:credentials:rotate, addons:destroy, addons:providers, addons:providers:set
// (core/addons/addons.hpp, core/ops/addon_actions.hpp).
#include <cmd/command.hpp>
#include <cmd/release_view.hpp>
#include <core/ops/addon_actions.hpp>
#include <core/app/app_lookup.hpp>
#include <core/access/audit.hpp>
#include <core/release/release_store.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace slipway::cmd {

namespace {

// A URL without its user and password: what may be shown of a provider's admin URL.
std::string
redact_url(const std::string& url)
{
  auto scheme = url.find("://");
  auto at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) {
    return url;
  }
  return url.substr(0, scheme + 3) + "***@" + url.substr(at + 1);
}

// Whether the app's config holds the attachment's current vars (its release succeeded).
bool
live(const core::Addon& addon, const core::Attachment& at, const core::ConfigVars& config)
{
  for (const auto& [k, v] : addon.vars_for(at)) {
    auto it = config.find(k);
    if (it == config.end() || it->second != v) {
      return false;
    }
  }
  return true;
}

// The add-on named; with -a, only if it is attached to that app or was made for it.
util::Result<core::Addon>
addon_arg(Context& ctx)
{
  SW_TRY_ASSIGN(core::Addon addon, core::AddonStore(ctx.root).load(ctx.args[0]));
  if (ctx.has("app")) {
    SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
    if (addon.app != paths.name() && !addon.attachment(paths.name(), "")) {
      return util::error("add-on '" + addon.name + "' is not attached to " + paths.name() +
                         "; see 'slipway addons -a " + paths.name() + "'");
    }
  }
  return addon;
}

// "Attaching X as DATABASE to APP... done, v5", once the release exists.
core::OnReleaseCreated
announce(Context& ctx, const std::string& what)
{
  return [&ctx, what](const core::ReleaseRecord& r) { ctx.out->line(fmt::format("{}... done, v{}", what, r.version)); };
}

int
report_attach(Context& ctx, const core::AddonOutcome& o, const core::AppPaths& paths)
{
  std::string vars = util::join(
      [&] {
        std::vector<std::string> keys;
        for (const auto& [k, v] : o.addon.vars_for(o.attachment)) {
          keys.push_back(k);
        }
        return keys;
      }(),
      ", ");
  if (!o.release) {
    ctx.out->line(fmt::format("Attached {} as {} ({}): nothing is deployed yet, the first push will use it",
                              o.addon.name, o.attachment.as, vars));
    return 0;
  }
  if (!o.release->succeeded()) {
    ctx.out->warn(fmt::format("{} stays provisioned, but {}'s config is unchanged: retry the release with "
                              "'slipway releases:retry -a {}', or remove the add-on with 'slipway addons:destroy {} "
                              "--confirm {}'",
                              o.addon.name, paths.name(), paths.name(), o.addon.name, o.addon.app));
    return 1;
  }
  ctx.out->line(fmt::format("Attached {} as {} ({})", o.addon.name, o.attachment.as, vars));
  return 0;
}

util::Result<int>
run_addons(Context& ctx)
{
  core::AddonStore store(ctx.root);
  std::vector<std::vector<std::string>> rows = {{"Add-on", "Provider", "Attached to", "State"}};
  SW_TRY_ASSIGN(auto all, store.list());
  std::string only;
  if (ctx.has("app")) {
    SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
    only = paths.name();
  }
  std::map<std::string, core::ConfigVars> configs;
  for (const auto& a : all) {
    for (const auto& at : a.attachments) {
      if (!only.empty() && at.app != only && a.app != only) {
        continue;
      }
      if (!configs.count(at.app)) {
        auto paths = core::open_app(ctx.root, at.app);
        auto config = paths ? core::visible_config(*paths) : util::Result<core::ConfigVars>(core::ConfigVars{});
        configs[at.app] = config ? *config : core::ConfigVars{};
      }
      rows.push_back({a.name, a.provider, at.app + "::" + at.as,
                      live(a, at, configs[at.app])
                          ? "attached"
                          : "pending: its release has not succeeded (slipway releases:retry -a " + at.app + ")"});
    }
    if (a.attachments.empty() && (only.empty() || a.app == only)) {
      rows.push_back({a.name, a.provider, "-", "created, not attached"});
    }
  }
  if (rows.size() == 1) {
    ctx.out->line(only.empty() ? "No add-ons." : "No add-ons for " + only + ".");
    return 0;
  }
  print_columns(*ctx.out, rows);
  return 0;
}

util::Result<int>
run_info(Context& ctx)
{
  SW_TRY_ASSIGN(core::Addon a, addon_arg(ctx));
  std::vector<std::string> attached, vars;
  for (const auto& at : a.attachments) {
    attached.push_back(at.app + "::" + at.as);
    for (const auto& [k, v] : a.vars_for(at)) {
      vars.push_back(k);
    }
  }
  ctx.out->line("=== " + a.name);
  print_columns(*ctx.out, {{"Attachments:", attached.empty() ? "(none)" : util::join(attached, ", ")},
                           {"Config vars:", vars.empty() ? "(none)" : util::join(vars, ", ")},
                           {"Created at:", a.created_at},
                           {"Created by:", a.created_by},
                           {"Created for:", a.app},
                           {"Id:", a.id},
                           {"Provider:", a.provider},
                           {"State:", "created"}});
  return 0;
}

util::Result<int>
run_create(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  core::CreateAddon request{ctx.args[0], ctx.get("as"), ctx.get("name")};
  std::string name;
  auto on_provisioned = [&](const core::Addon& a) {
    name = a.name;
    ctx.out->line("Creating " + a.name + " on " + paths.name() + "... done");
  };
  auto on_created = [&](const core::ReleaseRecord& r) {
    ctx.out->line(fmt::format("Attaching {} to {}... done, v{}", name, paths.name(), r.version));
  };
  SW_TRY_ASSIGN(core::AddonOutcome o,
                core::create_addon(paths, request, wait_for_lock(ctx, false), *ctx.out, on_provisioned, on_created));
  return report_attach(ctx, o, paths);
}

util::Result<int>
run_attach(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(core::AddonOutcome o,
                core::attach_addon(paths, ctx.args[0], ctx.get("as"), wait_for_lock(ctx, false), *ctx.out,
                                   announce(ctx, "Attaching " + ctx.args[0] + " to " + paths.name())));
  return report_attach(ctx, o, paths);
}

util::Result<int>
run_detach(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(core::AddonOutcome o,
                core::detach_addon(paths, ctx.args[0], wait_for_lock(ctx, false), *ctx.out,
                                   announce(ctx, "Detaching " + ctx.args[0] + " from " + paths.name())));
  if (!o.succeeded()) {
    ctx.out->warn(fmt::format("{} stays attached to {} as {}", o.addon.name, paths.name(), o.attachment.as));
    return 1;
  }
  ctx.out->line(fmt::format("Detached {} ({}) from {}", o.attachment.as, o.addon.name, paths.name()));
  return 0;
}

util::Result<int>
run_rotate(Context& ctx)
{
  SW_TRY_ASSIGN(core::Addon a, addon_arg(ctx));
  SW_TRY_ASSIGN(auto outcomes, core::rotate_addon(ctx.root, a.name, wait_for_lock(ctx, false), *ctx.out));
  ctx.out->line("Rotating credentials of " + a.name + "... done");
  int status = 0;
  for (const auto& o : outcomes) {
    if (!o.release) {
      ctx.out->line(fmt::format("{} on {}: config updated (nothing deployed yet)", o.attachment.as, o.attachment.app));
    } else if (o.release->succeeded()) {
      ctx.out->line(fmt::format("{} on {}: v{} (release command not run: an add-on's own config change)",
                                o.attachment.as, o.attachment.app, o.release->record.version));
    } else {
      ctx.out->warn(fmt::format("{} on {}: release v{} failed: {}", o.attachment.as, o.attachment.app,
                                o.release->record.version, o.release->record.failure));
      status = 1;
    }
  }
  return status;
}

util::Result<int>
run_destroy(Context& ctx)
{
  SW_TRY_ASSIGN(core::Addon a, addon_arg(ctx));
  SW_TRY(core::destroy_addon(ctx.root, a.name, ctx.get("confirm"), wait_for_lock(ctx, false), *ctx.out));
  ctx.out->line("Destroying " + a.name + " on " + a.app + "... done");
  return 0;
}

util::Result<int>
run_providers(Context& ctx)
{
  SW_TRY_ASSIGN(auto providers, core::AddonStore(ctx.root).providers());
  if (providers.empty()) {
    ctx.out->line("No add-on providers; an admin adds PostgreSQL with 'slipway addons:providers:set postgresql --url "
                  "postgres://ADMIN:PASSWORD@HOST:PORT/postgres'");
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {{"Provider", "Kind", "Where"}};
  for (const auto& p : providers) {
    std::string where = p.kind == "script" ? p.script : redact_url(p.url);
    rows.push_back({p.name, p.kind, where});
  }
  print_columns(*ctx.out, rows);
  return 0;
}

util::Result<int>
run_providers_set(Context& ctx)
{
  core::ProviderConfig p;
  p.name = ctx.args[0];
  SW_TRY(core::check_provider_name(p.name));
  p.url = ctx.get("url");
  p.script = ctx.get("script");
  if (p.name == "postgresql") {
    if (p.url.empty() || !p.script.empty()) {
      return util::error("provider 'postgresql' takes --url postgres://ADMIN:PASSWORD@HOST:PORT/postgres", 2);
    }
    p.kind = "postgresql";
  } else {
    if (p.script.empty() || p.script[0] != '/') {
      return util::error("provider '" + p.name +
                             "' needs --script DIR, an absolute directory with provision, rotate and deprovision",
                         2);
    }
    p.kind = "script";
  }
  SW_TRY_ASSIGN(core::AppSettings server, core::load_server_settings(ctx.root));
  SW_TRY(core::make_provider(p, server)->check(nullptr));
  core::AddonStore store(ctx.root);
  SW_TRY_ASSIGN(util::FileLock lock, store.lock());
  SW_TRY(store.save_provider(p));
  core::audit(ctx.root, "", "Set add-on provider " + p.name + " (" + p.kind + ")");
  ctx.out->line("Setting add-on provider " + p.name + "... done (" +
                (p.kind == "script" ? p.script : redact_url(p.url)) + " answers)");
  return 0;
}

const OptionSpec k_as_option{"as", 0, "NAME", "the attachment's name: its config vars are NAME_URL... (DATABASE)"};

} // namespace

extern const CommandSpec k_cmd_addons{"addons",
                                      "",
                                      "list add-ons and what they are attached to",
                                      "Without -a, every add-on on the server.",
                                      {{"app", 'a', "APP", "only those attached to APP or made for it"}},
                                      0,
                                      0,
                                      run_addons};

extern const CommandSpec k_cmd_addons_info{"addons:info",
                                           "NAME",
                                           "show an add-on (never its credentials)",
                                           "",
                                           {{"app", 'a', "APP", "check it belongs to this app"}},
                                           1,
                                           1,
                                           run_info};

extern const CommandSpec k_cmd_addons_create{
    "addons:create",
    "PROVIDER",
    "provision an add-on and attach it (a release whose release phase runs)",
    "The provider makes the service first (for postgresql: a role and a database it owns, with a\n"
    "random 32-byte password); then release \"Attach DATABASE (NAME)\" puts DATABASE_URL in the\n"
    "app's config. If that release fails, the add-on stays provisioned and the config unchanged:\n"
    "retry with releases:retry, or remove it with addons:destroy.",
    {{"app", 'a', "APP", "the app to attach it to", true},
     k_as_option,
     {"name", 0, "NAME", "the add-on's name (default PROVIDER-ADJECTIVE-NUMBER)"},
     k_wait_option},
    1,
    1,
    run_create};

extern const CommandSpec k_cmd_addons_attach{
    "addons:attach",
    "NAME",
    "attach an existing add-on to an app (a release)",
    "An add-on may be attached to several apps, and to one app under several names.",
    {{"app", 'a', "APP", "the app to attach it to", true}, k_as_option, k_wait_option},
    1,
    1,
    run_attach};

extern const CommandSpec k_cmd_addons_detach{"addons:detach",
                                             "ATTACHMENT",
                                             "detach an add-on from an app (a release); the add-on stays",
                                             "ATTACHMENT: the attachment's name (DATABASE) or the add-on's.",
                                             {{"app", 'a', "APP", "the app to detach it from", true}, k_wait_option},
                                             1,
                                             1,
                                             run_detach};

extern const CommandSpec k_cmd_addons_credentials_rotate{
    "addons:credentials:rotate",
    "NAME",
    "new credentials for an add-on (a release per app, release phase not run)",
    "The apps it is attached to are locked first; if the provider cannot make new credentials,\n"
    "nothing changes. Each app then gets release \"Update DATABASE by NAME\", which succeeds\n"
    "without running the release command, as on Heroku.",
    {{"app", 'a', "APP", "check it belongs to this app"}, k_wait_option},
    1,
    1,
    run_rotate};

extern const CommandSpec k_cmd_addons_destroy{
    "addons:destroy",
    "NAME",
    "detach an add-on, then delete it and its data",
    "Refused while an app other than the one it was made for has it attached. The data is\n"
    "dropped only after the Detach release succeeded.",
    {{"confirm", 0, "APP", "the app it was made for, to confirm"},
     {"app", 'a', "APP", "check it belongs to this app"},
     k_wait_option},
    1,
    1,
    run_destroy};

extern const CommandSpec k_cmd_addons_providers{
    "addons:providers", "", "list add-on providers (never their credentials)", "", {}, 0, 0, run_providers};

extern const CommandSpec k_cmd_addons_providers_set{
    "addons:providers:set",
    "NAME",
    "add or change an add-on provider (server-wide)",
    "postgresql: --url postgres://ADMIN:PASSWORD@HOST:PORT/postgres, an admin with CREATEROLE and\n"
    "CREATEDB. Any other name: --script DIR, a directory of root's with executables provision,\n"
    "rotate and deprovision, each reading a JSON request on stdin ({\"action\", \"name\", \"app\",\n"
    "\"provider_url\", \"config\"}); provision and rotate print the config vars as a JSON object\n"
    "({\"URL\": \"...\"}), which an attachment NAME gives the app as NAME_URL. --url is then\n"
    "optional and passed on. The provider is checked before it is saved (stored 0600).",
    {{"url", 0, "URL", "the admin URL (never printed)"}, {"script", 0, "DIR", "the script provider's directory"}},
    1,
    1,
    run_providers_set};

} // namespace slipway::cmd
