#include "release_view.hpp"

#include <util/strings.hpp>

#include <algorithm>

namespace slipway::cmd {

util::Result<ChosenRelease>
release_argument(const Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  core::ReleaseStore store(paths);
  unsigned long v = 0;
  if (!ctx.args.empty()) {
    SW_TRY_ASSIGN(v, core::parse_version(ctx.args[0]));
    if (!util::path_exists(store.dir(v))) {
      return util::error("no release " + core::version_name(v) + " for " + paths.name() + "; see 'slipway releases -a " +
                         paths.name() + "'");
    }
  } else {
    SW_TRY_ASSIGN(v, store.latest());
    if (v == 0) {
      return util::error("no releases yet for " + paths.name() + "; push to deploy one");
    }
  }
  SW_TRY_ASSIGN(core::ReleaseRecord r, store.load(v));
  return ChosenRelease{std::move(store), std::move(r)};
}

std::string
change_text(const core::ReleaseRecord& r)
{
  std::string suffix = r.status_suffix();
  return suffix.empty() ? r.description : r.description + " " + suffix;
}

std::vector<std::string>
align_columns(const std::vector<std::vector<std::string>>& rows)
{
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  std::vector<std::string> out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line += std::string(width[i] - row[i].size() + 2, ' ');
      }
    }
    out.push_back(line);
  }
  return out;
}

void
print_columns(util::Output& out, const std::vector<std::vector<std::string>>& rows)
{
  for (const auto& line : align_columns(rows)) {
    out.line(line);
  }
}

void
print_shell_assignments(util::Output& out, const std::map<std::string, std::string>& vars)
{
  for (const auto& [k, v] : vars) {
    out.line(k + "=" + util::shell_word(v));
  }
}

} // namespace slipway::cmd
