// Small string helpers shared by the parsers and the output code.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::util {

std::vector<std::string> split(std::string_view s, char sep);
std::string_view trim(std::string_view s);
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// Parse a whole decimal number without sign; nullopt-like false on anything else or overflow.
bool parse_uint(std::string_view s, unsigned long long& out);

// "1.2M", "340K", "12B": sizes as Heroku prints them.
std::string human_size(unsigned long long bytes);

// Quote for a POSIX shell: 'it'\''s'.
std::string shell_quote(std::string_view s);

// `s` as one shell word: as it is when it holds only characters no shell treats specially
// (letters, digits, _@%+=:,./-), else shell_quote(s). Never empty ('' for "").
std::string shell_word(std::string_view s);

// `s` with every byte that is not part of valid UTF-8 replaced by U+FFFD. Records are YAML,
// which is Unicode: what is stored must read back the same.
std::string to_valid_utf8(std::string_view s);

// Printable form of an untrusted name for messages: control bytes shown as \xNN.
std::string printable(std::string_view s);

// The name of enumerator `e`, from `names` listed in declaration order; "unknown" past them.
template <typename Enum, size_t N>
std::string
enum_name(Enum e, const std::array<const char*, N>& names)
{
  auto i = static_cast<size_t>(e);
  return i < N ? names[i] : "unknown";
}

} // namespace slipway::util
