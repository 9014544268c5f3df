// The providers behind add-ons: PostgreSQL through libpq, and scripts a sysadmin writes.
#include <core/addons/addons.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/process.hpp>
#include <util/random.hpp>
#include <util/strings.hpp>

#include <nlohmann/json.hpp>

#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pg/pg.hpp>

namespace slipway::core {

namespace {

// A database and a role of the same name, owned by it, on the server the admin URL names.
class PostgresProvider : public Provider
{
public:
  PostgresProvider(ProviderConfig config, const AppSettings& server)
      : m_config(std::move(config)),
        m_timeout(static_cast<int>(std::min<unsigned long long>(server.addon_timeout, 3600))),
        m_limit(server.addon_connection_limit)
  {}

  util::Result<std::map<std::string, std::string>>
  provision(const Addon& addon) override
  {
    SW_TRY_ASSIGN(pg::Connection c, connect());
    SW_TRY_ASSIGN(std::string password, util::random_hex(32)); // nothing to quote in a URL
    std::string id = c.identifier(addon.handle);
    auto created =
        c.exec(fmt::format("CREATE ROLE {} LOGIN PASSWORD {} CONNECTION LIMIT {}", id, c.literal(password), m_limit));
    if (!created) {
      return util::error(fmt::format("PostgreSQL at {} refused to create the role for {}: {}{}", where(c), addon.name,
                                     created.error().message, permission_hint(created.error().message, c)));
    }
    // An admin with CREATEROLE and CREATEDB but not superuser may give a database only to a
    // role it is a member of: it is one for the moment it takes.
    auto db = c.exec(fmt::format("GRANT {} TO CURRENT_USER", id));
    if (db) {
      db = c.exec(fmt::format("CREATE DATABASE {} OWNER {}", id, id));
    }
    if (db) {
      db = c.exec(fmt::format("REVOKE ALL ON DATABASE {} FROM PUBLIC", id));
    }
    if (db) {
      db = c.exec(fmt::format("REVOKE {} FROM CURRENT_USER", id));
    }
    if (!db) {
      (void)c.exec(fmt::format("DROP DATABASE IF EXISTS {}", id));
      (void)c.exec(fmt::format("DROP ROLE IF EXISTS {}", id));
      return util::error(fmt::format("PostgreSQL at {} refused to create the database for {}: {}{}", where(c),
                                     addon.name, db.error().message, permission_hint(db.error().message, c)));
    }
    return vars(c, addon.handle, password);
  }

  util::Result<std::map<std::string, std::string>>
  rotate(const Addon& addon) override
  {
    SW_TRY_ASSIGN(pg::Connection c, connect());
    SW_TRY_ASSIGN(std::string password, util::random_hex(32)); // nothing to quote in a URL
    auto changed = c.exec(fmt::format("ALTER ROLE {} PASSWORD {}", c.identifier(addon.handle), c.literal(password)));
    if (!changed) {
      return util::error(fmt::format("PostgreSQL at {} refused the new password for {}: {}", where(c), addon.name,
                                     changed.error().message));
    }
    return vars(c, addon.handle, password);
  }

  util::Status
  deprovision(const Addon& addon) override
  {
    SW_TRY_ASSIGN(pg::Connection c, connect());
    std::string id = c.identifier(addon.handle);
    // Only the owner drops a database: a non-superuser admin becomes the role for it. A role
    // already gone has nothing to give.
    auto exists = c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", {addon.handle});
    if (exists && !exists->empty()) {
      if (auto member = c.exec(fmt::format("GRANT {} TO CURRENT_USER", id)); !member) {
        return util::error(fmt::format("PostgreSQL at {} refused to drop {}: {}", where(c), addon.name,
                                       member.error().message));
      }
    }
    auto dropped = c.exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", id));
    if (dropped) {
      dropped = c.exec(fmt::format("DROP ROLE IF EXISTS {}", id));
    }
    if (!dropped) {
      return util::error(
          fmt::format("PostgreSQL at {} refused to drop {}: {}", where(c), addon.name, dropped.error().message));
    }
    return {};
  }

  util::Status
  check(const Addon* addon) override
  {
    SW_TRY_ASSIGN(pg::Connection c, connect());
    if (addon) {
      SW_TRY_ASSIGN(auto rows, c.query("SELECT 1 FROM pg_database WHERE datname = $1", {addon->handle}));
      if (rows.empty()) {
        return util::error(fmt::format("its database {} is missing on PostgreSQL at {}", addon->handle, where(c)));
      }
    }
    return {};
  }

  util::Status
  check_isolation() override
  {
    SW_TRY_ASSIGN(pg::Connection c, connect());
    // datacl NULL is the default: PUBLIC may connect.
    SW_TRY_ASSIGN(auto rows, c.query("SELECT datname FROM pg_database d WHERE datallowconn AND (datacl IS NULL OR "
                                     "EXISTS (SELECT 1 FROM aclexplode(d.datacl) a WHERE a.grantee = 0 AND "
                                     "a.privilege_type = 'CONNECT')) ORDER BY datname",
                                     {}));
    if (rows.empty()) {
      return {};
    }
    std::vector<std::string> names, fix;
    for (const auto& row : rows) {
      names.push_back(row[0]);
      if (row[0] == c.endpoint().database) {
        fix.push_back(
            fmt::format("GRANT CONNECT ON DATABASE {} TO {};", c.identifier(row[0]), c.identifier(c.endpoint().user)));
      }
      fix.push_back(fmt::format("REVOKE CONNECT ON DATABASE {} FROM PUBLIC;", c.identifier(row[0])));
    }
    return util::error(fmt::format("every add-on's role may connect to database{} {} on PostgreSQL at {} (PUBLIC "
                                   "may); run as a superuser there: {}",
                                   names.size() > 1 ? "s" : "", util::join(names, ", "), where(c),
                                   util::join(fix, " ")));
  }

private:
  util::Result<pg::Connection>
  connect() const
  {
    auto c = pg::Connection::open(m_config.url, m_timeout);
    if (!c) {
      return util::error("cannot reach PostgreSQL for add-on provider '" + m_config.name + "': " + c.error().message +
                         "; check the server is up and the admin URL (slipway addons:providers:set " + m_config.name +
                         " --url ...)");
    }
    return c;
  }

  static std::string
  where(const pg::Connection& c)
  {
    auto at = c.endpoint();
    return at.host + ":" + at.port;
  }

  static std::string
  permission_hint(const std::string& message, const pg::Connection& c)
  {
    if (message.find("permission denied") == std::string::npos) {
      return "";
    }
    return "; the provider's admin needs CREATEROLE and CREATEDB (ALTER ROLE " + c.endpoint().user +
           " CREATEROLE CREATEDB)";
  }

  static std::map<std::string, std::string>
  vars(const pg::Connection& c, const std::string& handle, const std::string& password)
  {
    auto at = c.endpoint();
    return {{"URL", pg::make_url(handle, password, at.host, at.port, handle)}};
  }

  ProviderConfig m_config;
  int m_timeout;
  unsigned long long m_limit;
};

// A directory of executables (provision, rotate, deprovision), run as root with a JSON
// request on stdin; provision and rotate print the config vars as a JSON object.
class ScriptProvider : public Provider
{
public:
  ScriptProvider(ProviderConfig config, const AppSettings& server)
      : m_config(std::move(config)), m_timeout(static_cast<double>(server.addon_timeout)),
        m_grace(static_cast<double>(server.kill_grace))
  {}

  util::Result<std::map<std::string, std::string>>
  provision(const Addon& addon) override
  {
    SW_TRY_ASSIGN(std::string out, run("provision", addon));
    return parse_vars("provision", out);
  }

  util::Result<std::map<std::string, std::string>>
  rotate(const Addon& addon) override
  {
    SW_TRY_ASSIGN(std::string out, run("rotate", addon));
    return parse_vars("rotate", out);
  }

  util::Status
  deprovision(const Addon& addon) override
  {
    SW_TRY(run("deprovision", addon));
    return {};
  }

  util::Status
  check(const Addon*) override
  {
    for (const char* action : {"provision", "rotate", "deprovision"}) {
      SW_TRY(check_program(m_config.script + "/" + action));
    }
    return {};
  }

private:
  // Root runs these: they must be root's and writable by no one else, like their directory.
  util::Status
  check_program(const std::string& path) const
  {
    for (const std::string& p : {m_config.script, path}) {
      struct stat st;
      if (::stat(p.c_str(), &st) != 0) {
        return util::error(util::errno_message("add-on provider '" + m_config.name + "' cannot use", p));
      }
      if (st.st_uid != ::geteuid() || (st.st_mode & 022)) {
        return util::error("add-on provider '" + m_config.name + "': " + p +
                           " must belong to root and be writable by no one else (root runs it)");
      }
    }
    if (::access(path.c_str(), X_OK) != 0) {
      return util::error("add-on provider '" + m_config.name + "': " + path + " is not executable");
    }
    return {};
  }

  util::Result<std::string>
  run(const std::string& action, const Addon& addon) const
  {
    std::string program = m_config.script + "/" + action;
    SW_TRY(check_program(program));
    nlohmann::json request = {{"action", action},
                              {"name", addon.name},
                              {"app", addon.app},
                              {"provider_url", m_config.url},
                              {"config", addon.config}};
    std::string body = request.dump() + "\n";
    auto in = util::memory_file("the request to " + program, body);
    if (!in) {
      return in.error();
    }
    util::ProcessSpec spec;
    spec.argv = {program};
    spec.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "HOME=/"};
    spec.cwd = m_config.script;
    spec.timeout_seconds = m_timeout;
    spec.kill_grace_seconds = m_grace;
    spec.capture_stdout = true;
    spec.stdin_fd = in->get();
    std::string errors;
    auto r = util::run_process(spec, [&](std::string_view line) {
      if (errors.size() < 2000) {
        errors += (errors.empty() ? "" : " / ") + std::string(line);
      }
    });
    std::string who = "add-on provider '" + m_config.name + "': " + action;
    if (!r) {
      return util::error(who + " could not run: " + r.error().message);
    }
    if (!r->started()) {
      return util::error(who + " could not run: " + r->start_error);
    }
    if (!r->success()) {
      return util::error(
          who + " " + r->describe(m_timeout) +
          (errors.empty() ? std::string("; it printed nothing on stderr") : "; it said: " + util::printable(errors)));
    }
    return r->stdout_text;
  }

  util::Result<std::map<std::string, std::string>>
  parse_vars(const std::string& action, const std::string& out) const
  {
    std::string who = "add-on provider '" + m_config.name + "': " + action;
    auto doc = nlohmann::json::parse(out, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      return util::error(who + " printed no JSON object of config vars (it printed '" +
                         util::printable(std::string(util::trim(out)).substr(0, 80)) + "')");
    }
    std::map<std::string, std::string> vars;
    for (const auto& [k, v] : doc.items()) {
      if (!v.is_string() || !check_attachment_name(k)) {
        return util::error(who + " printed '" + util::printable(k) +
                           "': config vars are NAME: \"string\" with NAME in capitals (URL)");
      }
      vars[k] = v.get<std::string>();
    }
    if (vars.empty()) {
      return util::error(who + " printed no config vars (an empty JSON object)");
    }
    return vars;
  }

  ProviderConfig m_config;
  double m_timeout;
  double m_grace;
};

} // namespace

std::unique_ptr<Provider>
make_provider(const ProviderConfig& config, const AppSettings& server)
{
  if (config.kind == "postgresql") {
    return std::make_unique<PostgresProvider>(config, server);
  }
  return std::make_unique<ScriptProvider>(config, server);
}

} // namespace slipway::core
