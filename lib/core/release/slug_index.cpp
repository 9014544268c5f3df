#include "slug_index.hpp"

#include <core/release/release_store.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace slipway::core {

util::Result<SlugIndex>
SlugIndex::load(const AppPaths& paths)
{
  std::string path = paths.slug_index();
  if (!util::path_exists(path)) {
    return rebuild(paths);
  }
  SW_TRY_ASSIGN(std::string text, util::read_file(path));
  SlugIndex index(paths);
  size_t line_no = 0;
  for (std::string_view rest = text; !rest.empty();) {
    ++line_no;
    std::string_view line = rest.substr(0, rest.find('\n'));
    rest.remove_prefix(std::min(rest.size(), line.size() + 1));
    if (line.empty()) {
      continue;
    }
    size_t space = std::min(line.find(' '), line.size());
    Entry e{std::string(line.substr(0, space)), {}};
    for (const char *p = line.data() + space, *end = line.data() + line.size(); p != end;) {
      unsigned long v = 0;
      auto [next, ec] = std::from_chars(p + 1, end, v);
      if (*p != ' ' || ec != std::errc() || v == 0 || (next != end && *next != ' ')) {
        return util::error(fmt::format("{}:{}: expected 'SLUG-ID VERSION...'; remove the file and Slipway rebuilds it",
                                       path, line_no));
      }
      e.releases.push_back(v);
      p = next;
    }
    index.m_entries.push_back(std::move(e));
  }
  return index;
}

util::Result<SlugIndex>
SlugIndex::rebuild(const AppPaths& paths)
{
  SlugIndex index(paths);
  // Slugs no release uses yet count as the oldest, then every unexpired release in order.
  if (util::is_directory(paths.slugs())) {
    SW_TRY_ASSIGN(auto names, util::list_dir(paths.slugs()));
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      if (name.ends_with(".yml")) {
        index.use(name.substr(0, name.size() - 4), std::nullopt);
      }
    }
  }
  ReleaseStore store(paths);
  SW_TRY_ASSIGN(auto versions, store.versions());
  for (auto v : versions) {
    auto r = store.load(v);
    if (r && r->status != ReleaseStatus::expired && !r->slug_id.empty()) {
      index.use(r->slug_id, v);
    }
  }
  return index;
}

void
SlugIndex::use(const std::string& slug, std::optional<unsigned long> version)
{
  auto it = std::find_if(m_entries.begin(), m_entries.end(), [&](const Entry& e) { return e.slug == slug; });
  Entry e{slug, {}};
  if (it != m_entries.end()) {
    e = std::move(*it);
    m_entries.erase(it);
  }
  if (version && (e.releases.empty() || e.releases.back() < *version)) {
    e.releases.push_back(*version);
  }
  m_entries.push_back(std::move(e));
}

void
SlugIndex::forget(const std::string& slug)
{
  std::erase_if(m_entries, [&](const Entry& e) { return e.slug == slug; });
}

const SlugIndex::Entry*
SlugIndex::entry_of_release(unsigned long version) const
{
  for (const auto& e : m_entries) {
    if (std::binary_search(e.releases.begin(), e.releases.end(), version)) {
      return &e;
    }
  }
  return nullptr;
}

const SlugIndex::Entry*
SlugIndex::entry_of_slug(const std::string& slug) const
{
  for (const auto& e : m_entries) {
    if (e.slug == slug) {
      return &e;
    }
  }
  return nullptr;
}

util::Status
SlugIndex::save() const
{
  std::string text;
  for (const auto& e : m_entries) {
    text += e.slug;
    for (auto v : e.releases) {
      text += ' ';
      text += std::to_string(v);
    }
    text += '\n';
  }
  SW_TRY(util::make_dir(m_paths.slugs(), 0750, true));
  return util::write_file_atomic(m_paths.slug_index(), text, 0640);
}

util::Status
record_slug_use(const AppPaths& paths, const std::string& slug, std::optional<unsigned long> version)
{
  SW_TRY_ASSIGN(SlugIndex index, SlugIndex::load(paths));
  index.use(slug, version);
  return index.save();
}

} // namespace slipway::core
