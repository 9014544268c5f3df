// App names, with Heroku's rule: a lowercase letter, then lowercase letters, digits and
// dashes, 30 characters at most. Names become paths, so nothing else gets in.
#pragma once

#include <util/result.hpp>

#include <string>

namespace slipway::core {

util::Status validate_app_name(const std::string& name);

} // namespace slipway::core
