// The API's route table, walked over real HTTP: every route refuses the role just below the one
// its table line names, and lets that role through the door.
#include "scratch.hpp"

#include <api/routes.hpp>
#include <api/server.hpp>
#include <core/access/users.hpp>
#include <util/fs.hpp>

#include <doctest/doctest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>

using namespace slipway;

namespace {

constexpr const char* k_app = "routewalk"; // named in no integration test

int
free_port()
{
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

struct Answer
{
  int status = 0;
  std::string body, location;
};

// One of the API's users: a bearer token, and a signed-in Activity session.
struct Who
{
  std::string token, session;
};

class Walk
{
public:
  explicit Walk(int port) : m_client("127.0.0.1", port) {}

  Answer
  send(const api::Route& route, const std::string& path, const Who* who, bool page)
  {
    httplib::Headers headers;
    if (who && !page) {
      headers.emplace("Authorization", "Bearer " + who->token);
    }
    if (who && page) {
      headers.emplace("Cookie", "slipway_session=" + who->session);
    }
    std::string method = route.method;
    REQUIRE_MESSAGE((method == "GET" || method == "POST" || method == "PATCH" || method == "PUT" ||
                     method == "DELETE"),
                    "a method the walk does not know: " << method);
    httplib::Result r = method == "GET"     ? m_client.Get(path, headers)
                        : method == "POST"  ? m_client.Post(path, headers, "", "application/json")
                        : method == "PATCH" ? m_client.Patch(path, headers, "", "application/json")
                        : method == "PUT"   ? m_client.Put(path, headers, "", "application/octet-stream")
                                            : m_client.Delete(path, headers);
    REQUIRE_MESSAGE(r, method << " " << path << ": no answer");
    return {r->status, r->body, r->get_header_value("Location")};
  }

  // A token for a new user, and a session signed in with it through the sign-in form.
  Who
  sign_up(const std::string& root, const std::string& name, bool admin)
  {
    core::User u;
    u.name = name;
    u.admin = admin;
    REQUIRE(core::UserStore(root).add(u));
    auto made = core::UserStore(root).create_token(name, "route walk");
    REQUIRE(made);
    Who who{made->first, ""};
    auto form = m_client.Get("/login");
    REQUIRE(form);
    std::smatch nonce, csrf;
    std::string cookie = form->get_header_value("Set-Cookie");
    REQUIRE(std::regex_search(cookie, nonce, std::regex("slipway_login=([0-9a-f]+)")));
    REQUIRE(std::regex_search(form->body, csrf, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
    httplib::Params params{{"token", who.token}, {"csrf", csrf[1]}, {"next", "/apps/x/activity"}};
    auto in = m_client.Post("/login", {{"Cookie", "slipway_login=" + nonce[1].str()}}, params);
    REQUIRE(in);
    std::smatch session;
    std::string set = in->get_header_value("Set-Cookie");
    REQUIRE(std::regex_search(set, session, std::regex("slipway_session=([0-9a-f]+)")));
    who.session = session[1];
    return who;
  }

private:
  httplib::Client m_client;
};

// Whether `body` holds `text`, as JSON or as the HTML of a page (' escaped).
bool
says(const std::string& body, std::string text)
{
  if (body.find(text) != std::string::npos) {
    return true;
  }
  for (size_t at; (at = text.find('\'')) != std::string::npos;) {
    text.replace(at, 1, "&#39;");
  }
  return body.find(text) != std::string::npos;
}

// Whether an answer is the door's refusal, as opposed to anything a handler says.
bool
door_refused(const Answer& a)
{
  return a.status == 401 || (a.status == 303 && a.location.starts_with("/login")) ||
         (a.status == 404 && says(a.body, "Couldn't find that app.")) ||
         (a.status == 403 && (a.body.find("You do not have access to change") != std::string::npos ||
                              a.body.find("Only an admin of this server") != std::string::npos));
}

std::string
fill(const std::string& pattern)
{
  std::string path = pattern;
  for (const auto& [name, value] : {std::pair{"{app}", k_app}, {"{id}", "1"}, {"{n}", "1"}, {"{uuid}", "0-1"}}) {
    for (size_t at; (at = path.find(name)) != std::string::npos;) {
      path.replace(at, std::string(name).size(), value);
    }
  }
  return path;
}

} // namespace

TEST_CASE("api: every route refuses the role below the one its table line names, and lets that role in")
{
  std::string root = test::scratch_dir("routes");
  core::AppPaths app(root, k_app);
  REQUIRE(util::make_dirs(app.dir(), 0755));
  int port = free_port();
  auto server = api::ApiServer::start(root, "127.0.0.1:" + std::to_string(port));
  REQUIRE(server);
  Walk walk(port);
  Who admin = walk.sign_up(root, "admin", true);
  Who owner = walk.sign_up(root, "owner", false);
  Who deployer = walk.sign_up(root, "deployer", false);
  Who viewer = walk.sign_up(root, "viewer", false);
  Who stranger = walk.sign_up(root, "stranger", false);
  REQUIRE(core::grant_access(app, "owner", core::Role::owner));
  REQUIRE(core::grant_access(app, "deployer", core::Role::deployer));
  REQUIRE(core::grant_access(app, "viewer", core::Role::viewer));

  // Destroying the app goes last: every other route needs it.
  std::vector<api::Route> routes = api::route_table();
  std::stable_partition(routes.begin(), routes.end(), [](const api::Route& r) {
    return !(std::string(r.method) == "DELETE" && std::string(r.path) == "/apps/{app}");
  });
  REQUIRE(routes.size() == api::route_table().size());
  for (const auto& route : routes) {
    std::string path = fill(route.path);
    bool page = route.door == api::Door::page;
    std::string line = std::string(route.method) + " " + route.path + " (" + api::need_name(route.need) + ")";
    CAPTURE(line);
    const Who* below = nullptr;
    const Who* own = nullptr;
    std::string refusal;
    switch (route.need) {
    case api::Need::grant: {
      // The URL is the credential: without it, nothing but the sign-in form itself answers.
      Answer a = walk.send(route, path, nullptr, page);
      if (!(page && std::string(route.method) == "GET")) {
        CHECK_MESSAGE((a.status == 404 || a.status == 403), line << " answered " << a.status << " without a grant");
      }
      continue;
    }
    case api::Need::user:
      below = nullptr, own = &stranger, refusal = page ? "303" : "401";
      break;
    case api::Need::viewer:
      below = &stranger, own = &viewer, refusal = "404 Couldn't find that app.";
      break;
    case api::Need::deployer:
      below = &viewer, own = &deployer, refusal = "403 You do not have access to change routewalk (viewer).";
      break;
    case api::Need::owner:
      below = &deployer, own = &owner, refusal = "403 You do not have access to change routewalk (deployer).";
      break;
    case api::Need::admin:
      below = &owner, own = &admin, refusal = "403 Only an admin of this server can do that.";
      break;
    }
    Answer refused = walk.send(route, path, below, page);
    std::string got = std::to_string(refused.status);
    std::string message = refusal.size() > 4 ? refusal.substr(4) : "";
    CHECK_MESSAGE(got == refusal.substr(0, 3), line << ": the role below got " << got << " " << refused.body);
    if (!message.empty()) {
      CHECK_MESSAGE(says(refused.body, message), line << ": " << refused.body);
    }
    // Signed out, every route but the grants refuses too.
    Answer anonymous = walk.send(route, path, nullptr, page);
    CHECK_MESSAGE(door_refused(anonymous), line << ": signed out got " << anonymous.status);
    Answer let_in = walk.send(route, path, own, page);
    CHECK_MESSAGE(!door_refused(let_in), line << ": its own role was refused: " << let_in.status << " " << let_in.body);
  }
  CHECK_FALSE(util::path_exists(app.dir())); // the owner's DELETE went through
}

TEST_CASE("api: no route that changes an app is open to viewers, and config values are for deployers")
{
  for (const auto& route : api::route_table()) {
    std::string method = route.method, path = route.path;
    CAPTURE(method + " " + path);
    bool changes = method != "GET" && path != "/apps/{app}/log-sessions" && path != "/login";
    if (changes && route.need != api::Need::grant) {
      CHECK(route.need >= api::Need::deployer);
    }
    if (path.ends_with("/config-vars")) {
      CHECK(route.need == api::Need::deployer);
    }
  }
}
