// Names that become paths: app names, with Heroku's rule (a lowercase letter, then lowercase
// letters, digits and dashes, 30 characters at most), and user names. Nothing else gets in.
#pragma once

#include <util/result.hpp>

#include <string>

namespace slipway::core {

util::Status validate_app_name(const std::string& name);

// A user name is [a-z][a-z0-9-]{0,31}; the error says so.
util::Status check_user_name(const std::string& name);

} // namespace slipway::core
