#include "base64.hpp"

#include <nettle/base64.h>

namespace slipway::util {

std::optional<std::string>
base64_decode(std::string_view text)
{
  if (text.empty() || text.size() % 4 != 0) {
    return std::nullopt;
  }
  base64_decode_ctx ctx;
  base64_decode_init(&ctx);
  std::string out(BASE64_DECODE_LENGTH(text.size()), '\0');
  size_t length = out.size();
  if (!base64_decode_update(&ctx, &length, reinterpret_cast<uint8_t*>(out.data()), text.size(), text.data()) ||
      !base64_decode_final(&ctx)) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

std::string
base64_encode_unpadded(std::string_view bytes)
{
  std::string out(BASE64_ENCODE_RAW_LENGTH(bytes.size()), '\0');
  base64_encode_raw(out.data(), bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data()));
  while (!out.empty() && out.back() == '=') {
    out.pop_back();
  }
  return out;
}

} // namespace slipway::util
