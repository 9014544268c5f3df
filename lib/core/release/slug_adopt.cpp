#include "slug_adopt.hpp"

#include <core/release/slug_index.hpp>

namespace slipway::core {

util::Result<SlugRecord>
adopt_slug(const AppPaths& paths, const std::string& packed_file, SlugRecord meta)
{
  SW_TRY_ASSIGN(SlugRecord stored, SlugStore(paths).adopt(packed_file, std::move(meta)));
  SW_TRY(record_slug_use(paths, stored.id, std::nullopt));
  return stored;
}

} // namespace slipway::core
