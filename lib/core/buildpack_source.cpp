#include "buildpack_source.hpp"

#include <core/resources.hpp>
#include <git/fetch.hpp>
#include <util/fs.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

#include <unistd.h>

namespace slipway::core {

namespace {

const char* const k_builtins[] = {"nodejs", "python", "procfile"};

bool
is_git_url(const std::string& s)
{
  return s.find("://") != std::string::npos || util::starts_with(s, "git@") || util::ends_with(s, ".git") ||
         s.find(".git#") != std::string::npos;
}

} // namespace

std::vector<buildpack::Buildpack>
builtin_buildpacks()
{
  std::vector<buildpack::Buildpack> out;
  for (const char* name : k_builtins) {
    out.push_back({name, builtin_buildpacks_dir() + "/" + name});
  }
  return out;
}

util::Result<std::vector<std::string>>
requested_buildpacks(const ConfigVars& config, const std::string& build_dir)
{
  std::vector<std::string> out;
  if (auto it = config.find("BUILDPACK_URL"); it != config.end() && !util::trim(it->second).empty()) {
    out.emplace_back(util::trim(it->second));
    return out;
  }
  std::string file = build_dir + "/.buildpacks";
  if (!util::path_exists(file)) {
    return out;
  }
  SW_TRY_ASSIGN(std::string text, util::read_file(file));
  for (const auto& line : util::split(text, '\n')) {
    std::string s(util::trim(line));
    if (!s.empty() && s[0] != '#') {
      out.push_back(s);
    }
  }
  return out;
}

util::Result<buildpack::Buildpack>
resolve_buildpack(const AppPaths& paths, const std::string& source, util::Output& out)
{
  std::string name = util::starts_with(source, "heroku/") ? source.substr(7) : source;
  for (const char* builtin : k_builtins) {
    if (name == builtin) {
      return buildpack::Buildpack{source, builtin_buildpacks_dir() + "/" + builtin};
    }
  }
  if (!source.empty() && source[0] == '/') {
    if (!util::is_directory(source + "/bin")) {
      return util::error("buildpack '" + source + "' is not a directory with a bin/ inside");
    }
    return buildpack::Buildpack{source, source};
  }
  if (!is_git_url(source)) {
    return util::error("buildpack '" + util::printable(source) +
                       "' is not a built-in (nodejs, python, procfile), an absolute path or a git URL");
  }
  auto hash = source.rfind('#');
  std::string url = hash == std::string::npos ? source : source.substr(0, hash);
  std::string ref = hash == std::string::npos ? "" : source.substr(hash + 1);
  util::Sha256 h;
  h.update(source);
  std::string cached = paths.buildpacks() + "/" + h.hex_digest().substr(0, 16);
  std::string fresh = cached + ".fetch." + std::to_string(::getpid());
  SW_TRY(util::make_dir(paths.buildpacks(), 0750, true));
  SW_TRY(util::remove_tree(fresh));
  auto fetched = git::clone_at(url, ref, fresh);
  if (!fetched) {
    (void)util::remove_tree(fresh);
    if (util::is_directory(cached + "/bin")) {
      out.warn("cannot fetch buildpack '" + source + "'; using the copy cached earlier");
      return buildpack::Buildpack{source, cached};
    }
    return fetched.error();
  }
  SW_TRY(util::remove_tree(cached));
  if (::rename(fresh.c_str(), cached.c_str()) != 0) {
    return util::error(util::errno_message("cannot cache buildpack in", cached));
  }
  return buildpack::Buildpack{source, cached};
}

} // namespace slipway::core
