#include "slugignore.hpp"

#include <util/dir_walk.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <fnmatch.h>
#include <sys/stat.h>

namespace slipway::core {

SlugIgnore
parse_slugignore(const std::string& text, const std::string& label)
{
  SlugIgnore out;
  auto lines = util::split(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string p(util::trim(lines[i]));
    if (p.empty() || p[0] == '#') {
      continue;
    }
    if (p[0] == '!') {
      out.warnings.push_back(fmt::format("{}:{}: '!' negation is not supported; line ignored", label, i + 1));
      continue;
    }
    out.patterns.push_back(p);
  }
  return out;
}

bool
slugignore_matches(const SlugIgnore& ignore, const std::string& rel, bool is_dir)
{
  std::string base = util::base_name(rel);
  for (std::string p : ignore.patterns) {
    bool dir_only = p.ends_with("/");
    if (dir_only) {
      p.pop_back();
      if (!is_dir) {
        continue;
      }
    }
    bool anchored = p.find('/') != std::string::npos;
    if (anchored) {
      while (p.starts_with("/")) {
        p.erase(0, 1);
      }
      if (::fnmatch(p.c_str(), rel.c_str(), FNM_PATHNAME | FNM_PERIOD) == 0) {
        return true;
      }
    } else if (::fnmatch(p.c_str(), base.c_str(), 0) == 0) {
      return true;
    }
  }
  return false;
}

util::Result<unsigned long>
apply_slugignore(const SlugIgnore& ignore, const std::string& dir)
{
  unsigned long removed = 0;
  if (ignore.patterns.empty()) {
    return removed;
  }
  SW_TRY(util::walk_path(dir,
                         [&](int parent, const std::string& name, const std::string& rel,
                             const struct stat& st) -> util::Result<util::Visit> {
                           if (!slugignore_matches(ignore, rel, S_ISDIR(st.st_mode))) {
                             return util::Visit::descend;
                           }
                           SW_TRY(util::remove_at(parent, name));
                           ++removed;
                           return util::Visit::skip;
                         }));
  return removed;
}

util::Status
apply_slugignore_file(const std::string& app, util::Output& out)
{
  if (!util::path_exists(app + "/.slugignore")) {
    return {};
  }
  SW_TRY_ASSIGN(std::string text, util::read_file(app + "/.slugignore"));
  auto ignore = parse_slugignore(text);
  for (const auto& w : ignore.warnings) {
    out.warn(w);
  }
  SW_TRY_ASSIGN(unsigned long removed, apply_slugignore(ignore, app));
  out.step(fmt::format("Deleting {} files matching .slugignore patterns.", removed));
  return {};
}

} // namespace slipway::core
