// Heroku's classic buildpack API (v2): bin/detect, bin/compile, bin/release. This layer
// runs one buildpack step; choosing buildpacks and packing the slug happen in core.
#pragma once

#include <util/cgroup.hpp>
#include <util/output.hpp>
#include <util/process.hpp>
#include <util/result.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace slipway::buildpack {

struct Buildpack
{
  std::string name; // how the pusher knows it: a built-in's name, a path or a URL
  std::string dir;  // the directory holding bin/
  std::string
  export_file() const
  {
    return dir + "/export";
  }
};

struct RunOptions
{
  std::vector<std::string> env; // the whole environment of each step (STACK, SOURCE_VERSION...)
  double timeout = 0;
  double kill_grace = 10;
  bool drop_privileges = false; // run each step as uid:gid (see util::ProcessSpec)
  uid_t uid = 0;
  gid_t gid = 0;
  unsigned long long max_processes = 0; // util::ProcessSpec::max_processes
  const util::CommandCgroups* cgroups = nullptr; // each step runs in these (the build's size), if set
};

// bin/detect BUILD_DIR: the framework name it prints, or nullopt when it exits non-zero.
util::Result<std::optional<std::string>>
detect(const Buildpack& bp, const std::string& build_dir, const RunOptions& env, util::Output& out);

// bin/compile BUILD_DIR CACHE_DIR ENV_DIR, after sourcing `exports` (earlier buildpacks'
// export files) in the same shell. Output goes to `out` as it is written.
util::Result<util::ProcessResult> compile(const Buildpack& bp,
                                          const std::string& build_dir,
                                          const std::string& cache_dir,
                                          const std::string& env_dir,
                                          const std::vector<std::string>& exports,
                                          const RunOptions& env,
                                          util::Output& out);

struct ReleaseInfo
{
  std::map<std::string, std::string> default_process_types;
  std::map<std::string, std::string> config_vars; // legacy; written to .profile.d by core
};

// bin/release BUILD_DIR, if the buildpack has one; its YAML on stdout is parsed.
util::Result<ReleaseInfo>
release(const Buildpack& bp, const std::string& build_dir, const RunOptions& env, util::Output& out);

} // namespace slipway::buildpack
