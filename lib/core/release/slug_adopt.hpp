// Keeping a new slug: stored in the app's slug store and noted in its slug index, which is
// kept apart from the index itself so that readers of releases never link the slug packer.
#pragma once

#include <core/app/layout.hpp>
#include <core/slug/slug_store.hpp>
#include <util/result.hpp>

#include <string>

namespace slipway::core {

// Store a packed slug (SlugStore::adopt) and make it the newest used in the index.
util::Result<SlugRecord> adopt_slug(const AppPaths& paths, const std::string& packed_file, SlugRecord meta);

} // namespace slipway::core
