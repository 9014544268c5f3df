// yaml-cpp behind values: parse errors become "file:line:col: message", never exceptions.
#pragma once

#include <util/result.hpp>

#include <yaml-cpp/yaml.h>

#include <map>
#include <span>
#include <string>

namespace slipway::yaml {

// Parse `text`; `label` names the source in errors ("releases/v3/release.yml").
util::Result<YAML::Node> parse(const std::string& text, const std::string& label);

// Parse a file from disk.
util::Result<YAML::Node> load_file(const std::string& path);

// The scalar at `key`, or `fallback` when absent or not a scalar.
std::string get_string(const YAML::Node& node, const std::string& key, const std::string& fallback = "");

// Each scalar at a key into its string (fallback ""), as get_string.
void get_strings(const YAML::Node& node, std::span<const std::pair<const char*, std::string*>> fields);

// A file of `KEY: VALUE` scalar lines (none when it does not exist); anything else is the error
// "PATH: expected 'SHAPE' lines".
util::Result<std::map<std::string, std::string>> load_scalar_map(const std::string& path, const std::string& shape);

// A mapping of scalars to scalars (process types, say); non-scalar entries are an error.
util::Result<std::map<std::string, std::string>>
get_string_map(const YAML::Node& node, const std::string& key, const std::string& label);

// Emit a string so that it reads back as stored: valid UTF-8 (other bytes become U+FFFD),
// double-quoted when control characters or edge whitespace would not survive a plain scalar.
void emit_string(YAML::Emitter& e, const std::string& value);

// Emit each key with its string, as emit_string does.
void emit_strings(YAML::Emitter& e, std::span<const std::pair<const char*, const std::string*>> fields);

// Emit `key` and the mapping `m`, each string as emit_string does.
void emit_string_map(YAML::Emitter& e, const std::string& key, const std::map<std::string, std::string>& m);

} // namespace slipway::yaml
