// The slugs an app keeps, ordered by their newest use, and the releases using each: what
// retention and tree sharing read instead of every release record, so that a mutation costs
// the same at 10 releases as at 10,000. Stored in apps/APP/slugs/index, one line per slug,
// "ID V1 V2 ...", the most recently used slug last. Written only under the deploy lock.
#pragma once

#include <core/app/layout.hpp>
#include <util/result.hpp>

#include <optional>
#include <string>
#include <vector>

namespace slipway::core {

class SlugIndex
{
public:
  struct Entry
  {
    std::string slug;
    std::vector<unsigned long> releases; // ascending
  };

  // The app's index; when it has none yet (an app made before it existed), one built from
  // every release record and slug, once.
  static util::Result<SlugIndex> load(const AppPaths& paths);

  // `slug` becomes the most recently used, used by release `version` when given (a slug
  // just stored is used by none yet).
  void use(const std::string& slug, std::optional<unsigned long> version);

  // Drop `slug` and its releases (retention pruned them).
  void forget(const std::string& slug);

  // The slug release `version` uses, if the index has it.
  const Entry* entry_of_release(unsigned long version) const;
  const Entry* entry_of_slug(const std::string& slug) const;

  // Oldest use first.
  const std::vector<Entry>&
  entries() const
  {
    return m_entries;
  }

  // Write the index atomically.
  util::Status save() const;

private:
  explicit SlugIndex(AppPaths paths) : m_paths(std::move(paths)) {}
  static util::Result<SlugIndex> rebuild(const AppPaths& paths);

  AppPaths m_paths;
  std::vector<Entry> m_entries;
};

// Load the index, note one use (see SlugIndex::use) and save it.
util::Status record_slug_use(const AppPaths& paths, const std::string& slug, std::optional<unsigned long> version);

} // namespace slipway::core
