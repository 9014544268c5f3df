// Secrets from the kernel's random source.
#pragma once

#include <util/result.hpp>

#include <string>

namespace slipway::util {

// `bytes` random bytes (getrandom) as lowercase hex: passwords, tokens, secrets.
Result<std::string> random_hex(size_t bytes);

} // namespace slipway::util
