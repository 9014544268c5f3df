#include "slugignore.hpp"

#include <util/fs.hpp>
#include <util/strings.hpp>

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
      out.warnings.push_back(label + ":" + std::to_string(i + 1) + ": '!' negation is not supported; line ignored");
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
    bool dir_only = util::ends_with(p, "/");
    if (dir_only) {
      p.pop_back();
      if (!is_dir) {
        continue;
      }
    }
    bool anchored = p.find('/') != std::string::npos;
    if (anchored) {
      while (util::starts_with(p, "/")) {
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

static util::Result<unsigned long>
apply_in(const SlugIgnore& ignore, const std::string& root, const std::string& rel)
{
  unsigned long removed = 0;
  std::string dir = rel.empty() ? root : root + "/" + rel;
  SW_TRY_ASSIGN(auto names, util::list_dir(dir));
  for (const auto& name : names) {
    std::string child = rel.empty() ? name : rel + "/" + name;
    struct stat st;
    bool is_dir = ::lstat((root + "/" + child).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    if (slugignore_matches(ignore, child, is_dir)) {
      SW_TRY(util::remove_tree(root + "/" + child));
      ++removed;
    } else if (is_dir) {
      SW_TRY_ASSIGN(unsigned long n, apply_in(ignore, root, child));
      removed += n;
    }
  }
  return removed;
}

util::Result<unsigned long>
apply_slugignore(const SlugIgnore& ignore, const std::string& dir)
{
  if (ignore.patterns.empty()) {
    return 0UL;
  }
  return apply_in(ignore, dir, "");
}

} // namespace slipway::core
