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

#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>

namespace slipway::core {

namespace {

// The build's staging area, tmp/build-PID. Root owns the directory itself, so the app's user
// can never rename or replace what is in it: `app` (the build dir, the user's), `home` (the
// user's), `env` (ENV_DIR, root's, readable by the app's group) and `buildpacks/N` (copies
// made by root before any app code runs, then handed to the user). Closed (0700) except
// while the buildpacks run.
struct BuildArea
{
  std::string dir, app, env, home;
  util::Fd fd;
  std::optional<AppUser> user;

  std::string
  buildpack(size_t index) const
  {
    return dir + "/buildpacks/" + std::to_string(index);
  }
  ~BuildArea() { (void)util::remove_tree(dir); }

  // Let the app's user in (the buildpacks run) or shut it out again (root takes over).
  util::Status
  open_to_user(bool open) const
  {
    if (!user) {
      return {};
    }
    if (::fchown(fd.get(), 0, open ? user->gid : 0) != 0 || ::fchmod(fd.get(), open ? 0750 : 0700) != 0) {
      return util::error(util::errno_message("cannot change the access to", dir));
    }
    return {};
  }
};

util::Result<std::unique_ptr<BuildArea>>
make_build_area(const AppPaths& paths, const std::optional<AppUser>& user)
{
  auto area = std::make_unique<BuildArea>();
  area->dir = paths.build_area(::getpid());
  area->app = area->dir + "/app";
  area->env = area->dir + "/env";
  area->home = area->dir + "/home";
  area->user = user;
  SW_TRY(util::remove_tree(area->dir));
  SW_TRY(util::make_dirs(paths.tmp(), 0750));
  SW_TRY(util::make_dir(area->dir, 0700));
  area->fd.reset(::open(area->dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!area->fd) {
    return util::error(util::errno_message("cannot open", area->dir));
  }
  SW_TRY(util::make_dir(area->app, 0755));
  SW_TRY(util::make_dir(area->home, 0700));
  SW_TRY(util::make_dir(area->dir + "/buildpacks", 0755));
  if (user) {
    // Nothing of the user's runs yet and the area is closed: these paths are root's alone.
    for (const auto& d : {area->app, area->home}) {
      if (::chown(d.c_str(), user->uid, user->gid) != 0) {
        return util::error(util::errno_message("cannot give the build directory to the app's user", d));
      }
    }
  }
  return area;
}

// ENV_DIR: one file per config var, root's, readable by the app's group.
util::Status
write_env_dir(const BuildArea& area, const ConfigVars& config)
{
  SW_TRY(util::make_dir(area.env, 0750));
  for (const auto& [k, v] : config) {
    SW_TRY(util::write_file_atomic(area.env + "/" + k, v, 0640, false));
  }
  return area.user ? util::chown_tree(area.env, 0, area.user->gid) : util::Status();
}

// Copy a buildpack into the staging area before any app code runs: it may write its
// `export` file there, the app's user can read it wherever the original lives, and the
// original is never touched.
util::Result<buildpack::Buildpack>
stage(const buildpack::Buildpack& bp, const BuildArea& area, size_t index)
{
  std::string dest = area.buildpack(index);
  std::error_code ec;
  std::filesystem::copy(bp.dir, dest,
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks, ec);
  if (ec) {
    return util::error("cannot stage buildpack '" + bp.name + "': " + ec.message());
  }
  SW_TRY(util::remove_tree(dest + "/.git"));
  if (area.user) {
    SW_TRY(util::chown_tree(dest, area.user->uid, area.user->gid));
  }
  return buildpack::Buildpack{bp.name, dest};
}

// Every buildpack of the plan, staged before any app code runs.
util::Result<std::vector<buildpack::Buildpack>>
stage_buildpacks(const BuildpackPlan& plan, const BuildArea& area)
{
  std::vector<buildpack::Buildpack> staged;
  for (size_t i = 0; i < plan.candidates.size(); ++i) {
    SW_TRY_ASSIGN(auto bp, stage(plan.candidates[i], area, i));
    staged.push_back(bp);
  }
  return staged;
}

// bin/detect: the first built-in that accepts the app, or every requested one in turn.
util::Result<std::vector<buildpack::Buildpack>>
detect_buildpacks(const BuildInput& in,
                  const std::vector<buildpack::Buildpack>& staged,
                  bool detecting,
                  const BuildArea& area,
                  const buildpack::RunEnv& env,
                  util::Output& out,
                  std::string& framework)
{
  std::vector<buildpack::Buildpack> chosen;
  for (const auto& bp : staged) {
    SW_TRY_ASSIGN(auto name, buildpack::detect(bp, area.app, env, out));
    if (!name && detecting) {
      continue;
    }
    if (!name) {
      return util::error("app not compatible with buildpack: " + bp.name + " (its bin/detect exited non-zero)");
    }
    framework = *name;
    out.step(*name + " app detected");
    chosen.push_back(bp);
    if (detecting) {
      return chosen;
    }
  }
  if (chosen.empty()) {
    return util::error("no default language could be detected for this app; add a Procfile, "
                       "or set BUILDPACK_URL (slipway config:set BUILDPACK_URL=... -a " +
                       in.paths.name() + ")");
  }
  return chosen;
}

// The Procfile of the app open as `app`, a directory already taken (its names cannot change):
// a regular file of `owner`'s with no other name, read through its fd.
util::Result<ProcessTypes>
read_procfile(int app, uid_t owner, bool& present)
{
  struct stat st;
  present = ::fstatat(app, "Procfile", &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (!present) {
    return ProcessTypes{};
  }
  util::Fd fd(::openat(app, "Procfile", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!S_ISREG(st.st_mode) || !fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return util::error("Procfile is not a regular file (a symlink or a directory); commit the Procfile itself");
  }
  if (st.st_uid != owner || st.st_nlink != 1) {
    return util::error("Procfile is not a file of the app's own (another owner, or other hard links)");
  }
  SW_TRY_ASSIGN(std::string text, util::read_fd(fd.get(), "Procfile"));
  return parse_procfile(text, "Procfile");
}

// Legacy `config_vars` from bin/release go into .profile.d/00_config_vars.sh, written by
// root into the taken-over tree without following any link.
util::Status
write_legacy_config_vars(int app, const std::map<std::string, std::string>& vars)
{
  if (vars.empty()) {
    return {};
  }
  std::string script;
  for (const auto& [k, v] : vars) {
    SW_TRY(validate_config_key(k));
    script += "export " + k + "=\"${" + k + ":-" + "$(printf %s " + util::shell_quote(v) + ")}\"\n";
  }
  if (::mkdirat(app, ".profile.d", 0755) != 0 && errno != EEXIST) {
    return util::error(util::errno_message("cannot create", "app/.profile.d"));
  }
  util::Fd dir(::openat(app, ".profile.d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) {
    return util::error("app/.profile.d is not a directory; bin/release's config_vars need one");
  }
  const char* name = "00_config_vars.sh";
  if (::unlinkat(dir.get(), name, 0) != 0 && errno != ENOENT) {
    return util::error(util::errno_message("cannot replace", "app/.profile.d/00_config_vars.sh"));
  }
  util::Fd file(::openat(dir.get(), name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!file) {
    return util::error(util::errno_message("cannot write", "app/.profile.d/00_config_vars.sh"));
  }
  return util::write_fd(file.get(), script, "app/.profile.d/00_config_vars.sh");
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
  auto tree = store.tree_owner(*current);
  if (!record || record->slug_id.empty() || !tree) {
    return std::nullopt;
  }
  auto blobs = load_blob_manifest(SlugStore(paths).blobs(record->slug_id));
  if (!blobs) {
    return std::nullopt;
  }
  std::string dir = store.dir(*tree) + "/" + ReleaseFiles::app;
  util::Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    return std::nullopt;
  }
  return ReuseSource{std::move(fd), std::move(*blobs)};
}

// Export the commit's tree into the closed build area, already owned by the app's user;
// files the current release's tree holds unchanged from git are copied from there.
util::Result<git::ExportedFiles>
export_source(const BuildInput& in, const BuildArea& area, util::Output& out)
{
  git::ExportedFiles exported;
  git::ExportOptions options;
  if (area.user) {
    options.owner = {static_cast<long>(area.user->uid), area.user->gid};
  }
  options.record = &exported;
  auto reuse = reuse_source(in.paths);
  if (reuse) {
    options.reuse_dir = reuse->dir.get();
    options.reuse = &reuse->blobs;
  }
  SW_TRY_ASSIGN(auto stats,
                git::export_tree(
                    in.repo, in.commit.tree_id, area.app, [&](const std::string& w) { out.warn(w); }, options));
  reuse.reset();
  // Nothing more is read from git: its caches and the export's garbage go back to the
  // system before packing needs memory of its own.
  git::release_memory(in.repo);
  ::malloc_trim(0);
  spdlog::info("exported {} files ({} copied from the current release), {} bytes; {}", stats.files, stats.reused,
               stats.bytes, util::memory_summary());
  return exported;
}

// .slugignore, applied by root while the area is still closed to everyone else.
util::Status
apply_slugignore_file(const BuildArea& area, util::Output& out)
{
  if (!util::path_exists(area.app + "/.slugignore")) {
    return {};
  }
  SW_TRY_ASSIGN(std::string text, util::read_file(area.app + "/.slugignore"));
  auto ignore = parse_slugignore(text);
  for (const auto& w : ignore.warnings) {
    out.warn(w);
  }
  SW_TRY_ASSIGN(unsigned long removed, apply_slugignore(ignore, area.app));
  out.step("Deleting " + std::to_string(removed) + " files matching .slugignore patterns.");
  return {};
}

// From here on buildpack code runs: what it changes carries this ctime or a later one, which
// no exported file has. Without a fence no file can be vouched for (an empty manifest).
std::optional<timespec>
export_fence(const BuildArea& area, const git::ExportedFiles& exported)
{
  timespec last_export{};
  for (const auto& [rel, file] : exported) {
    if (util::earlier(last_export, file.ctime)) {
      last_export = file.ctime;
    }
  }
  auto fence = util::change_time_fence(area.app, last_export);
  if (!fence) {
    spdlog::warn("no blob manifest: {}", fence.error().message);
    return std::nullopt;
  }
  return *fence;
}

// Passes output on and notes whether a line named the stack: a buildpack that fails after
// that most likely refused it (Heroku's say "The 'debian-12' stack isn't recognised").
class StackWatch : public util::Output
{
public:
  StackWatch(util::Output& out, std::string stack) : m_out(out), m_stack("'" + std::move(stack) + "'") {}
  void
  line(std::string_view text) override
  {
    m_seen = m_seen || text.find(m_stack) != std::string_view::npos;
    m_out.line(text);
  }
  void
  error_line(std::string_view text) override
  {
    m_seen = m_seen || text.find(m_stack) != std::string_view::npos;
    m_out.error_line(text);
  }
  bool
  seen() const
  {
    return m_seen;
  }

private:
  util::Output& m_out;
  std::string m_stack;
  bool m_seen = false;
};

// bin/compile of each buildpack, then bin/release: as the app's user.
util::Result<buildpack::ReleaseInfo>
compile_and_release(const BuildInput& in,
                    const std::vector<buildpack::Buildpack>& packs,
                    const BuildArea& area,
                    const buildpack::RunEnv& env,
                    util::Output& out)
{
  std::vector<std::string> exports;
  std::string stack = app_stack(in.settings);
  StackWatch watch(out, stack);
  util::FaultOnLine compile_out(watch, "during-compile");
  for (const auto& bp : packs) {
    SW_TRY_ASSIGN(auto result, buildpack::compile(bp, area.app, in.paths.cache(), area.env, exports, env, compile_out));
    if (!result.success() && watch.seen()) {
      return util::error("failed to compile app with buildpack '" + bp.name + "': bin/compile " +
                         result.describe(env.timeout) + " after naming the stack '" + stack +
                         "'; if it does not support it, pick one it does: slipway settings:set stack=heroku-22 -a " +
                         in.paths.name());
    }
    if (!result.success()) {
      return util::error("failed to compile app with buildpack '" + bp.name + "': bin/compile " +
                         result.describe(env.timeout) + "; see the output above");
    }
    exports.push_back(bp.export_file()); // sourced by the next ones where it exists
  }
  spdlog::info("compiled");
  // As on Heroku only the last buildpack's bin/release counts; the types the others offer
  // are asked for only to say which of them are dropped.
  std::vector<std::pair<std::string, buildpack::ReleaseInfo>> earlier;
  for (size_t i = 0; i + 1 < packs.size(); ++i) {
    util::NullOutput quiet;
    auto info = buildpack::release(packs[i], area.app, env, quiet);
    if (info) {
      earlier.emplace_back(packs[i].name, *info);
    }
  }
  SW_TRY_ASSIGN(auto last, buildpack::release(packs.back(), area.app, env, out));
  for (const auto& [name, info] : earlier) {
    for (const auto& [type, command] : info.default_process_types) {
      if (!last.default_process_types.count(type)) {
        out.warn("buildpack '" + name + "' offers process type '" + type +
                 "', which is dropped: only the last buildpack's bin/release counts; declare it in the Procfile");
      }
    }
  }
  return last;
}

// The process types: the Procfile (see read_procfile) over the buildpack's defaults.
util::Result<ProcessTypes>
discover_process_types(int app, uid_t owner, const buildpack::ReleaseInfo& release_info, util::Output& out)
{
  bool has_procfile = false;
  SW_TRY_ASSIGN(ProcessTypes declared, read_procfile(app, owner, has_procfile));
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
  return types;
}

} // namespace

util::Result<BuildResult>
build_slug(const BuildInput& in, util::Output& out)
{
  spdlog::info("build of {} started; {}", in.commit.id, util::memory_summary());
  SW_TRY(check_root_reachable(in.paths.root()));
  auto user = app_user(in.paths.name());
  if (user) {
    SW_TRY(grant_app_directory(in.paths, *user));
  }
  SW_TRY_ASSIGN(auto area, make_build_area(in.paths, user));
  SW_TRY(util::make_dirs(in.paths.cache(), 0750));
  buildpack::RunEnv env;
  env.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
             "HOME=" + area->home,
             "LANG=C.UTF-8",
             "TMPDIR=" + area->home,
             "STACK=" + app_stack(in.settings),
             "SOURCE_VERSION=" + in.commit.id};
  env.timeout = static_cast<double>(in.settings.build_timeout);
  env.kill_grace = static_cast<double>(in.settings.kill_grace);
  if (user) {
    env.drop_privileges = true;
    env.uid = user->uid;
    env.gid = user->gid;
  }

  // 1. Root alone, the area closed: the source, .slugignore, ENV_DIR, the buildpacks.
  SW_TRY_ASSIGN(auto exported, export_source(in, *area, out));
  util::fault_point("after-tree-read");
  SW_TRY(apply_slugignore_file(*area, out));
  SW_TRY(write_env_dir(*area, in.config));
  auto fence = export_fence(*area, exported);
  SW_TRY_ASSIGN(auto staged, stage_buildpacks(in.buildpacks, *area));

  // 2. The app's user: detect, compile, release. Its processes are all gone when each ends.
  SW_TRY(area->open_to_user(true));
  std::string framework;
  SW_TRY_ASSIGN(auto packs, detect_buildpacks(in, staged, in.buildpacks.detecting(), *area, env, out, framework));
  SW_TRY_ASSIGN(auto release_info, compile_and_release(in, packs, *area, env, out));
  SW_TRY(area->open_to_user(false));

  // 3. Root takes the tree back before reading it, then packs it: the top directory first (so
  // no name in it can be swapped), and every entry in the same walk as the packing, unless
  // bin/release's config_vars must be written into .profile.d first. Files still as exported
  // go into the slug's blob manifest, for the next build to copy.
  util::Fd app(::openat(area->fd.get(), "app", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!app) {
    return util::error(util::errno_message("cannot open the built app", area->app));
  }
  std::string manifest;
  archive::TakeOptions take;
  take.owner = user ? user->uid : ::geteuid();
  take.on_file = [&](const std::string& rel, const struct stat& st) {
    auto it = exported.find(std::hash<std::string>{}(rel));
    if (fence && it != exported.end() && unchanged_since_export(it->second, st, *fence)) {
      add_blob_record(manifest, it->second.blob, rel);
    }
  };
  SW_TRY(archive::take_top(app.get(), take));
  bool taken = !release_info.config_vars.empty();
  if (taken) {
    SW_TRY(archive::take_tree(app.get(), take));
    SW_TRY(write_legacy_config_vars(app.get(), release_info.config_vars));
  }
  uid_t owner = taken ? ::geteuid() : take.owner;
  SW_TRY_ASSIGN(ProcessTypes types, discover_process_types(app.get(), owner, release_info, out));

  archive::Compression compression = archive::Compression::zstd;
  archive::parse_compression(in.settings.compression, compression);
  out.step("Compressing...");
  SW_TRY(util::make_dir(in.paths.slugs(), 0750, true));
  std::string packed = in.paths.packed_slug(::getpid());
  ::unlink(packed.c_str());
  // Packing also normalizes the tree's times: it becomes the release's tree (see below).
  auto pack = archive::pack_slug(area->app, packed, compression, true, {}, taken ? nullptr : &take);
  exported.clear();
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
  if (auto saved = save_blob_manifest(SlugStore(in.paths).blobs(slug.id), manifest); !saved) {
    spdlog::warn("no blob manifest for slug {}: {}", slug.id, saved.error().message);
  }
  out.detail("Done: " + util::human_size(slug.size) + " (slug " + slug.id + ")");
  // The packed tree is the release's tree: normalized, it equals what the slug unpacks to.
  BuildResult result{slug, in.paths.built_tree(::getpid())};
  if (::rename(area->app.c_str(), result.tree.c_str()) != 0) {
    result.tree.clear(); // the release unpacks the slug instead
  }
  return result;
}

} // namespace slipway::core
