#include "settings.hpp"

#include <core/app/dyno_size.hpp>
#include <core/app/app_name.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>
#include <yaml/yaml_io.hpp>

#include <fmt/format.h>

#include <functional>

namespace slipway::core {

namespace {

enum class Scope { app, server }; // server: only in $ROOT/settings.yml

struct Descriptor
{
  const char* key;
  const char* help;
  Scope scope;
  std::function<std::string(const AppSettings&)> get;
  std::function<util::Status(AppSettings&, const std::string&)> set;
};

util::Status
parse_bool(const std::string& key, const std::string& v, bool& out)
{
  if (v == "true" || v == "on" || v == "yes" || v == "1") {
    out = true;
  } else if (v == "false" || v == "off" || v == "no" || v == "0") {
    out = false;
  } else {
    return util::error("setting '" + key + "' takes true or false, not '" + v + "'", 2);
  }
  return {};
}

util::Status
parse_number(
    const std::string& key, const std::string& v, unsigned long long& out, bool sizes, unsigned long long min = 1)
{
  std::string digits = v;
  unsigned long long mult = 1;
  if (sizes && !v.empty()) {
    switch (v.back()) {
    case 'K':
      mult = 1ULL << 10;
      break;
    case 'M':
      mult = 1ULL << 20;
      break;
    case 'G':
      mult = 1ULL << 30;
      break;
    }
    if (mult != 1) {
      digits.pop_back();
    }
  }
  unsigned long long n;
  if (!util::parse_uint(digits, n) || n < min || n > (~0ULL) / mult) {
    return util::error(fmt::format("setting '{}' takes a whole number{} of at least {}, not '{}'", key,
                                   sizes ? " (K, M or G suffix allowed)" : "", min, v),
                       2);
  }
  out = n * mult;
  return {};
}

std::function<util::Status(AppSettings&, const std::string&)>
number_setter(const char* key, unsigned long long AppSettings::*field, bool sizes, unsigned long long min = 1)
{
  return [=](AppSettings& s, const std::string& v) { return parse_number(key, v, s.*field, sizes, min); };
}

std::function<std::string(const AppSettings&)>
number_getter(unsigned long long AppSettings::*field)
{
  return [=](const AppSettings& s) { return std::to_string(s.*field); };
}

const std::vector<Descriptor>&
table()
{
  static const std::vector<Descriptor> t = {
      {"deploy_branch", "branch whose pushes deploy (empty: main or master)", Scope::app,
       [](const AppSettings& s) { return s.deploy_branch; },
       [](AppSettings& s, const std::string& v) -> util::Status {
         if (v.find_first_of(" ~^:?*[\\\n") != std::string::npos || v.starts_with("-")) {
           return util::error("'" + util::printable(v) + "' is not a valid branch name", 2);
         }
         s.deploy_branch = v;
         return {};
       }},
      {"strict", "build and release in pre-receive, so a failure rejects the push", Scope::app,
       [](const AppSettings& s) { return std::string(s.strict ? "true" : "false"); },
       [](AppSettings& s, const std::string& v) { return parse_bool("strict", v, s.strict); }},
      {"release_timeout", "seconds the release command may run", Scope::app,
       number_getter(&AppSettings::release_timeout),
       number_setter("release_timeout", &AppSettings::release_timeout, false)},
      {"build_timeout", "seconds each buildpack's bin/compile may run", Scope::app,
       number_getter(&AppSettings::build_timeout), number_setter("build_timeout", &AppSettings::build_timeout, false)},
      {"kill_grace", "seconds between SIGTERM and SIGKILL when a command is stopped", Scope::app,
       number_getter(&AppSettings::kill_grace), number_setter("kill_grace", &AppSettings::kill_grace, false, 0)},
      {"slug_size_limit", "largest compressed slug in bytes", Scope::app, number_getter(&AppSettings::slug_size_limit),
       number_setter("slug_size_limit", &AppSettings::slug_size_limit, true)},
      {"retention", "distinct slugs (and their unpacked releases) to keep", Scope::app,
       number_getter(&AppSettings::retention), number_setter("retention", &AppSettings::retention, false)},
      {"compression", "slug compression: zstd, or gzip for Heroku-style .tgz slugs", Scope::app,
       [](const AppSettings& s) { return s.compression; },
       [](AppSettings& s, const std::string& v) -> util::Status {
         if (v != "zstd" && v != "gzip") {
           return util::error("setting 'compression' takes zstd or gzip, not '" + v + "'", 2);
         }
         s.compression = v;
         return {};
       }},
      {"dyno_limit", "most dynos ps:scale may ask for, per process type", Scope::app,
       number_getter(&AppSettings::dyno_limit), number_setter("dyno_limit", &AppSettings::dyno_limit, false)},
      {"process_limit",
       "most processes and threads the app's code may have at once: its dynos, release phases, builds and one-offs "
       "together (RLIMIT_NPROC of the app's user; only as root)",
       Scope::app, number_getter(&AppSettings::process_limit),
       number_setter("process_limit", &AppSettings::process_limit, false, 16)},
      {"dyno_size",
       "memory and CPU share of each dyno not resized (ps:resize), and of release phases, builds and one-offs: "
       "eco, basic, standard-1X (512 MB), standard-2X (1 GB), performance-M (2.5 GB), performance-L (14 GB)",
       Scope::app, [](const AppSettings& s) { return s.dyno_size; },
       [](AppSettings& s, const std::string& v) -> util::Status {
         auto size = find_dyno_size(v);
         if (!size) {
           std::vector<std::string> names;
           for (const auto& known : dyno_sizes()) {
             names.push_back(known.name);
           }
           return util::error("setting 'dyno_size' takes one of " + util::join(names, ", ") + ", not '" +
                                  util::printable(v) + "'",
                              2);
         }
         s.dyno_size = size->name;
         return {};
       }},
      {"boot_timeout", "seconds a web dyno has to accept connections on $PORT before it counts as crashed", Scope::app,
       number_getter(&AppSettings::boot_timeout), number_setter("boot_timeout", &AppSettings::boot_timeout, false)},
      {"healthcheck_path", "a path new web dynos must answer with 2xx or 3xx before they get traffic (empty: none)",
       Scope::app, [](const AppSettings& s) { return s.healthcheck_path; },
       [](AppSettings& s, const std::string& v) -> util::Status {
         if (!v.empty() && (v[0] != '/' || v.find_first_of(" \r\n\t") != std::string::npos)) {
           return util::error("setting 'healthcheck_path' takes a path like /health, not '" + util::printable(v) + "'",
                              2);
         }
         s.healthcheck_path = v;
         return {};
       }},
      {"stop_timeout", "seconds a dyno gets between SIGTERM and SIGKILL when it is stopped", Scope::app,
       number_getter(&AppSettings::stop_timeout), number_setter("stop_timeout", &AppSettings::stop_timeout, false, 0)},
      {"lock_wait", "wait for the deploy lock (true) or fail at once (false)", Scope::app,
       [](const AppSettings& s) { return std::string(s.lock_wait ? "true" : "false"); },
       [](AppSettings& s, const std::string& v) { return parse_bool("lock_wait", v, s.lock_wait); }},
      {"stack", "the stack buildpacks are told (STACK), e.g. heroku-22 (empty: the server's, else this OS)", Scope::app,
       [](const AppSettings& s) { return s.stack; },
       [](AppSettings& s, const std::string& v) -> util::Status {
         if (v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-_") != std::string::npos) {
           return util::error(
               "setting 'stack' takes a name like heroku-22 or debian-12, not '" + util::printable(v) + "'", 2);
         }
         s.stack = v;
         return {};
       }},
      {"buildpack_dirs", "directories (':' between them) whose buildpacks apps may name by path or file:// URL",
       Scope::server, [](const AppSettings& s) { return util::join(s.buildpack_dirs, ":"); },
       [](AppSettings& s, const std::string& v) -> util::Status {
         s.buildpack_dirs.clear();
         for (const auto& dir : util::split(v, ':')) {
           if (dir.empty()) {
             continue;
           }
           if (dir[0] != '/') {
             return util::error(
                 "setting 'buildpack_dirs' takes absolute directories, not '" + util::printable(dir) + "'", 2);
           }
           s.buildpack_dirs.push_back(dir);
         }
         return {};
       }},
      {"buildpack_fetch_timeout", "seconds a git buildpack's fetch may take", Scope::server,
       number_getter(&AppSettings::buildpack_fetch_timeout),
       number_setter("buildpack_fetch_timeout", &AppSettings::buildpack_fetch_timeout, false)},
      {"buildpack_fetch_size", "bytes a git buildpack's fetch may receive", Scope::server,
       number_getter(&AppSettings::buildpack_fetch_size),
       number_setter("buildpack_fetch_size", &AppSettings::buildpack_fetch_size, true)},
      {"domain", "the router answers for each app as APP.<domain>", Scope::server,
       [](const AppSettings& s) { return s.domain; },
       [](AppSettings& s, const std::string& v) -> util::Status {
         if (v.empty() || v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string::npos ||
             v.front() == '.' || v.back() == '.') {
           return util::error(
               "setting 'domain' takes a host name like apps.example.com, not '" + util::printable(v) + "'", 2);
         }
         s.domain = v;
         return {};
       }},
      {"ssh_user", "the system account users reach over SSH (git push ACCOUNT@host:APP); doctor checks it",
       Scope::server, [](const AppSettings& s) { return s.ssh_user; },
       [](AppSettings& s, const std::string& v) -> util::Status {
         if (!check_user_name(v)) {
           return util::error("setting 'ssh_user' takes an account name like slipway, not '" + util::printable(v) + "'",
                              2);
         }
         s.ssh_user = v;
         return {};
       }},
      {"addon_connection_limit", "connections each PostgreSQL add-on's role may hold at once (CONNECTION LIMIT)",
       Scope::server, number_getter(&AppSettings::addon_connection_limit),
       number_setter("addon_connection_limit", &AppSettings::addon_connection_limit, false)},
      {"addon_timeout", "seconds an add-on provider may take to provision, rotate or deprovision", Scope::server,
       number_getter(&AppSettings::addon_timeout), number_setter("addon_timeout", &AppSettings::addon_timeout, false)},
      {"log_size", "bytes an app's log (logs/app.log) may reach before it moves to app.log.1", Scope::server,
       number_getter(&AppSettings::log_size), number_setter("log_size", &AppSettings::log_size, true)},
      {"log_keep", "rotated logs kept per app (app.log.1 ... app.log.N): N x log_size of history", Scope::server,
       number_getter(&AppSettings::log_keep), number_setter("log_keep", &AppSettings::log_keep, false)},
      {"force_https", "the router answers plain HTTP requests with a redirect to HTTPS (301)", Scope::app,
       [](const AppSettings& s) { return std::string(s.force_https ? "true" : "false"); },
       [](AppSettings& s, const std::string& v) { return parse_bool("force_https", v, s.force_https); }},
      {"hsts_max_age", "seconds of Strict-Transport-Security the router adds to HTTPS answers (0: no header)",
       Scope::app, number_getter(&AppSettings::hsts_max_age),
       number_setter("hsts_max_age", &AppSettings::hsts_max_age, false, 0)},
      {"acme_directory", "the ACME directory URL automatic certificates come from (certs:auto:enable)",
       Scope::server, [](const AppSettings& s) { return s.acme_directory; },
       [](AppSettings& s, const std::string& v) -> util::Status {
         if (!v.starts_with("https://") || v.find_first_of(" \r\n\t\"'") != std::string::npos) {
           return util::error("setting 'acme_directory' takes an https:// URL like "
                              "https://acme-v02.api.letsencrypt.org/directory, not '" + util::printable(v) + "'",
                              2);
         }
         s.acme_directory = v;
         return {};
       }},
      {"acme_email", "the contact address of the ACME account (expiry warnings go there)", Scope::server,
       [](const AppSettings& s) { return s.acme_email; },
       [](AppSettings& s, const std::string& v) -> util::Status {
         auto at = v.find('@');
         if (at == std::string::npos || at == 0 || at + 1 == v.size() ||
             v.find_first_of(" \r\n\t\"'<>") != std::string::npos) {
           return util::error("setting 'acme_email' takes an address like ops@example.com, not '" +
                                  util::printable(v) + "'",
                              2);
         }
         s.acme_email = v;
         return {};
       }},
      {"api_host", "a host the router sends to the Platform API (serve --api), over HTTP and HTTPS (empty: none)",
       Scope::server, [](const AppSettings& s) { return s.api_host; },
       [](AppSettings& s, const std::string& v) -> util::Status {
         if (!v.empty() && (v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string::npos ||
                            v.front() == '.' || v.back() == '.' || v.front() == '-')) {
           return util::error("setting 'api_host' takes a host name like api.example.com, not '" + util::printable(v) +
                                  "'",
                              2);
         }
         s.api_host = v;
         return {};
       }},
      {"acme_ca_file", "a PEM file of CAs to trust for acme_directory's TLS, besides the system's (a test CA)",
       Scope::server, [](const AppSettings& s) { return s.acme_ca_file; },
       [](AppSettings& s, const std::string& v) -> util::Status {
         if (!v.empty() && v[0] != '/') {
           return util::error("setting 'acme_ca_file' takes an absolute file name, not '" + util::printable(v) + "'", 2);
         }
         s.acme_ca_file = v;
         return {};
       }},
      {"acme_renew_days", "days before expiry an automatic certificate is renewed", Scope::server,
       number_getter(&AppSettings::acme_renew_days),
       number_setter("acme_renew_days", &AppSettings::acme_renew_days, false)},
  };
  return t;
}

} // namespace

bool
AppSettings::deploys_branch(const std::string& branch) const
{
  return deploy_branch.empty() ? (branch == "main" || branch == "master") : branch == deploy_branch;
}

std::string
AppSettings::deploy_branch_label() const
{
  return deploy_branch.empty() ? "main or master" : deploy_branch;
}

util::Status
set_setting(AppSettings& s, const std::string& key, const std::string& value)
{
  return set_setting_in(s, key, value, false);
}

util::Status
set_setting_in(AppSettings& s, const std::string& key, const std::string& value, bool server)
{
  for (const auto& d : table()) {
    if (key == d.key) {
      if (d.scope == Scope::server && !server) {
        return util::error("setting '" + key +
                               "' is for the whole server; set it with 'slipway settings:set --server " + key + "=...'",
                           2);
      }
      return d.set(s, value);
    }
  }
  std::vector<std::string> keys;
  for (const auto& d : table()) {
    keys.emplace_back(d.key);
  }
  return util::error("unknown setting '" + util::printable(key) + "'; settings are " + util::join(keys, ", "), 2);
}

std::vector<SettingInfo>
describe_settings(const AppSettings& s, bool server)
{
  std::vector<SettingInfo> out;
  for (const auto& d : table()) {
    if (server || d.scope == Scope::app) {
      out.push_back({d.key, d.get(s), d.help});
    }
  }
  return out;
}

namespace {

// Apply the keys of one settings file to `s`.
util::Status
load_file(const std::string& path, AppSettings& s, bool server)
{
  if (!util::path_exists(path)) {
    return {};
  }
  SW_TRY_ASSIGN(YAML::Node doc, yaml::load_file(path));
  if (doc.IsNull()) {
    return {};
  }
  if (!doc.IsMap()) {
    return util::error(path + ":1: expected 'key: value' lines");
  }
  for (const auto& kv : doc) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    std::string value = kv.second.IsScalar() ? kv.second.Scalar() : "";
    auto set = set_setting_in(s, key, value, server);
    if (!set) {
      return util::error(fmt::format("{}:{}: {}", path, kv.first.Mark().line + 1, set.error().message));
    }
  }
  return {};
}

// Write the keys of `s` that differ from `base`.
util::Status
save_file(const std::string& path, const AppSettings& s, const AppSettings& base, bool server)
{
  auto now = describe_settings(s, server), before = describe_settings(base, server);
  YAML::Emitter e;
  e << YAML::BeginMap;
  for (size_t i = 0; i < now.size(); ++i) {
    if (now[i].value != before[i].value) {
      e << YAML::Key << now[i].key << YAML::Value << now[i].value;
    }
  }
  e << YAML::EndMap;
  return util::write_file_atomic(path, std::string(e.c_str()) + "\n", 0640);
}

std::string
server_file(const std::string& root)
{
  return root + "/settings.yml";
}

} // namespace

util::Result<AppSettings>
load_server_settings(const std::string& root)
{
  AppSettings s;
  SW_TRY(load_file(server_file(root), s, true));
  return s;
}

util::Result<AppSettings>
load_settings(const AppPaths& paths)
{
  SW_TRY_ASSIGN(AppSettings s, load_server_settings(paths.root()));
  SW_TRY(load_file(paths.settings(), s, false));
  return s;
}

util::Status
save_settings(const AppPaths& paths, const AppSettings& s)
{
  SW_TRY_ASSIGN(AppSettings base, load_server_settings(paths.root()));
  return save_file(paths.settings(), s, base, false);
}

util::Status
save_server_settings(const std::string& root, const AppSettings& s)
{
  SW_TRY(util::make_dirs(root, 0755));
  return save_file(server_file(root), s, AppSettings{}, true);
}

} // namespace slipway::core
