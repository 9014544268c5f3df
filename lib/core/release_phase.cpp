#include "release_phase.hpp"

#include <util/file_output.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>

#include <unistd.h>

namespace slipway::core {

// Fixed code: the release command reaches bash only as $1, run by eval after .profile.d.
static const char* const k_prelude =
    "for __slipway_f in \"$HOME\"/.profile.d/*.sh; do [ -r \"$__slipway_f\" ] && . \"$__slipway_f\"; done; "
    "unset __slipway_f; eval \"$1\"";

util::Result<util::ProcessResult>
run_release_phase(const ReleasePhaseInput& in, util::Output& out)
{
  SW_TRY_ASSIGN(util::FileOutput log, util::FileOutput::open(in.log_path));
  util::ProcessSpec spec;
  spec.argv = {"bash", "-c", k_prelude, "slipway-release", in.command};
  spec.cwd = in.app_dir;
  spec.timeout_seconds = in.timeout;
  spec.kill_grace_seconds = in.kill_grace;
  spec.drop_privileges = in.drop_privileges;
  spec.uid = in.uid;
  spec.gid = in.gid;
  spec.view = in.view;
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
  spec.env.push_back("HOME=" + in.app_dir);
  spec.env.push_back("DYNO=release.1");
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
  return result;
}

} // namespace slipway::core
