// Where everything lives under SLIPWAY_ROOT: the on-disk contract sysadmins rely on.
// ARCHITECTURE.md ("Where things live") shows the tree; every on-disk name in Slipway,
// temporary ones included, comes from here.
#pragma once

#include <string>
#include <string_view>

namespace slipway::core {

// SLIPWAY_ROOT if set, else /var/lib/slipway.
std::string default_root();

// $ROOT/audit.log: who changed what, one line each (audit.hpp); root's only (0600).
inline std::string
audit_log(const std::string& root)
{
  return root + "/audit.log";
}

// What `slipway serve` keeps under the root: run/ is root's only (0700); router/ is HAProxy's.
struct ServePaths
{
  std::string root;
  std::string run; // $ROOT/run

  explicit ServePaths(const std::string& r) : root(r), run(r + "/run") {}
  std::string
  lock() const
  {
    return run + "/serve.lock";
  } // held while serve runs; its note names the holder
  std::string
  socket() const
  {
    return run + "/serve.sock";
  } // datagrams "APP": look at this app again (a release switched, a scale)
  std::string
  scans() const
  {
    return run + "/serve.scans";
  } // how many full scans this serve has finished, rewritten after each: a sign of life
  std::string
  dyno_output() const
  {
    return run + "/dynos";
  } // one FIFO per running local dyno, named "PID-STARTTIME": its output, which outlives serve
  std::string
  api_secret() const
  {
    return run + "/api.secret";
  } // the API's secret behind release output URLs (0600)
  std::string
  router() const
  {
    return root + "/router";
  } // the router's (router.hpp): root's, 0755 so that HAProxy's user reaches access.sock
  std::string
  router_config() const
  {
    return router() + "/haproxy.cfg";
  } // written once per HAProxy start; it lists every dyno's port (0600)
  std::string
  router_admin() const
  {
    return router() + "/admin.sock";
  } // HAProxy's runtime API (root's, 0600): every routing change goes through it
  std::string
  router_pid() const
  {
    return router() + "/haproxy.pid";
  } // the running HAProxy's pid: a serve killed outright leaves it serving, the next takes over
  std::string
  router_map(const std::string& name) const
  {
    return router() + "/" + name + ".map";
  } // hosts.map (host -> app), apps.map (app -> slotN), slots.map (slotN -> app)
  std::string
  certs() const
  {
    return root + "/certs";
  } // the server's certificates (certs:add --server; certs.hpp): root's only (0700)
  std::string
  router_log() const
  {
    return router() + "/access.sock";
  } // HAProxy sends each request's line here (a raw datagram); serve reads it
};

// The people who may use Slipway (users.hpp): root's only (0700, files 0600), and the
// authorized_keys file sshd reads for the SSH account, rewritten from them (0644).
struct UserPaths
{
  std::string root;
  std::string dir; // $ROOT/users

  explicit UserPaths(const std::string& r) : root(r), dir(r + "/users") {}
  std::string
  ssh_dir() const
  {
    return root + "/ssh";
  }
  std::string
  authorized_keys() const
  {
    return root + "/ssh/authorized_keys";
  } // every key, each forced to run `slipway ssh-command --user NAME`
  std::string
  file(const std::string& name) const
  {
    return dir + "/" + name + ".yml";
  } // one user: name, email, admin, keys
  std::string
  lock() const
  {
    return dir + "/.lock";
  } // held while the store changes (a key's owner is checked across users)
};

// Add-ons (addons.hpp): root's only (0700, files 0600), for they hold credentials.
struct AddonPaths
{
  std::string root;
  std::string dir; // $ROOT/addons

  explicit AddonPaths(const std::string& r) : root(r), dir(r + "/addons") {}
  std::string
  providers() const
  {
    return dir + "/providers";
  }
  std::string
  provider(const std::string& name) const
  {
    return dir + "/providers/" + name + ".yml";
  } // one provider: its kind, admin URL or script directory
  std::string
  resources() const
  {
    return dir + "/resources";
  }
  std::string
  resource(const std::string& name) const
  {
    return dir + "/resources/" + name + ".yml";
  } // one add-on: provider, handle, config vars, attachments
  std::string
  lock() const
  {
    return dir + "/.lock";
  } // held while a provider or an add-on's record changes (never during a release phase)
};

class AppPaths
{
public:
  AppPaths(std::string root, std::string app);

  const std::string&
  root() const
  {
    return m_root;
  }
  const std::string&
  name() const
  {
    return m_name;
  }
  const std::string&
  dir() const
  {
    return m_dir;
  } // apps/APP
  std::string
  repo() const
  {
    return m_dir + "/repo.git";
  } // bare repository
  std::string
  config_file() const
  {
    return m_dir + "/env";
  } // the config vars now (0600)
  std::string
  settings() const
  {
    return m_dir + "/settings.yml";
  }
  std::string
  formation() const
  {
    return m_dir + "/formation.yml";
  } // how many dynos of each process type to run (formation.hpp)
  std::string
  dyno_sizes() const
  {
    return m_dir + "/sizes.yml";
  } // the size of each process type resized from the app's dyno_size (formation.hpp)
  std::string
  access() const
  {
    return m_dir + "/access.yml";
  } // who may use the app, and how (users.hpp): user -> owner|deployer|viewer
  std::string
  domains() const
  {
    return m_dir + "/domains";
  } // the app's custom domains, one per line (router.hpp)
  std::string
  certs() const
  {
    return m_dir + "/certs";
  } // root's only (0700): custom.pem (certs:add), auto/HOST.pem (ACME), acme.yml (certs.hpp)
  std::string
  log_file() const
  {
    return m_dir + "/logs/app.log";
  } // the app's log stream (app_log.hpp); app.log.1 is the one before
  std::string
  dyno_state() const
  {
    return m_dir + "/dynos.json";
  } // written by serve: the dynos running now, for `ps`
  std::string
  releases() const
  {
    return m_dir + "/releases";
  }
  std::string
  release(unsigned long v) const
  {
    return releases() + "/v" + std::to_string(v);
  }
  std::string
  slugs() const
  {
    return m_dir + "/slugs";
  }
  std::string
  slug_uploads() const
  {
    return slugs() + "/uploads";
  } // slugs being uploaded over the API (slug_upload.hpp)
  std::string
  slug_upload(const std::string& id) const
  {
    return slug_uploads() + "/" + id + ".json";
  } // one upload: what was declared, and the stored slug once the tarball arrived
  std::string
  slug_upload_data(const std::string& id) const
  {
    return slug_uploads() + "/" + id + ".part";
  } // the tarball as it arrives
  std::string
  slug_index() const
  {
    return slugs() + "/index";
  } // slugs by newest use, with their releases (slug_index.hpp)
  std::string
  build_keys() const
  {
    return slugs() + "/by-input";
  } // build_key.hpp: one file per build key, naming the slug it built
  std::string
  cache() const
  {
    return m_dir + "/cache";
  } // buildpack CACHE_DIR
  std::string
  builds() const
  {
    return m_dir + "/builds";
  } // build logs
  std::string
  buildpacks() const
  {
    return m_dir + "/buildpacks";
  } // fetched buildpacks
  std::string
  buildpack_urls() const
  {
    return m_dir + "/buildpack-urls";
  } // the app's buildpacks (the API's buildpack installations), one source a line
  std::string
  tmp() const
  {
    return m_dir + "/tmp";
  } // staging; cleaned by each deploy
  // Temporary names, all in tmp/ (removed whole by the next lock holder) unless noted.
  std::string
  build_area(long pid) const
  {
    return tmp() + "/build-" + std::to_string(pid);
  } // one build's staging area
  std::string
  built_tree(long pid) const
  {
    return tmp() + "/tree-" + std::to_string(pid);
  } // a built tree waiting to become a release's app/
  std::string
  packed_slug(long pid) const
  {
    return tmp() + "/slug-" + std::to_string(pid);
  } // a slug being packed or imported, until SlugStore::adopt moves it into slugs/
  std::string
  unpacked_tree(long pid) const
  {
    return tmp() + "/unpack-" + std::to_string(pid);
  } // a slug being unpacked, until it is renamed into a release
  std::string
  fetched_buildpack(long pid) const
  {
    return tmp() + "/buildpack-" + std::to_string(pid);
  } // a buildpack being fetched, until it replaces its copy in buildpacks/
  std::string
  one_off_scratch(long pid) const
  {
    return m_dir + "/one-off/run-" + std::to_string(pid);
  } // `slipway run`'s throwaway copy: not in tmp/, which a deploy may clean while it runs
  std::string
  release_scratch(unsigned long v) const
  {
    return tmp() + "/release-v" + std::to_string(v);
  } // the release phase's throwaway copy
  std::string
  hooks() const
  {
    return m_dir + "/hooks";
  } // sysadmin's post-release hook
  std::string
  current() const
  {
    return m_dir + "/current";
  }
  std::string
  lock() const
  {
    return m_dir + "/deploy.lock";
  }

  // The apps/ entry of an app while apps:create builds it, and while apps:destroy removes it.
  std::string
  staging_dir() const
  {
    return m_root + "/apps/." + m_name + ".creating";
  }
  std::string
  doomed_dir(long pid) const
  {
    return m_root + "/apps/." + m_name + ".destroying." + std::to_string(pid);
  }

private:
  std::string m_root;
  std::string m_name;
  std::string m_dir;
};

// A name (not a path) Slipway gives something only while writing or removing it: the atomic
// writes' temp files (util::temp_name), and apps/ entries of apps being created or destroyed.
// Once its writer is gone it is a leftover. (tmp/ is removed whole and needs no name test.)
bool is_temp_name(std::string_view name);

// Files inside one release directory.
struct ReleaseFiles
{
  static constexpr const char* record = "release.yml";
  static constexpr const char* config = "env"; // the config vars it was made with
  static constexpr const char* log = "release.log";
  static constexpr const char* app = "app";
  static constexpr const char* runner = "release.pid"; // who runs the release phase now
  static constexpr const char* cancel = "cancel";      // written by releases:cancel
  static constexpr const char* expired = "expired";    // written by retention when it prunes
};

} // namespace slipway::core
