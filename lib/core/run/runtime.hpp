// Where dynos run: what starts, stops, lists and health-checks them. `slipway serve`
// (core/run/serve.hpp) drives one Runtime and knows nothing else about processes; the local
// supervisor (core/run/local_runtime.hpp) is the first implementation, a multi-host one (Docker
// Swarm) is to follow behind the same calls.
#pragma once

#include <core/app/app_user.hpp>
#include <core/app/config_vars.hpp>
#include <util/result.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::core {

// One dyno to run: `bash -c COMMAND` in the release tree, as the app's user.
struct DynoSpec
{
  std::string app;
  std::string type;      // "web"
  unsigned index = 1;    // 1 for web.1
  unsigned long release; // the version whose tree and config it runs
  std::string command;   // from the release's process types
  std::string dir;       // the release tree, releases/vN/app (never written)
  ConfigVars config;     // the release's config vars
  std::optional<AppUser> user;
  double stop_grace = 30;   // seconds between SIGTERM and SIGKILL
  double boot_timeout = 60; // web: seconds to accept connections on PORT, else it crashed
  std::string healthcheck;  // web: a path it must also answer with 2xx/3xx to count as up
  unsigned long long max_processes = 0; // its user's process limit (util::ProcessSpec)
  std::string size;                     // its dyno size's name (dyno_size.hpp); empty: no limits
  unsigned long long memory = 0;        // bytes: above it Error R14; the runtime kills at twice it (R15)
  unsigned cpu_share = 0;               // relative CPU share under contention (1: standard-1X)

  std::string
  name() const
  {
    return type + "." + std::to_string(index);
  }
};

enum class DynoState {
  starting, // running, not yet answering on its port (web) or just started
  up,       // running (a web dyno: its port accepts connections)
  crashed,  // exited; restarted after a backoff
  stopping, // told to stop, not gone yet
};
std::string to_string(DynoState s);

struct DynoStatus
{
  DynoSpec spec;
  DynoState state = DynoState::starting;
  int port = 0;          // web dynos: where it listens (PORT)
  std::string since;     // when it entered this state (ISO 8601)
  std::string last_exit; // "exited with status 3", for crashed
  unsigned crashes = 0;  // since it was last up
  std::string handle;    // the runtime's own id for what runs it (local: "PID START-TIME")
  unsigned long instance = 0; // this start() of it, unique in the runtime: two dynos of one
                              // name and release (a rolling restart) are told apart by it
};

// What a dyno printed, or an event of the runtime's own ("web.1 crashed: ..."), for the logs.
using DynoLogFn = std::function<void(const std::string& app, const std::string& source, std::string_view line)>;

class Runtime
{
public:
  virtual ~Runtime() = default;
  // Start a dyno (a web dyno gets a free PORT). It runs until stopped; a crash restarts it,
  // at once the first time, then after a growing wait (up to 20 minutes).
  virtual util::Status start(const DynoSpec& spec) = 0;
  // Stop one dyno (`instance` 0: every instance of that name and release): SIGTERM to all it
  // started, SIGKILL after its stop_grace.
  virtual void stop(const std::string& app, const std::string& name, unsigned long release,
                    unsigned long instance = 0) = 0;
  // Every dyno of `app` (all apps: empty), stopping ones included.
  virtual std::vector<DynoStatus> dynos(const std::string& app = {}) const = 0;
  // Handle what happened (exits, output, restarts, health) for up to `seconds`.
  virtual void wait(double seconds) = 0;
  // Stop everything and wait until it is gone (stop grace included).
  virtual void stop_all() = 0;
  // Take over what an earlier serve that was killed left running, given what it recorded
  // (app, name, release, handle, port): each dyno still running as recorded becomes this
  // runtime's as it is (never started a second time) and is returned with its new status;
  // anything else it left is stopped (SIGTERM, SIGKILL after `grace`).
  virtual std::vector<DynoStatus> adopt(const std::vector<DynoStatus>& recorded, double grace) = 0;
};

} // namespace slipway::core
