#include "app_name.hpp"

#include <util/strings.hpp>

#include <algorithm>

namespace slipway::core {

util::Status
validate_app_name(const std::string& name)
{
  auto bad = [&](const std::string& why) {
    return util::error(
        "invalid app name '" + util::printable(name.substr(0, 60)) + (name.size() > 60 ? "...'" : "'") + ": " + why, 2);
  };
  if (name.empty()) {
    return bad("it is empty");
  }
  if (name.size() > 30) {
    return bad("at most 30 characters");
  }
  if (name[0] < 'a' || name[0] > 'z') {
    return bad("it must start with a lowercase letter");
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return bad("use only lowercase letters, digits and dashes");
    }
  }
  return {};
}

util::Status
check_user_name(const std::string& name)
{
  bool ok = !name.empty() && name.size() <= 32 && name[0] >= 'a' && name[0] <= 'z' &&
            std::all_of(name.begin(), name.end(),
                        [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
  if (!ok) {
    return util::error("invalid user name '" + util::printable(name) +
                           "': use a lowercase letter, then up to 31 lowercase letters, digits or dashes",
                       2);
  }
  return {};
}

} // namespace slipway::core
