// Heroku's Range header for list pages: "version ..; max=15, order=desc",
// "version ]5..; max=10, order=desc".
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace slipway::api {

constexpr unsigned long long k_max_version = (1ULL << 53) - 1; // the largest exact JSON number

struct Range
{
  std::optional<unsigned long> start, end;
  bool start_exclusive = false;
  size_t max = 200;
  bool desc = false;
};

// The range a header asks for (the whole list, 200 at most, for an empty one); none when it is
// malformed or names a version past 2^53 - 1 (the largest exact JSON number).
std::optional<Range> parse_range(const std::string& text);

} // namespace slipway::api
