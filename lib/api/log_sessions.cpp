// Logs: a log session (heroku logs) whose URL streams the app's log as server-sent events.
#include "call.hpp"

#include <core/app/app_log.hpp>
#include <util/clock.hpp>
#include <util/fd.hpp>
#include <util/strings.hpp>
#include <util/uuid.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

namespace slipway::api {

namespace {

constexpr unsigned long long k_max_log_lines = 100000; // what a log session may ask for

} // namespace

namespace log_sessions {

// A session whose URL streams the app's log (its last `lines`; with `tail`, what follows too),
// as Heroku's logplex_url: a grant of the caller's, valid for an hour, re-checked on every
// request and while a stream follows.
void
create(Call& c)
{
  auto body = c.object_body(true);
  if (!body) {
    return;
  }
  auto field = [&](const char* key) { return body->contains(key) ? (*body)[key] : json(); };
  json lines = field("lines"), tail = field("tail"), dyno = field("dyno"), source = field("source");
  if (dyno.is_null()) {
    dyno = field("dyno_name");
  }
  if (!(lines.is_null() || (lines.is_number_unsigned() && lines.get<unsigned long long>() <= k_max_log_lines)) ||
      !(tail.is_null() || tail.is_boolean()) || !(dyno.is_null() || dyno.is_string()) ||
      !(source.is_null() || source.is_string())) {
    send_error(c.res, {422, "invalid_params",
                       fmt::format("lines must be a whole number up to {}, tail true or false, dyno and source "
                                   "strings.",
                                   k_max_log_lines)});
    return;
  }
  httplib::Params q = {{"lines", std::to_string(lines.is_null() ? 100ULL : lines.get<unsigned long long>())},
                       {"tail", tail.is_boolean() && tail.get<bool>() ? "1" : "0"},
                       {"dyno", dyno.is_string() ? dyno.get<std::string>() : ""},
                       {"source", source.is_string() ? source.get<std::string>() : ""}};
  const std::string& app = c.app->name();
  std::string url = c.base_url() + "/streams/logs/" + app + "?" +
                    c.api.grant_query("logs", app, *c.caller, q, std::time(nullptr) + 3600);
  send_json(c.res, 201,
            {{"id", util::random_uuid()},
             {"logplex_url", url},
             {"created_at", util::now_iso8601()},
             {"updated_at", util::now_iso8601()}});
}

// The log as server-sent events, one per line, as the CLI's EventSource reads logplex.
void
stream(Call& c)
{
  std::string app = c.req.matches[1];
  if (!c.api.grant_holds("logs", app, c.req.params)) {
    send_error(c.res, not_found("log session"));
    return;
  }
  core::AppPaths paths(c.root(), app);
  unsigned long long lines = 100;
  (void)util::parse_uint(c.req.get_param_value("lines"), lines);
  std::string dyno = c.req.get_param_value("dyno"), source = c.req.get_param_value("source");
  bool tail = c.req.get_param_value("tail") == "1";
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
  const Api& api = c.api;
  c.res.set_chunked_content_provider(
      "text/event-stream", [&api, params = c.req.params, first, tail, paths, wanted, sent = false, at = start,
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
        if (++idle % k_recheck_polls == 0 && !api.grant_holds("logs", paths.name(), params)) {
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
}

} // namespace log_sessions

} // namespace slipway::api
