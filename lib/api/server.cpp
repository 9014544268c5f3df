// The API's server core: listening, the route table registered with cpp-httplib, the one place
// a route's need is checked (dispatch), and the answers no handler gives (errors, 413, 500).
#include "server.hpp"

#include "call.hpp"

#include <core/app/layout.hpp>
#include <util/fs.hpp>
#include <util/random.hpp>
#include <util/strings.hpp>
#include <util/uuid.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <regex>
#include <thread>

namespace slipway::api {

namespace {

constexpr size_t k_max_connections = 4096; // served at once; more wait
constexpr int k_listen_backlog = 4096;     // connections waiting to be accepted

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

core::Role
role_of_need(Need need)
{
  return need == Need::owner ? core::Role::owner : need == Need::deployer ? core::Role::deployer : core::Role::viewer;
}

// Whether the caller meets the route's need; if so the handler runs with what was found out.
// The one place a route's need is checked.
void
dispatch(const Route& route, Api& api, const httplib::Request& req, httplib::Response& res,
         const httplib::ContentReader* content)
{
  Call c{api, req, res, std::nullopt, std::nullopt, std::nullopt, content};
  if (route.need == Need::grant) {
    route.handler(c);
    return;
  }
  auto refuse = [&](const ApiError& e) {
    if (route.door == Door::page) {
      send_page(res, e.status, "Activity", "<p id=\"error\">" + html(e.message) + "</p>");
    } else {
      send_error(res, e);
    }
  };
  if (route.door == Door::page) {
    auto signed_in = api.session_user(req);
    if (!signed_in) {
      res.status = 303;
      res.set_header("Location", "/login?next=" + url_encode(req.path));
      return;
    }
    c.caller = std::move(signed_in->first);
    c.session = std::move(signed_in->second);
  } else {
    auto caller = api.authenticate(req);
    if (auto* e = std::get_if<ApiError>(&caller)) {
      refuse(*e);
      return;
    }
    c.caller = std::move(std::get<Caller>(caller));
  }
  switch (route.need) {
  case Need::grant:
  case Need::user:
    break;
  case Need::admin:
    if (!c.caller->admin) {
      refuse({403, "forbidden", "Only an admin of this server can do that."});
      return;
    }
    break;
  case Need::viewer:
  case Need::deployer:
  case Need::owner:
    auto paths = api.app_for(req.matches[1], *c.caller, role_of_need(route.need));
    if (auto* e = std::get_if<ApiError>(&paths)) {
      refuse(*e);
      return;
    }
    c.app = std::move(std::get<core::AppPaths>(paths));
    break;
  }
  route.handler(c);
}

} // namespace

struct ApiServer::Impl
{
  Api api;
  httplib::Server http;
  std::thread thread;

  void register_routes();
};

void
ApiServer::Impl::register_routes()
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
      // dispatched from here.
      if (res.status == 416 && req.method == "GET") {
        for (const auto& route : route_table()) {
          std::smatch m;
          if (route.handler == releases::list && std::regex_match(req.path, m, std::regex(path_pattern(route.path)))) {
            httplib::Request routed = req;
            routed.matches = m;
            res.status = 200;
            dispatch(route, api, routed, res, nullptr);
            return;
          }
        }
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
  // A client that asks first (curl -T sends "Expect: 100-continue") is told 413 before it sends
  // a slug over the app's limit, rather than cut off in the middle of sending it.
  http.set_expect_100_continue_handler(
      [this](const httplib::Request& req, httplib::Response& res) { return expect_upload(api, req, res); });

  for (const auto& route : route_table()) {
    std::string pattern = path_pattern(route.path);
    auto handler = [this, &route](const httplib::Request& req, httplib::Response& res) {
      dispatch(route, api, req, res, nullptr);
    };
    std::string method = route.method;
    if (method == "GET") {
      http.Get(pattern, handler);
    } else if (method == "POST") {
      http.Post(pattern, handler);
    } else if (method == "PATCH") {
      http.Patch(pattern, handler);
    } else if (method == "DELETE") {
      http.Delete(pattern, handler);
    } else if (method == "PUT") {
      // The body is the handler's to read (a slug tarball streams to disk).
      http.Put(pattern, [this, &route](const httplib::Request& req, httplib::Response& res,
                                       const httplib::ContentReader& content) {
        dispatch(route, api, req, res, &content);
      });
    }
  }
}

util::Result<std::unique_ptr<ApiServer>>
ApiServer::start(const std::string& root, const std::string& address, int router_port)
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
  impl.api.root = root;
  impl.api.web_base = router_port == 80 ? "" : ":" + std::to_string(router_port);
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
  impl.api.secret = *secret;
  impl.http.set_payload_max_length(k_max_upload);
  // A thread per connection, so that idle and slow clients and followed streams never keep a
  // good request waiting for a pooled thread (up to k_max_connections at once).
  impl.http.new_task_queue = [] { return new ThreadPerConnection(k_max_connections); };
  impl.register_routes();
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

ApiError
not_found(const std::string& what)
{
  return {404, "not_found", "Couldn't find that " + what + "."};
}

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

std::optional<json>
Call::object_body(bool empty_is_object)
{
  json body = json::parse(req.body.empty() && empty_is_object ? "{}" : req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    send_error(res, {400, "bad_request", "The request body must be a JSON object."});
    return std::nullopt;
  }
  return body;
}

std::optional<json>
Call::json_body()
{
  // A PUT route's body is still to be read (content): up to 1 MiB of it.
  std::string streamed;
  bool too_big = false;
  if (content) {
    (*content)([&](const char* bytes, size_t n) {
      too_big = too_big || streamed.size() + n > (1U << 20);
      if (!too_big) {
        streamed.append(bytes, n);
      }
      return !too_big;
    });
  }
  if (too_big) {
    send_error(res, {413, "request_entity_too_large", "The request body is over 1 MiB."});
    return std::nullopt;
  }
  json body = json::parse(content ? streamed : req.body, nullptr, false);
  if (body.is_discarded()) {
    send_error(res, {400, "bad_request", "The request body is not JSON."});
    return std::nullopt;
  }
  return body;
}

} // namespace slipway::api
