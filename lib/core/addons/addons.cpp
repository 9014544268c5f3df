#include "addons.hpp"

#include <util/clock.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>
#include <yaml/yaml_io.hpp>

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>

namespace slipway::core {

namespace {

bool
name_chars(const std::string& s, bool upper)
{
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return upper ? ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
                 : ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  });
}


// The string fields of a provider's and an add-on's file, by key (for reading and writing).
template <typename Provider>
auto
provider_fields(Provider& p)
{
  return std::array{std::pair{"name", &p.name}, std::pair{"kind", &p.kind}, std::pair{"url", &p.url},
                    std::pair{"script", &p.script}};
}

template <typename Addon>
auto
addon_fields(Addon& a)
{
  return std::array{std::pair{"name", &a.name},       std::pair{"id", &a.id},
                    std::pair{"provider", &a.provider}, std::pair{"handle", &a.handle},
                    std::pair{"app", &a.app},         std::pair{"created_at", &a.created_at},
                    std::pair{"created_by", &a.created_by}};
}

util::Result<ProviderConfig>
load_provider(const std::string& path)
{
  SW_TRY_ASSIGN(YAML::Node doc, yaml::load_file(path));
  ProviderConfig p;
  yaml::get_strings(doc, provider_fields(p));
  if (p.kind != "postgresql" && p.kind != "script") {
    return util::error(path + ": 'kind' must be postgresql or script");
  }
  return p;
}

util::Result<Addon>
load_addon(const std::string& path)
{
  SW_TRY_ASSIGN(YAML::Node doc, yaml::load_file(path));
  Addon a;
  yaml::get_strings(doc, addon_fields(a));
  SW_TRY_ASSIGN(a.config, yaml::get_string_map(doc, "config", path));
  if (doc["attachments"] && doc["attachments"].IsSequence()) {
    for (const auto& n : doc["attachments"]) {
      a.attachments.push_back({yaml::get_string(n, "app"), yaml::get_string(n, "as")});
    }
  }
  if (a.name.empty() || a.provider.empty()) {
    return util::error(path + ": not an add-on record (no name or provider)");
  }
  return a;
}

// Write `path` in `dir` (made root's alone), atomically: a YAML mapping that `fill` emits.
util::Status
save_record(const std::string& dir, const std::string& path, const std::function<void(YAML::Emitter&)>& fill)
{
  SW_TRY(util::make_dirs(dir, 0700));
  YAML::Emitter e;
  e << YAML::BeginMap;
  fill(e);
  e << YAML::EndMap;
  return util::write_file_atomic(path, std::string(e.c_str()) + "\n", 0600);
}

// Every NAME.yml in `dir` (none if it does not exist), in name order.
template <typename T>
util::Result<std::vector<T>>
load_each(const std::string& dir, util::Result<T> (*load)(const std::string&))
{
  std::vector<T> out;
  if (!util::is_directory(dir)) {
    return out;
  }
  SW_TRY_ASSIGN(auto names, util::list_dir(dir));
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    if (n.ends_with(".yml")) {
      SW_TRY_ASSIGN(T item, load(dir + "/" + n));
      out.push_back(std::move(item));
    }
  }
  return out;
}

const char* const k_adjectives[] = {"amber",  "brisk",  "calm",   "clear",    "deep",   "dusty",   "eager", "early",
                                    "fair",   "fluffy", "gentle", "golden",   "hidden", "lively",  "lunar", "mellow",
                                    "misty",  "noble",  "quiet",  "rapid",    "rugged", "shallow", "shiny", "silent",
                                    "smooth", "solid",  "sunny",  "tranquil", "vast",   "warm",    "windy", "young"};

unsigned
random_number(unsigned below)
{
  unsigned n = 0;
  if (::getrandom(&n, sizeof n, 0) != sizeof n) {
    n = static_cast<unsigned>(::getpid()) ^ static_cast<unsigned>(util::monotonic_seconds() * 1e6);
  }
  return n % below;
}

} // namespace

ConfigVars
Addon::vars_for(const Attachment& a) const
{
  ConfigVars vars;
  for (const auto& [k, v] : config) {
    vars[a.as + "_" + k] = v;
  }
  return vars;
}

const Attachment*
Addon::attachment(const std::string& app_name, const std::string& as_or_name) const
{
  for (const auto& a : attachments) {
    if (a.app == app_name && (as_or_name.empty() || a.as == as_or_name || name == as_or_name)) {
      return &a;
    }
  }
  return nullptr;
}

std::string
default_attachment_name(const std::string& provider)
{
  if (provider == "postgresql") {
    return "DATABASE";
  }
  std::string s;
  for (char c : provider) {
    s += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}

namespace {

// How one kind of name is spelled: its length, capitals or lowercase (digits and - or _ after
// the first letter), and the character it may not end in.
struct NameRule
{
  const char* kind;
  size_t min, max;
  bool capitals;
  char not_last;
  const char* advice;
};

util::Status
check_name(const std::string& name, const NameRule& rule)
{
  char first = rule.capitals ? 'A' : 'a';
  if (name.size() < rule.min || name.size() > rule.max || name[0] < first || name[0] > first + 25 ||
      !name_chars(name, rule.capitals) || (rule.not_last && name.back() == rule.not_last)) {
    return util::error(fmt::format("invalid {} name '{}': {}", rule.kind, util::printable(name), rule.advice), 2);
  }
  return {};
}

} // namespace

util::Status
check_provider_name(const std::string& name)
{
  return check_name(name, {"provider", 1, 30, false, 0,
                           "use a lowercase letter, then up to 29 lowercase letters, digits or dashes"});
}

util::Status
check_addon_name(const std::string& name)
{
  return check_name(name, {"add-on", 3, 40, false, '-',
                           "use 3 to 40 lowercase letters, digits and dashes, starting with a letter"});
}

util::Status
check_attachment_name(const std::string& name)
{
  return check_name(name, {"attachment", 1, 40, true, '_',
                           "use capital letters, digits and underscores, starting with a letter (DATABASE)"});
}

util::Result<util::FileLock>
AddonStore::lock() const
{
  SW_TRY(util::make_dirs(m_paths.dir, 0700));
  return util::FileLock::acquire(m_paths.lock(), {});
}

util::Result<std::vector<ProviderConfig>>
AddonStore::providers() const
{
  return load_each(m_paths.providers(), load_provider);
}

util::Result<ProviderConfig>
AddonStore::provider(const std::string& name) const
{
  SW_TRY(check_provider_name(name));
  if (!util::path_exists(m_paths.provider(name))) {
    if (name == "postgresql") {
      return util::error(
          "add-on provider 'postgresql' is not configured; an admin sets it once with "
          "'slipway addons:providers:set postgresql --url postgres://ADMIN:PASSWORD@HOST:PORT/postgres'");
    }
    return util::error("add-on provider '" + name +
                       "' is not configured; see 'slipway addons:providers', or an admin adds it with "
                       "'slipway addons:providers:set " +
                       name + " --script DIR'");
  }
  return load_provider(m_paths.provider(name));
}

util::Status
AddonStore::save_provider(const ProviderConfig& p) const
{
  return save_record(m_paths.providers(), m_paths.provider(p.name), [&](YAML::Emitter& e) {
    yaml::emit_strings(e, provider_fields(p));
  });
}

util::Result<std::vector<Addon>>
AddonStore::list() const
{
  return load_each(m_paths.resources(), load_addon);
}

bool
AddonStore::exists(const std::string& name) const
{
  return check_addon_name(name) && util::path_exists(m_paths.resource(name));
}

util::Result<Addon>
AddonStore::load(const std::string& name) const
{
  if (!exists(name)) {
    return util::error("add-on '" + util::printable(name) + "' not found; see 'slipway addons'");
  }
  return load_addon(m_paths.resource(name));
}

util::Status
AddonStore::save(const Addon& a) const
{
  return save_record(m_paths.resources(), m_paths.resource(a.name), [&](YAML::Emitter& e) {
    yaml::emit_strings(e, addon_fields(a));
    yaml::emit_string_map(e, "config", a.config);
    e << YAML::Key << "attachments" << YAML::Value << YAML::BeginSeq;
    for (const auto& at : a.attachments) {
      e << YAML::BeginMap;
      yaml::emit_strings(e, std::array{std::pair{"app", &at.app}, std::pair{"as", &at.as}});
      e << YAML::EndMap;
    }
    e << YAML::EndSeq;
  });
}

util::Status
AddonStore::remove(const std::string& name) const
{
  if (::unlink(m_paths.resource(name).c_str()) != 0 && errno != ENOENT) {
    return util::error(util::errno_message("cannot remove", m_paths.resource(name)));
  }
  return {};
}

util::Result<std::vector<std::pair<Addon, Attachment>>>
AddonStore::attached_to(const std::string& app) const
{
  std::vector<std::pair<Addon, Attachment>> out;
  SW_TRY_ASSIGN(auto all, list());
  for (auto& a : all) {
    for (const auto& at : a.attachments) {
      if (at.app == app) {
        out.emplace_back(a, at);
      }
    }
  }
  return out;
}

std::string
AddonStore::fresh_name(const std::string& provider) const
{
  for (;;) {
    std::string name = fmt::format("{}-{}-{}", provider, k_adjectives[random_number(std::size(k_adjectives))],
                                   1000 + random_number(99000));
    if (name.size() > 40) {
      name =
          fmt::format("addon-{}-{}", k_adjectives[random_number(std::size(k_adjectives))], 1000 + random_number(99000));
    }
    if (!exists(name)) {
      return name;
    }
  }
}

util::Status
overlay_addon_vars(const std::string& root, const std::string& app, ConfigVars& config)
{
  AddonStore store(root);
  if (!util::is_directory(store.paths().resources())) {
    return {};
  }
  SW_TRY_ASSIGN(auto attached, store.attached_to(app));
  for (const auto& [addon, at] : attached) {
    for (const auto& [k, v] : addon.vars_for(at)) {
      config[k] = v;
    }
  }
  return {};
}

} // namespace slipway::core
