#include "runner.hpp"

#include <util/strings.hpp>
#include <yaml/yaml_io.hpp>

#include <unistd.h>

namespace slipway::buildpack {

namespace {

util::Status
require_executable(const Buildpack& bp, const std::string& script)
{
  if (::access((bp.dir + "/bin/" + script).c_str(), X_OK) != 0) {
    return util::error("buildpack '" + bp.name + "' has no executable bin/" + script);
  }
  return {};
}

util::ProcessSpec
spec_for(const RunEnv& env, std::vector<std::string> argv, const std::string& cwd)
{
  util::ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.env = env.env;
  spec.cwd = cwd;
  spec.timeout_seconds = env.timeout;
  spec.kill_grace_seconds = env.kill_grace;
  spec.drop_privileges = env.drop_privileges;
  spec.uid = env.uid;
  spec.gid = env.gid;
  return spec;
}

// Run bin/SCRIPT BUILD_DIR with stdout captured and stderr streamed to `out`.
util::Result<util::ProcessResult>
run_captured(
    const Buildpack& bp, const std::string& script, const std::string& build_dir, const RunEnv& env, util::Output& out)
{
  SW_TRY(require_executable(bp, script));
  auto spec = spec_for(env, {bp.dir + "/bin/" + script, build_dir}, build_dir);
  spec.capture_stdout = true;
  return util::run_process(spec, [&](std::string_view line) { out.line(line); });
}

} // namespace

util::Result<std::optional<std::string>>
detect(const Buildpack& bp, const std::string& build_dir, const RunEnv& env, util::Output& out)
{
  SW_TRY_ASSIGN(util::ProcessResult r, run_captured(bp, "detect", build_dir, env, out));
  if (!r.success()) {
    return std::optional<std::string>();
  }
  std::string name(util::trim(util::split(r.stdout_text, '\n')[0]));
  return std::optional<std::string>(name.empty() ? bp.name : name);
}

util::Result<util::ProcessResult>
compile(const Buildpack& bp,
        const std::string& build_dir,
        const std::string& cache_dir,
        const std::string& env_dir,
        const std::vector<std::string>& exports,
        const RunEnv& env,
        util::Output& out)
{
  SW_TRY(require_executable(bp, "compile"));
  // A fixed script: pushed data only ever reaches it as arguments, never as code.
  std::vector<std::string> argv = {"bash",
                                   "-c",
                                   "for f in \"${@:4}\"; do . \"$f\" || exit 1; done; exec \"$0\" \"$1\" \"$2\" \"$3\"",
                                   bp.dir + "/bin/compile",
                                   build_dir,
                                   cache_dir,
                                   env_dir};
  argv.insert(argv.end(), exports.begin(), exports.end());
  return util::run_process(spec_for(env, argv, build_dir), [&](std::string_view line) { out.line(line); });
}

util::Result<ReleaseInfo>
release(const Buildpack& bp, const std::string& build_dir, const RunEnv& env, util::Output& out)
{
  ReleaseInfo info;
  if (::access((bp.dir + "/bin/release").c_str(), F_OK) != 0) {
    return info;
  }
  SW_TRY_ASSIGN(util::ProcessResult r, run_captured(bp, "release", build_dir, env, out));
  if (!r.success()) {
    return util::error("buildpack '" + bp.name + "': bin/release " + r.describe(env.timeout));
  }
  auto doc = yaml::parse(r.stdout_text, "bin/release output");
  if (!doc) {
    return util::error("buildpack '" + bp.name + "' printed invalid YAML from bin/release: " + doc.error().message);
  }
  if (doc->IsNull()) {
    return info;
  }
  if (!doc->IsMap()) {
    return util::error("buildpack '" + bp.name + "' printed invalid YAML from bin/release: expected a mapping");
  }
  auto types = yaml::get_string_map(*doc, "default_process_types", "bin/release output");
  auto vars = yaml::get_string_map(*doc, "config_vars", "bin/release output");
  if (!types || !vars) {
    return util::error("buildpack '" + bp.name + "' printed invalid YAML from bin/release: " +
                       (!types ? types.error().message : vars.error().message));
  }
  info.default_process_types = *types;
  info.config_vars = *vars;
  return info;
}

} // namespace slipway::buildpack
