#include "main.hpp"

#include <cmd/command.hpp>
#include <cmd/help.hpp>
#include <cmd/std_output.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace slipway::cmd {

namespace {

// Diagnostics are off unless asked for: $SLIPWAY_LOG names a file, --verbose means stderr.
void
setup_logging(bool verbose)
{
  const char* file = std::getenv("SLIPWAY_LOG");
  try {
    if (file && *file) {
      spdlog::set_default_logger(spdlog::basic_logger_mt("slipway", file));
      spdlog::set_level(spdlog::level::debug);
    } else if (verbose) {
      spdlog::set_default_logger(spdlog::stderr_logger_mt("slipway"));
      spdlog::set_level(spdlog::level::debug);
    } else {
      spdlog::set_level(spdlog::level::off);
    }
  } catch (const spdlog::spdlog_ex&) {
    spdlog::set_level(spdlog::level::off);
  }
}

// Exporting a deeply nested tree holds one fd per level: use the hard limit, not the
// (often 1024) soft one.
void
raise_fd_limit()
{
  rlimit lim;
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

} // namespace

int
tool_main(int argc, char** argv, const CommandTable& table, const char* engine)
{
  std::signal(SIGPIPE, SIG_IGN);
  raise_fd_limit();
  StdOutput out;
  Context ctx;
  ctx.out = &out;
  ctx.root = core::default_root();
  bool verbose = false;

  auto fail = [&](const util::Error& e) {
    out.error_line("slipway: error: " + e.message);
    return e.exit_code;
  };
  auto hand_over = [&]() {
    ::execv(engine, argv);
    return fail(util::error(util::errno_message("cannot run the Slipway engine", engine) +
                            "; reinstall Slipway (make install) so that it sits beside " + argv[0]));
  };

  int i = 1;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--root" && i + 1 < argc) {
      ctx.root = argv[++i];
    } else if (arg.starts_with("--root=")) {
      ctx.root = arg.substr(arg.find('=') + 1);
    } else if (arg == "-v" || arg == "--verbose") {
      verbose = true;
    } else if (arg == "-h" || arg == "--help" || arg == "help") {
      if (engine) {
        return hand_over();
      }
      std::fputs(general_help(table).c_str(), stdout);
      return 0;
    } else if (arg == "--root") {
      return fail(util::error("option '--root' needs a directory", 2));
    } else if (arg.starts_with("-")) {
      return fail(util::error("unknown option '" + util::printable(arg) + "' (see 'slipway --help')", 2));
    } else {
      break;
    }
  }
  std::string name = i < argc ? argv[i] : "";
  const CommandSpec* spec = find_command(table, name);
  if (engine && !spec) {
    return hand_over();
  }
  setup_logging(verbose);
  if (i >= argc) {
    std::fputs(general_help(table).c_str(), stdout);
    return 2;
  }
  if (!spec) {
    std::string near = suggest_command(table, name);
    return fail(util::error("unknown command '" + util::printable(name) + "'" +
                                (near.empty() ? "" : "; did you mean '" + near + "'?") + " (see 'slipway --help')",
                            2));
  }
  ctx.spec = spec;
  auto parsed = parse_command_line(*spec, std::vector<std::string>(argv + i + 1, argv + argc), ctx);
  if (!parsed) {
    return fail(parsed.error());
  }
  if (!*parsed) {
    std::fputs(command_help(*spec).c_str(), stdout);
    return 0;
  }
  auto result = spec->run(ctx);
  if (!result) {
    return fail(result.error());
  }
  return *result;
}

} // namespace slipway::cmd
