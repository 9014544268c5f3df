// slipway config:set, config:unset: each change is a release (core/ops/config_change.hpp).
#include <cmd/command.hpp>
#include <core/ops/config_change.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

#include <iostream>
#include <iterator>

namespace slipway::cmd {

// Shared by set and unset: apply, then say what happened in Heroku's words.
static util::Result<int>
apply(Context& ctx, const core::AppPaths& paths, const core::ConfigEdit& edit, const std::string& verb)
{
  std::vector<std::string> keys;
  for (const auto& [k, v] : edit) {
    keys.push_back(k);
  }
  auto on_created = [&](const core::ReleaseRecord& r) {
    ctx.out->line(fmt::format("{} {} on {}... done, v{}", verb, util::join(keys, ", "), paths.name(), r.version));
  };
  SW_TRY_ASSIGN(core::ConfigOutcome o,
                core::change_config(paths, edit, wait_for_lock(ctx, false), *ctx.out, on_created));
  if (o.changed.empty()) {
    ctx.out->line("No change: " + util::join(keys, ", ") + (keys.size() == 1 ? " is" : " are") +
                  (verb == "Setting"
                       ? " already set to " + std::string(keys.size() == 1 ? "that value" : "those values")
                       : " not set") +
                  "; no release created");
    return 0;
  }
  if (o.applied_without_release) {
    ctx.out->line(verb + " " + util::join(o.changed, ", ") + " on " + paths.name() +
                  "... done (nothing deployed yet: the first push will use it)");
    return 0;
  }
  if (!o.release->succeeded()) {
    ctx.out->warn("Config not changed: " + paths.name() + " keeps its previous config vars");
    return 1;
  }
  return 0;
}

static util::Result<int>
run_set(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  core::ConfigEdit edit;
  if (ctx.has("file")) {
    std::string file = ctx.get("file");
    std::string text;
    if (file == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      SW_TRY_ASSIGN(text, util::read_file(file));
    }
    SW_TRY_ASSIGN(core::ConfigVars vars, core::parse_env(text, file == "-" ? "stdin" : file));
    for (const auto& [k, v] : vars) {
      edit[k] = v;
    }
  }
  for (const auto& arg : ctx.args) {
    auto eq = arg.find('=');
    if (eq == std::string::npos) {
      return util::error("expected KEY=value, not '" + util::printable(arg) + "'", 2);
    }
    edit[arg.substr(0, eq)] = arg.substr(eq + 1);
  }
  return apply(ctx, paths, edit, "Setting");
}

static util::Result<int>
run_unset(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  core::ConfigEdit edit;
  for (const auto& key : ctx.args) {
    edit[key] = std::nullopt;
  }
  return apply(ctx, paths, edit, "Unsetting");
}

#define SLIPWAY_RELEASE_NOTE                                                                                           \
  "Each change is a new release on the current slug; its release phase runs with the new\n"                            \
  "config and must succeed before the change takes effect. If it fails, the config stays as\n"                         \
  "it was and the command exits 1. Values may hold any byte but NUL (at most 64K each)."

extern const CommandSpec k_cmd_config_set{
    "config:set",
    "KEY=value...",
    "set config vars (a new release)",
    "With --file, KEY=value lines are read from FILE ('-' for stdin); in values, \\n, \\r and \\\\\n"
    "stand for a newline, a carriage return and a backslash.\n\n" SLIPWAY_RELEASE_NOTE,
    {k_app_option, {"file", 0, "FILE", "read KEY=value lines from FILE, or - for stdin"}, k_wait_option},
    0,
    SIZE_MAX,
    run_set};

extern const CommandSpec k_cmd_config_unset{"config:unset",
                                            "KEY...",
                                            "remove config vars (a new release)",
                                            SLIPWAY_RELEASE_NOTE,
                                            {k_app_option, k_wait_option},
                                            1,
                                            SIZE_MAX,
                                            run_unset};

} // namespace slipway::cmd
