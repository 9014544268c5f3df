// Base64 (RFC 4648) through nettle.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace slipway::util {

// The bytes `text` encodes, or none when it is not valid base64 (padding included).
std::optional<std::string> base64_decode(std::string_view text);

// `bytes` in base64 without the trailing '=' padding (as OpenSSH prints fingerprints).
std::string base64_encode_unpadded(std::string_view bytes);

} // namespace slipway::util
