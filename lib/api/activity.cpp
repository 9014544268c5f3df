// The Activity page: the app's releases with their logs, server-rendered HTML. Signing in
// takes an API token once (a form); the session is an HttpOnly, SameSite=Strict cookie, and
// each form carries the session's CSRF token.
#include "call.hpp"

#include <core/ops/rollback.hpp>
#include <core/release/release_store.hpp>
#include <util/clock.hpp>
#include <util/fs.hpp>
#include <util/random.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

namespace slipway::api {

namespace {

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

void
send_page_error(httplib::Response& res, int status, const std::string& message)
{
  send_page(res, status, "Activity", "<p id=\"error\">" + html(message) + "</p>");
}

} // namespace

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

void
send_page(httplib::Response& res, int status, const std::string& title, const std::string& body)
{
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Frame-Options", "DENY");
  res.set_content(page(title, body), "text/html; charset=utf-8");
}

namespace activity {

// The sign-in form carries a CSRF token: the HMAC of a random cookie set with the form, so that
// another site cannot sign a browser in (login CSRF).
void
login_form(Call& c)
{
  std::string next = c.req.get_param_value("next");
  auto nonce = util::random_hex(32);
  if (!nonce) {
    send_page(c.res, 500, "Error", "<p>Cannot make a sign-in form.</p>");
    return;
  }
  c.res.set_header("Set-Cookie", "slipway_login=" + *nonce + "; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600");
  send_page(c.res, 200, "Sign in · Slipway",
            "<h1>Sign in</h1><form method=\"post\" action=\"/login\">"
            "<p><label>API token <input name=\"token\" type=\"password\" autocomplete=\"off\" required>"
            "</label></p><input type=\"hidden\" name=\"next\" value=\"" +
                html(next) + "\"><input type=\"hidden\" name=\"csrf\" value=\"" +
                util::hmac_sha256_hex(c.api.secret, "login:" + *nonce) +
                "\"><p><button type=\"submit\">Sign in</button></p></form>"
                "<p>Make a token with <code>slipway tokens:create USER</code>.</p>");
}

void
login(Call& c)
{
  std::string next = c.req.get_param_value("next");
  if (!next.starts_with("/apps/") || next.find("//") != std::string::npos) {
    next = "/apps";
  }
  std::string again = "<p><a href=\"/login?next=" + html(url_encode(next)) + "\">Try again</a></p>";
  std::string nonce = cookie(c.req, "slipway_login");
  if (nonce.empty() || !util::equal_in_constant_time(c.req.get_param_value("csrf"),
                                                     util::hmac_sha256_hex(c.api.secret, "login:" + nonce))) {
    send_page(c.res, 403, "Sign in · Slipway",
              "<h1>Sign in</h1><p id=\"error\">That sign-in form is not this browser's, or it expired.</p>" + again);
    return;
  }
  std::string token = c.req.get_param_value("token");
  auto user = core::UserStore(c.root()).token_user(token);
  if (!user || !*user) {
    send_page(c.res, 401, "Sign in · Slipway", "<h1>Sign in</h1><p id=\"error\">That token is not valid.</p>" + again);
    return;
  }
  auto id = c.api.sign_in(**user, token);
  if (!id) {
    send_page(c.res, 500, "Error", "<p>Cannot make a session.</p>");
    return;
  }
  c.res.set_header("Set-Cookie", "slipway_session=" + *id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200");
  redirect(c.res, next);
}

// The app's last 100 releases; deployers and up may roll back to a succeeded one.
void
releases(Call& c)
{
  const core::AppPaths& paths = *c.app;
  auto role = core::role_of(paths, *c.caller);
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
      actions += " <form method=\"post\" action=\"" + base + "/rollback\"><input type=\"hidden\" name=\"csrf\" value=\"" +
                 c.session->csrf + "\"><input type=\"hidden\" name=\"version\" value=\"" + std::to_string(v) +
                 "\"><button type=\"submit\">Roll back to here</button></form>";
    }
    rows += fmt::format("<tr class=\"release {}{}\" data-version=\"{}\"><td>v{}</td><td>{}</td><td>{}</td>"
                        "<td><time datetime=\"{}\">{}</time></td><td class=\"status\">{}</td><td>{}</td></tr>\n",
                        core::to_string(status), r->current ? " current" : "", v, v, html(r->description),
                        html(r->user), html(r->created_at), html(util::display_time(r->created_at)),
                        html(status_text(*r)), actions);
  }
  send_page(c.res, 200, paths.name() + " · Activity",
            "<h1>" + html(paths.name()) + " · Activity</h1><p>Signed in as " + html(c.caller->display()) +
                "</p><table id=\"releases\"><tr><th>Release</th><th>Change</th><th>By</th><th>When</th>"
                "<th>Status</th><th></th></tr>\n" +
                rows + "</table>");
}

// One release with its log, followed live while it is pending.
void
release(Call& c)
{
  const core::AppPaths& paths = *c.app;
  auto rec = find_release(paths, c.req.matches[2]);
  if (auto* e = std::get_if<ApiError>(&rec)) {
    send_page_error(c.res, 404, e->message);
    return;
  }
  auto& r = std::get<core::ReleaseRecord>(rec);
  auto log = util::read_file(core::ReleaseStore(paths).dir(r.version) + "/" + core::ReleaseFiles::log);
  bool pending = r.effective_status() == core::ReleaseStatus::pending;
  std::string stream = c.api.output_path(*c.caller, paths.name(), r.version);
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
  send_page(c.res, 200, paths.name() + " v" + std::to_string(r.version), body);
}

void
rollback(Call& c)
{
  if (c.req.get_param_value("csrf") != c.session->csrf) {
    send_page_error(c.res, 403, "This form has expired; go back and try again.");
    return;
  }
  unsigned long long v = 0;
  if (!util::parse_uint(c.req.get_param_value("version"), v)) {
    send_page_error(c.res, 400, "No release to roll back to.");
    return;
  }
  httplib::Response created;
  Call made{c.api, c.req, created, c.caller, c.app, c.session};
  const core::AppPaths paths = *c.app;
  release_in_background(made, [paths, v](util::Output& out, const auto& on_created) {
    return core::rollback(paths, v, true, out,
                          [&](const core::ReleaseRecord& r, unsigned long, unsigned long) { on_created(r); });
  });
  json j = json::parse(created.body, nullptr, false);
  if (created.status != 201 || !j.is_object()) {
    send_page_error(c.res, 422, j.is_object() ? j.value("message", "") : "Rollback failed");
    return;
  }
  redirect(c.res, "/apps/" + paths.name() + "/activity/releases/" + std::to_string(j.value("version", 0UL)));
}

} // namespace activity

} // namespace slipway::api
