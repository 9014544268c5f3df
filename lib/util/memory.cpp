#include "memory.hpp"

#include <util/fs.hpp>
#include <util/strings.hpp>

#include <algorithm>

namespace slipway::util {

namespace {

std::optional<std::string>
field_of(std::string_view status, std::string_view field)
{
  for (std::string_view rest = status; !rest.empty();) {
    std::string_view line = rest.substr(0, rest.find('\n'));
    rest.remove_prefix(std::min(rest.size(), line.size() + 1));
    if (line.size() > field.size() && line.starts_with(field) && line[field.size()] == ':') {
      return std::string(trim(line.substr(field.size() + 1)));
    }
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string>
proc_status(std::string_view field)
{
  auto status = read_file("/proc/self/status");
  return status ? field_of(*status, field) : std::nullopt;
}

std::string
memory_summary()
{
  auto status = read_file("/proc/self/status");
  std::string out;
  for (const auto& [field, name] : {std::pair{"VmHWM", "hwm_kb"}, {"RssAnon", "anon_kb"}, {"RssFile", "file_kb"}}) {
    if (auto value = status ? field_of(*status, field) : std::nullopt) {
      out += (out.empty() ? "" : " ") + std::string(name) + "=" + value->substr(0, value->find(' '));
    }
  }
  return out;
}

} // namespace slipway::util
