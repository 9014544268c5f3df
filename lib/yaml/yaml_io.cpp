#include "yaml_io.hpp"

#include <util/fs.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

namespace slipway::yaml {

util::Result<YAML::Node>
parse(const std::string& text, const std::string& label)
{
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return util::error(fmt::format("{}:{}:{}: {}", label, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

util::Result<YAML::Node>
load_file(const std::string& path)
{
  SW_TRY_ASSIGN(std::string text, util::read_file(path));
  return parse(text, path);
}

std::string
get_string(const YAML::Node& node, const std::string& key, const std::string& fallback)
{
  if (!node.IsMap()) {
    return fallback;
  }
  YAML::Node v = node[key];
  if (!v || !v.IsScalar()) {
    return fallback;
  }
  return v.Scalar();
}

util::Result<std::map<std::string, std::string>>
get_string_map(const YAML::Node& node, const std::string& key, const std::string& label)
{
  std::map<std::string, std::string> out;
  if (!node.IsMap() || !node[key] || node[key].IsNull()) {
    return out;
  }
  YAML::Node m = node[key];
  if (!m.IsMap()) {
    return util::error(fmt::format("{}:{}: '{}' must be a mapping", label, m.Mark().line + 1, key));
  }
  for (const auto& kv : m) {
    if (!kv.first.IsScalar() || !kv.second.IsScalar()) {
      return util::error(
          fmt::format("{}:{}: '{}' entries must be 'name: command' strings", label, kv.first.Mark().line + 1, key));
    }
    out[kv.first.Scalar()] = kv.second.Scalar();
  }
  return out;
}

void
get_strings(const YAML::Node& node, std::span<const std::pair<const char*, std::string*>> fields)
{
  for (const auto& [key, value] : fields) {
    *value = get_string(node, key);
  }
}

util::Result<std::map<std::string, std::string>>
load_scalar_map(const std::string& path, const std::string& shape)
{
  std::map<std::string, std::string> out;
  if (!util::path_exists(path)) {
    return out;
  }
  SW_TRY_ASSIGN(YAML::Node doc, load_file(path));
  if (doc && !doc.IsNull() && !doc.IsMap()) {
    return util::error(path + ": expected '" + shape + "' lines");
  }
  for (const auto& kv : doc) {
    if (!kv.first.IsScalar() || !kv.second.IsScalar()) {
      return util::error(path + ": expected '" + shape + "' lines");
    }
    out[kv.first.Scalar()] = kv.second.Scalar();
  }
  return out;
}

void
emit_strings(YAML::Emitter& e, std::span<const std::pair<const char*, const std::string*>> fields)
{
  for (const auto& [key, value] : fields) {
    e << YAML::Key << key << YAML::Value;
    emit_string(e, *value);
  }
}

void
emit_string_map(YAML::Emitter& e, const std::string& key, const std::map<std::string, std::string>& m)
{
  e << YAML::Key << key << YAML::Value << YAML::BeginMap;
  for (const auto& [k, v] : m) {
    e << YAML::Key;
    emit_string(e, k);
    e << YAML::Value;
    emit_string(e, v);
  }
  e << YAML::EndMap;
}

void
emit_string(YAML::Emitter& e, const std::string& value)
{
  std::string v = util::to_valid_utf8(value);
  bool quote = !v.empty() && (v.front() == ' ' || v.back() == ' ' || v.front() == '\t' || v.back() == '\t');
  for (unsigned char c : v) {
    quote = quote || c < 0x20 || c == 0x7f;
  }
  if (quote) {
    e << YAML::DoubleQuoted << v;
  } else {
    e << v;
  }
}

} // namespace slipway::yaml
