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

const OptionSpec*
find_option(const CommandSpec& spec, const std::string& long_name, char short_name)
{
  for (const auto& o : spec.options) {
    if ((!long_name.empty() && long_name == o.long_name) || (short_name && short_name == o.short_name)) {
      return &o;
    }
  }
  return nullptr;
}

util::Error
usage(const CommandSpec& spec, const std::string& what)
{
  return util::error(what + " (see 'slipway " + std::string(spec.name) + " --help')", 2);
}

// Fill ctx.options and ctx.args from argv[i..]. Returns false (no error) when --help was asked.
util::Result<bool>
parse_command_line(const CommandSpec& spec, int argc, char** argv, int i, Context& ctx)
{
  bool options_done = false;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (options_done || arg == "-" || arg.empty() || arg[0] != '-') {
      ctx.args.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      return false;
    }
    std::string name, value;
    bool has_value = false;
    const OptionSpec* opt = nullptr;
    if (arg.starts_with("--")) {
      name = arg.substr(2);
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      opt = find_option(spec, name, 0);
    } else {
      opt = find_option(spec, "", arg[1]);
      if (arg.size() > 2) {
        value = arg.substr(2);
        has_value = true;
      }
    }
    if (!opt) {
      // "-1" and friends are arguments (bad versions get their own error), not options.
      if (arg.size() > 1 && (std::isdigit(static_cast<unsigned char>(arg[1])) || arg == "-v")) {
        ctx.args.push_back(arg);
        continue;
      }
      return usage(spec, "unknown option '" + util::printable(arg) + "' for '" + spec.name + "'");
    }
    if (opt->value_name && !has_value) {
      if (i + 1 >= argc) {
        return usage(spec, "option '--" + std::string(opt->long_name) + "' needs a value " + opt->value_name);
      }
      value = argv[++i];
    } else if (!opt->value_name && has_value) {
      return usage(spec, "option '--" + std::string(opt->long_name) + "' takes no value");
    }
    if (opt->list) {
      for (const auto& item : util::split(value, ',')) {
        if (util::trim(item).empty()) {
          return usage(spec, "option '--" + std::string(opt->long_name) + "' needs " + opt->value_name +
                                 " as comma-separated names, without empty ones");
        }
      }
    }
    ctx.options[opt->long_name] = value;
  }
  for (const auto& o : spec.options) {
    if (o.required && ctx.get(o.long_name).empty()) {
      return usage(spec, "'" + std::string(spec.name) + "' needs --" + o.long_name + " " + o.value_name);
    }
  }
  if (ctx.args.size() < spec.min_args) {
    return usage(spec, "'" + std::string(spec.name) + "' needs " + (*spec.args ? spec.args : "more arguments"));
  }
  if (ctx.args.size() > spec.max_args) {
    return usage(spec, "too many arguments for '" + std::string(spec.name) + "': '" +
                           util::printable(ctx.args[spec.max_args]) + "'");
  }
  return true;
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
  auto parsed = parse_command_line(*spec, argc, argv, i + 1, ctx);
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
