// slipway serve: run every app's dynos until SIGTERM (core/run/serve.hpp).
#include <cmd/command.hpp>
#include <core/app/app_log.hpp>
#include <core/run/local_runtime.hpp>
#include <core/run/router.hpp>
#include <core/run/serve.hpp>
#include <core/app/settings.hpp>
#include <util/strings.hpp>

#include <sys/prctl.h>
#include <unistd.h>

#include <api/server.hpp>
#include <atomic>
#include <csignal>

namespace slipway::cmd {

namespace {

std::atomic<bool> g_stop{false}; // set by SIGTERM/SIGINT: a signal handler can only reach a global

void
on_stop_signal(int)
{
  g_stop = true;
}

} // namespace

static util::Result<int>
run_serve(Context& ctx)
{
  SW_TRY_ASSIGN(core::AppSettings server, core::load_server_settings(ctx.root));
  // What the dynos leave behind (double forks) is reparented here and reaped.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  struct sigaction sa
  {
  };
  sa.sa_handler = on_stop_signal;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  // Root may listen on port 80; anyone else needs --http.
  std::string listen = ctx.get("http", ::geteuid() == 0 ? "80" : "8080");
  if (listen.empty() || listen.find_first_of(" ;{}'\"\n") != std::string::npos) {
    return util::error("--http takes ADDRESS:PORT or PORT, like 127.0.0.1:8080, not '" + util::printable(listen) + "'",
                       2);
  }
  std::string https = ctx.get("https", "");
  if (https.find_first_of(" ;{}'\"\n") != std::string::npos) {
    return util::error("--https takes ADDRESS:PORT or PORT, like 127.0.0.1:8443, not '" + util::printable(https) + "'",
                       2);
  }
  core::Router router(ctx.root, listen, https); // outlives the runtime, which asks it for its pid
  core::Acme acme(ctx.root, router);            // the same
  core::AppLogs logs(ctx.root, server.log_size, static_cast<unsigned>(server.log_keep));
  auto cgroups = core::dyno_cgroups(ctx.root);
  auto limits = core::dyno_limit_home(ctx.root); // after dyno_cgroups: it may move this process
  std::string unfenced = core::PortFence::problem_here();
  std::optional<core::PortFence> fence;
  if (unfenced.empty()) {
    fence.emplace(ctx.root, core::fence_allowed_users());
  }
  core::LocalRuntime runtime(
      [&](const std::string& app, const std::string& source, std::string_view line) { logs.write(app, source, line); },
      [&](pid_t pid) { return router.owns(pid) || acme.owns(pid); }, cgroups, limits, fence ? &*fence : nullptr,
      core::ServePaths(ctx.root).dyno_output());
  SW_TRY_ASSIGN(auto serve, core::Server::open(ctx.root, runtime, &router, logs, *ctx.out));
  if (!https.empty()) {
    serve->set_acme(&acme);
  }
  std::unique_ptr<api::ApiServer> api;
  if (ctx.has("api")) {
    unsigned long long router_port = 80;
    (void)util::parse_uint(listen.substr(listen.rfind(':') + 1), router_port);
    SW_TRY_ASSIGN(api, api::ApiServer::start(ctx.root, ctx.get("api"), static_cast<int>(router_port)));
    std::string address = ctx.get("api");
    unsigned long long port = 0;
    if (util::parse_uint(address.substr(address.rfind(':') + 1), port)) {
      serve->set_api_port(static_cast<int>(port)); // the router's api_host goes there
    }
  }
  if (!limits.problem.empty()) {
    ctx.out->line("slipway serve: dynos run without memory and CPU limits: " + limits.problem);
  }
  if (!unfenced.empty()) {
    ctx.out->line("slipway serve: other apps' processes can reach web dynos' ports: " + unfenced);
  } else if (!fence->guard_problem().empty()) {
    ctx.out->line("slipway serve: other apps' processes can take a web dyno's port first: " + fence->guard_problem());
  }
  ctx.out->line("slipway serve: running the dynos of every app in " + ctx.root + ", web traffic on " + listen +
                (https.empty() ? std::string() : ", HTTPS on " + https) +
                (api ? ", the Platform API on " + ctx.get("api") : std::string()) + " (SIGTERM stops them)");
  serve->run(g_stop);
  ctx.out->line("slipway serve: stopped");
  return 0;
}

extern const CommandSpec k_cmd_serve{
    "serve",
    "",
    "run every app's dynos, as their current releases and formations say (in the foreground)",
    "One per server (a second one is refused). Starts a release's dynos only once it is current,\n"
    "that is after its release phase succeeded; restarts crashed dynos (at once, then after a\n"
    "growing wait); a new release's web dynos take over once they accept connections on $PORT.\n"
    "Dyno output and events go to apps/APP/logs/app.log ('slipway logs'). SIGTERM stops every\n"
    "dyno (SIGTERM, then SIGKILL after the app's stop_timeout) and exits.\n"
    "The router is HAProxy, run by serve with its own config under $ROOT/router: APP.<domain>\n"
    "(settings:set --server domain=...) and each app's domains go to its web dynos.",
    {{"http", 0, "ADDR", "where the router listens: ADDRESS:PORT or PORT (default 80 as root, else 8080)"},
     {"https", 0, "ADDR", "where the router takes HTTPS: ADDRESS:PORT or PORT (off without it; certs:add, certs:auto:enable)"},
     {"api", 0, "ADDR", "serve the Platform API here: ADDRESS:PORT, or PORT on 127.0.0.1 (off without it)"}},
    0,
    0,
    run_serve};

} // namespace slipway::cmd
