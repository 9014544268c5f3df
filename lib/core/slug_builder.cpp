#include "slug_builder.hpp"

#include <archive/slug_pack.hpp>
#include <archive/tree_normalize.hpp>
#include <core/app_user.hpp>
#include <core/blob_manifest.hpp>
#include <core/buildpack_source.hpp>
#include <core/release_store.hpp>
#include <core/resources.hpp>
#include <core/slug_store.hpp>
#include <core/slugignore.hpp>
#include <git/repository.hpp>
#include <git/tree_export.hpp>
#include <util/clock.hpp>
#include <util/dir_walk.hpp>
#include <util/fault.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/memory.hpp>
#include <util/strings.hpp>

#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <filesystem>

namespace slipway::core {

namespace {

// Removes the staging directory however the build ends.
struct Cleanup
{
  std::string dir;
  ~Cleanup() { (void)util::remove_tree(dir); }
};

util::Status
write_env_dir(const std::string& dir, const ConfigVars& config)
{
  SW_TRY(util::make_dir(dir, 0700));
  for (const auto& [k, v] : config) {
    SW_TRY(util::write_file_atomic(dir + "/" + k, v, 0600));
  }
  return {};
}

// Copy a buildpack into the build's staging area: it may write its `export` file there, the
// app's user can read it wherever the original lives, and the original is never touched.
util::Result<buildpack::Buildpack>
stage(const buildpack::Buildpack& bp, const std::string& work, size_t index)
{
  std::string dest = work + "/buildpacks/" + std::to_string(index);
  std::error_code ec;
  std::filesystem::create_directories(work + "/buildpacks", ec);
  std::filesystem::copy(bp.dir, dest,
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks, ec);
  if (ec) {
    return util::error("cannot stage buildpack '" + bp.name + "': " + ec.message());
  }
  (void)util::remove_tree(dest + "/.git");
  return buildpack::Buildpack{bp.name, dest};
}

// Hand a staging tree to the app's user when commands run as that user.
util::Status
give_to_user(const std::string& path, const buildpack::RunEnv& env)
{
  return env.drop_privileges ? util::chown_tree(path, env.uid, env.gid) : util::Status();
}

util::Result<std::vector<buildpack::Buildpack>>
choose_buildpacks(const BuildInput& in,
                  const std::string& app_dir,
                  const buildpack::RunEnv& env,
                  util::Output& out,
                  std::string& framework)
{
  SW_TRY_ASSIGN(auto requested, requested_buildpacks(in.config, app_dir));
  std::vector<buildpack::Buildpack> chosen;
  std::string work = util::dir_name(app_dir);
  if (requested.empty()) {
    size_t index = 0;
    for (const auto& builtin : builtin_buildpacks()) {
      SW_TRY_ASSIGN(auto bp, stage(builtin, work, index++));
      SW_TRY(give_to_user(work + "/buildpacks", env));
      SW_TRY_ASSIGN(auto name, buildpack::detect(bp, app_dir, env, out));
      if (name) {
        framework = *name;
        out.step(*name + " app detected");
        chosen.push_back(bp);
        return chosen;
      }
    }
    return util::error("no default language could be detected for this app; add a Procfile, "
                       "or set BUILDPACK_URL (slipway config:set BUILDPACK_URL=... -a " +
                       in.paths.name() + ")");
  }
  if (requested.size() == 1) {
    out.step("Using buildpack: " + requested[0]);
  } else {
    out.step("Using buildpacks:");
    for (size_t i = 0; i < requested.size(); ++i) {
      out.detail(std::to_string(i + 1) + ". " + requested[i]);
    }
  }
  for (size_t i = 0; i < requested.size(); ++i) {
    SW_TRY_ASSIGN(auto fetched, resolve_buildpack(in.paths, requested[i], out));
    SW_TRY_ASSIGN(auto bp, stage(fetched, work, i));
    SW_TRY(give_to_user(work + "/buildpacks", env));
    SW_TRY_ASSIGN(auto name, buildpack::detect(bp, app_dir, env, out));
    if (!name) {
      return util::error("app not compatible with buildpack: " + requested[i] + " (its bin/detect exited non-zero)");
    }
    framework = *name;
    out.step(*name + " app detected");
    chosen.push_back(bp);
  }
  return chosen;
}

util::Result<ProcessTypes>
read_procfile(const std::string& app_dir, bool& present)
{
  std::string path = app_dir + "/Procfile";
  struct stat st;
  present = ::lstat(path.c_str(), &st) == 0;
  if (!present) {
    return ProcessTypes{};
  }
  if (!S_ISREG(st.st_mode)) {
    return util::error("Procfile is not a regular file (a symlink or a directory); commit the Procfile itself");
  }
  SW_TRY_ASSIGN(std::string text, util::read_file(path));
  return parse_procfile(text, "Procfile");
}

util::Status
write_legacy_config_vars(const std::string& app_dir, const std::map<std::string, std::string>& vars)
{
  if (vars.empty()) {
    return {};
  }
  std::string script;
  for (const auto& [k, v] : vars) {
    SW_TRY(validate_config_key(k));
    script += "export " + k + "=\"${" + k + ":-" + "$(printf %s " + util::shell_quote(v) + ")}\"\n";
  }
  SW_TRY(util::make_dir(app_dir + "/.profile.d", 0755, true));
  return util::write_file_atomic(app_dir + "/.profile.d/00_config_vars.sh", script, 0644);
}

// The current release's tree and its slug's blob manifest: where the export may copy files
// from. None when there is no current release, its tree has expired or it has no manifest.
struct ReuseSource
{
  util::Fd dir;
  git::BlobsByPath blobs;
};

std::optional<ReuseSource>
reuse_source(const AppPaths& paths)
{
  ReleaseStore store(paths);
  auto current = store.current();
  if (!current) {
    return std::nullopt;
  }
  auto record = store.load_raw(*current);
  if (!record || record->slug_id.empty()) {
    return std::nullopt;
  }
  auto blobs = load_blob_manifest(SlugStore(paths).blobs(record->slug_id));
  if (!blobs) {
    return std::nullopt;
  }
  std::string tree = store.dir(*current) + "/" + ReleaseFiles::app;
  util::Fd dir(::open(tree.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) {
    return std::nullopt;
  }
  return ReuseSource{std::move(dir), std::move(*blobs)};
}

} // namespace

util::Result<BuildResult>
build_slug(const BuildInput& in, util::Output& out)
{
  std::string work = in.paths.tmp() + "/build-" + std::to_string(::getpid());
  SW_TRY(util::remove_tree(work));
  SW_TRY(util::make_dirs(work, 0750));
  Cleanup cleanup{work};
  std::string app_dir = work + "/app", env_dir = work + "/env", home = work + "/home";
  SW_TRY(util::make_dir(app_dir, 0755));
  SW_TRY(util::make_dir(home, 0700));
  SW_TRY(util::make_dirs(in.paths.cache(), 0750));
  spdlog::info("build of {} started; {}", in.commit.id, util::memory_summary());

  buildpack::RunEnv env;
  env.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
             "HOME=" + home,
             "LANG=C.UTF-8",
             "TMPDIR=" + home,
             "STACK=" + stack_name(),
             "SOURCE_VERSION=" + in.commit.id};
  env.timeout = static_cast<double>(in.settings.build_timeout);
  env.kill_grace = static_cast<double>(in.settings.kill_grace);
  git::ExportOwner owner;
  if (auto user = app_user(in.paths.name())) {
    SW_TRY(grant_app_directory(in.paths, *user));
    env.drop_privileges = true;
    env.uid = user->uid;
    env.gid = user->gid;
    owner = {static_cast<long>(user->uid), user->gid};
  }

  // The buildpacks run as the app's user: the tree is exported as its own. Files the current
  // release's tree holds unchanged from git are copied from there, not inflated again.
  SW_TRY(give_to_user(work, env));
  git::ExportedFiles exported;
  git::ExportOptions options;
  options.owner = owner;
  options.record = &exported;
  auto reuse = reuse_source(in.paths);
  if (reuse) {
    options.reuse_dir = reuse->dir.get();
    options.reuse = &reuse->blobs;
  }
  SW_TRY_ASSIGN(auto stats, git::export_tree(
                                in.repo, in.commit.tree_id, app_dir, [&](const std::string& w) { out.warn(w); }, options));
  reuse.reset();
  // Nothing more is read from git: its caches and the export's garbage go back to the
  // system before packing needs memory of its own.
  git::release_memory(in.repo);
  ::malloc_trim(0);
  spdlog::info("exported {} files ({} copied from the current release), {} bytes; {}", stats.files, stats.reused,
               stats.bytes, util::memory_summary());
  util::fault_point("after-tree-read");

  if (util::path_exists(app_dir + "/.slugignore")) {
    SW_TRY_ASSIGN(std::string text, util::read_file(app_dir + "/.slugignore"));
    auto ignore = parse_slugignore(text);
    for (const auto& w : ignore.warnings) {
      out.warn(w);
    }
    SW_TRY_ASSIGN(unsigned long removed, apply_slugignore(ignore, app_dir));
    out.step("Deleting " + std::to_string(removed) + " files matching .slugignore patterns.");
  }
  SW_TRY(write_env_dir(env_dir, in.config));
  SW_TRY(give_to_user(env_dir, env));
  // Buildpack code runs from here on: what it changes carries this ctime or a later one,
  // which no exported file has.
  timespec last_export{};
  for (const auto& [rel, file] : exported) {
    if (util::earlier(last_export, file.ctime)) {
      last_export = file.ctime;
    }
  }
  // Without a fence no file can be vouched for: the slug gets an empty manifest.
  auto fence = util::change_time_fence(app_dir, last_export);
  if (!fence) {
    spdlog::warn("no blob manifest: {}", fence.error().message);
  }

  std::string framework;
  SW_TRY_ASSIGN(auto packs, choose_buildpacks(in, app_dir, env, out, framework));
  std::vector<std::string> exports;
  util::FaultOnLine compile_out(out, "during-compile");
  for (const auto& bp : packs) {
    SW_TRY_ASSIGN(auto result, buildpack::compile(bp, app_dir, in.paths.cache(), env_dir, exports, env, compile_out));
    if (!result.success()) {
      return util::error("failed to compile app with buildpack '" + bp.name + "': bin/compile " +
                         result.describe(env.timeout) + "; see the output above");
    }
    if (util::path_exists(bp.export_file())) {
      exports.push_back(bp.export_file());
    }
  }
  spdlog::info("compiled");
  SW_TRY_ASSIGN(auto release_info, buildpack::release(packs.back(), app_dir, env, out));
  SW_TRY(write_legacy_config_vars(app_dir, release_info.config_vars));

  bool has_procfile = false;
  SW_TRY_ASSIGN(ProcessTypes declared, read_procfile(app_dir, has_procfile));
  ProcessTypes types(release_info.default_process_types.begin(), release_info.default_process_types.end());
  for (const auto& [k, v] : declared) {
    types[k] = v;
  }
  out.step("Discovering process types");
  out.detail("Procfile declares types     -> " + (has_procfile ? type_list(declared) : std::string("(none)")));
  if (!release_info.default_process_types.empty()) {
    out.detail("Default types for buildpack -> " + type_list(ProcessTypes(release_info.default_process_types.begin(),
                                                                          release_info.default_process_types.end())));
  }
  if (types.empty()) {
    return util::error(has_procfile ? "the Procfile declares no process types; add a line like 'web: <command>'"
                                    : "no Procfile, and the buildpack gives no default process types; add a "
                                      "Procfile that says how to run this app");
  }

  archive::Compression compression = archive::Compression::zstd;
  archive::parse_compression(in.settings.compression, compression);
  out.step("Compressing...");
  SW_TRY(util::make_dir(in.paths.slugs(), 0750, true));
  std::string packed = in.paths.slugs() + "/.tmp-" + std::to_string(::getpid()) + archive::slug_extension(compression);
  ::unlink(packed.c_str());
  // Packing also normalizes the tree: it becomes the release's tree (see below). Files still
  // as exported go into the slug's blob manifest, for the next build to copy.
  std::string manifest;
  auto note_untouched = [&](const std::string& rel, const struct stat& st) {
    auto it = exported.find(std::hash<std::string>{}(rel));
    if (fence && it != exported.end() && unchanged_since_export(it->second, st, *fence)) {
      add_blob_record(manifest, it->second.blob, rel);
    }
  };
  auto pack = archive::pack_slug(app_dir, packed, compression, true, note_untouched);
  if (!pack) {
    ::unlink(packed.c_str());
    return pack.error();
  }
  if (pack->size > in.settings.slug_size_limit) {
    ::unlink(packed.c_str());
    return util::error("Compiled slug size: " + util::human_size(pack->size) + " is too large (max is " +
                       util::human_size(in.settings.slug_size_limit) +
                       "); add large files to .slugignore or raise slug_size_limit");
  }
  spdlog::info("packed {} entries into {} bytes; {}", pack->files, pack->size, util::memory_summary());
  SlugRecord meta;
  meta.sha256 = pack->sha256;
  meta.size = pack->size;
  meta.compression = in.settings.compression;
  meta.process_types = types;
  meta.buildpack = framework;
  meta.commit = in.commit.id;
  SW_TRY_ASSIGN(SlugRecord slug, SlugStore(in.paths).adopt(packed, meta));
  util::fault_point("after-slug-written");
  exported.clear();
  if (auto saved = save_blob_manifest(SlugStore(in.paths).blobs(slug.id), manifest); !saved) {
    spdlog::warn("no blob manifest for slug {}: {}", slug.id, saved.error().message);
  }
  out.detail("Done: " + util::human_size(slug.size) + " (slug " + slug.id + ")");
  // The packed tree is the release's tree: normalized, it equals what the slug unpacks to.
  BuildResult result{slug, in.paths.tmp() + "/tree-" + std::to_string(::getpid())};
  if (::rename(app_dir.c_str(), result.tree.c_str()) != 0) {
    result.tree.clear(); // the release unpacks the slug instead
  }
  return result;
}

} // namespace slipway::core
