// Add-ons: services (a PostgreSQL database, a Redis user...) provisioned by a provider and
// attached to apps as config vars. Providers and add-ons are server-wide, root's only,
// under $ROOT/addons (layout.hpp: AddonPaths). An attachment NAME puts each var a provider
// gave (URL, ...) into the app's config as NAME_URL, ...; every release of the app carries
// its attachments' current values (releaser.cpp), whatever the release's origin.
#pragma once

#include <core/app/config_vars.hpp>
#include <core/app/layout.hpp>
#include <core/app/settings.hpp>
#include <util/file_lock.hpp>
#include <util/result.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace slipway::core {

// A provider as the sysadmin set it: the built-in `postgresql` (an admin URL) or a script
// directory with executables provision, deprovision and rotate (a URL is optional and handed
// to the scripts).
struct ProviderConfig
{
  std::string name;   // "postgresql", "redis"
  std::string kind;   // "postgresql" or "script"
  std::string url;    // admin credentials: never printed
  std::string script; // kind script: the directory
};

struct Attachment
{
  std::string app;
  std::string as; // DATABASE: its vars are DATABASE_URL, ...
};

struct Addon
{
  std::string name;     // postgresql-shallow-4821
  std::string id;       // a random UUID
  std::string provider; // the provider's name
  std::string handle;   // the provider's name for what it made (a database and role)
  std::string app;      // the app it was created for (--confirm names it)
  std::string created_at;
  std::string created_by;
  std::map<std::string, std::string> config; // from the provider: URL -> ...
  std::vector<Attachment> attachments;

  // The vars attachment `a` gives its app: AS_KEY -> value.
  ConfigVars vars_for(const Attachment& a) const;
  const Attachment* attachment(const std::string& app, const std::string& as_or_name) const;
};

// What a provider does; every call is bounded by the server's addon_timeout.
class Provider
{
public:
  virtual ~Provider() = default;
  // Make the service for add-on `name` (also the base of its handle); its config vars.
  virtual util::Result<std::map<std::string, std::string>> provision(const Addon& addon) = 0;
  // New credentials for it; the new vars. On failure nothing changed.
  virtual util::Result<std::map<std::string, std::string>> rotate(const Addon& addon) = 0;
  // Remove it and its data.
  virtual util::Status deprovision(const Addon& addon) = 0;
  // Reachable with its credentials; with `addon`, that the add-on's service exists.
  virtual util::Status check(const Addon* addon) = 0;
  // The server keeps add-ons apart (doctor): for PostgreSQL, PUBLIC may connect to no
  // database but its own grants allow. An error says what to run to fix it.
  virtual util::Status
  check_isolation()
  {
    return {};
  }
};

// The provider `config` describes, with the server's settings.
std::unique_ptr<Provider> make_provider(const ProviderConfig& config, const AppSettings& server);

// The default attachment name for a provider: DATABASE for postgresql, else its name in
// capitals (REDIS).
std::string default_attachment_name(const std::string& provider);

// Checks of names people give: providers (lowercase letters, digits, dashes), add-on names
// (the same, 3 to 40 characters), attachment names (a config var prefix: A-Z, 0-9, _).
util::Status check_provider_name(const std::string& name);
util::Status check_addon_name(const std::string& name);
util::Status check_attachment_name(const std::string& name);

class AddonStore
{
public:
  explicit AddonStore(const std::string& root) : m_paths(root) {}

  // Held while records change; never across a release phase.
  util::Result<util::FileLock> lock() const;

  util::Result<std::vector<ProviderConfig>> providers() const;
  // The provider named, or an error saying how to set it up.
  util::Result<ProviderConfig> provider(const std::string& name) const;
  util::Status save_provider(const ProviderConfig& p) const;

  util::Result<std::vector<Addon>> list() const;
  bool exists(const std::string& name) const;
  util::Result<Addon> load(const std::string& name) const;
  util::Status save(const Addon& a) const;
  util::Status remove(const std::string& name) const;

  // The add-ons attached to `app`, each with the attachment.
  util::Result<std::vector<std::pair<Addon, Attachment>>> attached_to(const std::string& app) const;
  // A fresh name: PROVIDER-ADJECTIVE-NUMBER, not yet used.
  std::string fresh_name(const std::string& provider) const;

  const AddonPaths&
  paths() const
  {
    return m_paths;
  }

private:
  AddonPaths m_paths;
};

// Put `app`'s attachments' current vars into `config` (a release's), over what it held.
util::Status overlay_addon_vars(const std::string& root, const std::string& app, ConfigVars& config);

} // namespace slipway::core
