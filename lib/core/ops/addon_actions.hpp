// What the addons:* commands do. Provisioning happens before any release; each attachment
// change is a release on the current slug that runs the release phase, except a provider's
// own change of its vars (a credential rotation), which succeeds without it. A failed
// release leaves the app's config as it was; the add-on stays provisioned.
#pragma once

#include <core/addons/addons.hpp>
#include <core/release/releaser.hpp>

#include <functional>
#include <optional>

namespace slipway::core {

using OnReleaseCreated = std::function<void(const ReleaseRecord&)>;

struct AddonOutcome
{
  Addon addon;
  Attachment attachment;                 // the one the release was about
  std::optional<ReleaseOutcome> release; // none when the app has nothing deployed yet
  bool
  succeeded() const
  {
    return !release || release->succeeded();
  }
};

struct CreateAddon
{
  std::string provider;
  std::string as;   // empty: the provider's default (DATABASE)
  std::string name; // empty: PROVIDER-ADJECTIVE-NUMBER
};

// Provision an add-on for `app` and attach it: release "Attach DATABASE (NAME)". `on_provisioned`
// is called once it exists, before the release.
util::Result<AddonOutcome> create_addon(const AppPaths& app,
                                        const CreateAddon& request,
                                        bool wait,
                                        util::Output& out,
                                        const std::function<void(const Addon&)>& on_provisioned,
                                        const OnReleaseCreated& on_created);

// Attach an existing add-on to `app` as `as`: release "Attach AS (NAME)".
util::Result<AddonOutcome> attach_addon(const AppPaths& app,
                                        const std::string& name,
                                        const std::string& as,
                                        bool wait,
                                        util::Output& out,
                                        const OnReleaseCreated& on_created);

// Detach the attachment (or add-on) `which` from `app`: release "Detach AS (NAME)". If that
// release fails, the attachment stays.
util::Result<AddonOutcome> detach_addon(
    const AppPaths& app, const std::string& which, bool wait, util::Output& out, const OnReleaseCreated& on_created);

// New credentials, then on each app it is attached to a release "Update AS by NAME" whose
// release phase does not run. The apps' deploy locks are taken first; if the provider fails,
// nothing changed.
util::Result<std::vector<AddonOutcome>>
rotate_addon(const std::string& root, const std::string& name, bool wait, util::Output& out);

// Detach the add-on from the app it was made for (`confirm` must name it), and only once that
// release succeeded, deprovision it. Refused while another app has it attached.
util::Status destroy_addon(
    const std::string& root, const std::string& name, const std::string& confirm, bool wait, util::Output& out);

// Before `app` is destroyed (its lock held): with `destroy`, deprovision the add-ons only it
// uses and drop its attachments to others; without, an error if it has any.
util::Status release_app_addons(const std::string& root, const std::string& app, bool destroy, util::Output& out);

} // namespace slipway::core
