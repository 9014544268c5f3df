// The local runtime: dynos as process groups of this machine, each in its own cgroup where
// cgroup v2 is writable, supervised by the process that owns the object (`slipway serve`),
// which must be a child subreaper so that what a dyno leaves behind is reparented to it and
// reaped.
#pragma once

#include <core/runtime.hpp>

#include <memory>
#include <optional>
#include <string>

namespace slipway::core {

class LocalRuntime : public Runtime
{
public:
  // `keep`: children of this process that are not dynos and must be left alone (the router);
  // every other child not a dyno is something a dyno left behind, and is killed.
  // `cgroups`: the cgroup under which each dyno gets its own (dyno_cgroups), or none.
  LocalRuntime(DynoLogFn log, std::function<bool(pid_t)> keep, std::optional<std::string> cgroups);
  ~LocalRuntime() override;

  util::Status start(const DynoSpec& spec) override;
  void stop(const std::string& app, const std::string& name, unsigned long release) override;
  std::vector<DynoStatus> dynos(const std::string& app = {}) const override;
  void wait(double seconds) override;
  void stop_all() override;
  void stop_orphans(const std::vector<DynoStatus>& recorded, double grace) override;

private:
  struct Dyno;
  void launch(Dyno& d);
  void reap(Dyno& d, int status);
  void read_output(Dyno& d, bool all);
  void kill_strays();
  void signal(Dyno& d, int sig);
  void drain_cgroups();
  DynoLogFn m_log;
  std::function<bool(pid_t)> m_keep;
  std::optional<std::string> m_cgroups;
  std::vector<std::string> m_draining; // dynos' cgroups that still hold a process
  unsigned long m_serial = 0;
  std::vector<std::unique_ptr<Dyno>> m_dynos;
};

// Where the dynos of the serve for `root` get their cgroups: below this process's own cgroup
// (systemd's unit delegates it), one directory per root; none without a writable cgroup v2.
std::optional<std::string> dyno_cgroups(const std::string& root);

// Seconds to wait before restarting a dyno after its `crashes`-th crash in a row: none the
// first time, then 2, 4, 8, ... up to 20 minutes, as Heroku does.
double restart_backoff(unsigned crashes);

// Whether connected TCP socket `fd` is connected to itself (a probe of a free port in the
// ephemeral range can be): then nothing else accepted it, and a dyno is not up.
bool self_connected(int fd);

} // namespace slipway::core
