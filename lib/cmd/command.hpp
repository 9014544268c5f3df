// The command table's types. Each subcommand lives in its own cmd_<name>.cpp, which defines
// its CommandSpec (cmd_releases_manage.cpp holds the three releases:* commands that manage
// releases); table.cpp lists them, and help, parsing and dispatch all read that list.
#pragma once

#include <core/app/layout.hpp>
#include <util/output.hpp>
#include <util/result.hpp>

#include <map>
#include <string>
#include <vector>

namespace slipway::cmd {

// One option of a command: parsing, the usage line and --help all come from it.
struct OptionSpec
{
  const char* long_name;  // "app" for --app
  char short_name;        // 'a' for -a, or 0
  const char* value_name; // "APP" when it takes a value; nullptr for a flag
  const char* help;
  bool required = false; // the command needs it, with a non-empty value
  bool list = false;     // the value is comma-separated names (Context::list), none empty
};

struct Context;
using Handler = util::Result<int> (*)(Context&);

struct CommandSpec
{
  const char* name;    // "releases:output"
  const char* args;    // positional arguments for usage, "[vN]"
  const char* summary; // one line for the command list
  const char* details; // more text for --help, or ""
  std::vector<OptionSpec> options;
  size_t min_args;
  size_t max_args; // SIZE_MAX: any number
  Handler run;
  bool hidden = false; // internal commands (hooks) stay out of the list
};

// What a command gets: parsed options and arguments, the root, and where to print.
struct Context
{
  const CommandSpec* spec = nullptr;
  std::string root;
  std::map<std::string, std::string> options; // long name -> value ("" for flags)
  std::vector<std::string> args;
  util::Output* out = nullptr;

  bool
  has(const std::string& name) const
  {
    return options.count(name) > 0;
  }
  std::string get(const std::string& name, const std::string& fallback = "") const;
  // The items of a list option (OptionSpec::list), trimmed; empty when it is not given.
  std::vector<std::string> list(const std::string& name) const;
  // The app named by -a/--app; a usage error if missing, a clear error if it does not exist.
  util::Result<core::AppPaths> app() const;
};

// Options most commands share.
inline const OptionSpec k_app_option{"app", 'a', "APP", "the app to act on"};
inline const OptionSpec k_json_option{"json", 0, nullptr, "print JSON (the Platform API shape)"};
inline const OptionSpec k_wait_option{"wait", 0, nullptr,
                                      "wait for the deploy lock instead of failing when another command holds it"};

// Whether to wait for the deploy lock: commands fail fast (naming the holder) unless --wait;
// pushes follow the app's lock_wait setting instead.
bool wait_for_lock(const Context& ctx, bool fallback);

using CommandTable = std::vector<const CommandSpec*>;

// Every command, in `slipway --help` order (table.cpp): what bin/slipway-engine runs.
const CommandTable& command_table();

// The commands bin/slipway runs itself (quick_table.cpp: the read-only ones and
// settings:set): they need neither libgit2 nor libarchive, so that binary starts without
// loading them. Any other command
// is handed to bin/slipway-engine.
const CommandTable& quick_command_table();

const CommandSpec* find_command(const CommandTable& table, const std::string& name);

// Fill ctx.options and ctx.args from the words after the command's name, by `spec`'s options:
// the one parse every door makes. An option given twice, in any spelling, is a usage error.
// Returns false (no error) when --help was asked.
util::Result<bool> parse_command_line(const CommandSpec& spec, const std::vector<std::string>& words, Context& ctx);

} // namespace slipway::cmd
