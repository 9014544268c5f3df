#include "command.hpp"

#include <core/app/app_lookup.hpp>
#include <util/strings.hpp>

namespace slipway::cmd {

namespace {

const OptionSpec*
find_option(const CommandSpec& spec, const std::string& long_name, char short_name)
{
  for (const auto& o : spec.options) {
    if ((!long_name.empty() && long_name == o.long_name) || (short_name && short_name == o.short_name)) {
      return &o;
    }
  }
  return nullptr;
}

util::Error
usage(const CommandSpec& spec, const std::string& what)
{
  return util::error(what + " (see 'slipway " + std::string(spec.name) + " --help')", 2);
}

} // namespace

util::Result<bool>
parse_command_line(const CommandSpec& spec, const std::vector<std::string>& words, Context& ctx)
{
  bool options_done = false;
  const size_t argc = words.size();
  for (size_t i = 0; i < argc; ++i) {
    const std::string& arg = words[i];
    if (options_done || arg == "-" || arg.empty() || arg[0] != '-') {
      ctx.args.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      return false;
    }
    std::string name, value;
    bool has_value = false;
    const OptionSpec* opt = nullptr;
    if (arg.starts_with("--")) {
      name = arg.substr(2);
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      opt = find_option(spec, name, 0);
    } else {
      opt = find_option(spec, "", arg[1]);
      if (arg.size() > 2) {
        value = arg.substr(2);
        has_value = true;
      }
    }
    if (!opt) {
      // "-1" and friends are arguments (bad versions get their own error), not options.
      if (arg.size() > 1 && (std::isdigit(static_cast<unsigned char>(arg[1])) || arg == "-v")) {
        ctx.args.push_back(arg);
        continue;
      }
      return usage(spec, "unknown option '" + util::printable(arg) + "' for '" + spec.name + "'");
    }
    if (opt->value_name && !has_value) {
      if (i + 1 >= argc) {
        return usage(spec, "option '--" + std::string(opt->long_name) + "' needs a value " + opt->value_name);
      }
      value = words[++i];
    } else if (!opt->value_name && has_value) {
      return usage(spec, "option '--" + std::string(opt->long_name) + "' takes no value");
    }
    if (ctx.options.count(opt->long_name)) {
      // One value per option: a second -a must never mean "the other app" to one reader.
      return usage(spec, "option '--" + std::string(opt->long_name) + "' is given more than once; give it once");
    }
    if (opt->list) {
      for (const auto& item : util::split(value, ',')) {
        if (util::trim(item).empty()) {
          return usage(spec, "option '--" + std::string(opt->long_name) + "' needs " + opt->value_name +
                                 " as comma-separated names, without empty ones");
        }
      }
    }
    ctx.options[opt->long_name] = value;
  }
  for (const auto& o : spec.options) {
    if (o.required && ctx.get(o.long_name).empty()) {
      return usage(spec, "'" + std::string(spec.name) + "' needs --" + o.long_name + " " + o.value_name);
    }
  }
  if (ctx.args.size() < spec.min_args) {
    return usage(spec, "'" + std::string(spec.name) + "' needs " + (*spec.args ? spec.args : "more arguments"));
  }
  if (ctx.args.size() > spec.max_args) {
    return usage(spec, "too many arguments for '" + std::string(spec.name) + "': '" +
                           util::printable(ctx.args[spec.max_args]) + "'");
  }
  return true;
}


std::string
Context::get(const std::string& name, const std::string& fallback) const
{
  auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

std::vector<std::string>
Context::list(const std::string& name) const
{
  std::vector<std::string> out;
  for (const auto& item : util::split(get(name), ',')) {
    if (!util::trim(item).empty()) {
      out.emplace_back(util::trim(item));
    }
  }
  return out;
}

util::Result<core::AppPaths>
Context::app() const
{
  if (!has("app") || get("app").empty()) {
    return util::error("missing app; name it with -a APP (see 'slipway " + std::string(spec->name) + " --help')", 2);
  }
  return core::open_app(root, get("app"));
}

bool
wait_for_lock(const Context& ctx, bool fallback)
{
  return ctx.has("wait") || fallback;
}

const CommandSpec*
find_command(const CommandTable& table, const std::string& name)
{
  for (const auto* c : table) {
    if (name == c->name) {
      return c;
    }
  }
  return nullptr;
}

} // namespace slipway::cmd
