// Cleaning up after interrupted runs: temp directories, half-written slugs and unpacked
// trees, and release records whose owner died.
#pragma once

#include <core/app/layout.hpp>
#include <util/output.hpp>

namespace slipway::core {

// Remove leftovers and finish interrupted release records, saying so on `out`. Only call
// with the deploy lock held: then nothing temporary belongs to a live process.
void clean_leftovers(const AppPaths& paths, util::Output& out);

} // namespace slipway::core
