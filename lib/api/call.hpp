// What the API's files share: one request being answered (Call), the server state every
// handler reads (Api: the root, the secret behind signed URLs, the Activity page's sessions),
// Heroku's error shape, and the handlers of each resource family. Only lib/api includes it.
#pragma once

#include <api/range.hpp>
#include <api/routes.hpp>
#include <core/access/users.hpp>
#include <core/app/layout.hpp>
#include <core/release/release_record.hpp>
#include <core/release/releaser.hpp>
#include <util/output.hpp>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

namespace slipway::api {

using nlohmann::json;

constexpr unsigned long long k_max_body = 64ULL << 20;  // JSON bodies
constexpr unsigned long long k_max_upload = 2ULL << 30; // a slug tarball, whatever the app allows
constexpr std::chrono::milliseconds k_poll{200};                // how often a stream looks for more
constexpr int k_recheck_polls = 5;                              // polls between checks of its grant

// An error in Heroku's shape: {"id": "not_found", "message": "..."}.
struct ApiError
{
  int status;
  std::string id, message;
};

template <typename T> using Answer = std::variant<T, ApiError>;

// 404 "Couldn't find that WHAT."
ApiError not_found(const std::string& what);

void send_json(httplib::Response& res, int status, const json& body);
void send_error(httplib::Response& res, const ApiError& e);

// Who made a request: the user, and the id of the token they presented (or signed in with).
struct Caller : core::User
{
  std::string token_id;
};

// An Activity page sign-in: who, the token its forms must carry, and until when.
struct Session
{
  std::string user, token_id, csrf; // it lasts while the user holds the token signed in with
  std::time_t expires = 0;
};

// The server's state, shared by every request (read-only but for the sessions).
class Api
{
public:
  std::string root;
  std::string secret; // signs the URLs that stand in for credentials (streams, uploads)
  std::string web_base; // ":PORT" of the router's HTTP listener, empty for port 80 (apps' web_url)

  // The user of the request's bearer token.
  Answer<Caller> authenticate(const httplib::Request& req) const;

  // The app named `name`, if `user` may use it at least as `need`. An app the user may not
  // see is not found, as on Heroku: nothing about it leaks.
  Answer<core::AppPaths> app_for(const std::string& name, const core::User& user, core::Role need) const;

  // A stream URL (a log session, a release's output) stands in for credentials: it is bound
  // to the caller's user and token and to every parameter, signed, and valid until `expires`.
  // The query string it ends in.
  std::string grant_query(const std::string& kind, const std::string& app, const Caller& caller,
                          httplib::Params params, std::time_t expires) const;

  // Whether a grant still holds: its signature, its expiry, and — read again now — that its
  // user still has its token and at least viewer access to the app. Every parameter once.
  bool grant_holds(const std::string& kind, const std::string& app, const httplib::Params& params) const;

  // The path and query of a release's output, granted to `caller` for a day (the CLI follows
  // it at once, a page on load).
  std::string output_path(const Caller& caller, const std::string& app, unsigned long version) const;

  // The token in an upload's blob URL.
  std::string upload_token(const std::string& app, const std::string& id) const;

  // A new sign-in for the Activity page with `token` (of `user`), for 12 hours: its session id.
  util::Result<std::string> sign_in(const core::User& user, const std::string& token);

  // The signed-in user of a page request (its session cookie), if any. A session ends early
  // when its token is revoked.
  std::optional<std::pair<Caller, Session>> session_user(const httplib::Request& req) const;

private:
  std::string grant_signature(const std::string& kind, const std::string& app, const httplib::Params& params) const;

  mutable std::mutex m_sessions_mutex;
  mutable std::map<std::string, Session> m_sessions;
};

// The value of the request's cookie `name`, or "".                                 auth.cpp
std::string cookie(const httplib::Request& req, const std::string& name);

// One request: what the server knows once the route's need is met (server.cpp: dispatch).
struct Call
{
  Api& api;
  const httplib::Request& req;
  httplib::Response& res;
  std::optional<Caller> caller;        // every route but Need::grant ones
  std::optional<core::AppPaths> app;   // routes that need a role on the path's {app}
  std::optional<Session> session;      // Door::page routes
  const httplib::ContentReader* content = nullptr; // PUT routes: the body, not yet read

  const std::string& root() const { return api.root; }
  // "http://HOST" as the client reached the server.
  std::string base_url() const { return "http://" + req.get_header_value("Host"); }
  // The request's JSON body ("{}" when empty and `empty_is_object`); a 400 is sent when it is
  // not a JSON object.
  std::optional<json> object_body(bool empty_is_object = false);
  // The request's JSON body, of any type; a 400 is sent when it is not JSON.
  std::optional<json> json_body();
  // The release the path names after the app (its version or id); a 404 is sent when the app
  // has none such. releases.cpp
  std::optional<core::ReleaseRecord> path_release();
};

// The outcome of a release made for a request: `make` runs to the end on a thread of its own.
using MakeRelease = std::function<util::Result<core::ReleaseOutcome>(
    util::Output&, const std::function<void(const core::ReleaseRecord&)>&)>;

// Shapes and steps more than one family uses.
json app_json(const Call& c, const core::AppPaths& paths);                    // apps.cpp
json named(const std::string& kind, const std::string& name);                            // apps.cpp
json release_json(const Call& c, const core::ReleaseRecord& r);                          // releases.cpp
Answer<core::ReleaseRecord> find_release(const core::AppPaths& paths, std::string key);  // releases.cpp
// Start `make`, acting for the caller; answer 201 with the release as soon as it exists
// (pending), or 422 with the error that kept it from being made.              releases.cpp
void release_in_background(Call& c, MakeRelease make);
// An HTML page of the Activity page's look, answered with `status`; `html` escapes text for it;
// `url_encode` a query value.                                                     activity.cpp
void send_page(httplib::Response& res, int status, const std::string& title, const std::string& body);
std::string html(std::string_view s);
std::string url_encode(std::string_view s);
// Expect: 100-continue on an upload: 413 when its Content-Length is over the app's limit.
int expect_upload(const Api& api, const httplib::Request& req, httplib::Response& res); // slugs.cpp

// The handlers, by resource family; routes.cpp lists which route each answers.
namespace apps {
void account(Call&);
void list(Call&);
void create(Call&);
void destroy(Call&);
void show(Call&);
void pipeline_couplings(Call&);
void empty_list(Call&);
} // namespace apps
namespace releases {
void list(Call&);
void show(Call&);
void create(Call&);
void output(Call&);
} // namespace releases
namespace config_vars {
void show(Call&);
void update(Call&);
void of_release(Call&);
} // namespace config_vars
namespace buildpacks {
void list(Call&);
void update(Call&);
} // namespace buildpacks
namespace formation {
void show(Call&);
void update(Call&);
void list_dynos(Call&);
void restart(Call&);
} // namespace formation
namespace slugs {
void create(Call&);
void show(Call&);
void upload(Call&);
} // namespace slugs
namespace addons {
void list(Call&);
void create(Call&);
} // namespace addons
namespace log_sessions {
void create(Call&);
void stream(Call&);
} // namespace log_sessions
namespace activity {
void login_form(Call&);
void login(Call&);
void releases(Call&);
void release(Call&);
void rollback(Call&);
} // namespace activity

} // namespace slipway::api
