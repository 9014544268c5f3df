// slipway releases:output [vN]: the release phase's output; follows it while it runs.
#include <cmd/release_view.hpp>
#include <util/fd.hpp>

#include <fcntl.h>
#include <unistd.h>

namespace slipway::cmd {

// Copy what `fd` has beyond the current offset to stdout.
static void
drain(int fd)
{
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    if (::write(1, buf, static_cast<size_t>(n)) < 0) {
      return;
    }
  }
}

static util::Result<int>
run_output(Context& ctx)
{
  SW_TRY_ASSIGN(ChosenRelease chosen, release_argument(ctx));
  auto& [store, r] = chosen;
  unsigned long v = r.version;
  std::string name = core::version_name(v);
  if (r.release_command.empty()) {
    ctx.out->warn("Release " + name + " has no release output available: its slug declares no release command.");
    return 0;
  }
  std::string log = store.dir(v) + "/" + core::ReleaseFiles::log;
  util::Fd fd(::open(log.c_str(), O_RDONLY | O_CLOEXEC));
  while (!fd && r.status == core::ReleaseStatus::pending && !r.interrupted) {
    ::usleep(100 * 1000); // the release phase has not started yet
    fd.reset(::open(log.c_str(), O_RDONLY | O_CLOEXEC));
    SW_TRY_ASSIGN(r, store.load(v));
  }
  if (fd) {
    drain(fd.get());
    while (r.status == core::ReleaseStatus::pending && !r.interrupted) {
      ::usleep(100 * 1000);
      drain(fd.get());
      SW_TRY_ASSIGN(r, store.load(v));
    }
    drain(fd.get());
  }
  if (r.effective_status() == core::ReleaseStatus::failed) {
    ctx.out->warn("Release " + name + " failed: " + (r.failure.empty() ? std::string("interrupted") : r.failure));
  }
  return 0;
}

extern const CommandSpec k_cmd_releases_output{
    "releases:output",
    "[vN]",
    "show a release phase's output (default: the newest release)",
    "While that release phase still runs, the output is followed to its end.",
    {k_app_option},
    0,
    1,
    run_output};

} // namespace slipway::cmd
