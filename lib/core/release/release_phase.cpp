// The release phase: running the Procfile's release command before a release goes live.
//
// Heroku runs `release:` in a one-off dyno with the new slug and config; the switch happens
// only if it exits 0. Here the command must see the release tree as its own (it may write
// there: caches, generated files, a migration's lock file), yet nothing it does may reach
// the release tree, which later releases share and which must stay what the slug unpacks to.
//
// So it runs in a throwaway copy, made the cheapest way the machine allows
// (core/release/release_scratch.cpp). As root the copy is an overlay view (util/overlay_view.cpp):
// in a private mount namespace of the command's own, the release tree is attached read-only
// through an idmapped mount that shows root's files as the app user's, and an overlay puts an
// empty upper directory over it to take every write. It costs the same for any app size and
// disappears with the command's processes. Kernels without idmapped overlay layers refuse it
// at the mount; the supervisor then reports that nothing ran (ProcessResult::view_failed),
// and this file makes a link farm instead (the app user's directories, hard links to root's
// read-only files) and runs the command again. Without root the slug is simply unpacked.
//
// The runner file (release.pid) names the supervisor while the command runs, so that
// `releases:cancel` can stop it; the log gets every line as it is written.
#include "release_phase.hpp"

#include <core/app/dyno_size.hpp>
#include <core/release/release_scratch.hpp>
#include <util/file_output.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <optional>

namespace slipway::core {

namespace {

// Fixed code: the command reaches bash only as $1, run by eval after .profile.d.
const char* const k_prelude =
    "for __slipway_f in \"$HOME\"/.profile.d/*.sh; do [ -r \"$__slipway_f\" ] && . \"$__slipway_f\"; done; "
    "unset __slipway_f; eval \"$1\"";

util::ProcessSpec
release_spec(const ReleasePhaseInput& in, const ReleaseScratch& scratch)
{
  util::ProcessSpec spec;
  spec.argv = profile_command(in.command, "slipway-release");
  spec.cwd = scratch.app_dir;
  spec.timeout_seconds = in.timeout;
  spec.kill_grace_seconds = in.kill_grace;
  if (in.user) {
    spec.drop_privileges = true;
    spec.uid = in.user->uid;
    spec.gid = in.user->gid;
    spec.max_processes = in.max_processes;
  }
  spec.view = scratch.view ? &*scratch.view : nullptr;
  spec.env = dyno_environment(in.config, scratch.app_dir, in.dyno);
  spec.interactive = in.interactive;
  return spec;
}

// Make a copy of the kind asked for, run the command there, remove the copy.
util::Result<util::ProcessResult>
run_in_scratch(const ReleasePhaseInput& in, ScratchKind kind, util::FileOutput* log, util::Output& out)
{
  std::string dir = in.scratch_dir.empty() ? in.paths->release_scratch(in.version) : in.scratch_dir;
  auto scratch = make_release_scratch(*in.paths, dir, in.tree, in.tarball, in.user, kind);
  if (!scratch) {
    return util::error("cannot copy the release for its release phase: " + scratch.error().message);
  }
  util::ProcessSpec spec = release_spec(in, *scratch);
  // As the app's user it runs at the app's dyno_size, and what it leaves goes with its cgroups.
  auto cgroups = in.user ? command_cgroups(*in.paths, in.dyno) : util::Result<util::CommandCgroups>(util::CommandCgroups());
  if (!cgroups) {
    remove_release_scratch(*scratch);
    return util::error("cannot limit the command to the app's dyno_size: " + cgroups.error().message);
  }
  spec.cgroup_procs_fds = cgroups->procs_fds();
  auto result = util::run_process(
      spec,
      [&](std::string_view line) {
        if (log) {
          log->line(line);
        }
        out.line(line);
      },
      [&](pid_t supervisor) {
        if (!in.runner_path.empty()) {
          (void)util::write_file_atomic(
              in.runner_path, std::to_string(supervisor) + " " + util::process_start_time(supervisor) + "\n", 0640);
        }
      });
  if (!in.runner_path.empty()) {
    ::unlink(in.runner_path.c_str());
  }
  remove_release_scratch(*scratch);
  if (!result) {
    return util::error("release command could not start: " + result.error().message);
  }
  result->out_of_memory = cgroups->oom_kills() > 0;
  return result;
}

} // namespace

std::vector<std::string>
dyno_environment(const ConfigVars& config, const std::string& home, const std::string& dyno, int port)
{
  std::vector<std::string> env;
  bool has_path = false;
  for (const auto& [k, v] : config) {
    if (k == "HOME" || k == "DYNO" || (port && k == "PORT")) {
      continue;
    }
    has_path = has_path || k == "PATH";
    env.push_back(k + "=" + v);
  }
  if (!has_path) {
    env.push_back("PATH=/usr/local/bin:/usr/bin:/bin");
  }
  env.push_back("HOME=" + home);
  env.push_back("DYNO=" + dyno);
  if (port) {
    env.push_back("PORT=" + std::to_string(port));
  }
  return env;
}

std::vector<std::string>
profile_command(const std::string& command, const std::string& label, bool wait_on_term)
{
  return {"bash", "-c", std::string(wait_on_term ? "trap : TERM; " : "") + k_prelude, label, command};
}

util::Result<util::ProcessResult>
run_release_phase(const ReleasePhaseInput& in, util::Output& out)
{
  std::optional<util::FileOutput> log;
  if (!in.log_path.empty()) {
    SW_TRY_ASSIGN(log, util::FileOutput::open(in.log_path));
  }
  util::FileOutput* log_ptr = log ? &*log : nullptr;
  SW_TRY_ASSIGN(auto result, run_in_scratch(in, ScratchKind::overlay, log_ptr, out));
  if (result.view_failed) {
    // Nothing ran: this kernel cannot make the overlay. A link farm instead.
    spdlog::warn("v{}: no overlay for the release phase ({}); copying", in.version, result.view_error);
    SW_TRY_ASSIGN(result, run_in_scratch(in, ScratchKind::links, log_ptr, out));
  }
  return result;
}

} // namespace slipway::core
