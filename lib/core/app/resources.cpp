#include "resources.hpp"

#include <util/fs.hpp>
#include <util/strings.hpp>

#include <cstdlib>

namespace slipway::core {

std::string
self_executable()
{
  auto exe = util::read_link("/proc/self/exe");
  return exe ? *exe : "slipway";
}

static std::string
beside_binary(const char* source_rel, const char* installed_rel)
{
  std::string bin_dir = util::dir_name(self_executable());
  std::string source = bin_dir + "/../" + source_rel;
  if (util::is_directory(source)) {
    return source;
  }
  return bin_dir + "/../" + installed_rel;
}

std::string
builtin_buildpacks_dir()
{
  if (const char* env = std::getenv("SLIPWAY_BUILDPACKS_DIR"); env && *env) {
    return env;
  }
  return beside_binary("buildpack/builtin", "share/slipway/buildpacks");
}

std::string
hook_templates_dir()
{
  return beside_binary("hooks", "share/slipway/hooks");
}

std::string
stack_name()
{
  auto text = util::read_file("/etc/os-release");
  std::string id = "linux", version;
  if (text) {
    for (const auto& line : util::split(*text, '\n')) {
      auto unquote = [](std::string v) {
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
          v = v.substr(1, v.size() - 2);
        }
        return v;
      };
      if (line.starts_with("ID=")) {
        id = unquote(line.substr(3));
      } else if (line.starts_with("VERSION_ID=")) {
        version = unquote(line.substr(11));
      }
    }
  }
  return version.empty() ? id : id + "-" + version;
}

} // namespace slipway::core
