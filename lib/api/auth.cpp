// Who a request is: bearer tokens, the apps a user may reach, the signed URLs that stand in
// for credentials, and the Activity page's sessions.
#include "call.hpp"

#include <core/app/app_lookup.hpp>
#include <core/app/app_name.hpp>
#include <util/random.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

namespace slipway::api {

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

Answer<Caller>
Api::authenticate(const httplib::Request& req) const
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

Answer<core::AppPaths>
Api::app_for(const std::string& name, const core::User& user, core::Role need) const
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

std::string
Api::grant_query(const std::string& kind, const std::string& app, const Caller& caller, httplib::Params params,
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
Api::grant_signature(const std::string& kind, const std::string& app, const httplib::Params& params) const
{
  std::string message = kind + "\n" + app;
  for (const auto& [k, v] : params) { // a multimap: in key order
    if (k != "sig") {
      message += "\n" + k + "=" + v;
    }
  }
  return util::hmac_sha256_hex(secret, message);
}

bool
Api::grant_holds(const std::string& kind, const std::string& app, const httplib::Params& params) const
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

std::string
Api::output_path(const Caller& caller, const std::string& app, unsigned long version) const
{
  constexpr std::time_t k_output_grant_seconds = 24 * 3600;
  return fmt::format("/streams/releases/{}/{}?{}", app, version,
                     grant_query("output:" + std::to_string(version), app, caller, {},
                                 std::time(nullptr) + k_output_grant_seconds));
}

std::string
Api::upload_token(const std::string& app, const std::string& id) const
{
  util::Sha256 h;
  h.update(secret + ":upload:" + app + ":" + id);
  return h.hex_digest().substr(0, 32);
}

util::Result<std::string>
Api::sign_in(const core::User& user, const std::string& token)
{
  SW_TRY_ASSIGN(std::string id, util::random_hex(32));
  SW_TRY_ASSIGN(std::string csrf, util::random_hex(32));
  std::lock_guard lock(m_sessions_mutex);
  std::erase_if(m_sessions, [](const auto& kv) { return kv.second.expires < std::time(nullptr); });
  m_sessions[id] = {user.name, core::token_id_of(token), csrf, std::time(nullptr) + 12 * 3600};
  return id;
}

std::optional<std::pair<Caller, Session>>
Api::session_user(const httplib::Request& req) const
{
  std::string id = cookie(req, "slipway_session");
  Session s;
  {
    std::lock_guard lock(m_sessions_mutex);
    auto it = m_sessions.find(id);
    if (id.empty() || it == m_sessions.end() || it->second.expires < std::time(nullptr)) {
      return std::nullopt;
    }
    s = it->second;
  }
  auto user = core::UserStore(root).load(s.user);
  if (!user || !core::holds_token(*user, s.token_id)) {
    std::lock_guard lock(m_sessions_mutex);
    m_sessions.erase(id);
    return std::nullopt;
  }
  return std::make_pair(Caller{std::move(*user), s.token_id}, s);
}

} // namespace slipway::api
