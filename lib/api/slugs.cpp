// Slugs made elsewhere: declare one (POST), PUT its tarball to the blob URL, release it
// (releases.cpp); and a slug's record, whether uploaded or built by a push.
#include "call.hpp"

#include <core/app/app_lookup.hpp>
#include <core/app/app_name.hpp>
#include <core/app/settings.hpp>
#include <core/ops/slug_upload.hpp>
#include <core/slug/slug_store.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>
#include <util/uuid.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <regex>

namespace slipway::api {

namespace {

// The most an upload to the app may hold: its slug_size_limit, never over k_max_upload.
unsigned long long
upload_limit(const core::AppPaths& paths)
{
  auto settings = core::load_settings(paths);
  return std::min(k_max_upload, settings ? settings->slug_size_limit : k_max_upload);
}

ApiError
upload_too_large(unsigned long long limit)
{
  return {413, "payload_too_large",
          fmt::format("The slug is larger than {} bytes (the app's slug_size_limit).", limit)};
}

// A slug in Heroku's shape: an upload (its blob URL to PUT the tarball to) or a stored slug.
json
slug_json(const Call& c, const core::SlugUpload& u)
{
  const core::AppPaths& paths = *c.app;
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
            {"url", fmt::format("{}/uploads/slugs/{}/{}?token={}", c.base_url(), paths.name(), u.id,
                                c.api.upload_token(paths.name(), u.id))}}},
          {"checksum", stored               ? json("SHA256:" + stored->sha256)
                       : u.checksum.empty() ? json(nullptr)
                                            : json(u.checksum)},
          {"commit", u.commit.empty() ? json(nullptr) : json(u.commit)},
          {"buildpack_provided_description", u.buildpack.empty() ? json(nullptr) : json(u.buildpack)},
          {"process_types", u.process_types},
          {"size", stored ? json(stored->size) : json(nullptr)},
          {"stack", named("stack", "local")},
          {"created_at", u.created_at},
          {"updated_at", stored ? stored->created_at : u.created_at}};
}

} // namespace

int
expect_upload(const Api& api, const httplib::Request& req, httplib::Response& res)
{
  static const std::regex upload(path_pattern("/uploads/slugs/{app}/{uuid}")); // the upload route's path
  std::smatch m;
  unsigned long long length = 0;
  if (req.method == "PUT" && std::regex_match(req.path, m, upload) && core::validate_app_name(m[1]) &&
      req.get_param_value("token") == api.upload_token(m[1], m[2]) &&
      util::parse_uint(req.get_header_value("Content-Length"), length)) {
    unsigned long long limit = upload_limit(core::AppPaths(api.root, m[1]));
    if (length > limit) {
      send_error(res, upload_too_large(limit));
      return 413;
    }
  }
  return 100;
}

namespace slugs {

void
create(Call& c)
{
  auto body = c.object_body();
  if (!body) {
    return;
  }
  core::SlugUpload u;
  const json& types = body->contains("process_types") ? (*body)["process_types"] : json();
  if (!types.is_object()) {
    send_error(c.res, {422, "invalid_params", "process_types must be an object of names to commands."});
    return;
  }
  for (const auto& [k, v] : types.items()) {
    if (!v.is_string() || k.empty() ||
        k.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos) {
      send_error(c.res, {422, "invalid_params", "process_types must map names like web to command strings."});
      return;
    }
    u.process_types[k] = v.get<std::string>();
  }
  for (const char* field : {"checksum", "commit", "buildpack_provided_description"}) {
    if (body->contains(field) && !(*body)[field].is_null() && !(*body)[field].is_string()) {
      send_error(c.res, {422, "invalid_params", std::string(field) + " must be a string."});
      return;
    }
  }
  auto text = [&](const char* field) {
    return body->value(field, json("")).is_string() ? body->value(field, "") : std::string();
  };
  u.checksum = text("checksum");
  static const std::regex k_checksum("^SHA256:[0-9a-f]{64}$");
  if (!u.checksum.empty() && !std::regex_match(u.checksum, k_checksum)) {
    send_error(c.res, {422, "invalid_params", "checksum must look like SHA256:<64 hex digits>."});
    return;
  }
  u.commit = text("commit");
  u.buildpack = text("buildpack_provided_description");
  auto made = core::begin_slug_upload(*c.app, u);
  if (!made) {
    send_error(c.res, {422, "invalid_params", made.error().message});
    return;
  }
  send_json(c.res, 201, slug_json(c, *made));
}

void
show(Call& c)
{
  std::string id = c.req.matches[2];
  auto u = core::load_slug_upload(*c.app, id);
  if (!u) {
    // A slug built by a push: its own id.
    auto s = core::SlugStore(*c.app).load(id);
    if (!s || !core::SlugStore(*c.app).exists(id)) {
      send_error(c.res, not_found("slug"));
      return;
    }
    core::SlugUpload built{s->id, "", s->process_types, s->commit, s->buildpack, s->created_at, s->id};
    send_json(c.res, 200, slug_json(c, built));
    return;
  }
  send_json(c.res, 200, slug_json(c, *u));
}

// The tarball of an upload, streamed to disk and checked before it is stored; the URL's token
// stands in for credentials, as Heroku's blob URLs do.
void
upload(Call& c)
{
  std::string app = c.req.matches[1], id = c.req.matches[2];
  if (!core::validate_app_name(app) || c.req.get_param_value("token") != c.api.upload_token(app, id) ||
      !core::open_app(c.root(), app)) {
    send_error(c.res, not_found("slug upload"));
    return;
  }
  core::AppPaths paths(c.root(), app);
  auto u = core::load_slug_upload(paths, id);
  if (!u) {
    send_error(c.res, not_found("slug upload"));
    return;
  }
  if (!u->slug.empty()) {
    send_error(c.res, {409, "conflict", "This slug was uploaded already; create a new slug to upload again."});
    return;
  }
  unsigned long long limit = upload_limit(paths);
  std::string data = paths.slug_upload_data(id);
  util::Fd fd(::open(data.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640));
  if (!fd) {
    send_error(c.res, {409, "conflict", "This slug is being uploaded already."});
    return;
  }
  util::Sha256 h;
  unsigned long long size = 0;
  bool too_big = false, write_failed = false;
  (*c.content)([&](const char* bytes, size_t n) {
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
    send_error(c.res, too_big ? upload_too_large(limit)
                              : ApiError{500, "internal_server_error", "Slipway could not store the slug."});
    return;
  }
  util::NullOutput quiet;
  auto stored = core::finish_slug_upload(paths, id, h.hex_digest(), size, quiet);
  if (!stored) {
    send_error(c.res, {422, "invalid_params", stored.error().message});
    return;
  }
  send_json(c.res, 200, json::object());
}

} // namespace slugs

} // namespace slipway::api
