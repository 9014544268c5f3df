#include "buildpack_source.hpp"

#include <core/app/resources.hpp>
#include <git/fetch.hpp>
#include <util/fs.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

#include <spdlog/spdlog.h>

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

#include <cstdlib>

namespace slipway::core {

namespace {

const char* const k_builtins[] = {"nodejs", "python", "procfile"};

bool
is_git_url(const std::string& s)
{
  return s.find("://") != std::string::npos || s.starts_with("git@") || s.ends_with(".git") ||
         s.find(".git#") != std::string::npos;
}

// `path` (absolute) with no "." or ".." parts lies inside one of `dirs`.
bool
inside_allowed(const std::string& path, const std::vector<std::string>& dirs)
{
  for (const auto& part : util::split(path, '/')) {
    if (part == "." || part == "..") {
      return false;
    }
  }
  for (auto dir : dirs) {
    while (dir.size() > 1 && dir.back() == '/') {
      dir.pop_back();
    }
    if (path == dir || path.starts_with(dir == "/" ? dir : dir + "/")) {
      return true;
    }
  }
  return false;
}

// `path` with every link resolved, or as given when it does not exist.
std::string
resolved(const std::string& path)
{
  char* real = ::realpath(path.c_str(), nullptr);
  std::string out = real ? real : path;
  std::free(real);
  return out;
}

// A buildpack named by a path on this server (a directory, or a file:// URL): root reads it,
// so only the directories the sysadmin allowed may be named, and never an app's own tree.
// Returns the path with every link resolved: what is read is what was checked.
util::Result<std::string>
check_local_source(const AppPaths& paths,
                   const AppSettings& settings,
                   const std::string& source,
                   const std::string& path)
{
  // Both sides resolved, so that a link neither leads out of an allowed directory nor hides
  // the apps behind another name.
  std::string real = resolved(path);
  if (inside_allowed(real, {resolved(paths.root() + "/apps")})) {
    return util::error("buildpack '" + util::printable(source) +
                       "' lies inside Slipway's apps; name a buildpack outside them");
  }
  std::vector<std::string> allowed;
  for (const auto& dir : settings.buildpack_dirs) {
    allowed.push_back(resolved(dir));
  }
  if (!inside_allowed(real, allowed)) {
    return util::error("buildpack '" + util::printable(source) +
                       "' is not in a directory the server allows; a sysadmin can allow its directory with "
                       "'slipway settings:set --server buildpack_dirs=DIR', or use a built-in or a git URL");
  }
  return real;
}

} // namespace

std::string
app_stack(const AppSettings& settings)
{
  return settings.stack.empty() ? stack_name() : settings.stack;
}

std::vector<buildpack::Buildpack>
builtin_buildpacks()
{
  std::vector<buildpack::Buildpack> out;
  for (const char* name : k_builtins) {
    out.push_back({name, builtin_buildpacks_dir() + "/" + name});
  }
  return out;
}

util::Result<BuildpackPlan>
plan_buildpacks(const AppPaths& paths,
                const AppSettings& settings,
                const ConfigVars& config,
                const std::optional<std::string>& dot_buildpacks,
                util::Output& out)
{
  BuildpackPlan plan;
  SW_TRY_ASSIGN(auto urls, load_buildpack_urls(paths));
  if (auto it = config.find("BUILDPACK_URL"); it != config.end() && !util::trim(it->second).empty()) {
    plan.requested.emplace_back(util::trim(it->second));
  } else if (!urls.empty()) {
    plan.requested = urls;
  } else if (dot_buildpacks) {
    for (const auto& line : util::split(*dot_buildpacks, '\n')) {
      std::string s(util::trim(line));
      if (!s.empty() && s[0] != '#') {
        plan.requested.push_back(s);
      }
    }
  }
  if (plan.detecting()) {
    plan.candidates = builtin_buildpacks();
    return plan;
  }
  if (plan.requested.size() == 1) {
    out.step("Using buildpack: " + plan.requested[0]);
  } else {
    out.step("Using buildpacks:");
    for (size_t i = 0; i < plan.requested.size(); ++i) {
      out.detail(fmt::format("{}. {}", i + 1, plan.requested[i]));
    }
  }
  for (const auto& source : plan.requested) {
    SW_TRY_ASSIGN(auto bp, resolve_buildpack(paths, settings, source, out));
    plan.candidates.push_back(bp);
  }
  return plan;
}

util::Result<std::vector<std::string>>
load_buildpack_urls(const AppPaths& paths)
{
  std::vector<std::string> urls;
  if (!util::path_exists(paths.buildpack_urls())) {
    return urls;
  }
  SW_TRY_ASSIGN(std::string text, util::read_file(paths.buildpack_urls()));
  for (const auto& line : util::split(text, '\n')) {
    if (!util::trim(line).empty()) {
      urls.emplace_back(util::trim(line));
    }
  }
  return urls;
}

util::Status
set_buildpack_urls(const AppPaths& paths, const std::vector<std::string>& urls)
{
  std::string text;
  for (const auto& url : urls) {
    std::string name = url.starts_with("heroku/") ? url.substr(7) : url;
    bool builtin = std::find(std::begin(k_builtins), std::end(k_builtins), name) != std::end(k_builtins);
    bool printable = !url.empty() && url.size() <= 1024 &&
                     std::none_of(url.begin(), url.end(), [](unsigned char ch) { return ch <= ' ' || ch == 0x7f; });
    if (!printable || !(builtin || url[0] == '/' || is_git_url(url))) {
      return util::error("buildpack '" + util::printable(url) +
                             "' is not a built-in (nodejs, python, procfile), an absolute path or a git URL",
                         2);
    }
    text += url + "\n";
  }
  if (urls.empty()) {
    ::unlink(paths.buildpack_urls().c_str());
    return {};
  }
  return util::write_file_atomic(paths.buildpack_urls(), text, 0640);
}

util::Result<buildpack::Buildpack>
resolve_buildpack(const AppPaths& paths, const AppSettings& settings, const std::string& source, util::Output& out)
{
  std::string name = source.starts_with("heroku/") ? source.substr(7) : source;
  for (const char* builtin : k_builtins) {
    if (name == builtin) {
      return buildpack::Buildpack{source, builtin_buildpacks_dir() + "/" + builtin};
    }
  }
  if (!source.empty() && source[0] == '/') {
    SW_TRY_ASSIGN(std::string dir, check_local_source(paths, settings, source, source));
    if (!util::is_directory(dir + "/bin")) {
      bool repo = util::path_exists(dir + "/HEAD") || util::path_exists(dir + "/.git");
      return util::error("buildpack '" + util::printable(source) + "' is not a directory with a bin/ inside" +
                         (repo ? "; for a git repository, name it as file://" + util::printable(source) : ""));
    }
    return buildpack::Buildpack{source, dir};
  }
  if (!is_git_url(source)) {
    return util::error("buildpack '" + util::printable(source) +
                       "' is not a built-in (nodejs, python, procfile), an absolute path or a git URL");
  }
  auto hash = source.rfind('#');
  std::string url = hash == std::string::npos ? source : source.substr(0, hash);
  std::string ref = hash == std::string::npos ? "" : source.substr(hash + 1);
  if (url.starts_with("file://")) {
    SW_TRY_ASSIGN(std::string dir, check_local_source(paths, settings, source, url.substr(7)));
    url = "file://" + dir;
  } else if (url.find("://") == std::string::npos && url.find(':') == std::string::npos) {
    return util::error("buildpack '" + util::printable(source) +
                       "' is a relative path; name a git URL, or a "
                       "directory by its absolute path");
  }
  util::Sha256 h;
  h.update(source);
  std::string cached = paths.buildpacks() + "/" + h.hex_digest().substr(0, 16);
  std::string fresh = paths.fetched_buildpack(::getpid());
  SW_TRY(util::make_dir(paths.buildpacks(), 0750, true));
  SW_TRY(util::make_dirs(paths.tmp(), 0750));
  SW_TRY(util::remove_tree(fresh));
  git::FetchLimits limits{static_cast<unsigned>(settings.buildpack_fetch_timeout), settings.buildpack_fetch_size};
  spdlog::info("fetching buildpack {}", source);
  auto fetched = git::clone_at(url, ref, fresh, limits);
  if (!fetched) {
    (void)util::remove_tree(fresh);
    if (util::is_directory(cached + "/bin")) {
      out.warn(fetched.error().message + "; using the copy cached earlier");
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
