// Name-based UUIDs (RFC 4122 version 5, through libuuid): the same name always gives the
// same id, so ids derived from content or names survive restarts and rebuilds.
#pragma once

#include <string>
#include <string_view>

namespace slipway::util {

// The version 5 UUID of `name` in Slipway's own namespace, lowercase:
// "xxxxxxxx-xxxx-5xxx-[89ab]xxx-xxxxxxxxxxxx".
std::string name_uuid(std::string_view name);

// A random (version 4) UUID, lowercase: request ids.
std::string random_uuid();

} // namespace slipway::util
