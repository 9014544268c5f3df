// slipway ps, logs: what `slipway serve` runs for an app, and what it printed.
#include <cmd/command.hpp>
#include <core/app_log.hpp>
#include <core/release_store.hpp>
#include <core/serve.hpp>
#include <util/clock.hpp>
#include <util/file_lock.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <ctime>

namespace slipway::cmd {

namespace {

// "2026/11/29 15:31:21 +0000 (~ 3m ago)", as Heroku's ps prints a dyno's state time.
std::string
state_time(const std::string& iso)
{
  std::time_t t;
  if (!util::parse_iso8601(iso, t)) {
    return iso;
  }
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y/%m/%d %H:%M:%S +0000", &tm);
  long ago = static_cast<long>(std::time(nullptr) - t);
  std::string rel = ago < 60     ? fmt::format("{}s", ago)
                    : ago < 3600 ? fmt::format("{}m", ago / 60)
                                 : fmt::format("{}h", ago / 3600);
  return fmt::format("{} (~ {} ago)", buf, rel);
}

} // namespace

static util::Result<int>
run_ps(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  bool running = core::serve_running(ctx.root);
  nlohmann::json dynos = nlohmann::json::array();
  if (running && util::path_exists(paths.dyno_state())) {
    SW_TRY_ASSIGN(std::string text, util::read_file(paths.dyno_state()));
    dynos = nlohmann::json::parse(text, nullptr, false);
    if (!dynos.is_array()) {
      return util::error(paths.dyno_state() + " is not a JSON list; it is rewritten while serve runs");
    }
  }
  if (ctx.has("json")) {
    ctx.out->line(dynos.dump(2));
    return 0;
  }
  if (!running) {
    ctx.out->line("No dynos: slipway serve is not running on this server");
    return 0;
  }
  if (dynos.empty()) {
    ctx.out->line("No dynos on " + paths.name() + " (scale with: slipway ps:scale web=1 -a " + paths.name() + ")");
    return 0;
  }
  std::map<std::string, std::vector<const nlohmann::json*>> by_type;
  for (const auto& d : dynos) {
    by_type[d.value("type", "")].push_back(&d);
  }
  bool first = true;
  for (const auto& [type, list] : by_type) {
    if (!first) {
      ctx.out->line("");
    }
    first = false;
    ctx.out->line(fmt::format("=== {} ({}): {}", type, list.size(), list.front()->value("command", "")));
    for (const auto* d : list) {
      std::string state = d->value("state", "");
      std::string exit = d->value("last_exit", "");
      ctx.out->line(fmt::format("{}: {} {} v{}{}", d->value("name", ""), state, state_time(d->value("since", "")),
                                d->value("release", 0UL),
                                state == "crashed" && !exit.empty() ? " (" + exit + ")" : ""));
    }
  }
  return 0;
}

static util::Result<int>
run_logs(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  unsigned long long n = 100;
  if (ctx.has("num") && (!util::parse_uint(ctx.get("num"), n) || n == 0 || n > 100000)) {
    return util::error("--num takes a number of lines from 1 to 100000, not '" + util::printable(ctx.get("num")) + "'",
                       2);
  }
  std::string only = ctx.get("ps");
  std::vector<std::string> lines = core::tail_log(paths, only.empty() ? n : 100000);
  std::vector<std::string> shown;
  for (const auto& line : lines) {
    // "TIME SOURCE[DYNO]: text": --ps web matches web.N, --ps web.1 that dyno.
    auto open = line.find('[');
    auto close = line.find("]:", open);
    std::string dyno =
        open == std::string::npos || close == std::string::npos ? "" : line.substr(open + 1, close - open - 1);
    if (!only.empty() && dyno != only && !dyno.starts_with(only + ".")) {
      continue;
    }
    shown.push_back(line);
  }
  size_t from = shown.size() > n ? shown.size() - n : 0;
  for (size_t i = from; i < shown.size(); ++i) {
    ctx.out->line(shown[i]);
  }
  return 0;
}

static util::Result<int>
run_restart(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  std::string what = ctx.args.empty() ? "" : ctx.args[0];
  SW_TRY(core::restart_dynos(ctx.root, paths, what));
  ctx.out->line(fmt::format("Restarting {} on {}... done", what.empty() ? "dynos" : what + " dynos", paths.name()));
  return 0;
}

extern const CommandSpec k_cmd_ps_restart{
    "ps:restart",
    "[TYPE|DYNO]",
    "restart the app's dynos: all, one process type (web) or one dyno (web.1)",
    "Each is stopped (SIGTERM, then SIGKILL after the app's stop_timeout) and started again\n"
    "from the current release, as 'slipway serve' runs it.",
    {k_app_option},
    0,
    1,
    run_restart};

extern const CommandSpec k_cmd_ps{
    "ps",
    "",
    "list the app's dynos: state, since when, the release each runs",
    "What 'slipway serve' runs now; 'crashed' dynos show why and are restarted after a wait.",
    {k_app_option, k_json_option},
    0,
    0,
    run_ps};

extern const CommandSpec k_cmd_logs{
    "logs",
    "",
    "show the app's log: what its dynos printed and what Slipway did with them",
    "Lines as Heroku prints them: TIME app[web.1]: ... for dyno output, slipway[web.1]: ... for\n"
    "starts, crashes and stops.",
    {k_app_option,
     {"num", 'n', "N", "how many lines (default 100)"},
     {"ps", 0, "DYNO", "only this process type (web) or dyno (web.1)"}},
    0,
    0,
    run_logs};

} // namespace slipway::cmd
