#include "runner.hpp"

#include <util/strings.hpp>
#include <yaml/yaml_io.hpp>

namespace slipway::buildpack {

namespace {

// A step that never ran is reported as what stopped it (no such file, permission denied, a
// missing interpreter, a build directory the app's user cannot enter), never as a verdict.
util::Status
require_started(const Buildpack& bp, const std::string& script, const util::ProcessResult& r)
{
  if (r.program_missing) {
    return util::error("buildpack '" + bp.name + "' has no bin/" + script);
  }
  if (!r.started()) {
    return util::error("buildpack '" + bp.name + "': bin/" + script + " " + r.describe());
  }
  return {};
}

util::ProcessSpec
spec_for(const RunOptions& env, std::vector<std::string> argv, const std::string& cwd)
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
  spec.max_processes = env.max_processes;
  if (env.cgroups) {
    spec.cgroup_procs_fds = env.cgroups->procs_fds();
  }
  return spec;
}

// A step's result, marked when the kernel killed a process of the build for its memory.
util::Result<util::ProcessResult>
noted(util::Result<util::ProcessResult> result, const RunOptions& env)
{
  if (result && env.cgroups && env.cgroups->oom_kills() > 0) {
    result->out_of_memory = true;
  }
  return result;
}

// Run bin/SCRIPT BUILD_DIR with stdout captured and stderr streamed to `out`. It runs as the
// app's user, who may have changed the buildpack: nothing is checked here as root.
util::Result<util::ProcessResult>
run_captured(
    const Buildpack& bp, const std::string& script, const std::string& build_dir, const RunOptions& env, util::Output& out)
{
  auto spec = spec_for(env, {bp.dir + "/bin/" + script, build_dir}, build_dir);
  spec.capture_stdout = true;
  return noted(util::run_process(spec, [&](std::string_view line) { out.line(line); }), env);
}

} // namespace

util::Result<std::optional<std::string>>
detect(const Buildpack& bp, const std::string& build_dir, const RunOptions& env, util::Output& out)
{
  SW_TRY_ASSIGN(util::ProcessResult r, run_captured(bp, "detect", build_dir, env, out));
  SW_TRY(require_started(bp, "detect", r));
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
        const RunOptions& env,
        util::Output& out)
{
  // A fixed script: pushed data only ever reaches it as arguments, never as code. Earlier
  // buildpacks' export files are sourced where they exist. A bin/compile that cannot be run
  // says why in one line, as the app's user sees it.
  std::vector<std::string> argv = {
      "bash",
      "-c",
      "for f in \"${@:4}\"; do [ ! -e \"$f\" ] || . \"$f\" || exit 1; done; "
      "[ -e \"$0\" ] || { echo \"cannot run bin/compile: no such file\" >&2; exit 127; }; "
      "[ -x \"$0\" ] || { echo \"cannot run bin/compile: not executable\" >&2; exit 126; }; "
      "exec \"$0\" \"$1\" \"$2\" \"$3\"",
      bp.dir + "/bin/compile",
      build_dir,
      cache_dir,
      env_dir};
  argv.insert(argv.end(), exports.begin(), exports.end());
  return noted(util::run_process(spec_for(env, argv, build_dir), [&](std::string_view line) { out.line(line); }),
               env);
}

util::Result<ReleaseInfo>
release(const Buildpack& bp, const std::string& build_dir, const RunOptions& env, util::Output& out)
{
  ReleaseInfo info;
  SW_TRY_ASSIGN(util::ProcessResult r, run_captured(bp, "release", build_dir, env, out));
  if (r.program_missing) {
    return info; // bin/release is optional
  }
  SW_TRY(require_started(bp, "release", r));
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
