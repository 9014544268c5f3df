#include "slug_builder.hpp"

#include <archive/slug_pack.hpp>
#include <archive/tree_normalize.hpp>
#include <core/build/blob_manifest.hpp>
#include <core/build/build_area.hpp>
#include <core/app/dyno_size.hpp>
#include <core/app/resources.hpp>
#include <core/release/slug_adopt.hpp>
#include <core/slug/slug_store.hpp>
#include <core/build/slugignore.hpp>
#include <git/tree_export.hpp>
#include <util/fault.hpp>
#include <util/fs.hpp>
#include <util/memory.hpp>
#include <util/strings.hpp>

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <optional>

namespace slipway::core {

namespace {

// bin/detect: the first built-in that accepts the app, or every requested one in turn.
util::Result<std::vector<buildpack::Buildpack>>
detect_buildpacks(const BuildInput& in,
                  const std::vector<buildpack::Buildpack>& staged,
                  bool detecting,
                  const BuildArea& area,
                  const buildpack::RunOptions& env,
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
  options.files = &exported;
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
                    const buildpack::RunOptions& env,
                    util::Output& out)
{
  std::vector<std::string> exports;
  std::string stack = app_stack(in.settings);
  StackWatch watch(out, stack);
  util::FaultOnLine compile_out(watch, "during-compile");
  for (const auto& bp : packs) {
    SW_TRY_ASSIGN(auto result,
                  buildpack::compile(bp, area.app, in.paths.cache(), area.env_dir, exports, env, compile_out));
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

// The buildpacks' environment: the app's user's, HOME and TMPDIR in the area.
buildpack::RunOptions
buildpack_env(const BuildInput& in, const BuildArea& area)
{
  buildpack::RunOptions env;
  env.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
             "HOME=" + area.home,
             "LANG=C.UTF-8",
             "TMPDIR=" + area.home,
             "STACK=" + app_stack(in.settings),
             "SOURCE_VERSION=" + in.commit.id};
  env.timeout = static_cast<double>(in.settings.build_timeout);
  env.kill_grace = static_cast<double>(in.settings.kill_grace);
  if (area.user) {
    env.drop_privileges = true;
    env.uid = area.user->uid;
    env.gid = area.user->gid;
    env.max_processes = in.settings.process_limit;
  }
  return env;
}

struct Built
{
  std::string framework; // what bin/detect said, e.g. "Node.js"
  buildpack::ReleaseInfo release_info;
};

// Open the area to the app's user, run detect, compile and release as that user, close it.
util::Result<Built>
run_buildpacks(const BuildInput& in,
               const std::vector<buildpack::Buildpack>& staged,
               const BuildArea& area,
               util::Output& out)
{
  buildpack::RunOptions env = buildpack_env(in, area);
  util::CommandCgroups cgroups; // the app's dyno_size, for every step as the app's user
  if (area.user) {
    SW_TRY_ASSIGN(cgroups, command_cgroups(in.paths, "build"));
    env.cgroups = &cgroups;
  }
  Built built;
  SW_TRY(area.open_to_user(true));
  SW_TRY_ASSIGN(auto packs, detect_buildpacks(in, staged, in.buildpacks.detecting(), area, env, out, built.framework));
  SW_TRY_ASSIGN(built.release_info, compile_and_release(in, packs, area, env, out));
  SW_TRY(area.open_to_user(false));
  return built;
}

// The built app, open, and how far root has taken it back from the app's user.
struct Taken
{
  util::Fd app;
  archive::TakeOptions take; // for the packing walk, unless `whole`
  bool whole = false;        // every entry taken already
  uid_t owner = 0;           // who owns its entries now
};

// Take the top directory (so no name in it can be swapped); when bin/release gave legacy
// config_vars, the whole tree too, and write them into .profile.d. Every other entry is taken
// in the packing walk.
util::Result<Taken>
take_back(const BuildArea& area, const std::map<std::string, std::string>& legacy_config_vars)
{
  Taken t;
  t.app.reset(::openat(area.fd.get(), "app", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!t.app) {
    return util::error(util::errno_message("cannot open the built app", area.app));
  }
  t.take.owner = area.user ? area.user->uid : ::geteuid();
  SW_TRY(archive::take_top(t.app.get(), t.take));
  t.whole = !legacy_config_vars.empty();
  if (t.whole) {
    SW_TRY(archive::take_tree(t.app.get(), t.take));
    SW_TRY(write_profile_config_vars(t.app.get(), legacy_config_vars));
  }
  t.owner = t.whole ? ::geteuid() : t.take.owner;
  return t;
}

struct Packed
{
  std::string path; // the tarball, in tmp/ until stored
  archive::PackResult result;
  std::string manifest; // blob_manifest.hpp
};

// Pack the tree (taking back and normalizing each entry in the same walk), stopping as soon as
// the slug passes the size limit; files still as exported go into the blob manifest.
util::Result<Packed>
pack_tree(const BuildInput& in,
          const BuildArea& area,
          Taken& taken,
          git::ExportedFiles& exported,
          const std::optional<timespec>& fence,
          util::Output& out)
{
  archive::Compression compression = archive::Compression::zstd;
  archive::parse_compression(in.settings.compression, compression);
  out.step("Compressing...");
  Packed packed;
  packed.path = in.paths.packed_slug(::getpid());
  ::unlink(packed.path.c_str());
  archive::PackOptions options;
  options.normalize = true; // the packed tree becomes the release's tree (hand_over_tree)
  options.take = taken.whole ? nullptr : &taken.take;
  options.max_size = in.settings.slug_size_limit;
  options.on_file = [&](const std::string& rel, const struct stat& st) {
    auto it = exported.find(std::hash<std::string>{}(rel));
    if (fence && it != exported.end() && unchanged_since_export(it->second, st, *fence)) {
      add_blob_entry(packed.manifest, it->second.blob, rel);
    }
  };
  auto result = archive::pack_slug(area.app, packed.path, compression, options);
  exported.clear();
  if (!result || result->too_large) {
    ::unlink(packed.path.c_str());
  }
  if (!result) {
    return result.error();
  }
  if (result->too_large) {
    return util::error("Compiled slug size: " + util::human_size(result->size) + " is too large (max is " +
                       util::human_size(in.settings.slug_size_limit) +
                       "), packing stopped there; add large files to .slugignore or raise slug_size_limit");
  }
  spdlog::info("packed {} entries into {} bytes; {}", result->files, result->size, util::memory_summary());
  packed.result = *result;
  return packed;
}

// Store the tarball by its content id, with its record and blob manifest.
util::Result<SlugRecord>
store_slug(const BuildInput& in,
           const Packed& packed,
           const ProcessTypes& types,
           const std::string& framework,
           util::Output& out)
{
  SlugRecord meta;
  meta.sha256 = packed.result.sha256;
  meta.size = packed.result.size;
  meta.compression = in.settings.compression;
  meta.process_types = types;
  meta.buildpack = framework;
  meta.commit = in.commit.id;
  SW_TRY(util::make_dir(in.paths.slugs(), 0750, true));
  SW_TRY_ASSIGN(SlugRecord slug, adopt_slug(in.paths, packed.path, meta));
  util::fault_point("after-slug-written");
  if (auto saved = save_blob_manifest(SlugStore(in.paths).blobs(slug.id), packed.manifest); !saved) {
    spdlog::warn("no blob manifest for slug {}: {}", slug.id, saved.error().message);
  }
  out.detail("Done: " + util::human_size(slug.size) + " (slug " + slug.id + ")");
  return slug;
}

// The packed tree, normalized, equals what the slug unpacks to: it waits in tmp/ for the
// release to rename it into place (else the release unpacks the slug).
BuildResult
hand_over_tree(const AppPaths& paths, const BuildArea& area, const SlugRecord& slug)
{
  BuildResult result{slug, paths.built_tree(::getpid())};
  if (::rename(area.app.c_str(), result.tree.c_str()) != 0) {
    result.tree.clear();
  }
  return result;
}

} // namespace

util::Result<BuildResult>
build_slug(const BuildInput& in, util::Output& out)
{
  spdlog::info("build of {} started; {}", in.commit.id, util::memory_summary());
  // Root alone, the area closed: the source, .slugignore, ENV_DIR, the buildpacks.
  SW_TRY_ASSIGN(auto area, open_build_area(in.paths));
  SW_TRY_ASSIGN(auto exported, export_source(in, *area, out));
  util::fault_point("after-tree-read");
  SW_TRY(apply_slugignore_file(area->app, out));
  SW_TRY(write_env_dir(*area, in.config));
  auto fence = export_fence(area->app, exported);
  SW_TRY_ASSIGN(auto staged, stage_buildpacks(in.buildpacks, *area));
  // The app's user: detect, compile, release. Its processes are all gone when each ends.
  SW_TRY_ASSIGN(Built built, run_buildpacks(in, staged, *area, out));
  // Root again: take the tree back, read the Procfile, pack, store.
  SW_TRY_ASSIGN(Taken taken, take_back(*area, built.release_info.config_vars));
  SW_TRY_ASSIGN(ProcessTypes types,
                discover_process_types(taken.app.get(), taken.owner, built.release_info.default_process_types, out));
  SW_TRY_ASSIGN(Packed packed, pack_tree(in, *area, taken, exported, fence, out));
  SW_TRY_ASSIGN(SlugRecord slug, store_slug(in, packed, types, built.framework, out));
  return hand_over_tree(in.paths, *area, slug);
}

} // namespace slipway::core
