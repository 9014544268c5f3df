// The router: HAProxy from Debian, started and owned by `slipway serve`, with its own config,
// admin socket and maps under $ROOT/router (never the system's HAProxy). Every change of where
// traffic goes is made through HAProxy's runtime API (maps for host names, a backend's spare
// servers given a dyno's port or put in maintenance, certificates), never by a reload, so that
// no client connection is ever closed under a request (ARCHITECTURE.md, "The router"). Each
// app has a backend slot; an app with no web dyno answers 503 naming it, an unknown host 404.
#pragma once

#include <core/app/layout.hpp>
#include <util/fd.hpp>
#include <util/result.hpp>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace slipway::core {

// Where web traffic for one app goes now.
struct Route
{
  std::vector<std::string> hosts;           // APP.<domain>, then the custom domains
  std::vector<int> ports;                   // web dynos on 127.0.0.1; none: 503
  std::map<std::string, std::string> certs; // its certificates: file -> PEM (chain and key), certs.hpp
  bool force_https = false;                 // plain HTTP answered with a redirect to HTTPS
  unsigned long long hsts = 0;              // Strict-Transport-Security max-age on HTTPS; 0: none
};

// One request as the router logged it, in Heroku's router words ("at=info method=GET ...").
struct RouterLine
{
  std::string app; // "" for a host no app has, or what is not a router line
  std::string text;
};

class Router
{
public:
  // `listen`: "127.0.0.1:8080", or a port alone; `https` the same for TLS, or "" for none.
  // Nothing runs until the first apply().
  Router(std::string root, std::string listen, std::string https = {})
      : m_root(std::move(root)), m_listen(std::move(listen)), m_https(std::move(https))
  {}
  ~Router();

  // Make the router route as `routes` (app -> route) say. The first time, write the config,
  // check it (`haproxy -c`) and start HAProxy; after that, change only what differs through
  // the runtime API: host names in the maps, dynos given a server (ready) or taken out
  // (maintenance: no new request goes there, those in flight finish), certificates and the
  // https/hsts maps. When it returns, every new request is routed by `routes`. On failure
  // the error says why; what was applied before it stays in force.
  util::Status apply(const std::map<std::string, Route>& routes);

  // Send ACME's HTTP-01 challenges (/.well-known/acme-challenge/, any host) to 127.0.0.1:`port`,
  // or nowhere (0: they get 503). For the ACME client while it runs (acme.hpp).
  util::Status challenge_to(int port);

  // The ports of `app`'s dynos that the router still has requests in flight to (or queued).
  std::set<int> busy(const std::string& app) const;

  // Stop HAProxy (in-flight requests get up to 5 s), if it runs.
  void stop();

  // HAProxy's process, or -1.
  pid_t
  pid() const
  {
    return m_pid;
  }

  // Whether `pid` is the router's: the HAProxy running, or one it replaced that still finishes
  // what it serves. serve must leave those alone.
  bool owns(pid_t pid) const;

private:
  // Start a new HAProxy for `routes` that takes the running one's listening sockets over.
  util::Status restart(const std::map<std::string, Route>& routes);
  util::Status start(const std::map<std::string, Route>& routes);
  util::Status update(const std::map<std::string, Route>& routes);
  // The ports of `app`'s dynos whose servers have a non-zero count in any of `fields` of
  // HAProxy's stats ("scur", "idle_conn_cur", ...).
  std::set<int> holding(const std::string& app, const std::vector<std::string>& fields) const;
  // One runtime API command; its answer, or an error when HAProxy refused it or is gone.
  util::Result<std::string> admin(const std::string& command) const;
  // The maps' files, as `m_slot` and `routes` say: what a restarted HAProxy starts from.
  util::Status write_maps(const std::map<std::string, Route>& routes) const;

  std::string m_root;
  std::string m_listen;
  std::string m_https;
  pid_t m_pid = -1;
  std::vector<pid_t> m_retiring; // replaced by restart(), finishing what they serve
  int m_challenge = 0; // where ACME challenges go now (challenge_to)
  util::Fd m_output;        // HAProxy's stderr, for why it stopped
  double m_retry_at = 0;    // after HAProxy failed to start: not before then
  std::string m_last_error; // why it failed
  unsigned m_slots = 0;     // backends in the running config
  std::map<std::string, unsigned> m_slot;            // app -> its backend, slotN
  std::map<std::string, std::string> m_hosts;        // host -> app, as the running maps have it
  // An app's dynos as its backend's servers s1..sN (a server-template: static servers, whose
  // idle connections HAProxy reuses, unlike servers added at run time).
  struct Servers
  {
    std::map<int, unsigned> index; // port -> N of sN, for those taking requests and draining
    std::set<int> on;              // ports taking new requests
  };
  std::map<std::string, Servers> m_servers; // app -> its servers
  unsigned m_per_slot = 0;                  // servers in each backend of the running config
  std::map<std::string, std::string> m_certs;        // file -> PEM, as HAProxy has them
  std::map<std::string, std::string> m_flags;        // "https APP" / "hsts APP" -> map value
};

// One datagram of the router's log (a raw line in the config's log-format) in Heroku's words;
// `dyno_at(app, port)` names the dyno that answered ("web.1").
RouterLine parse_router_line(std::string_view raw,
                             const std::function<std::string(const std::string&, int)>& dyno_at);

// The app's custom domains (apps/APP/domains, one per line).
util::Result<std::vector<std::string>> load_domains(const AppPaths& paths);

// The app whose custom domains hold `host`, or "" when none does.
util::Result<std::string> app_claiming(const std::string& root, const std::string& host);

// Add or remove a custom domain: a valid lowercase host name that no other app has, and not
// under the server's `domain`, where only APP.<domain> answers for APP. Usage errors (exit 2).
util::Status add_domain(const AppPaths& paths, const std::string& host, const std::string& domain);
util::Status remove_domain(const AppPaths& paths, const std::string& host);

} // namespace slipway::core
