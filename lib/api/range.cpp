#include "range.hpp"

#include <util/strings.hpp>

#include <regex>

namespace slipway::api {

std::optional<Range>
parse_range(const std::string& text)
{
  static const std::regex k_range(R"(^\s*(id|version)\s*(\]?)(\d*)\s*\.\.\s*(\d*)\s*(\[?)\s*(;\s*(.*))?$)");
  std::smatch m;
  Range r;
  if (text.empty()) {
    return r;
  }
  if (!std::regex_match(text, m, k_range)) {
    return std::nullopt;
  }
  r.start_exclusive = m[2].length() > 0;
  // Version numbers are checked, never converted blindly: one out of range is a 400.
  unsigned long long n = 0;
  if (m[3].length()) {
    if (!util::parse_uint(m[3].str(), n) || n > k_max_version) {
      return std::nullopt;
    }
    r.start = n;
  }
  if (m[4].length()) {
    if (!util::parse_uint(m[4].str(), n) || n > k_max_version) {
      return std::nullopt;
    }
    r.end = n;
  }
  for (const auto& part : util::split(m[7].str(), ',')) {
    auto kv = util::split(std::string(util::trim(part)), '=');
    if (kv.size() != 2) {
      if (util::trim(part).empty()) {
        continue;
      }
      return std::nullopt;
    }
    if (kv[0] == "max" && util::parse_uint(kv[1], n) && n > 0 && n <= 1000) {
      r.max = n;
    } else if (kv[0] == "order" && (kv[1] == "asc" || kv[1] == "desc")) {
      r.desc = kv[1] == "desc";
    } else {
      return std::nullopt;
    }
  }
  return r;
}

} // namespace slipway::api
