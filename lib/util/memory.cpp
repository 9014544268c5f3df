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
    auto at = status->find(field);
    if (at == std::string::npos) {
      continue;
    }
    auto value = trim(status->substr(at + std::string(field).size(), status->find('\n', at) - at - std::string(field).size()));
    out += (out.empty() ? "" : " ") + std::string(name) + "=" + std::string(value.substr(0, value.find(' ')));
  }
  return out;
}

} // namespace slipway::util
