// Releases: the list (with Heroku's Range), one release, a new one (rollback, retry, a slug
// released), and a release's output as a stream.
#include "call.hpp"
#include "release_json.hpp"

#include <core/ops/retry.hpp>
#include <core/ops/rollback.hpp>
#include <core/ops/slug_upload.hpp>
#include <core/release/release_store.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>
#include <util/strings.hpp>
#include <util/uuid.hpp>

#include <fmt/format.h>

#include <condition_variable>
#include <thread>

namespace slipway::api {

json
release_json(const Call& c, const core::ReleaseRecord& r)
{
  const std::string& app = c.app->name();
  json j = release_to_json(r, app);
  // As Heroku: only a release with a release phase has output (the CLI then prints "Running
  // release command..." and streams it).
  if (!r.release_command.empty() && !r.release_phase_skipped) {
    j["output_stream_url"] = c.base_url() + c.api.output_path(*c.caller, app, r.version);
  }
  return j;
}

Answer<core::ReleaseRecord>
find_release(const core::AppPaths& paths, std::string key)
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

void
release_in_background(Call& c, MakeRelease make)
{
  struct Shared
  {
    std::mutex m;
    std::condition_variable cv;
    std::optional<core::ReleaseRecord> created;
    std::optional<std::string> error;
  };
  auto shared = std::make_shared<Shared>();
  std::string actor = c.caller->display();
  std::thread([shared, actor, make] {
    util::ActingUser acting(actor);
    util::NullOutput quiet;
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
    send_error(c.res, {422, "invalid_params", *shared->error});
    return;
  }
  send_json(c.res, 201, release_json(c, *shared->created));
}

std::optional<core::ReleaseRecord>
Call::path_release()
{
  auto rec = find_release(*app, req.matches[2]);
  if (auto* e = std::get_if<ApiError>(&rec)) {
    send_error(res, *e);
    return std::nullopt;
  }
  return std::get<core::ReleaseRecord>(rec);
}

namespace releases {

// GET /apps/{app}/releases, honouring Heroku's Range header.
void
list(Call& c)
{
  auto range = parse_range(c.req.get_header_value("Range"));
  if (!range) {
    send_error(c.res, {400, "bad_request",
                       "Range header must look like 'version ..; max=10, order=desc', not '" +
                           util::printable(c.req.get_header_value("Range")) + "'."});
    return;
  }
  core::ReleaseStore store(*c.app);
  auto latest = store.latest();
  unsigned long top = latest ? *latest : 0;
  unsigned long lo = range->start ? *range->start + (range->start_exclusive && !range->desc ? 1 : 0) : 1;
  unsigned long hi = range->end ? std::min<unsigned long>(*range->end, top) : top;
  if (range->desc && range->start) {
    // With order=desc, ]N.. continues below N.
    hi = std::min<unsigned long>(hi, range->start_exclusive ? (*range->start ? *range->start - 1 : 0) : top);
    lo = 1;
  }
  json out = json::array();
  unsigned long last = 0;
  bool more = false;
  for (unsigned long i = 0; lo <= hi && i <= hi - lo; ++i) {
    unsigned long v = range->desc ? hi - i : lo + i;
    auto r = store.load(v);
    if (!r) {
      continue;
    }
    if (out.size() == range->max) {
      more = true;
      break;
    }
    out.push_back(release_json(c, *r));
    last = v;
  }
  if (more) {
    c.res.set_header("Next-Range",
                     fmt::format("version ]{}..; max={}, order={}", last, range->max, range->desc ? "desc" : "asc"));
  }
  send_json(c.res, more ? 206 : 200, out);
}

void
show(Call& c)
{
  if (auto rec = c.path_release()) {
    send_json(c.res, 200, release_json(c, *rec));
  }
}

// {"release": ID} rolls back to that release; {"slug": ID} releases that slug with the current
// config (the latest slug again: releases:retry). Answered at once, pending.
void
create(Call& c)
{
  auto body = c.object_body();
  if (!body) {
    return;
  }
  const core::AppPaths paths = *c.app;
  if (body->contains("release") && (*body)["release"].is_string()) {
    auto target = find_release(paths, (*body)["release"].get<std::string>());
    if (auto* e = std::get_if<ApiError>(&target)) {
      send_error(c.res, *e);
      return;
    }
    unsigned long v = std::get<core::ReleaseRecord>(target).version;
    release_in_background(c, [paths, v](util::Output& out, const auto& created) {
      return core::rollback(paths, v, true, out,
                            [&](const core::ReleaseRecord& r, unsigned long, unsigned long) { created(r); });
    });
    return;
  }
  if (body->contains("slug") && (*body)["slug"].is_string()) {
    std::string slug = (*body)["slug"].get<std::string>();
    if (auto u = core::load_slug_upload(paths, slug)) {
      if (u->slug.empty()) {
        send_error(c.res, {422, "invalid_params",
                           "Slug " + slug + "'s upload never finished; PUT its tarball to its blob URL first."});
        return;
      }
      slug = u->slug;
    }
    if (!core::SlugStore(paths).exists(slug)) {
      send_error(c.res, not_found("slug"));
      return;
    }
    core::ReleaseStore store(paths);
    auto latest = store.latest();
    auto rec = latest && *latest ? store.load(*latest) : util::Result<core::ReleaseRecord>(util::error(""));
    if (rec && rec->slug_id == slug && !rec->release_command.empty()) {
      // The latest slug again: Heroku's releases:retry.
      release_in_background(c, [paths](util::Output& out, const auto& created) {
        return core::retry_release(paths, true, out, [&](const core::ReleaseRecord& r, unsigned long) { created(r); });
      });
      return;
    }
    std::string description =
        body->value("description", json("")).is_string() ? body->value("description", "") : "";
    if (description.empty()) {
      description = "Deploy " + slug.substr(0, 8);
    }
    release_in_background(c, [paths, slug, description](util::Output& out, const auto& created) {
      return core::release_slug(paths, {slug, description, true}, out, created);
    });
    return;
  }
  send_error(c.res, {422, "invalid_params", "Give {\"release\": ID} to roll back or {\"slug\": ID} to release."});
}

// A release's output as text: live while its release phase runs, whole afterwards. The URL is
// a grant of the caller's (Api::output_path), as Heroku's output_stream_url stands in for
// credentials; it is re-checked on every request and while the output is followed.
void
output(Call& c)
{
  std::string app = c.req.matches[1];
  unsigned long long v = 0;
  if (!util::parse_uint(c.req.matches[2].str(), v) || v > k_max_version ||
      !c.api.grant_holds("output:" + std::to_string(v), app, c.req.params)) {
    send_error(c.res, not_found("release output"));
    return;
  }
  core::AppPaths paths(c.root(), app);
  std::string log = core::ReleaseStore(paths).dir(v) + "/" + core::ReleaseFiles::log;
  const Api& api = c.api;
  c.res.set_chunked_content_provider(
      "text/plain", [&api, params = c.req.params, paths, v, log](size_t offset, httplib::DataSink& sink) {
        // Whatever is new since `offset`; the end once the release is no longer pending.
        for (int waited = 0; waited < 600 * 5; ++waited) {
          if (waited % k_recheck_polls == k_recheck_polls - 1 &&
              !api.grant_holds("output:" + std::to_string(v), paths.name(), params)) {
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
}

} // namespace releases

} // namespace slipway::api
