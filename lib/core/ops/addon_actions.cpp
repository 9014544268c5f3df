#include "addon_actions.hpp"

#include <core/release/app_lock.hpp>
#include <core/app/app_lookup.hpp>
#include <core/access/audit.hpp>
#include <core/ops/config_change.hpp>
#include <util/clock.hpp>
#include <util/identity.hpp>
#include <util/strings.hpp>
#include <util/uuid.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace slipway::core {

namespace {

// A release on the current slug with the app's config minus `remove` (the caller holds the
// app's lock); the attachments' vars are laid over it by create_release.
util::Result<std::optional<ReleaseOutcome>>
release_change(const AppPaths& paths,
               const std::string& description,
               bool skip_release_phase,
               const std::vector<std::string>& remove,
               util::Output& out,
               const OnReleaseCreated& on_created)
{
  SW_TRY_ASSIGN(AppSettings settings, load_settings(paths));
  SW_TRY_ASSIGN(ConfigVars config, load_env(paths.config_file()));
  for (const auto& k : remove) {
    config.erase(k);
  }
  return release_config(paths, settings, config, description, skip_release_phase, out, on_created);
}

std::vector<std::string>
keys_of(const ConfigVars& vars)
{
  std::vector<std::string> keys;
  for (const auto& [k, v] : vars) {
    keys.push_back(k);
  }
  return keys;
}

// `as` is free on the app: no other attachment has it, and no config var the attachment
// would set (`keys`, or AS_URL before they are known) is set by hand.
util::Status
check_as_free(const AddonStore& store,
              const AppPaths& paths,
              const std::string& as,
              const std::vector<std::string>& keys)
{
  SW_TRY_ASSIGN(auto attached, store.attached_to(paths.name()));
  for (const auto& [addon, at] : attached) {
    if (at.as == as) {
      return util::error(fmt::format("{} already has an add-on attached as {} ({}); choose another name with --as",
                                     paths.name(), as, addon.name),
                         2);
    }
  }
  SW_TRY_ASSIGN(ConfigVars config, load_env(paths.config_file()));
  for (const auto& k : keys) {
    if (config.count(k)) {
      return util::error(fmt::format("config var {} is already set on {}; choose another name with --as, or unset "
                                     "it (slipway config:unset {} -a {})",
                                     k, paths.name(), k, paths.name()),
                         2);
    }
  }
  return {};
}

util::Result<std::unique_ptr<Provider>>
provider_for(const AddonStore& store, const std::string& name)
{
  SW_TRY_ASSIGN(ProviderConfig config, store.provider(name));
  SW_TRY_ASSIGN(AppSettings server, load_server_settings(store.paths().root));
  return make_provider(config, server);
}

// Add or take away one attachment in the add-on's record, under the store's lock.
util::Result<Addon>
change_attachment(const AddonStore& store, const std::string& name, const Attachment& at, bool add)
{
  SW_TRY_ASSIGN(util::FileLock lock, store.lock());
  SW_TRY_ASSIGN(Addon addon, store.load(name));
  auto& list = addon.attachments;
  list.erase(
      std::remove_if(list.begin(), list.end(), [&](const Attachment& a) { return a.app == at.app && a.as == at.as; }),
      list.end());
  if (add) {
    list.push_back(at);
  }
  SW_TRY(store.save(addon));
  return addon;
}

// Attach under the app's lock: record the attachment, then release; a record without a
// live release stays (releases:retry, or the next release, carries it).
util::Result<AddonOutcome>
attach_locked(const AppPaths& paths,
              const AddonStore& store,
              const std::string& name,
              const Attachment& at,
              util::Output& out,
              const OnReleaseCreated& on_created)
{
  AddonOutcome outcome;
  SW_TRY_ASSIGN(outcome.addon, change_attachment(store, name, at, true));
  outcome.attachment = at;
  audit(paths.root(), paths.name(), fmt::format("Attached add-on {} as {}", name, at.as));
  SW_TRY_ASSIGN(outcome.release,
                release_change(paths, fmt::format("Attach {} ({})", at.as, name), false, {}, out, on_created));
  return outcome;
}

} // namespace

util::Result<AddonOutcome>
create_addon(const AppPaths& paths,
             const CreateAddon& request,
             bool wait,
             util::Output& out,
             const std::function<void(const Addon&)>& on_provisioned,
             const OnReleaseCreated& on_created)
{
  AddonStore store(paths.root());
  std::string as = request.as.empty() ? default_attachment_name(request.provider) : request.as;
  SW_TRY(check_provider_name(request.provider));
  SW_TRY(check_attachment_name(as));
  if (!request.name.empty()) {
    SW_TRY(check_addon_name(request.name));
  }
  SW_TRY_ASSIGN(auto provider, provider_for(store, request.provider));
  SW_TRY_ASSIGN(AppLock app_lock, AppLock::acquire(paths, "addons:create", wait, out));
  SW_TRY(check_as_free(store, paths, as, {as + "_URL"}));

  Addon addon;
  {
    SW_TRY_ASSIGN(util::FileLock lock, store.lock());
    if (!request.name.empty() && store.exists(request.name)) {
      return util::error("an add-on named '" + request.name + "' already exists; choose another --name", 2);
    }
    addon.name = request.name.empty() ? store.fresh_name(request.provider) : request.name;
    addon.id = util::random_uuid();
    addon.provider = request.provider;
    addon.handle = "slipway_" + addon.name; // never user text: a checked name, dashes to underscores
    std::replace(addon.handle.begin(), addon.handle.end(), '-', '_');
    addon.app = paths.name();
    addon.created_at = util::now_iso8601();
    addon.created_by = util::current_user();
    SW_TRY_ASSIGN(addon.config, provider->provision(addon));
    auto taken = check_as_free(store, paths, as, keys_of(addon.vars_for({paths.name(), as})));
    if (!taken) {
      (void)provider->deprovision(addon);
      return taken.error();
    }
    SW_TRY(store.save(addon));
  }
  audit(paths.root(), paths.name(), fmt::format("Created add-on {} ({})", addon.name, addon.provider));
  if (on_provisioned) {
    on_provisioned(addon);
  }
  return attach_locked(paths, store, addon.name, {paths.name(), as}, out, on_created);
}

util::Result<AddonOutcome>
attach_addon(const AppPaths& paths,
             const std::string& name,
             const std::string& as_given,
             bool wait,
             util::Output& out,
             const OnReleaseCreated& on_created)
{
  AddonStore store(paths.root());
  SW_TRY_ASSIGN(Addon addon, store.load(name));
  std::string as = as_given.empty() ? default_attachment_name(addon.provider) : as_given;
  SW_TRY(check_attachment_name(as));
  SW_TRY_ASSIGN(AppLock app_lock, AppLock::acquire(paths, "addons:attach", wait, out));
  SW_TRY(check_as_free(store, paths, as, keys_of(addon.vars_for({paths.name(), as}))));
  return attach_locked(paths, store, name, {paths.name(), as}, out, on_created);
}

util::Result<AddonOutcome>
detach_addon(
    const AppPaths& paths, const std::string& which, bool wait, util::Output& out, const OnReleaseCreated& on_created)
{
  AddonStore store(paths.root());
  SW_TRY_ASSIGN(AppLock app_lock, AppLock::acquire(paths, "addons:detach", wait, out));
  SW_TRY_ASSIGN(auto attached, store.attached_to(paths.name()));
  auto it = std::find_if(attached.begin(), attached.end(),
                         [&](const auto& p) { return p.second.as == which || p.first.name == which; });
  if (it == attached.end()) {
    return util::error("no add-on attached to " + paths.name() + " as '" + util::printable(which) +
                       "'; see 'slipway addons -a " + paths.name() + "'");
  }
  AddonOutcome outcome;
  outcome.attachment = it->second;
  ConfigVars vars = it->first.vars_for(it->second);
  SW_TRY_ASSIGN(outcome.addon, change_attachment(store, it->first.name, it->second, false));
  auto released = release_change(paths, fmt::format("Detach {} ({})", it->second.as, it->first.name), false,
                                 keys_of(vars), out, on_created);
  if (!released || (*released && !(*released)->succeeded())) {
    SW_TRY_ASSIGN(outcome.addon, change_attachment(store, it->first.name, it->second, true));
  }
  if (!released) {
    return released.error();
  }
  outcome.release = std::move(*released);
  if (outcome.succeeded()) {
    audit(paths.root(), paths.name(), fmt::format("Detached add-on {} ({})", it->first.name, it->second.as));
  }
  return outcome;
}

util::Result<std::vector<AddonOutcome>>
rotate_addon(const std::string& root, const std::string& name, bool wait, util::Output& out)
{
  AddonStore store(root);
  SW_TRY_ASSIGN(Addon addon, store.load(name));
  SW_TRY_ASSIGN(auto provider, provider_for(store, addon.provider));
  // Every app it is attached to, locked in name order before anything changes.
  std::vector<std::string> apps;
  for (const auto& at : addon.attachments) {
    apps.push_back(at.app);
  }
  std::sort(apps.begin(), apps.end());
  apps.erase(std::unique(apps.begin(), apps.end()), apps.end());
  std::vector<AppPaths> paths;
  std::vector<AppLock> locks;
  for (const auto& app : apps) {
    SW_TRY_ASSIGN(AppPaths p, open_app(root, app));
    SW_TRY_ASSIGN(AppLock l, AppLock::acquire(p, "addons:credentials:rotate " + name, wait, out));
    paths.push_back(p);
    locks.push_back(std::move(l));
  }
  {
    SW_TRY_ASSIGN(util::FileLock lock, store.lock());
    SW_TRY_ASSIGN(addon, store.load(name));
    SW_TRY_ASSIGN(addon.config, provider->rotate(addon));
    SW_TRY(store.save(addon));
  }
  audit(root, addon.app, "Rotated the credentials of add-on " + name);
  std::vector<AddonOutcome> outcomes;
  for (const auto& p : paths) {
    for (const auto& at : addon.attachments) {
      if (at.app != p.name()) {
        continue;
      }
      AddonOutcome o{addon, at, {}};
      SW_TRY_ASSIGN(o.release, release_change(p, fmt::format("Update {} by {}", at.as, name), true, {}, out, {}));
      outcomes.push_back(std::move(o));
    }
  }
  return outcomes;
}

util::Status
destroy_addon(
    const std::string& root, const std::string& name, const std::string& confirm, bool wait, util::Output& out)
{
  AddonStore store(root);
  SW_TRY_ASSIGN(Addon addon, store.load(name));
  if (confirm != addon.app) {
    return util::error(fmt::format("destroying {} deletes its data for good; to proceed, run again with --confirm {}",
                                   name, addon.app),
                       2);
  }
  for (const auto& at : addon.attachments) {
    if (at.app != addon.app) {
      return util::error(fmt::format("{} is still attached to {} as {}; detach it there first (slipway "
                                     "addons:detach {} -a {})",
                                     name, at.app, at.as, at.as, at.app));
    }
  }
  SW_TRY_ASSIGN(auto provider, provider_for(store, addon.provider));
  for (const auto& at : addon.attachments) {
    SW_TRY_ASSIGN(AppPaths paths, open_app(root, at.app));
    auto announce = [&](const ReleaseRecord& r) {
      out.line(fmt::format("Detaching {} ({}) from {}... done, v{}", at.as, name, at.app, r.version));
    };
    SW_TRY_ASSIGN(AddonOutcome detached, detach_addon(paths, at.as, wait, out, announce));
    if (!detached.succeeded()) {
      return util::error(fmt::format("{} was not destroyed: its Detach release v{} failed, so {} still uses it", name,
                                     detached.release->record.version, at.app));
    }
  }
  SW_TRY_ASSIGN(util::FileLock lock, store.lock());
  SW_TRY_ASSIGN(addon, store.load(name));
  if (!addon.attachments.empty()) {
    return util::error(name + " was attached again meanwhile; it was not destroyed");
  }
  auto gone = provider->deprovision(addon);
  if (!gone) {
    return util::error(gone.error().message + "; " + name + " is detached but not destroyed: run addons:destroy again");
  }
  SW_TRY(store.remove(name));
  audit(root, addon.app, fmt::format("Destroyed add-on {} ({})", name, addon.provider));
  return {};
}

util::Status
release_app_addons(const std::string& root, const std::string& app, bool destroy, util::Output& out)
{
  AddonStore store(root);
  SW_TRY_ASSIGN(auto all, store.list());
  std::vector<std::string> held;
  for (const auto& a : all) {
    bool attached =
        std::any_of(a.attachments.begin(), a.attachments.end(), [&](const Attachment& at) { return at.app == app; });
    if (attached || (a.app == app && a.attachments.empty())) {
      held.push_back(a.name);
    }
  }
  if (held.empty()) {
    return {};
  }
  if (!destroy) {
    return util::error(fmt::format("{} has add-ons ({}); destroy them with it (slipway apps:destroy {} --confirm {} "
                                   "--destroy-addons), or detach them first",
                                   app, util::join(held, ", "), app, app),
                       2);
  }
  SW_TRY_ASSIGN(util::FileLock lock, store.lock());
  for (const auto& name : held) {
    SW_TRY_ASSIGN(Addon addon, store.load(name));
    auto& list = addon.attachments;
    list.erase(std::remove_if(list.begin(), list.end(), [&](const Attachment& at) { return at.app == app; }),
               list.end());
    if (!list.empty()) {
      // Others use it: it stays, and belongs to the first of them now.
      addon.app = list.front().app;
      SW_TRY(store.save(addon));
      out.line(fmt::format("Keeping {}: {} still uses it", name, addon.app));
      continue;
    }
    SW_TRY_ASSIGN(auto provider, provider_for(store, addon.provider));
    auto gone = provider->deprovision(addon);
    if (!gone) {
      return util::error(gone.error().message + "; " + app + " was not destroyed");
    }
    SW_TRY(store.remove(name));
    audit(root, app, fmt::format("Destroyed add-on {} ({}) with its app", name, addon.provider));
    out.line("Destroying " + name + "... done");
  }
  return {};
}

} // namespace slipway::core
