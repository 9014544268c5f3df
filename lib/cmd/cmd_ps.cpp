// slipway ps, logs: what `slipway serve` runs for an app, and what it printed.
#include <api/shapes.hpp>
#include <cmd/command.hpp>
#include <core/app/app_log.hpp>
#include <core/release/release_store.hpp>
#include <core/run/dyno_state.hpp>
#include <core/run/serve.hpp>
#include <util/clock.hpp>
#include <util/file_lock.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>


#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

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
  std::vector<core::PublishedDyno> dynos;
  if (running) {
    SW_TRY_ASSIGN(dynos, core::load_dyno_state(paths));
  }
  if (ctx.has("json")) {
    std::string text = core::dyno_state_text(dynos);
    ctx.out->line(text.substr(0, text.size() - 1));
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
  std::map<std::string, std::vector<const core::PublishedDyno*>> by_type;
  for (const auto& d : dynos) {
    by_type[d.type].push_back(&d);
  }
  bool first = true;
  for (const auto& [type, list] : by_type) {
    if (!first) {
      ctx.out->line("");
    }
    first = false;
    // As Heroku's: "=== web (standard-1X): npm start (2)".
    const std::string& size = list.front()->size;
    ctx.out->line(fmt::format("=== {} ({}): {} ({})", type, size.empty() ? "no size" : size, list.front()->command,
                              list.size()));
    for (const auto* d : list) {
      ctx.out->line(fmt::format("{}: {} {} v{}{}", d->name, d->state, state_time(d->since), d->release,
                                d->state == "crashed" && !d->last_exit.empty() ? " (" + d->last_exit + ")" : ""));
    }
  }
  return 0;
}

namespace {

// Whether a log line passes --ps (a type matches its dynos) and --source (app or slipway).
bool
shown(const std::string& line, const std::string& dyno_wanted, const std::string& source_wanted)
{
  // "TIME SOURCE[DYNO]: text"
  auto space = line.find(' ');
  auto open = line.find('[', space);
  auto close = line.find("]:", open);
  if (space == std::string::npos || open == std::string::npos || close == std::string::npos) {
    return dyno_wanted.empty() && source_wanted.empty();
  }
  std::string source = line.substr(space + 1, open - space - 1);
  std::string dyno = line.substr(open + 1, close - open - 1);
  return (dyno_wanted.empty() || dyno == dyno_wanted || dyno.starts_with(dyno_wanted + ".")) &&
         (source_wanted.empty() || source == source_wanted);
}

} // namespace

static util::Result<int>
run_logs(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  unsigned long long n = 100;
  if (ctx.has("num") && (!util::parse_uint(ctx.get("num"), n) || n == 0 || n > 100000)) {
    return util::error("--num takes a number of lines from 1 to 100000, not '" + util::printable(ctx.get("num")) + "'",
                       2);
  }
  std::string dyno = ctx.get("ps"), source = ctx.get("source");
  if (!source.empty() && source != "app" && source != "slipway") {
    return util::error("--source takes app or slipway, not '" + util::printable(source) + "'", 2);
  }
  bool filtered = !dyno.empty() || !source.empty();
  std::vector<std::string> lines;
  for (const auto& line : core::tail_log(paths, filtered ? 100000 : n)) {
    if (shown(line, dyno, source)) {
      lines.push_back(line);
    }
  }
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) {
    ctx.out->line(lines[i]);
  }
  if (!ctx.has("tail")) {
    return 0;
  }
  // Follow the log as it grows (and when it is rotated) until interrupted.
  struct stat st
  {
  };
  std::string file = paths.log_file();
  off_t offset = ::stat(file.c_str(), &st) == 0 ? st.st_size : 0;
  ino_t inode = st.st_ino;
  std::string partial;
  while (true) {
    ::usleep(200000);
    if (::stat(file.c_str(), &st) != 0) {
      continue;
    }
    if (st.st_ino != inode || st.st_size < offset) {
      inode = st.st_ino;
      offset = 0;
    }
    util::Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd || ::lseek(fd.get(), offset, SEEK_SET) < 0) {
      continue;
    }
    auto more = util::read_fd(fd.get(), file);
    if (!more || more->empty()) {
      continue;
    }
    offset += static_cast<off_t>(more->size());
    partial += *more;
    size_t start = 0;
    for (size_t nl; (nl = partial.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string line = partial.substr(start, nl - start);
      if (shown(line, dyno, source)) {
        ctx.out->line(line);
      }
    }
    partial.erase(0, start);
  }
}

static util::Result<int>
run_restart(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppPaths paths, ctx.app());
  std::string what = ctx.args.empty() ? "" : ctx.args[0];
  SW_TRY(core::restart_dynos(ctx.root, paths, what));
  bool stop = std::string_view(ctx.spec->name) == "ps:stop";
  if (ctx.has("json")) {
    ctx.out->line(api::restart_json(paths.name(), stop, what));
  } else {
    ctx.out->line(fmt::format("{} {} on {}... done", stop ? "Stopping" : "Restarting",
                              what.empty() ? "dynos" : what + " dynos", paths.name()));
  }
  return 0;
}

extern const CommandSpec k_cmd_ps_restart{
    "ps:restart",
    "[TYPE|DYNO]",
    "restart the app's dynos: all, one process type (web) or one dyno (web.1)",
    "Each is stopped (SIGTERM, then SIGKILL after the app's stop_timeout) and started again\n"
    "from the current release, as 'slipway serve' runs it.",
    {k_app_option, k_json_option},
    0,
    1,
    run_restart};

// As on Heroku: a stopped dyno that the formation still wants is started again by serve;
// scale the type to 0 to keep it stopped.
extern const CommandSpec k_cmd_ps_stop{
    "ps:stop",
    "TYPE|DYNO",
    "stop a dyno (web.1) or every dyno of a process type now",
    "SIGTERM, then SIGKILL after the app's stop_timeout. Dynos the formation wants are started\n"
    "again from the current release; 'slipway ps:scale TYPE=0' keeps a type stopped.",
    {k_app_option, k_json_option},
    1,
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
     {"ps", 0, "DYNO", "only this process type (web) or dyno (web.1)"},
     {"source", 0, "SOURCE", "only lines from the app (its dynos' output) or from slipway (events)"},
     {"tail", 't', nullptr, "keep printing lines as they are written, until interrupted"}},
    0,
    0,
    run_logs};

} // namespace slipway::cmd
