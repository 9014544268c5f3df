#include "release_phase.hpp"

#include <core/release_scratch.hpp>
#include <util/file_output.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>

#include <spdlog/spdlog.h>

#include <unistd.h>

namespace slipway::core {

namespace {

// Fixed code: the release command reaches bash only as $1, run by eval after .profile.d.
const char* const k_prelude =
    "for __slipway_f in \"$HOME\"/.profile.d/*.sh; do [ -r \"$__slipway_f\" ] && . \"$__slipway_f\"; done; "
    "unset __slipway_f; eval \"$1\"";

util::ProcessSpec
release_spec(const ReleasePhaseInput& in, const ReleaseScratch& scratch)
{
  util::ProcessSpec spec;
  spec.argv = {"bash", "-c", k_prelude, "slipway-release", in.command};
  spec.cwd = scratch.app_dir;
  spec.timeout_seconds = in.timeout;
  spec.kill_grace_seconds = in.kill_grace;
  if (in.user) {
    spec.drop_privileges = true;
    spec.uid = in.user->uid;
    spec.gid = in.user->gid;
  }
  spec.view = scratch.view ? &*scratch.view : nullptr;
  bool has_path = false;
  for (const auto& [k, v] : in.config) {
    if (k == "HOME" || k == "DYNO") {
      continue;
    }
    has_path = has_path || k == "PATH";
    spec.env.push_back(k + "=" + v);
  }
  if (!has_path) {
    spec.env.push_back("PATH=/usr/local/bin:/usr/bin:/bin");
  }
  spec.env.push_back("HOME=" + scratch.app_dir);
  spec.env.push_back("DYNO=release.1");
  return spec;
}

// Make a copy of the kind asked for, run the command there, remove the copy.
util::Result<util::ProcessResult>
run_in_scratch(const ReleasePhaseInput& in, ScratchKind kind, util::FileOutput& log, util::Output& out)
{
  auto scratch = make_release_scratch(*in.paths, in.version, in.tree, in.tarball, in.user, kind);
  if (!scratch) {
    return util::error("cannot copy the release for its release phase: " + scratch.error().message);
  }
  util::ProcessSpec spec = release_spec(in, *scratch);
  auto result = util::run_process(
      spec,
      [&](std::string_view line) {
        log.line(line);
        out.line(line);
      },
      [&](pid_t supervisor) {
        (void)util::write_file_atomic(
            in.runner_path, std::to_string(supervisor) + " " + util::process_start_time(supervisor) + "\n", 0640);
      });
  ::unlink(in.runner_path.c_str());
  remove_release_scratch(*scratch);
  if (!result) {
    return util::error("release command could not start: " + result.error().message);
  }
  return result;
}

} // namespace

util::Result<util::ProcessResult>
run_release_phase(const ReleasePhaseInput& in, util::Output& out)
{
  SW_TRY_ASSIGN(util::FileOutput log, util::FileOutput::open(in.log_path));
  SW_TRY_ASSIGN(auto result, run_in_scratch(in, ScratchKind::overlay, log, out));
  if (result.view_failed) {
    // Nothing ran: this kernel cannot make the overlay. A link farm instead.
    spdlog::warn("v{}: no overlay for the release phase ({}); copying", in.version, result.view_error);
    SW_TRY_ASSIGN(result, run_in_scratch(in, ScratchKind::links, log, out));
  }
  return result;
}

} // namespace slipway::core
