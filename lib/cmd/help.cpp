#include "help.hpp"

#include <algorithm>
#include <string_view>

namespace slipway::cmd {

std::string
general_help(const CommandTable& table)
{
  std::string out = "Usage: slipway [--root DIR] COMMAND [ARGS] [-a APP]\n\n"
                    "Git-push deploys with Heroku's release model: every change is a release, and a\n"
                    "release goes live only when its release command succeeds.\n\nCommands:\n";
  size_t width = 0;
  for (const auto* c : table) {
    width = std::max(width, std::string(c->name).size());
  }
  for (const auto* c : table) {
    if (!c->hidden) {
      std::string name = c->name;
      out += "  " + name + std::string(width + 2 - name.size(), ' ') + c->summary + "\n";
    }
  }
  out += "\nGlobal options:\n"
         "  --root DIR     where Slipway keeps everything (default: $SLIPWAY_ROOT or /var/lib/slipway)\n"
         "  -v, --verbose  write diagnostics to stderr (or to $SLIPWAY_LOG)\n"
         "  -h, --help     this help; 'slipway COMMAND --help' for one command\n";
  return out;
}

std::string
command_help(const CommandSpec& spec)
{
  std::string out = "Usage: slipway " + std::string(spec.name);
  if (*spec.args) {
    out += " " + std::string(spec.args);
  }
  bool app = false, server = false;
  for (const auto& o : spec.options) {
    app = app || o.short_name == 'a';
    server = server || std::string_view(o.long_name) == "server";
  }
  if (app) {
    out += server ? " (-a APP | --server)" : " -a APP";
  }
  for (const auto& o : spec.options) {
    if (o.required && o.short_name != 'a') {
      out += " --" + std::string(o.long_name) + " " + o.value_name;
    }
  }
  out += "\n\n" + std::string(spec.summary) + "\n";
  if (*spec.details) {
    out += "\n" + std::string(spec.details) + "\n";
  }
  out += "\nOptions:\n";
  for (const auto& o : spec.options) {
    std::string flag = o.short_name ? std::string("-") + o.short_name + ", --" : std::string("    --");
    flag += o.long_name;
    if (o.value_name) {
      flag += " " + std::string(o.value_name);
    }
    out += "  " + flag + std::string(flag.size() < 24 ? 24 - flag.size() : 1, ' ') + o.help +
           (o.required ? " (required)" : "") + "\n";
  }
  out += "  -h, --help              this help\n";
  return out;
}

static size_t
distance(const std::string& a, const std::string& b)
{
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) {
    prev[j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string
suggest_command(const CommandTable& table, const std::string& name)
{
  std::string best;
  size_t best_d = 4;
  for (const auto* c : table) {
    size_t d = distance(name, c->name);
    if (!c->hidden && d < best_d) {
      best_d = d;
      best = c->name;
    }
  }
  return best;
}

} // namespace slipway::cmd
