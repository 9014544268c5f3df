#include "memory.hpp"

#include <util/fs.hpp>
#include <util/strings.hpp>

namespace slipway::util {

std::string
memory_summary()
{
  auto status = read_file("/proc/self/status");
  if (!status) {
    return "";
  }
  std::string out;
  for (const auto& [field, name] : {std::pair{"VmHWM:", "hwm_kb"}, {"RssAnon:", "anon_kb"}, {"RssFile:", "file_kb"}}) {
    std::string_view text = *status;
    auto at = text.find(field);
    if (at == std::string_view::npos) {
      continue;
    }
    std::string_view line = text.substr(at + std::string_view(field).size());
    line = trim(line.substr(0, line.find('\n')));
    out += (out.empty() ? "" : " ") + std::string(name) + "=" + std::string(line.substr(0, line.find(' ')));
  }
  return out;
}

} // namespace slipway::util
