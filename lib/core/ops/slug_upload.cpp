#include "slug_upload.hpp"

#include <archive/slug_unpack.hpp>
#include <core/release/app_lock.hpp>
#include <core/app/config_vars.hpp>
#include <core/app/settings.hpp>
#include <core/release/slug_adopt.hpp>
#include <util/clock.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/uuid.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

namespace slipway::core {

namespace {

util::Status
save_upload(const AppPaths& paths, const SlugUpload& u)
{
  nlohmann::json j = {{"id", u.id},         {"checksum", u.checksum},   {"process_types", u.process_types},
                      {"commit", u.commit}, {"buildpack", u.buildpack}, {"created_at", u.created_at},
                      {"slug", u.slug}};
  SW_TRY(util::make_dirs(paths.slug_uploads(), 0750));
  return util::write_file_atomic(paths.slug_upload(u.id),
                                 j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", 0640);
}

} // namespace

util::Result<SlugUpload>
begin_slug_upload(const AppPaths& paths, SlugUpload declared)
{
  declared.id = util::random_uuid();
  declared.created_at = util::now_iso8601();
  declared.slug.clear();
  SW_TRY(save_upload(paths, declared));
  return declared;
}

util::Result<SlugUpload>
load_slug_upload(const AppPaths& paths, const std::string& id)
{
  if (id.size() != 36 || id.find_first_not_of("0123456789abcdef-") != std::string::npos ||
      !util::path_exists(paths.slug_upload(id))) {
    return util::error("no slug upload " + id);
  }
  SW_TRY_ASSIGN(std::string text, util::read_file(paths.slug_upload(id)));
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) {
    return util::error(paths.slug_upload(id) + " is not a slug upload record");
  }
  SlugUpload u;
  u.id = j.value("id", "");
  u.checksum = j.value("checksum", "");
  u.commit = j.value("commit", "");
  u.buildpack = j.value("buildpack", "");
  u.created_at = j.value("created_at", "");
  u.slug = j.value("slug", "");
  if (j.contains("process_types") && j["process_types"].is_object()) {
    for (const auto& [k, v] : j["process_types"].items()) {
      u.process_types[k] = v.is_string() ? v.get<std::string>() : "";
    }
  }
  return u;
}

util::Result<SlugRecord>
finish_slug_upload(
    const AppPaths& paths, const std::string& id, const std::string& sha256, unsigned long long size, util::Output& out)
{
  std::string data = paths.slug_upload_data(id);
  struct Remove
  {
    std::string path;
    ~Remove() { ::unlink(path.c_str()); }
  } remove{data};
  SW_TRY_ASSIGN(SlugUpload u, load_slug_upload(paths, id));
  if (!u.slug.empty()) {
    return util::error("slug " + id + " was uploaded already; make a new one to upload again");
  }
  if (!u.checksum.empty() && u.checksum != "SHA256:" + sha256) {
    return util::error("the upload's checksum is SHA256:" + sha256 + ", not the " + u.checksum + " declared");
  }
  unsigned char head[2] = {0, 0};
  util::Fd fd(::open(data.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd || ::read(fd.get(), head, 2) != 2 || head[0] != 0x1f || head[1] != 0x8b) {
    return util::error("a slug is a gzipped tarball (.tgz) with the app under ./app/; this is not gzip");
  }
  SW_TRY_ASSIGN(AppLock lock, AppLock::acquire(paths, "slug upload", true, out));
  // Unpacked once, as a release would be: what a release cannot unpack is refused now.
  std::string trial = paths.unpacked_tree(::getpid());
  (void)util::remove_tree(trial);
  auto unpacked = archive::unpack_slug(data, trial);
  (void)util::remove_tree(trial);
  if (!unpacked) {
    return util::error("the slug cannot be unpacked: " + unpacked.error().message);
  }
  SlugRecord meta;
  meta.sha256 = sha256;
  meta.size = size;
  meta.compression = "gzip";
  meta.process_types = u.process_types;
  meta.commit = u.commit;
  meta.buildpack = u.buildpack;
  std::string packed = paths.packed_slug(::getpid());
  if (::rename(data.c_str(), packed.c_str()) != 0) {
    return util::error(util::errno_message("cannot store slug", packed));
  }
  SW_TRY_ASSIGN(SlugRecord stored, adopt_slug(paths, packed, meta));
  u.slug = stored.id;
  SW_TRY(save_upload(paths, u));
  return stored;
}

util::Result<ReleaseOutcome>
release_slug(const AppPaths& paths,
             const SlugRelease& what,
             util::Output& out,
             const std::function<void(const ReleaseRecord&)>& on_created)
{
  const std::string& slug_id = what.slug_id;
  SW_TRY_ASSIGN(AppSettings settings, load_settings(paths));
  SW_TRY_ASSIGN(AppLock lock, AppLock::acquire(paths, "release of slug " + slug_id, what.wait, out));
  SlugStore slugs(paths);
  if (!slugs.exists(slug_id)) {
    return util::error("no slug " + slug_id + " on " + paths.name());
  }
  SW_TRY_ASSIGN(SlugRecord slug, slugs.load(slug_id));
  SW_TRY_ASSIGN(ConfigVars config, load_env(paths.config_file()));
  ReleaseRequest req{slug, config, what.description, slug.commit, on_created};
  return create_release(paths, settings, req, out);
}

} // namespace slipway::core
