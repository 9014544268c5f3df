#include "settings.hpp"

#include <util/fs.hpp>
#include <util/strings.hpp>
#include <yaml/yaml_io.hpp>

#include <functional>

namespace slipway::core {

namespace {

struct Descriptor
{
  const char* key;
  const char* help;
  std::function<std::string(const AppSettings&)> get;
  std::function<util::Status(AppSettings&, const std::string&)> set;
};

util::Status
parse_bool(const std::string& key, const std::string& v, bool& out)
{
  if (v == "true" || v == "on" || v == "yes" || v == "1") {
    out = true;
  } else if (v == "false" || v == "off" || v == "no" || v == "0") {
    out = false;
  } else {
    return util::error("setting '" + key + "' takes true or false, not '" + v + "'", 2);
  }
  return {};
}

util::Status
parse_number(
    const std::string& key, const std::string& v, unsigned long long& out, bool sizes, unsigned long long min = 1)
{
  std::string digits = v;
  unsigned long long mult = 1;
  if (sizes && !v.empty()) {
    switch (v.back()) {
    case 'K':
      mult = 1ULL << 10;
      break;
    case 'M':
      mult = 1ULL << 20;
      break;
    case 'G':
      mult = 1ULL << 30;
      break;
    }
    if (mult != 1) {
      digits.pop_back();
    }
  }
  unsigned long long n;
  if (!util::parse_uint(digits, n) || n < min || n > (~0ULL) / mult) {
    return util::error("setting '" + key + "' takes a whole number" + (sizes ? " (K, M or G suffix allowed)" : "") +
                           " of at least " + std::to_string(min) + ", not '" + v + "'",
                       2);
  }
  out = n * mult;
  return {};
}

std::function<util::Status(AppSettings&, const std::string&)>
number_setter(const char* key, unsigned long long AppSettings::*field, bool sizes, unsigned long long min = 1)
{
  return [=](AppSettings& s, const std::string& v) { return parse_number(key, v, s.*field, sizes, min); };
}

std::function<std::string(const AppSettings&)>
number_getter(unsigned long long AppSettings::*field)
{
  return [=](const AppSettings& s) { return std::to_string(s.*field); };
}

const std::vector<Descriptor>&
table()
{
  static const std::vector<Descriptor> t = {
      {"deploy_branch", "branch whose pushes deploy (empty: main or master)",
       [](const AppSettings& s) { return s.deploy_branch; },
       [](AppSettings& s, const std::string& v) -> util::Status {
         if (v.find_first_of(" ~^:?*[\\\n") != std::string::npos || util::starts_with(v, "-")) {
           return util::error("'" + util::printable(v) + "' is not a valid branch name", 2);
         }
         s.deploy_branch = v;
         return {};
       }},
      {"strict", "build and release in pre-receive, so a failure rejects the push",
       [](const AppSettings& s) { return std::string(s.strict ? "true" : "false"); },
       [](AppSettings& s, const std::string& v) { return parse_bool("strict", v, s.strict); }},
      {"release_timeout", "seconds the release command may run", number_getter(&AppSettings::release_timeout),
       number_setter("release_timeout", &AppSettings::release_timeout, false)},
      {"build_timeout", "seconds each buildpack's bin/compile may run", number_getter(&AppSettings::build_timeout),
       number_setter("build_timeout", &AppSettings::build_timeout, false)},
      {"kill_grace", "seconds between SIGTERM and SIGKILL when a command is stopped",
       number_getter(&AppSettings::kill_grace), number_setter("kill_grace", &AppSettings::kill_grace, false, 0)},
      {"slug_size_limit", "largest compressed slug in bytes", number_getter(&AppSettings::slug_size_limit),
       number_setter("slug_size_limit", &AppSettings::slug_size_limit, true)},
      {"retention", "distinct slugs (and their unpacked releases) to keep", number_getter(&AppSettings::retention),
       number_setter("retention", &AppSettings::retention, false)},
      {"compression", "slug compression: zstd, or gzip for Heroku-style .tgz slugs",
       [](const AppSettings& s) { return s.compression; },
       [](AppSettings& s, const std::string& v) -> util::Status {
         if (v != "zstd" && v != "gzip") {
           return util::error("setting 'compression' takes zstd or gzip, not '" + v + "'", 2);
         }
         s.compression = v;
         return {};
       }},
      {"lock_wait", "wait for the deploy lock (true) or fail at once (false)",
       [](const AppSettings& s) { return std::string(s.lock_wait ? "true" : "false"); },
       [](AppSettings& s, const std::string& v) { return parse_bool("lock_wait", v, s.lock_wait); }},
  };
  return t;
}

} // namespace

bool
AppSettings::deploys_branch(const std::string& branch) const
{
  return deploy_branch.empty() ? (branch == "main" || branch == "master") : branch == deploy_branch;
}

std::string
AppSettings::deploy_branch_label() const
{
  return deploy_branch.empty() ? "main or master" : deploy_branch;
}

util::Status
set_setting(AppSettings& s, const std::string& key, const std::string& value)
{
  for (const auto& d : table()) {
    if (key == d.key) {
      return d.set(s, value);
    }
  }
  std::vector<std::string> keys;
  for (const auto& d : table()) {
    keys.emplace_back(d.key);
  }
  return util::error("unknown setting '" + util::printable(key) + "'; settings are " + util::join(keys, ", "), 2);
}

std::vector<SettingInfo>
describe_settings(const AppSettings& s)
{
  std::vector<SettingInfo> out;
  for (const auto& d : table()) {
    out.push_back({d.key, d.get(s), d.help});
  }
  return out;
}

util::Result<AppSettings>
load_settings(const std::string& path)
{
  AppSettings s;
  if (!util::path_exists(path)) {
    return s;
  }
  SW_TRY_ASSIGN(YAML::Node doc, yaml::load_file(path));
  if (doc.IsNull()) {
    return s;
  }
  if (!doc.IsMap()) {
    return util::error(path + ":1: expected 'key: value' lines");
  }
  for (const auto& kv : doc) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    std::string value = kv.second.IsScalar() ? kv.second.Scalar() : "";
    auto set = set_setting(s, key, value);
    if (!set) {
      return util::error(path + ":" + std::to_string(kv.first.Mark().line + 1) + ": " + set.error().message);
    }
  }
  return s;
}

util::Status
save_settings(const std::string& path, const AppSettings& s)
{
  YAML::Emitter e;
  e << YAML::BeginMap;
  for (const auto& info : describe_settings(s)) {
    e << YAML::Key << info.key << YAML::Value << info.value;
  }
  e << YAML::EndMap;
  return util::write_file_atomic(path, std::string(e.c_str()) + "\n", 0640);
}

} // namespace slipway::core
