#include "api_server.hpp"

#include <core/ops/addon_actions.hpp>
#include <core/app/app_log.hpp>
#include <core/app/app_lookup.hpp>
#include <core/app/app_name.hpp>
#include <core/ops/apps.hpp>
#include <core/ops/config_change.hpp>
#include <core/run/formation.hpp>
#include <core/app/layout.hpp>
#include <core/release/release_json.hpp>
#include <core/release/release_store.hpp>
#include <core/ops/retry.hpp>
#include <core/ops/rollback.hpp>
#include <core/run/serve.hpp>
#include <core/app/settings.hpp>
#include <core/ops/slug_upload.hpp>
#include <core/access/users.hpp>
#include <util/clock.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>
#include <util/random.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>
#include <util/uuid.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <httplib.h>
#include <sys/stat.h>

#include <condition_variable>
#include <mutex>
#include <regex>
#include <deque>
#include <thread>

#include <spdlog/spdlog.h>

namespace slipway::api {

using nlohmann::json;

namespace {

constexpr unsigned long long k_max_body = 64ULL << 20;  // JSON bodies
constexpr unsigned long long k_max_upload = 2ULL << 30; // a slug tarball, whatever the app allows
constexpr unsigned long long k_max_version = (1ULL << 53) - 1; // the largest exact JSON number
constexpr unsigned long long k_max_log_lines = 100000;         // what a log session may ask for
constexpr std::chrono::milliseconds k_poll{200};                // how often a stream looks for more
constexpr int k_recheck_polls = 5;                              // polls between checks of its grant
constexpr size_t k_max_connections = 4096;                      // served at once; more wait
constexpr int k_listen_backlog = 4096;                          // connections waiting to be accepted

// An error in Heroku's shape: {"id": "not_found", "message": "..."}.
struct ApiError
{
  int status;
  std::string id, message;
};

template <typename T> using Answer = std::variant<T, ApiError>;

ApiError
not_found(const std::string& what)
{
  return {404, "not_found", "Couldn't find that " + what + "."};
}

// Output that goes nowhere: what a command prints, the API answers in JSON instead.
class Quiet : public util::Output
{
public:
  void
  line(std::string_view) override
  {}
};

std::string
iso_time_of(const std::string& path)
{
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return util::now_iso8601();
  }
  return util::iso8601_utc(st.st_mtime);
}

// A Range header: "version ..; max=15, order=desc", "version ]5..; max=10, order=desc".
struct Range
{
  std::optional<unsigned long> start, end;
  bool start_exclusive = false;
  size_t max = 200;
  bool desc = false;
};

std::optional<Range>
parse_range(const std::string& text)
{
  static const std::regex k_range(R"(^\s*(id|version)\s*(\]?)(\d*)\s*\.\.\s*(\d*)\s*(\[?)\s*(;\s*(.*))?$)");
  std::smatch m;
  Range r;
  if (text.empty()) {
    return r;
  }
  if (!std::regex_match(text, m, k_range)) {
    return std::nullopt;
  }
  r.start_exclusive = m[2].length() > 0;
  // Version numbers are checked, never converted blindly: one out of range is a 400.
  unsigned long long n = 0;
  if (m[3].length()) {
    if (!util::parse_uint(m[3].str(), n) || n > k_max_version) {
      return std::nullopt;
    }
    r.start = n;
  }
  if (m[4].length()) {
    if (!util::parse_uint(m[4].str(), n) || n > k_max_version) {
      return std::nullopt;
    }
    r.end = n;
  }
  for (const auto& part : util::split(m[7].str(), ',')) {
    auto kv = util::split(std::string(util::trim(part)), '=');
    if (kv.size() != 2) {
      if (util::trim(part).empty()) {
        continue;
      }
      return std::nullopt;
    }
    if (kv[0] == "max" && util::parse_uint(kv[1], n) && n > 0 && n <= 1000) {
      r.max = n;
    } else if (kv[0] == "order" && (kv[1] == "asc" || kv[1] == "desc")) {
      r.desc = kv[1] == "desc";
    } else {
      return std::nullopt;
    }
  }
  return r;
}

// cpp-httplib's task queue as a thread per connection: a connection that is idle, slow or
// following a stream holds only its own thread. Past `limit` connections at once, the next
// ones wait for a thread to be free, in order.
class ThreadPerConnection : public httplib::TaskQueue
{
public:
  explicit ThreadPerConnection(size_t limit) : m_limit(limit) {}

  void
  enqueue(std::function<void()> fn) override
  {
    std::lock_guard lock(m_mutex);
    if (m_running == m_limit) {
      m_waiting.push_back(std::move(fn));
      return;
    }
    try {
      std::thread([this, fn]() mutable { work(std::move(fn)); }).detach();
      ++m_running;
    } catch (const std::system_error&) {
      m_waiting.push_back(std::move(fn)); // no thread to be had now: the next free one takes it
    }
  }

  // Returns once every connection has ended.
  void
  shutdown() override
  {
    std::unique_lock lock(m_mutex);
    m_done.wait(lock, [this] { return m_running == 0; });
  }

private:
  void
  work(std::function<void()> fn)
  {
    for (;;) {
      fn();
      fn = nullptr;
      std::lock_guard lock(m_mutex);
      if (m_waiting.empty()) {
        if (--m_running == 0) {
          m_done.notify_all();
        }
        return;
      }
      fn = std::move(m_waiting.front());
      m_waiting.pop_front();
    }
  }

  const size_t m_limit;
  std::mutex m_mutex;
  std::condition_variable m_done;
  size_t m_running = 0;
  std::deque<std::function<void()>> m_waiting;
};

} // namespace

// Who made a request: the user, and the id of the token they presented (or signed in with).
struct Caller : core::User
{
  std::string token_id;
};

struct ApiServer::Impl
{
  std::string root;
  std::string secret; // signs the URLs that stand in for credentials (streams, uploads)
  httplib::Server http;
  std::thread thread;

  // The user of the request's bearer token.
  Answer<Caller>
  authenticate(const httplib::Request& req) const
  {
    std::string header = req.get_header_value("Authorization");
    if (!header.starts_with("Bearer ") || header.size() <= 7) {
      return ApiError{401, "unauthorized", "Invalid credentials provided."};
    }
    auto user = core::UserStore(root).token_user(header.substr(7));
    if (!user || !*user) {
      return ApiError{401, "unauthorized", "Invalid credentials provided."};
    }
    return Caller{std::move(**user), core::token_id_of(header.substr(7))};
  }

  // A stream URL (a log session, a release's output) stands in for credentials: it is bound
  // to the caller's user and token and to every parameter, signed, and valid until `expires`.
  // The query string it ends in.
  std::string
  grant_query(const std::string& kind, const std::string& app, const Caller& caller, httplib::Params params,
              std::time_t expires) const
  {
    params.emplace("user", caller.name);
    params.emplace("token_id", caller.token_id);
    params.emplace("expires", std::to_string(expires));
    std::string sig = grant_signature(kind, app, params);
    params.emplace("sig", sig);
    return httplib::detail::params_to_query_str(params);
  }

  std::string
  grant_signature(const std::string& kind, const std::string& app, const httplib::Params& params) const
  {
    std::string message = kind + "\n" + app;
    for (const auto& [k, v] : params) { // a multimap: in key order
      if (k != "sig") {
        message += "\n" + k + "=" + v;
      }
    }
    return util::hmac_sha256_hex(secret, message);
  }

  // Whether a grant still holds: its signature, its expiry, and — read again now — that its
  // user still has its token and at least viewer access to the app. Every parameter once.
  bool
  grant_holds(const std::string& kind, const std::string& app, const httplib::Params& params) const
  {
    for (auto it = params.begin(); it != params.end(); it = params.upper_bound(it->first)) {
      if (params.count(it->first) > 1) {
        return false;
      }
    }
    auto get = [&](const char* key) {
      auto it = params.find(key);
      return it == params.end() ? std::string() : it->second;
    };
    unsigned long long until = 0;
    if (!core::validate_app_name(app) || !util::parse_uint(get("expires"), until) ||
        until < static_cast<unsigned long long>(std::time(nullptr)) ||
        !util::equal_in_constant_time(get("sig"), grant_signature(kind, app, params))) {
      return false;
    }
    auto user = core::UserStore(root).load(get("user"));
    auto paths = core::open_app(root, app);
    if (!user || !paths || !core::holds_token(*user, get("token_id"))) {
      return false;
    }
    auto role = core::role_of(*paths, *user);
    return role && *role >= core::Role::viewer;
  }

  // The app named in the path, if `user` may use it at least as `need`. An app the user may
  // not see is not found, as on Heroku: nothing about it leaks.
  Answer<core::AppPaths>
  app_for(const std::string& name, const core::User& user, core::Role need) const
  {
    auto paths = core::open_app(root, name);
    if (!paths) {
      return not_found("app");
    }
    auto role = core::role_of(*paths, user);
    if (!role || *role == core::Role::none) {
      return not_found("app");
    }
    if (*role < need) {
      return ApiError{403, "forbidden",
                      "You do not have access to change " + name + " (" + core::role_name(*role) + ")."};
    }
    return *paths;
  }

  // How long a release's output URL stays valid: the CLI follows it at once, a page on load.
  static constexpr std::time_t k_output_grant_seconds = 24 * 3600;

  // The path and query of a release's output, granted to `caller`.
  std::string
  output_path(const Caller& caller, const std::string& app, unsigned long version) const
  {
    return fmt::format("/streams/releases/{}/{}?{}", app, version,
                       grant_query("output:" + std::to_string(version), app, caller, {},
                                   std::time(nullptr) + k_output_grant_seconds));
  }

  std::string
  base_url(const httplib::Request& req) const
  {
    return "http://" + req.get_header_value("Host");
  }

  json
  release_json(const httplib::Request& req, const Caller& caller, const core::ReleaseRecord& r,
               const std::string& app) const
  {
    json j = core::release_to_json(r, app);
    j["output_stream_url"] = base_url(req) + output_path(caller, app, r.version);
    return j;
  }

  // {"id", "name"} of a thing Slipway names by `kind:name` ids.
  static json
  named(const std::string& kind, const std::string& name)
  {
    return {{"id", util::name_uuid(kind + ":" + name)}, {"name", name}};
  }

  // The add-ons on apps `user` may see, with only the attachments to those apps; with `app`,
  // only those attached to it or made for it.
  Answer<std::vector<core::Addon>>
  visible_addons(const core::User& user, const std::string& app) const
  {
    auto all = core::AddonStore(root).list();
    if (!all) {
      return ApiError{500, "internal_server_error", all.error().message};
    }
    std::map<std::string, bool> seen;
    auto visible = [&](const std::string& name) {
      if (!app.empty() && name != app) {
        return false;
      }
      if (!seen.count(name)) {
        auto paths = core::open_app(root, name);
        auto role = paths ? core::role_of(*paths, user) : util::Result<core::Role>(core::Role::none);
        seen[name] = role && *role != core::Role::none;
      }
      return seen[name];
    };
    std::vector<core::Addon> out;
    for (auto& a : *all) {
      std::erase_if(a.attachments, [&](const core::Attachment& at) { return !visible(at.app); });
      if (visible(a.app) || !a.attachments.empty()) {
        out.push_back(std::move(a));
      }
    }
    return out;
  }

  // Heroku's add-on shape; the plan and the service are the provider, free. Never the
  // credentials: only the names of the vars its (visible) attachments set.
  static json
  addon_json(const core::Addon& a)
  {
    json vars = json::array();
    for (const auto& at : a.attachments) {
      for (const auto& [k, v] : a.vars_for(at)) {
        vars.push_back(k);
      }
    }
    json free = {{"cents", 0}, {"contract", false}, {"unit", "month"}};
    return {{"id", a.id},
            {"name", a.name},
            {"addon_service", named("service", a.provider)},
            {"plan", {{"id", util::name_uuid("plan:" + a.provider)}, {"name", a.provider}, {"price", free}}},
            {"app", named("app", a.app)},
            {"billing_entity", {{"id", util::name_uuid("app:" + a.app)}, {"name", a.app}, {"type", "app"}}},
            {"billed_price", free},
            {"config_vars", vars},
            {"provider_id", a.handle},
            {"provision_message", nullptr},
            {"state", "provisioned"},
            {"actions", json::array()},
            {"web_url", nullptr},
            {"created_at", a.created_at},
            {"updated_at", a.created_at}};
  }

  json
  app_json(const core::AppPaths& paths) const
  {
    auto server = core::load_server_settings(root);
    core::ReleaseStore store(paths);
    auto cur = store.current();
    auto rec = cur ? store.load(*cur) : util::Result<core::ReleaseRecord>(util::error(""));
    std::string created = iso_time_of(paths.repo());
    json stack = {{"id", util::name_uuid("stack:local")}, {"name", "local"}};
    return {{"id", util::name_uuid("app:" + paths.name())},
            {"name", paths.name()},
            {"created_at", created},
            {"updated_at", rec ? rec->created_at : created},
            {"released_at", rec ? json(rec->created_at) : json(nullptr)},
            {"git_url", paths.repo()},
            {"web_url", fmt::format("http://{}.{}/", paths.name(), server ? server->domain : "localhost")},
            {"owner", {{"id", util::name_uuid("user:slipway")}, {"email", "slipway"}}},
            {"organization", nullptr},
            {"team", nullptr},
            {"space", nullptr},
            {"region", {{"id", util::name_uuid("region:local")}, {"name", "local"}}},
            {"stack", stack},
            {"build_stack", stack},
            {"buildpack_provided_description", nullptr},
            {"maintenance", false},
            {"create_status", "complete"},
            {"acm", false},
            {"archived_at", nullptr},
            {"internal_routing", nullptr},
            {"repo_size", nullptr},
            {"slug_size", rec && rec->slug_size ? json(rec->slug_size) : json(nullptr)}};
  }

  // A release by version ("3", "v3") or by its UUID.
  Answer<core::ReleaseRecord>
  find_release(const core::AppPaths& paths, std::string key) const
  {
    core::ReleaseStore store(paths);
    if (key.starts_with("v")) {
      key.erase(0, 1);
    }
    unsigned long long v = 0;
    if (util::parse_uint(key, v) && v > 0) {
      auto r = store.load(v);
      return r ? Answer<core::ReleaseRecord>(*r) : not_found("release");
    }
    auto latest = store.latest();
    for (unsigned long i = latest ? *latest : 0; i > 0; --i) {
      if (util::name_uuid(fmt::format("release:{}:{}", paths.name(), i)) == key) {
        auto r = store.load(i);
        return r ? Answer<core::ReleaseRecord>(*r) : not_found("release");
      }
    }
    return not_found("release");
  }

  // Start `make` (which creates a release and runs it to the end) on a thread of its own,
  // acting for `user`; answer 201 with the release as soon as it exists (pending), or the
  // error that kept it from being made.
  void release_in_background(const httplib::Request& req,
                             httplib::Response& res,
                             const Caller& user,
                             const core::AppPaths& paths,
                             std::function<util::Result<core::ReleaseOutcome>(
                                 util::Output&, const std::function<void(const core::ReleaseRecord&)>&)> make) const;

  json formation_json(const core::AppPaths& paths) const;

  // The most an upload to the app may hold: its slug_size_limit, never over k_max_upload.
  static unsigned long long
  upload_limit(const core::AppPaths& paths)
  {
    auto settings = core::load_settings(paths);
    return std::min(k_max_upload, settings ? settings->slug_size_limit : k_max_upload);
  }

  static ApiError
  upload_too_large(unsigned long long limit)
  {
    return {413, "payload_too_large",
            fmt::format("The slug is larger than {} bytes (the app's slug_size_limit).", limit)};
  }

  std::string
  upload_token(const std::string& app, const std::string& id) const
  {
    util::Sha256 h;
    h.update(secret + ":upload:" + app + ":" + id);
    return h.hex_digest().substr(0, 32);
  }

  // A slug in Heroku's shape: an upload (its blob URL to PUT the tarball to) or a stored slug.
  json
  slug_json(const httplib::Request& req, const core::AppPaths& paths, const core::SlugUpload& u) const
  {
    std::optional<core::SlugRecord> stored;
    if (!u.slug.empty()) {
      auto s = core::SlugStore(paths).load(u.slug);
      if (s) {
        stored = *s;
      }
    }
    return {{"id", u.id},
            {"blob",
             {{"method", "PUT"},
              {"url", fmt::format("{}/uploads/slugs/{}/{}?token={}", base_url(req), paths.name(), u.id,
                                  upload_token(paths.name(), u.id))}}},
            {"checksum", stored               ? json("SHA256:" + stored->sha256)
                         : u.checksum.empty() ? json(nullptr)
                                              : json(u.checksum)},
            {"commit", u.commit.empty() ? json(nullptr) : json(u.commit)},
            {"buildpack_provided_description", u.buildpack.empty() ? json(nullptr) : json(u.buildpack)},
            {"process_types", u.process_types},
            {"size", stored ? json(stored->size) : json(nullptr)},
            {"stack", {{"id", util::name_uuid("stack:local")}, {"name", "local"}}},
            {"created_at", u.created_at},
            {"updated_at", stored ? stored->created_at : u.created_at}};
  }

  // The Activity page's sign-ins: session id -> who, and the token its forms must carry.
  struct Session
  {
    std::string user, token_id, csrf; // it lasts while the user holds the token signed in with
    std::time_t expires = 0;
  };
  mutable std::mutex sessions_mutex;
  mutable std::map<std::string, Session> sessions;

  // The signed-in user of a page request (its session cookie), if any.
  // A session ends early when its token is revoked.
  std::optional<std::pair<Caller, Session>> session_user(const httplib::Request& req) const;
  void activity_routes();

  void routes();
  // GET /apps/{app}/releases, honouring Heroku's Range header.
  void list_releases(const httplib::Request& req, httplib::Response& res, const std::string& app) const;
};

namespace {

void
send_json(httplib::Response& res, int status, const json& body)
{
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void
send_error(httplib::Response& res, const ApiError& e)
{
  send_json(res, e.status, {{"id", e.id}, {"message", e.message}});
}

// A request no handler could finish: logged with its request id, answered 500 with the same id.
void
internal_error(const httplib::Request& req, httplib::Response& res, std::exception_ptr e) noexcept
{
  try {
    std::string what = "unknown exception";
    try {
      if (e) {
        std::rethrow_exception(e);
      }
    } catch (const std::exception& ex) {
      what = ex.what();
    } catch (...) {
    }
    std::string id = res.get_header_value("Request-Id");
    spdlog::error("api: {} {} (request id {}): {}", req.method, util::printable(req.path), id, what);
    res.headers.erase("Content-Range");
    send_error(res, {500, "internal_server_error",
                     "Slipway could not answer this request (request id " + id + "); see serve's log."});
  } catch (...) {
    res.status = 500;
  }
}

json
config_json(const core::ConfigVars& vars)
{
  json j = json::object();
  for (const auto& [k, v] : vars) {
    j[k] = v;
  }
  return j;
}

} // namespace

// Each handler: authenticate, find the app, answer. A macro-free helper keeps them short.
#define SW_ANSWER(var, expr)                                                                                           \
  auto var##_answer = (expr);                                                                                          \
  if (auto* e = std::get_if<ApiError>(&var##_answer)) {                                                                \
    send_error(res, *e);                                                                                               \
    return;                                                                                                            \
  }                                                                                                                    \
  auto& var = std::get<0>(var##_answer)

void
ApiServer::Impl::list_releases(const httplib::Request& req, httplib::Response& res, const std::string& app) const
{
  SW_ANSWER(user, authenticate(req));
  SW_ANSWER(paths, app_for(app, user, core::Role::viewer));
  auto range = parse_range(req.get_header_value("Range"));
  if (!range) {
    send_error(res, {400, "bad_request",
                     "Range header must look like 'version ..; max=10, order=desc', not '" +
                         util::printable(req.get_header_value("Range")) + "'."});
    return;
  }
  core::ReleaseStore store(paths);
  auto latest = store.latest();
  unsigned long top = latest ? *latest : 0;
  unsigned long lo = range->start ? *range->start + (range->start_exclusive && !range->desc ? 1 : 0) : 1;
  unsigned long hi = range->end ? std::min<unsigned long>(*range->end, top) : top;
  if (range->desc && range->start) {
    // With order=desc, ]N.. continues below N.
    hi = std::min<unsigned long>(hi, range->start_exclusive ? (*range->start ? *range->start - 1 : 0) : top);
    lo = 1;
  }
  json list = json::array();
  unsigned long last = 0;
  bool more = false;
  for (unsigned long i = 0; lo <= hi && i <= hi - lo; ++i) {
    unsigned long v = range->desc ? hi - i : lo + i;
    auto r = store.load(v);
    if (!r) {
      continue;
    }
    if (list.size() == range->max) {
      more = true;
      break;
    }
    list.push_back(release_json(req, user, *r, paths.name()));
    last = v;
  }
  if (more) {
    res.set_header("Next-Range",
                   fmt::format("version ]{}..; max={}, order={}", last, range->max, range->desc ? "desc" : "asc"));
  }
  send_json(res, more ? 206 : 200, list);
}

void
ApiServer::Impl::release_in_background(
    const httplib::Request& req,
    httplib::Response& res,
    const Caller& user,
    const core::AppPaths& paths,
    std::function<util::Result<core::ReleaseOutcome>(
        util::Output&, const std::function<void(const core::ReleaseRecord&)>&)> make) const
{
  struct Shared
  {
    std::mutex m;
    std::condition_variable cv;
    std::optional<core::ReleaseRecord> created;
    std::optional<std::string> error;
  };
  auto shared = std::make_shared<Shared>();
  std::string actor = user.display();
  std::thread([shared, actor, make] {
    util::ActingUser acting(actor);
    Quiet quiet;
    auto outcome = make(quiet, [&](const core::ReleaseRecord& r) {
      std::lock_guard lock(shared->m);
      shared->created = r;
      shared->cv.notify_all();
    });
    std::lock_guard lock(shared->m);
    if (!outcome && !shared->created) {
      shared->error = outcome.error().message;
    } else if (!shared->created) {
      shared->created = outcome->record;
    }
    shared->cv.notify_all();
  }).detach();
  std::unique_lock lock(shared->m);
  // The deploy lock may be held by another release: the request waits its turn.
  shared->cv.wait(lock, [&] { return shared->created || shared->error; });
  if (shared->error) {
    send_error(res, {422, "invalid_params", *shared->error});
    return;
  }
  send_json(res, 201, release_json(req, user, *shared->created, paths.name()));
}

json
ApiServer::Impl::formation_json(const core::AppPaths& paths) const
{
  core::ReleaseStore store(paths);
  auto cur = store.current();
  auto rec = cur ? store.load(*cur) : util::Result<core::ReleaseRecord>(util::error(""));
  json list = json::array();
  if (!rec) {
    return list;
  }
  auto formation = core::load_formation(paths, rec->process_types);
  auto sizes = core::load_dyno_sizes(paths, rec->process_types);
  for (const auto& [type, command] : rec->process_types) {
    unsigned long long n = formation && formation->count(type) ? formation->at(type) : 0;
    list.push_back({{"id", util::name_uuid("formation:" + paths.name() + ":" + type)},
                    {"type", type},
                    {"quantity", n},
                    {"size", sizes && sizes->count(type) ? sizes->at(type).name : "standard-1X"},
                    {"command", command},
                    {"app", {{"id", util::name_uuid("app:" + paths.name())}, {"name", paths.name()}}},
                    {"created_at", rec->created_at},
                    {"updated_at", rec->created_at}});
  }
  return list;
}

void
ApiServer::Impl::routes()
{
  http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Request-Id", util::random_uuid());
    // No answer here is ever cut to a byte range: a Range header is Heroku's (list pages),
    // which cpp-httplib would otherwise apply as bytes when it happens to parse as such. The
    // request object is the library's own, not const.
    const_cast<httplib::Request&>(req).ranges.clear();
    // Only slug tarballs are large; they stream to disk. Other bodies are read into memory.
    unsigned long long length = 0;
    if (!req.path.starts_with("/uploads/") && util::parse_uint(req.get_header_value("Content-Length"), length) &&
        length > k_max_body) {
      send_error(res, {413, "payload_too_large", "The request body is larger than 64 MiB."});
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    // The library calls this outside its exception handler: nothing may escape from here.
    try {
      // cpp-httplib reads every Range header as bytes and answers 416 before routing when it
      // is not; Heroku's ("version ..; max=10") is not, so the one resource that takes it is
      // answered from here.
      static const std::regex k_releases(R"(^/apps/([^/]+)/releases/?$)");
      std::smatch m;
      if (res.status == 416 && req.method == "GET" && std::regex_match(req.path, m, k_releases)) {
        res.status = 200;
        list_releases(req, res, m[1]);
        return;
      }
      if (res.body.empty()) {
        send_error(res, res.status == 404 ? not_found("resource")
                                          : ApiError{res.status, "bad_request", "The request could not be handled."});
      }
    } catch (...) {
      internal_error(req, res, std::current_exception());
    }
  });
  http.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr e) {
    internal_error(req, res, e);
  });

  http.Get("/account", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    send_json(res, 200,
              {{"id", util::name_uuid("user:" + user.display())},
               {"email", user.display()},
               {"name", user.name},
               {"created_at", user.created_at},
               {"updated_at", user.created_at},
               {"verified", true},
               {"two_factor_authentication", false}});
  });

  auto list_apps = [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    json list = json::array();
    auto names = core::list_apps(root);
    for (const auto& name : names ? *names : std::vector<std::string>{}) {
      core::AppPaths paths(root, name);
      auto role = core::role_of(paths, user);
      if (role && *role != core::Role::none) {
        list.push_back(app_json(paths));
      }
    }
    send_json(res, 200, list);
  };
  http.Get("/apps", list_apps);
  http.Get("/users/~/apps", list_apps);

  // Apps are made by admins (as by pushing over SSH), who then own them; owners destroy them.
  http.Post("/apps", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    json body = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      send_error(res, {400, "bad_request", "The request body must be a JSON object."});
      return;
    }
    if (!user.admin) {
      send_error(res, {403, "forbidden", "Only an admin can create apps on this server."});
      return;
    }
    if (!body.contains("name") || !body["name"].is_string()) {
      send_error(res, {422, "invalid_params", "Give the app a name: {\"name\": \"myapp\"}."});
      return;
    }
    util::ActingUser acting(user.display());
    auto paths = core::create_app(root, body["name"].get<std::string>());
    if (!paths) {
      send_error(res, {422, "invalid_params", paths.error().message});
      return;
    }
    (void)core::grant_access(*paths, user.name, core::Role::owner);
    send_json(res, 201, app_json(*paths));
  });

  http.Delete(R"(/apps/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    SW_ANSWER(paths, app_for(req.matches[1], user, core::Role::owner));
    json gone = app_json(paths);
    util::ActingUser acting(user.display());
    Quiet quiet;
    if (auto ok = core::destroy_app(paths, false, quiet); !ok) {
      send_error(res, {409, "conflict", ok.error().message});
      return;
    }
    core::notify_serve(root, paths.name());
    send_json(res, 200, gone);
  });

  http.Get(R"(/apps/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    SW_ANSWER(paths, app_for(req.matches[1], user, core::Role::viewer));
    send_json(res, 200, app_json(paths));
  });

  // Not coupled to a pipeline: Heroku answers 404, and the CLI expects it.
  http.Get(R"(/apps/([^/]+)/pipeline-couplings)", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    SW_ANSWER(paths, app_for(req.matches[1], user, core::Role::viewer));
    (void)paths;
    send_error(res, not_found("pipeline coupling"));
  });
  // Add-ons and their attachments, as far as the user may see the apps: /apps/APP/... for one.
  auto list_addons = [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    std::string app = req.matches.size() > 1 ? std::string(req.matches[1]) : "";
    if (!app.empty()) {
      SW_ANSWER(paths, app_for(app, user, core::Role::viewer));
      (void)paths;
    }
    SW_ANSWER(addons, visible_addons(user, app));
    bool attachments = req.path.ends_with("/addon-attachments");
    json list = json::array();
    for (const auto& a : addons) {
      if (!attachments) {
        list.push_back(addon_json(a));
        continue;
      }
      for (const auto& at : a.attachments) {
        list.push_back({{"id", util::name_uuid("attachment:" + a.id + ":" + at.app + ":" + at.as)},
                        {"name", at.as},
                        {"addon", {{"id", a.id}, {"name", a.name}, {"app", named("app", a.app)}}},
                        {"app", named("app", at.app)},
                        {"namespace", nullptr},
                        {"web_url", nullptr},
                        {"log_input_url", nullptr},
                        {"created_at", a.created_at},
                        {"updated_at", a.created_at}});
      }
    }
    send_json(res, 200, list);
  };
  http.Get("/addons", list_addons);
  http.Get("/addon-attachments", list_addons);
  http.Get(R"(/apps/([^/]+)/addons)", list_addons);
  http.Get(R"(/apps/([^/]+)/addon-attachments)", list_addons);

  for (const char* empty : {"collaborators", "features"}) {
    http.Get(fmt::format(R"(/apps/([^/]+)/{})", empty), [this](const httplib::Request& req, httplib::Response& res) {
      SW_ANSWER(user, authenticate(req));
      SW_ANSWER(paths, app_for(req.matches[1], user, core::Role::viewer));
      (void)paths;
      send_json(res, 200, json::array());
    });
  }

  http.Get(R"(/apps/([^/]+)/releases)",
           [this](const httplib::Request& req, httplib::Response& res) { list_releases(req, res, req.matches[1]); });

  http.Get(R"(/apps/([^/]+)/releases/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    SW_ANSWER(paths, app_for(req.matches[1], user, core::Role::viewer));
    SW_ANSWER(rec, find_release(paths, req.matches[2]));
    send_json(res, 200, release_json(req, user, rec, paths.name()));
  });

  http.Get(R"(/apps/([^/]+)/releases/([^/]+)/config-vars)",
           [this](const httplib::Request& req, httplib::Response& res) {
             SW_ANSWER(user, authenticate(req));
             SW_ANSWER(paths, app_for(req.matches[1], user, core::k_config_values_role));
             SW_ANSWER(rec, find_release(paths, req.matches[2]));
             auto vars = core::ReleaseStore(paths).config_of(rec.version);
             send_json(res, 200, config_json(vars ? *vars : core::ConfigVars{}));
           });

  http.Get(R"(/apps/([^/]+)/config-vars)", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    SW_ANSWER(paths, app_for(req.matches[1], user, core::k_config_values_role));
    auto vars = core::load_env(paths.config_file());
    send_json(res, 200, config_json(vars ? *vars : core::ConfigVars{}));
  });

  http.Patch(R"(/apps/([^/]+)/config-vars)", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    SW_ANSWER(paths, app_for(req.matches[1], user, core::Role::deployer));
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded()) {
      send_error(res, {400, "bad_request", "The request body is not JSON."});
      return;
    }
    if (!body.is_object()) {
      send_error(res, {422, "invalid_params", "Config vars must be a JSON object of names to strings or null."});
      return;
    }
    core::ConfigEdit edit;
    for (const auto& [k, v] : body.items()) {
      if (v.is_null()) {
        edit[k] = std::nullopt;
      } else if (v.is_string()) {
        edit[k] = v.get<std::string>();
      } else {
        send_error(res, {422, "invalid_params", "Config var " + k + " must be a string or null."});
        return;
      }
    }
    if (auto ok = core::validate_config_edit(edit); !ok) {
      send_error(res, {422, "invalid_params", ok.error().message});
      return;
    }
    util::ActingUser acting(user.display());
    Quiet quiet;
    auto outcome = core::change_config(paths, edit, true, quiet);
    if (!outcome) {
      send_error(res, {422, "invalid_params", outcome.error().message});
      return;
    }
    if (outcome->release && outcome->release->record.effective_status() == core::ReleaseStatus::failed) {
      send_error(res, {422, "release_failed",
                       fmt::format("Release v{} failed: {}; the config vars are unchanged.",
                                   outcome->release->record.version, outcome->release->record.failure)});
      return;
    }
    auto vars = core::load_env(paths.config_file());
    send_json(res, 200, config_json(vars ? *vars : core::ConfigVars{}));
  });

  http.Get(R"(/apps/([^/]+)/formation)", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    SW_ANSWER(paths, app_for(req.matches[1], user, core::Role::viewer));
    send_json(res, 200, formation_json(paths));
  });

  // ps:scale and ps:resize: {"updates": [{"type": "web", "quantity": 2, "size": "standard-2X"}]}
  // (quantity a number or a string; each update has a quantity, a size or both).
  http.Patch(R"(/apps/([^/]+)/formation)", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    SW_ANSWER(paths, app_for(req.matches[1], user, core::Role::deployer));
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded()) {
      send_error(res, {400, "bad_request", "The request body is not JSON."});
      return;
    }
    std::vector<std::string> args, sizes;
    const json& updates = body.is_object() && body.contains("updates") ? body["updates"] : json();
    for (const auto& u : updates.is_array() ? updates : json::array()) {
      bool quantity = u.is_object() && u.contains("quantity");
      bool size = u.is_object() && u.contains("size");
      if (!u.is_object() || !u.contains("type") || !u["type"].is_string() || (!quantity && !size) ||
          (quantity && !(u["quantity"].is_number_unsigned() || u["quantity"].is_string())) ||
          (size && !u["size"].is_string())) {
        send_error(res, {422, "invalid_params", "Each update needs a type (a string) and a quantity, a size or both."});
        return;
      }
      std::string type = u["type"].get<std::string>();
      if (quantity) {
        args.push_back(type + "=" + (u["quantity"].is_string() ? u["quantity"].get<std::string>()
                                                              : std::to_string(u["quantity"].get<unsigned long long>())));
      }
      if (size) {
        sizes.push_back(type + "=" + u["size"].get<std::string>());
      }
    }
    if (args.empty() && sizes.empty()) {
      send_error(res, {422, "invalid_params", "Give {\"updates\": [{\"type\": \"web\", \"quantity\": 1}]}."});
      return;
    }
    // Every size is checked before anything changes; scale then checks its own arguments.
    core::ReleaseStore store(paths);
    auto cur = store.current();
    auto rec = cur ? store.load(*cur) : util::Result<core::ReleaseRecord>(util::error("no release"));
    for (const auto& arg : sizes) {
      std::string type = arg.substr(0, arg.find('='));
      auto size = core::find_dyno_size(arg.substr(arg.find('=') + 1));
      if (rec && (!rec->process_types.count(type) || type == "release")) {
        send_error(res, {422, "invalid_params", "no process type '" + util::printable(type) + "' to resize"});
        return;
      }
      if (!size) {
        send_error(res, {422, "invalid_params", size.error().message});
        return;
      }
    }
    util::ActingUser acting(user.display());
    Quiet quiet;
    auto scaled = args.empty() ? util::Result<core::Formation>(core::Formation{}) : core::scale(paths, args, true, quiet);
    if (!scaled) {
      send_error(res, {422, "invalid_params", scaled.error().message});
      return;
    }
    auto resized = sizes.empty() ? util::Result<std::map<std::string, core::DynoSize>>(
                                       std::map<std::string, core::DynoSize>{})
                                 : core::resize(paths, sizes, true, quiet);
    if (!resized) {
      send_error(res, {422, "invalid_params", resized.error().message});
      return;
    }
    send_json(res, 200, formation_json(paths));
  });

  // Slugs made elsewhere: declare one, PUT its tarball to the blob URL, release it.
  http.Post(R"(/apps/([^/]+)/slugs)", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    SW_ANSWER(paths, app_for(req.matches[1], user, core::Role::deployer));
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      send_error(res, {400, "bad_request", "The request body must be a JSON object."});
      return;
    }
    core::SlugUpload u;
    const json& types = body.contains("process_types") ? body["process_types"] : json();
    if (!types.is_object()) {
      send_error(res, {422, "invalid_params", "process_types must be an object of names to commands."});
      return;
    }
    for (const auto& [k, v] : types.items()) {
      if (!v.is_string() || k.empty() ||
          k.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos) {
        send_error(res, {422, "invalid_params", "process_types must map names like web to command strings."});
        return;
      }
      u.process_types[k] = v.get<std::string>();
    }
    for (const char* field : {"checksum", "commit", "buildpack_provided_description"}) {
      if (body.contains(field) && !body[field].is_null() && !body[field].is_string()) {
        send_error(res, {422, "invalid_params", std::string(field) + " must be a string."});
        return;
      }
    }
    u.checksum = body.value("checksum", json("")).is_string() ? body.value("checksum", "") : "";
    static const std::regex k_checksum("^SHA256:[0-9a-f]{64}$");
    if (!u.checksum.empty() && !std::regex_match(u.checksum, k_checksum)) {
      send_error(res, {422, "invalid_params", "checksum must look like SHA256:<64 hex digits>."});
      return;
    }
    u.commit = body.value("commit", json("")).is_string() ? body.value("commit", "") : "";
    u.buildpack = body.value("buildpack_provided_description", json("")).is_string()
                      ? body.value("buildpack_provided_description", "")
                      : "";
    auto made = core::begin_slug_upload(paths, u);
    if (!made) {
      send_error(res, {422, "invalid_params", made.error().message});
      return;
    }
    send_json(res, 201, slug_json(req, paths, *made));
  });

  http.Get(R"(/apps/([^/]+)/slugs/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    SW_ANSWER(paths, app_for(req.matches[1], user, core::Role::viewer));
    std::string id = req.matches[2];
    auto u = core::load_slug_upload(paths, id);
    if (!u) {
      // A slug built by a push: its own id.
      auto s = core::SlugStore(paths).load(id);
      if (!s || !core::SlugStore(paths).exists(id)) {
        send_error(res, not_found("slug"));
        return;
      }
      core::SlugUpload built{s->id, "", s->process_types, s->commit, s->buildpack, s->created_at, s->id};
      send_json(res, 200, slug_json(req, paths, built));
      return;
    }
    send_json(res, 200, slug_json(req, paths, *u));
  });

  // A client that asks first (curl -T sends "Expect: 100-continue") is told 413 before it sends
  // a slug over the app's limit, rather than cut off in the middle of sending it.
  http.set_expect_100_continue_handler([this](const httplib::Request& req, httplib::Response& res) {
    static const std::regex upload(R"(/uploads/slugs/([^/]+)/([0-9a-f-]+))");
    std::smatch m;
    unsigned long long length = 0;
    if (req.method == "PUT" && std::regex_match(req.path, m, upload) && core::validate_app_name(m[1]) &&
        req.get_param_value("token") == upload_token(m[1], m[2]) &&
        util::parse_uint(req.get_header_value("Content-Length"), length)) {
      unsigned long long limit = upload_limit(core::AppPaths(root, m[1]));
      if (length > limit) {
        send_error(res, upload_too_large(limit));
        return 413;
      }
    }
    return 100;
  });

  // The tarball of an upload, streamed to disk and checked before it is stored; the URL's
  // token stands in for credentials, as Heroku's blob URLs do.
  http.Put(R"(/uploads/slugs/([^/]+)/([0-9a-f-]+))",
           [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& content) {
             std::string app = req.matches[1], id = req.matches[2];
             if (!core::validate_app_name(app) || req.get_param_value("token") != upload_token(app, id) ||
                 !core::open_app(root, app)) {
               send_error(res, not_found("slug upload"));
               return;
             }
             core::AppPaths paths(root, app);
             auto u = core::load_slug_upload(paths, id);
             if (!u) {
               send_error(res, not_found("slug upload"));
               return;
             }
             if (!u->slug.empty()) {
               send_error(res, {409, "conflict", "This slug was uploaded already; create a new slug to upload again."});
               return;
             }
             unsigned long long limit = upload_limit(paths);
             std::string data = paths.slug_upload_data(id);
             util::Fd fd(::open(data.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640));
             if (!fd) {
               send_error(res, {409, "conflict", "This slug is being uploaded already."});
               return;
             }
             util::Sha256 h;
             unsigned long long size = 0;
             bool too_big = false, write_failed = false;
             content([&](const char* bytes, size_t n) {
               size += n;
               if (size > limit) {
                 too_big = true;
                 return false;
               }
               h.update(bytes, n);
               write_failed = write_failed || !util::write_all(fd.get(), std::string_view(bytes, n));
               return !write_failed;
             });
             fd.reset();
             if (too_big || write_failed) {
               ::unlink(data.c_str());
               send_error(res, too_big ? upload_too_large(limit)
                                       : ApiError{500, "internal_server_error", "Slipway could not store the slug."});
               return;
             }
             Quiet quiet;
             auto stored = core::finish_slug_upload(paths, id, h.hex_digest(), size, quiet);
             if (!stored) {
               send_error(res, {422, "invalid_params", stored.error().message});
               return;
             }
             send_json(res, 200, json::object());
           });

  // ps:restart: every dyno, or one type or dyno.
  auto restart = [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    SW_ANSWER(paths, app_for(req.matches[1], user, core::Role::deployer));
    std::string what = req.matches.size() > 2 ? req.matches[2].str() : "";
    util::ActingUser acting(user.display());
    if (auto ok = core::restart_dynos(root, paths, what); !ok) {
      send_error(res, {422, "invalid_params", ok.error().message});
      return;
    }
    send_json(res, 202, json::object());
  };
  http.Delete(R"(/apps/([^/]+)/dynos)", restart);
  http.Delete(R"(/apps/([^/]+)/dynos/([^/]+))", restart);

  // A release: {"release": ID} rolls back to that release; {"slug": ID} releases the latest
  // slug again with the current config (releases:retry). Answered at once, pending.
  // heroku addons:create: provisioned here (bounded by addon_timeout); answered once the Attach
  // release exists, whose release phase goes on in the background, as with POST releases.
  http.Post(R"(/apps/([^/]+)/addons)", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    SW_ANSWER(paths, app_for(req.matches[1], user, core::Role::deployer));
    json body = json::parse(req.body, nullptr, false);
    auto text = [&](const char* key, const char* inner) {
      const json* v = body.is_object() && body.contains(key) ? &body[key] : nullptr;
      if (v && inner && v->is_object() && v->contains(inner)) {
        v = &(*v)[inner];
      }
      return v && v->is_string() ? v->get<std::string>() : std::string();
    };
    core::CreateAddon request{text("plan", "name"), text("attachment", "name"), text("name", nullptr)};
    if (request.provider.empty()) {
      send_error(res, {400, "bad_request", "Name the provider as {\"plan\": {\"name\": \"postgresql\"}}."});
      return;
    }
    struct Shared
    {
      std::mutex m;
      std::condition_variable cv;
      std::string name;
      bool answered = false;
      std::optional<std::string> error;
    };
    auto shared = std::make_shared<Shared>();
    std::string actor = user.display();
    std::thread([shared, actor, paths, request] {
      util::ActingUser acting(actor);
      Quiet quiet;
      auto on_provisioned = [&](const core::Addon& a) {
        std::lock_guard lock(shared->m);
        shared->name = a.name;
      };
      auto on_created = [&](const core::ReleaseRecord&) {
        std::lock_guard lock(shared->m);
        shared->answered = true;
        shared->cv.notify_all();
      };
      auto outcome = core::create_addon(paths, request, true, quiet, on_provisioned, on_created);
      std::lock_guard lock(shared->m);
      if (!outcome && !shared->answered) {
        shared->error = outcome.error().message;
      }
      shared->answered = true;
      shared->cv.notify_all();
    }).detach();
    std::unique_lock lock(shared->m);
    shared->cv.wait(lock, [&] { return shared->answered; });
    if (shared->error) {
      send_error(res, {422, "invalid_params", *shared->error});
      return;
    }
    auto addon = core::AddonStore(root).load(shared->name);
    if (!addon) {
      send_error(res, {500, "internal_server_error", addon.error().message});
      return;
    }
    send_json(res, 201, addon_json(*addon));
  });

  http.Post(R"(/apps/([^/]+)/releases)", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    SW_ANSWER(paths, app_for(req.matches[1], user, core::Role::deployer));
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      send_error(res, {400, "bad_request", "The request body must be a JSON object."});
      return;
    }
    if (body.contains("release") && body["release"].is_string()) {
      SW_ANSWER(target, find_release(paths, body["release"].get<std::string>()));
      unsigned long v = target.version;
      release_in_background(req, res, user, paths, [paths, v](util::Output& out, const auto& created) {
        return core::rollback(paths, v, true, out,
                              [&](const core::ReleaseRecord& r, unsigned long, unsigned long) { created(r); });
      });
      return;
    }
    if (body.contains("slug") && body["slug"].is_string()) {
      std::string slug = body["slug"].get<std::string>();
      if (auto u = core::load_slug_upload(paths, slug)) {
        if (u->slug.empty()) {
          send_error(res, {422, "invalid_params",
                           "Slug " + slug + "'s upload never finished; PUT its tarball to its blob URL first."});
          return;
        }
        slug = u->slug;
      }
      if (!core::SlugStore(paths).exists(slug)) {
        send_error(res, not_found("slug"));
        return;
      }
      core::ReleaseStore store(paths);
      auto latest = store.latest();
      auto rec = latest && *latest ? store.load(*latest) : util::Result<core::ReleaseRecord>(util::error(""));
      if (rec && rec->slug_id == slug && !rec->release_command.empty()) {
        // The latest slug again: Heroku's releases:retry.
        release_in_background(req, res, user, paths, [paths](util::Output& out, const auto& created) {
          return core::retry_release(paths, true, out,
                                     [&](const core::ReleaseRecord& r, unsigned long) { created(r); });
        });
        return;
      }
      std::string description = body.value("description", json("")).is_string() ? body.value("description", "") : "";
      if (description.empty()) {
        description = "Deploy " + slug.substr(0, 8);
      }
      release_in_background(req, res, user, paths, [paths, slug, description](util::Output& out, const auto& created) {
        return core::release_slug(paths, slug, description, true, out, created);
      });
      return;
    }
    send_error(res, {422, "invalid_params", "Give {\"release\": ID} to roll back or {\"slug\": ID} to release."});
  });

  // logs: a session whose URL streams the app's log (its last `lines`; with `tail`, what
  // follows too) as server-sent events, as Heroku's logplex_url: a grant of the caller's,
  // valid for an hour, re-checked on every request and while a stream follows.
  http.Post(R"(/apps/([^/]+)/log-sessions)", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    SW_ANSWER(paths, app_for(req.matches[1], user, core::Role::viewer));
    json body = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      send_error(res, {400, "bad_request", "The request body must be a JSON object."});
      return;
    }
    auto field = [&](const char* key) { return body.contains(key) ? body[key] : json(); };
    json lines = field("lines"), tail = field("tail"), dyno = field("dyno"), source = field("source");
    if (dyno.is_null()) {
      dyno = field("dyno_name");
    }
    if (!(lines.is_null() || (lines.is_number_unsigned() && lines.get<unsigned long long>() <= k_max_log_lines)) ||
        !(tail.is_null() || tail.is_boolean()) || !(dyno.is_null() || dyno.is_string()) ||
        !(source.is_null() || source.is_string())) {
      send_error(res, {422, "invalid_params",
                       fmt::format("lines must be a whole number up to {}, tail true or false, dyno and source "
                                   "strings.",
                                   k_max_log_lines)});
      return;
    }
    httplib::Params q = {{"lines", std::to_string(lines.is_null() ? 100ULL : lines.get<unsigned long long>())},
                         {"tail", tail.is_boolean() && tail.get<bool>() ? "1" : "0"},
                         {"dyno", dyno.is_string() ? dyno.get<std::string>() : ""},
                         {"source", source.is_string() ? source.get<std::string>() : ""}};
    std::string url = base_url(req) + "/streams/logs/" + paths.name() + "?" +
                      grant_query("logs", paths.name(), user, q, std::time(nullptr) + 3600);
    send_json(res, 201,
              {{"id", util::random_uuid()},
               {"logplex_url", url},
               {"created_at", util::now_iso8601()},
               {"updated_at", util::now_iso8601()}});
  });

  http.Get(R"(/streams/logs/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::string app = req.matches[1];
    if (!grant_holds("logs", app, req.params)) {
      send_error(res, not_found("log session"));
      return;
    }
    core::AppPaths paths(root, app);
    unsigned long long lines = 100;
    (void)util::parse_uint(req.get_param_value("lines"), lines);
    std::string dyno = req.get_param_value("dyno"), source = req.get_param_value("source");
    bool tail = req.get_param_value("tail") == "1";
    auto wanted = [dyno, source](const std::string& line) {
      auto colon = line.find(": ");
      std::string tag = line.substr(0, colon == std::string::npos ? 0 : colon);
      tag = tag.substr(tag.find(' ') == std::string::npos ? 0 : tag.find(' ') + 1); // "app[web.1]"
      return (source.empty() || tag.starts_with(source + "[")) &&
             (dyno.empty() || tag.find("[" + dyno + "]") != std::string::npos ||
              tag.find("[" + dyno + ".") != std::string::npos);
    };
    std::string first;
    auto recent = core::tail_log(paths, dyno.empty() && source.empty() ? lines : 100000);
    std::vector<std::string> kept;
    for (const auto& l : recent) {
      if (wanted(l)) {
        kept.push_back(l);
      }
    }
    for (size_t i = kept.size() > lines ? kept.size() - lines : 0; i < kept.size(); ++i) {
      first += "data: " + kept[i] + "\n\n";
    }
    struct stat st;
    off_t start = ::stat(paths.log_file().c_str(), &st) == 0 ? st.st_size : 0;
    // Server-sent events, one per line, as the CLI's EventSource reads logplex.
    res.set_chunked_content_provider(
        "text/event-stream", [this, params = req.params, first, tail, paths, wanted, start, sent = false, at = start,
                              idle = 0, partial = std::string()](size_t, httplib::DataSink& sink) mutable {
          if (!sent) {
            sent = true;
            if (!first.empty() && !sink.write(first.data(), first.size())) {
              return false;
            }
            if (!tail) {
              sink.done();
            }
            return true;
          }
          // Follow what is appended (from the start again when the log rotated).
          struct stat now;
          if (::stat(paths.log_file().c_str(), &now) != 0 || now.st_size < at) {
            at = 0;
          }
          std::string more;
          if (now.st_size > at) {
            util::Fd fd(::open(paths.log_file().c_str(), O_RDONLY | O_CLOEXEC));
            char buf[65536];
            ssize_t n;
            while (fd && (n = ::pread(fd.get(), buf, sizeof buf, at)) > 0) {
              partial.append(buf, static_cast<size_t>(n));
              at += n;
            }
          }
          for (size_t nl; (nl = partial.find('\n')) != std::string::npos; partial.erase(0, nl + 1)) {
            std::string line = partial.substr(0, nl);
            if (wanted(line)) {
              more += "data: " + line + "\n\n";
            }
          }
          // Revocation, access removal and expiry end a followed stream within a second.
          if (++idle % k_recheck_polls == 0 && !grant_holds("logs", paths.name(), params)) {
            sink.done();
            return true;
          }
          if (!more.empty()) {
            return sink.write(more.data(), more.size());
          }
          if (!sink.is_writable()) {
            return false;
          }
          std::this_thread::sleep_for(k_poll);
          return true;
        });
    (void)start;
  });

  http.Get(R"(/apps/([^/]+)/dynos)", [this](const httplib::Request& req, httplib::Response& res) {
    SW_ANSWER(user, authenticate(req));
    SW_ANSWER(paths, app_for(req.matches[1], user, core::Role::viewer));
    auto text = util::read_file(paths.dyno_state());
    json state = text ? json::parse(*text, nullptr, false) : json::array();
    // serve lists every process it runs; a name's newest release is the dyno (an older one
    // is on its way out).
    std::map<std::string, json> newest;
    for (const auto& d : state.is_array() ? state : json::array()) {
      if (d.is_object() && (!newest.count(d.value("name", "")) ||
                            newest[d.value("name", "")].value("release", 0UL) <= d.value("release", 0UL))) {
        newest[d.value("name", "")] = d;
      }
    }
    json list = json::array();
    for (const auto& [name, d] : newest) {
      unsigned long v = d.value("release", 0UL);
      list.push_back(
          {{"id", util::name_uuid("dyno:" + paths.name() + ":" + d.value("name", "") + ":" + d.value("handle", ""))},
           {"name", d.value("name", "")},
           {"type", d.value("type", "")},
           {"state", d.value("state", "")},
           {"command", d.value("command", "")},
           {"size", d.value("size", "") == "" ? json(nullptr) : json(d.value("size", ""))},
           {"attach_url", nullptr},
           {"release", {{"id", util::name_uuid(fmt::format("release:{}:{}", paths.name(), v))}, {"version", v}}},
           {"app", {{"id", util::name_uuid("app:" + paths.name())}, {"name", paths.name()}}},
           {"created_at", d.value("since", "")},
           {"updated_at", d.value("since", "")}});
    }
    send_json(res, 200, list);
  });

  // A release's output as text: live while its release phase runs, whole afterwards. The
  // URL is a grant of the caller's (output_path), as Heroku's output_stream_url stands in
  // for credentials; it is re-checked on every request and while the output is followed.
  http.Get(R"(/streams/releases/([^/]+)/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::string app = req.matches[1];
    unsigned long long v = 0;
    if (!util::parse_uint(req.matches[2].str(), v) || v > k_max_version ||
        !grant_holds("output:" + std::to_string(v), app, req.params)) {
      send_error(res, not_found("release output"));
      return;
    }
    core::AppPaths paths(root, app);
    std::string log = core::ReleaseStore(paths).dir(v) + "/" + core::ReleaseFiles::log;
    res.set_chunked_content_provider("text/plain", [this, params = req.params, paths, v,
                                                    log](size_t offset, httplib::DataSink& sink) {
      // Whatever is new since `offset`; the end once the release is no longer pending.
      for (int waited = 0; waited < 600 * 5; ++waited) {
        if (waited % k_recheck_polls == k_recheck_polls - 1 &&
            !grant_holds("output:" + std::to_string(v), paths.name(), params)) {
          sink.done();
          return true;
        }
        auto text = util::read_file(log);
        if (text && text->size() > offset) {
          return sink.write(text->data() + offset, text->size() - offset);
        }
        auto r = core::ReleaseStore(paths).load(v);
        if (!r || r->effective_status() != core::ReleaseStatus::pending) {
          sink.done();
          return true;
        }
        if (!sink.is_writable()) {
          return false;
        }
        std::this_thread::sleep_for(k_poll);
      }
      sink.done();
      return true;
    });
  });
}

#undef SW_ANSWER

util::Result<std::unique_ptr<ApiServer>>
ApiServer::start(const std::string& root, const std::string& address)
{
  std::string host = "127.0.0.1", port_text = address;
  if (auto colon = address.rfind(':'); colon != std::string::npos) {
    host = address.substr(0, colon);
    port_text = address.substr(colon + 1);
  }
  unsigned long long port = 0;
  if (host.empty() || !util::parse_uint(port_text, port) || port == 0 || port > 65535) {
    return util::error("--api takes ADDRESS:PORT or PORT, like 127.0.0.1:5000, not '" + util::printable(address) + "'",
                       2);
  }
  auto server = std::make_unique<ApiServer>();
  server->m_impl = std::make_unique<Impl>();
  Impl& impl = *server->m_impl;
  impl.root = root;
  // The secret behind release output URLs: made once, root's alone.
  core::ServePaths run(root);
  std::string secret_file = run.api_secret();
  auto secret = util::read_file(secret_file);
  if (!secret || secret->size() < 32) {
    SW_TRY_ASSIGN(std::string hex, util::random_hex(32));
    SW_TRY(util::make_dirs(run.run, 0700));
    SW_TRY(util::write_file_atomic(secret_file, hex, 0600));
    secret = hex;
  }
  impl.secret = *secret;
  impl.http.set_payload_max_length(k_max_upload);
  // A thread per connection, so that idle and slow clients and followed streams never keep a
  // good request waiting for a pooled thread (up to k_max_connections at once).
  impl.http.new_task_queue = [] { return new ThreadPerConnection(k_max_connections); };
  impl.routes();
  impl.activity_routes();
  int listen_fd = -1;
  impl.http.set_socket_options([&listen_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    ::fcntl(sock, F_SETFD, FD_CLOEXEC);
    listen_fd = sock;
  });
  if (!impl.http.bind_to_port(host, static_cast<int>(port))) {
    return util::error("the API cannot listen on " + address + " (in use, or not an address of this machine)");
  }
  // cpp-httplib listens with a backlog of 5: a crowd connecting at once would wait for SYN
  // retries (a second and more). Listening again only sets the backlog.
  if (listen_fd < 0 || ::listen(listen_fd, k_listen_backlog) != 0) {
    return util::error(util::errno_message("the API cannot listen on", address));
  }
  impl.http.set_socket_options(httplib::default_socket_options); // the one above refers to this frame
  impl.thread = std::thread([&impl] { impl.http.listen_after_bind(); });
  return server;
}

ApiServer::~ApiServer()
{
  if (m_impl) {
    m_impl->http.stop();
    if (m_impl->thread.joinable()) {
      m_impl->thread.join();
    }
  }
}

} // namespace slipway::api

// The Activity page: the app's releases with their logs, server-rendered HTML. Signing in
// takes an API token once (a form); the session is an HttpOnly, SameSite=Strict cookie, and
// each form carries the session's CSRF token.
namespace slipway::api {

namespace {

std::string
html(std::string_view s)
{
  std::string out;
  for (char c : util::printable(s)) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

// A query string value, percent-encoded.
std::string
url_encode(std::string_view s)
{
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string
page(const std::string& title, const std::string& body)
{
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>" +
         html(title) +
         "</title><style>"
         "body{font:15px/1.4 system-ui,sans-serif;margin:1rem;max-width:60rem}"
         "table{border-collapse:collapse;width:100%}td,th{padding:.3rem .5rem;border-bottom:1px solid #ddd;"
         "text-align:left;vertical-align:top}.failed td{background:#fde8e8}.pending td{background:#fff7d6}"
         ".current td:first-child{font-weight:bold}.status{white-space:nowrap}"
         "pre{background:#111;color:#eee;padding:.8rem;overflow:auto;white-space:pre-wrap}"
         "form{display:inline}button{font:inherit}"
         "</style></head><body>\n" +
         body + "\n</body></html>\n";
}

void
send_html(httplib::Response& res, int status, const std::string& text)
{
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Frame-Options", "DENY");
  res.set_content(text, "text/html; charset=utf-8");
}

void
redirect(httplib::Response& res, const std::string& to)
{
  res.status = 303;
  res.set_header("Location", to);
}

// "failed (release command failed)", "pending", "succeeded (current)".
std::string
status_text(const core::ReleaseRecord& r)
{
  auto s = r.effective_status();
  std::string text = core::to_string(s);
  if (s == core::ReleaseStatus::failed) {
    text += " (release command failed)";
  }
  if (r.current) {
    text += " (current)";
  }
  return text;
}

// The value of the request's cookie `name`, or "".
std::string
cookie(const httplib::Request& req, const std::string& name)
{
  std::string value;
  for (const auto& part : util::split(req.get_header_value("Cookie"), ';')) {
    auto t = std::string(util::trim(part));
    if (t.starts_with(name + "=")) {
      value = t.substr(name.size() + 1);
    }
  }
  return value;
}

} // namespace

std::optional<std::pair<Caller, ApiServer::Impl::Session>>
ApiServer::Impl::session_user(const httplib::Request& req) const
{
  std::string id = cookie(req, "slipway_session");
  Session s;
  {
    std::lock_guard lock(sessions_mutex);
    auto it = sessions.find(id);
    if (id.empty() || it == sessions.end() || it->second.expires < std::time(nullptr)) {
      return std::nullopt;
    }
    s = it->second;
  }
  auto user = core::UserStore(root).load(s.user);
  if (!user || !core::holds_token(*user, s.token_id)) {
    std::lock_guard lock(sessions_mutex);
    sessions.erase(id);
    return std::nullopt;
  }
  return std::make_pair(Caller{std::move(*user), s.token_id}, s);
}

void
ApiServer::Impl::activity_routes()
{
  // The sign-in form carries a CSRF token: the HMAC of a random cookie set with the form, so
  // that another site cannot sign a browser in (login CSRF).
  http.Get("/login", [this](const httplib::Request& req, httplib::Response& res) {
    std::string next = req.get_param_value("next");
    auto nonce = util::random_hex(32);
    if (!nonce) {
      send_html(res, 500, page("Error", "<p>Cannot make a sign-in form.</p>"));
      return;
    }
    res.set_header("Set-Cookie", "slipway_login=" + *nonce + "; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600");
    send_html(res, 200,
              page("Sign in · Slipway",
                   "<h1>Sign in</h1><form method=\"post\" action=\"/login\">"
                   "<p><label>API token <input name=\"token\" type=\"password\" autocomplete=\"off\" required>"
                   "</label></p><input type=\"hidden\" name=\"next\" value=\"" +
                       html(next) + "\"><input type=\"hidden\" name=\"csrf\" value=\"" +
                       util::hmac_sha256_hex(secret, "login:" + *nonce) +
                       "\"><p><button type=\"submit\">Sign in</button></p></form>"
                       "<p>Make a token with <code>slipway tokens:create USER</code>.</p>"));
  });

  http.Post("/login", [this](const httplib::Request& req, httplib::Response& res) {
    std::string next = req.get_param_value("next");
    if (!next.starts_with("/apps/") || next.find("//") != std::string::npos) {
      next = "/apps";
    }
    std::string nonce = cookie(req, "slipway_login");
    if (nonce.empty() ||
        !util::equal_in_constant_time(req.get_param_value("csrf"), util::hmac_sha256_hex(secret, "login:" + nonce))) {
      send_html(res, 403,
                page("Sign in · Slipway", "<h1>Sign in</h1><p id=\"error\">That sign-in form is not this "
                                          "browser's, or it expired.</p><p><a href=\"/login?next=" +
                                              html(url_encode(next)) + "\">Try again</a></p>"));
      return;
    }
    std::string token = req.get_param_value("token");
    auto user = core::UserStore(root).token_user(token);
    if (!user || !*user) {
      send_html(res, 401,
                page("Sign in · Slipway", "<h1>Sign in</h1><p id=\"error\">That token is not valid.</p>"
                                          "<p><a href=\"/login?next=" +
                                              html(url_encode(next)) + "\">Try again</a></p>"));
      return;
    }
    auto id = util::random_hex(32), csrf = util::random_hex(32);
    if (!id || !csrf) {
      send_html(res, 500, page("Error", "<p>Cannot make a session.</p>"));
      return;
    }
    {
      std::lock_guard lock(sessions_mutex);
      std::erase_if(sessions, [](const auto& kv) { return kv.second.expires < std::time(nullptr); });
      sessions[*id] = {(*user)->name, core::token_id_of(token), *csrf, std::time(nullptr) + 12 * 3600};
    }
    res.set_header("Set-Cookie", "slipway_session=" + *id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200");
    redirect(res, next);
  });

  // The app of a page, for its signed-in user; otherwise the answer is already sent.
  auto page_app = [this](const httplib::Request& req, httplib::Response& res,
                         core::Role need) -> std::optional<std::tuple<Caller, Session, core::AppPaths>> {
    auto signed_in = session_user(req);
    if (!signed_in) {
      redirect(res, "/login?next=" + url_encode(req.path));
      return std::nullopt;
    }
    auto paths = app_for(req.matches[1], signed_in->first, need);
    if (auto* e = std::get_if<ApiError>(&paths)) {
      send_html(res, e->status, page("Activity", "<p id=\"error\">" + html(e->message) + "</p>"));
      return std::nullopt;
    }
    return std::make_tuple(signed_in->first, signed_in->second, std::get<0>(paths));
  };

  http.Get(R"(/apps/([^/]+)/activity)", [this, page_app](const httplib::Request& req, httplib::Response& res) {
    auto got = page_app(req, res, core::Role::viewer);
    if (!got) {
      return;
    }
    auto& [user, session, paths] = *got;
    auto role = core::role_of(paths, user);
    bool may_roll_back = role && *role >= core::Role::deployer;
    core::ReleaseStore store(paths);
    auto latest = store.latest();
    std::string rows;
    for (unsigned long v = latest ? *latest : 0, shown = 0; v > 0 && shown < 100; --v) {
      auto r = store.load(v);
      if (!r) {
        continue;
      }
      ++shown;
      auto status = r->effective_status();
      std::string base = "/apps/" + paths.name() + "/activity";
      std::string actions = "<a href=\"" + base + "/releases/" + std::to_string(v) + "\">View release log</a>";
      if (may_roll_back && status == core::ReleaseStatus::succeeded && !r->current) {
        actions += " <form method=\"post\" action=\"" + base +
                   "/rollback\"><input type=\"hidden\" name=\"csrf\" value=\"" + session.csrf +
                   "\"><input type=\"hidden\" name=\"version\" value=\"" + std::to_string(v) +
                   "\"><button type=\"submit\">Roll back to here</button></form>";
      }
      rows +=
          fmt::format("<tr class=\"release {}{}\" data-version=\"{}\"><td>v{}</td><td>{}</td><td>{}</td>"
                      "<td><time datetime=\"{}\">{}</time></td><td class=\"status\">{}</td><td>{}</td></tr>\n",
                      core::to_string(status), r->current ? " current" : "", v, v, html(r->description), html(r->user),
                      html(r->created_at), html(util::display_time(r->created_at)), html(status_text(*r)), actions);
    }
    send_html(res, 200,
              page(paths.name() + " · Activity",
                   "<h1>" + html(paths.name()) + " · Activity</h1><p>Signed in as " + html(user.display()) +
                       "</p><table id=\"releases\"><tr><th>Release</th><th>Change</th><th>By</th><th>When</th>"
                       "<th>Status</th><th></th></tr>\n" +
                       rows + "</table>"));
  });

  http.Get(R"(/apps/([^/]+)/activity/releases/(\d+))", [this, page_app](const httplib::Request& req,
                                                                        httplib::Response& res) {
    auto got = page_app(req, res, core::Role::viewer);
    if (!got) {
      return;
    }
    auto& [user, session, paths] = *got;
    auto rec = find_release(paths, req.matches[2]);
    if (auto* e = std::get_if<ApiError>(&rec)) {
      send_html(res, 404, page("Activity", "<p id=\"error\">" + html(e->message) + "</p>"));
      return;
    }
    auto& r = std::get<0>(rec);
    auto log = util::read_file(core::ReleaseStore(paths).dir(r.version) + "/" + core::ReleaseFiles::log);
    bool pending = r.effective_status() == core::ReleaseStatus::pending;
    std::string stream = output_path(user, paths.name(), r.version);
    std::string body = "<p><a href=\"/apps/" + html(paths.name()) + "/activity\">&larr; Activity</a></p><h1>" +
                       html(paths.name()) + " v" + std::to_string(r.version) + "</h1><p>" + html(r.description) +
                       " by " + html(r.user) + ", " + html(util::display_time(r.created_at)) +
                       "</p><p>Status: <span id=\"status\">" + html(status_text(r)) +
                       "</span></p><pre id=\"log\" data-status=\"" + (pending ? "pending" : "done") +
                       "\" data-stream=\"" + html(stream) + "\">" + html(log ? *log : "") + "</pre>";
    if (pending) {
      // Live follow: the stream from the start, appended as it comes, then the final status.
      body += "<script>(async()=>{const pre=document.getElementById('log');"
              "const r=await fetch(pre.dataset.stream);const rd=r.body.getReader();"
              "const dec=new TextDecoder();let text='';"
              "for(;;){const {done,value}=await rd.read();if(done)break;"
              "text+=dec.decode(value,{stream:true});pre.textContent=text;}"
              "pre.dataset.status='done';"
              "document.getElementById('status').textContent='finished (reload for the outcome)';"
              "})();</script>";
    }
    send_html(res, 200, page(paths.name() + " v" + std::to_string(r.version), body));
  });

  http.Post(R"(/apps/([^/]+)/activity/rollback)", [this, page_app](const httplib::Request& req,
                                                                   httplib::Response& res) {
    auto got = page_app(req, res, core::Role::deployer);
    if (!got) {
      return;
    }
    auto& [user, session, paths] = *got;
    if (req.get_param_value("csrf") != session.csrf) {
      send_html(res, 403, page("Activity", "<p id=\"error\">This form has expired; go back and try again.</p>"));
      return;
    }
    unsigned long long v = 0;
    if (!util::parse_uint(req.get_param_value("version"), v)) {
      send_html(res, 400, page("Activity", "<p id=\"error\">No release to roll back to.</p>"));
      return;
    }
    httplib::Response created;
    release_in_background(req, created, user, paths, [paths, v](util::Output& out, const auto& made) {
      return core::rollback(paths, v, true, out,
                            [&](const core::ReleaseRecord& r, unsigned long, unsigned long) { made(r); });
    });
    json j = json::parse(created.body, nullptr, false);
    if (created.status != 201 || !j.is_object()) {
      send_html(res, 422,
                page("Activity",
                     "<p id=\"error\">" + html(j.is_object() ? j.value("message", "") : "Rollback failed") + "</p>"));
      return;
    }
    redirect(res, "/apps/" + paths.name() + "/activity/releases/" + std::to_string(j.value("version", 0UL)));
  });
}

} // namespace slipway::api
