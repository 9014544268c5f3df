// slipway certs, certs:add, certs:info, certs:remove, certs:auto, certs:auto:enable,
// certs:auto:disable: the TLS certificates the router serves for an app (Heroku's SNI
// endpoints and Automated Certificate Management).
#include <cmd/command.hpp>
#include <core/app/serve_notice.hpp>
#include <core/app/settings.hpp>
#include <core/run/acme.hpp>
#include <core/run/certs.hpp>
#include <core/run/router.hpp>

#include <util/fs.hpp>
#include <util/strings.hpp>

#include <algorithm>

namespace slipway::cmd {

namespace {

const OptionSpec k_server_certs_option{"server", 0, nullptr,
                                       "the server's certificates: the API host's (api_host), wildcards over *.<domain>"};

// Whose certificates a command acts on: the app's (-a), or the server's (--server).
struct Owner
{
  std::string dir;                // where its certificates are
  std::string name;               // "hello", "the server"
  std::string flag;               // "-a hello", "--server": to say a command again
  std::vector<std::string> hosts; // what its certificates must cover one of
};

util::Result<Owner>
owner(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppSettings server, core::load_server_settings(ctx.root));
  if (ctx.has("server")) {
    Owner o{core::ServePaths(ctx.root).certs(), "the server", "--server", {}};
    if (!server.api_host.empty()) {
      o.hosts.push_back(server.api_host);
    }
    o.hosts.push_back("*." + server.domain);
    return o;
  }
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(auto domains, core::load_domains(paths));
  Owner o{paths.certs(), paths.name(), "-a " + paths.name(), {paths.name() + "." + server.domain}};
  o.hosts.insert(o.hosts.end(), domains.begin(), domains.end());
  return o;
}

util::Result<std::string>
read_user_file(const std::string& path, const std::string& what)
{
  auto text = util::read_file(path);
  if (!text) {
    return util::error("cannot read the " + what + " " + path + ": " + text.error().message, 2);
  }
  return *text;
}

// Rows under a header, each column as wide as its widest cell (no header: none printed).
void
print_rows(Context& ctx, const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows)
{
  std::vector<size_t> width(header.empty() ? (rows.empty() ? 0 : rows[0].size()) : header.size(), 0);
  auto measure = [&](const std::vector<std::string>& r) {
    for (size_t i = 0; i < r.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], r[i].size());
    }
  };
  if (!header.empty()) {
    measure(header);
  }
  for (const auto& r : rows) {
    measure(r);
  }
  auto print = [&](const std::vector<std::string>& r) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += i + 1 == r.size() ? r[i] : r[i] + std::string(width[i] - r[i].size() + 2, ' ');
    }
    ctx.out->line(util::trim(line));
  };
  if (!header.empty()) {
    print(header);
    std::vector<std::string> rule;
    for (size_t w : width) {
      rule.push_back(std::string(w, '-'));
    }
    print(rule);
  }
  for (const auto& r : rows) {
    print(r);
  }
}

} // namespace

static util::Result<int>
run_certs(Context& ctx)
{
  SW_TRY_ASSIGN(Owner o, owner(ctx));
  SW_TRY_ASSIGN(auto certs, core::list_certificates(o.dir));
  if (certs.empty()) {
    ctx.out->line(o.name + " has no SSL certificates.");
    ctx.out->line("Use slipway certs:add CRT KEY " + o.flag + " to add one" +
                  (ctx.has("server") ? std::string(".") : ", or slipway certs:auto:enable " + o.flag + "."));
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : certs) {
    rows.push_back({c.name, util::join(c.hosts, ", "), c.not_after, c.issuer, c.name == "custom" ? "certs:add" : "ACM"});
  }
  print_rows(ctx, {"Name", "Common Name(s)", "Expires", "Issuer", "Source"}, rows);
  return 0;
}

static util::Result<int>
run_add(Context& ctx)
{
  SW_TRY_ASSIGN(Owner o, owner(ctx));
  SW_TRY_ASSIGN(std::string chain, read_user_file(ctx.args[0], "certificate"));
  SW_TRY_ASSIGN(std::string key, read_user_file(ctx.args[1], "key"));
  SW_TRY_ASSIGN(core::CertInfo info, core::check_certificate(chain, key, o.hosts, ctx.args[0], ctx.args[1],
                                                             ctx.has("server") ? "the server's" : "the app's"));
  SW_TRY(core::store_custom_certificate(o.dir, chain, key));
  if (!ctx.has("server")) {
    core::notify_serve(ctx.root, o.name); // the server's are seen at serve's next scan (2 s)
  }
  ctx.out->line("Adding SSL certificate to " + o.name + "... done");
  ctx.out->line("Certificate covers " + util::join(info.hosts, ", ") + ", expires " + info.not_after);
  return 0;
}

static util::Result<int>
run_info(Context& ctx)
{
  SW_TRY_ASSIGN(Owner o, owner(ctx));
  SW_TRY_ASSIGN(auto certs, core::list_certificates(o.dir));
  if (certs.empty()) {
    return util::error(o.name + " has no SSL certificates; add one (slipway certs:add CRT KEY " + o.flag + ")", 2);
  }
  for (const auto& c : certs) {
    ctx.out->line("=== " + c.name);
    std::vector<std::string> serves;
    for (const auto& h : o.hosts) {
      if (core::cert_covers(c.hosts, h)) {
        serves.push_back(h);
      }
    }
    print_rows(ctx, {}, {{"Common Name(s):", util::join(c.hosts, ", ")},
                         {"Expires At:", c.not_after},
                         {"Starts At:", c.not_before},
                         {"Issuer:", c.issuer},
                         {"Subject:", c.subject},
                         {"Serves:", serves.empty() ? "none of its hosts" : util::join(serves, ", ")}});
  }
  return 0;
}

static util::Result<int>
run_remove(Context& ctx)
{
  SW_TRY_ASSIGN(Owner o, owner(ctx));
  SW_TRY(core::remove_custom_certificate(o.dir, o.name));
  if (!ctx.has("server")) {
    core::notify_serve(ctx.root, o.name); // the server's are seen at serve's next scan (2 s)
  }
  ctx.out->line("Removing SSL certificate from " + o.name + "... done");
  return 0;
}

static util::Result<int>
run_auto(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY_ASSIGN(Owner o, owner(ctx));
  const auto& hosts = o.hosts;
  SW_TRY_ASSIGN(core::AcmeState state, core::load_acme_state(paths));
  if (!state.enabled) {
    ctx.out->line("=== Automatic Certificate Management is disabled on " + paths.name());
    ctx.out->line("Enable it with slipway certs:auto:enable -a " + paths.name() + ".");
    return 0;
  }
  ctx.out->line("=== Automatic Certificate Management is enabled on " + paths.name());
  std::vector<std::vector<std::string>> rows;
  for (const auto& h : hosts) {
    auto it = state.hosts.find(h);
    core::AcmeHost st = it == state.hosts.end() ? core::AcmeHost{} : it->second;
    rows.push_back({h, st.status.empty() ? "Waiting" : st.status, st.expires, st.reason});
  }
  print_rows(ctx, {"Domain", "Status", "Expires", "Reason"}, rows);
  return 0;
}

static util::Result<int>
run_auto_enable(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY(core::set_acme_enabled(paths, true));
  core::notify_serve(ctx.root, paths.name());
  ctx.out->line("Enabling Automatic Certificate Management on " + paths.name() + "... done");
  ctx.out->line("Certificates are requested by slipway serve; follow them with slipway certs:auto -a " + paths.name() +
                ".");
  return 0;
}

static util::Result<int>
run_auto_refresh(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY(core::refresh_acme(paths));
  core::notify_serve(ctx.root, paths.name());
  ctx.out->line("Refreshing Automatic Certificate Management on " + paths.name() + "... done");
  return 0;
}

static util::Result<int>
run_auto_disable(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  SW_TRY(core::set_acme_enabled(paths, false));
  core::notify_serve(ctx.root, paths.name());
  ctx.out->line("Disabling Automatic Certificate Management on " + paths.name() + "... done");
  return 0;
}

extern const CommandSpec k_cmd_certs{
    "certs", "", "list the app's SSL certificates", "", {k_app_option, k_server_certs_option}, 0, 0, run_certs};

extern const CommandSpec k_cmd_certs_add{
    "certs:add",
    "CRT KEY",
    "serve the app's hosts over HTTPS with this certificate chain and key",
    "CRT: the PEM certificate, then its chain; KEY: its PEM private key, without passphrase. They must\n"
    "match, not be expired, and cover at least one of the app's hosts. Replaces the one added before.",
    {k_app_option, k_server_certs_option},
    2,
    2,
    run_add};

extern const CommandSpec k_cmd_certs_info{
    "certs:info", "", "show each of the app's certificates and the hosts it serves", "", {k_app_option, k_server_certs_option}, 0, 0, run_info};

extern const CommandSpec k_cmd_certs_remove{
    "certs:remove", "", "remove the certificate added with certs:add", "", {k_app_option, k_server_certs_option}, 0, 0, run_remove};

extern const CommandSpec k_cmd_certs_auto{"certs:auto",
                                          "",
                                          "show the automatic certificates of each host, and why one failed",
                                          "",
                                          {k_app_option},
                                          0,
                                          0,
                                          run_auto};

extern const CommandSpec k_cmd_certs_auto_enable{
    "certs:auto:enable",
    "",
    "get and renew certificates for every host of the app from ACME",
    "serve (with --https) requests them over ACME (server settings acme_directory, acme_email),\n"
    "answering the HTTP-01 challenge itself, and renews each acme_renew_days before it expires.",
    {k_app_option},
    0,
    0,
    run_auto_enable};

extern const CommandSpec k_cmd_certs_auto_refresh{"certs:auto:refresh",
                                                  "",
                                                  "renew what is due and retry what failed, now",
                                                  "",
                                                  {k_app_option},
                                                  0,
                                                  0,
                                                  run_auto_refresh};

extern const CommandSpec k_cmd_certs_auto_disable{
    "certs:auto:disable", "", "stop renewing automatic certificates", "", {k_app_option}, 0, 0, run_auto_disable};

} // namespace slipway::cmd
