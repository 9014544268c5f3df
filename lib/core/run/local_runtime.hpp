// The local runtime: dynos as process groups of this machine, each in its own cgroup where
// cgroup v2 is writable, with the memory and CPU share of its size where cgroup controllers
// allow, supervised by the process that owns the object (`slipway serve`),
// which must be a child subreaper so that what a dyno leaves behind is reparented to it and
// reaped.
#pragma once

#include <core/run/port_fence.hpp>
#include <core/run/runtime.hpp>
#include <util/cgroup.hpp>
#include <util/fd.hpp>
#include <util/process.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace slipway::core {

class LocalRuntime : public Runtime
{
public:
  // `keep`: children of this process that are not dynos and must be left alone (the router);
  // every other child not a dyno is something a dyno left behind, and is killed.
  // `cgroups`: the cgroup under which each dyno gets its own (dyno_cgroups), or none.
  // `limits`: where each dyno gets the memory and CPU share of its size (dyno_limit_home);
  // with its `problem` set, dynos run without. `fence`: kept around the web dynos' ports,
  // each port fenced before its dyno starts (none: unfenced). `output`: a directory of root's
  // alone (ServePaths::dyno_output) where each dyno's output goes through a FIFO, so that a
  // dyno outlives a serve that is killed and the next one adopts it; empty: a pipe, and
  // nothing survives serve.
  LocalRuntime(DynoLogFn log,
               std::function<bool(pid_t)> keep,
               std::optional<std::string> cgroups,
               util::LimitHome limits = {},
               PortFence* fence = nullptr,
               std::string output = {});
  ~LocalRuntime() override;

  util::Status start(const DynoSpec& spec) override;
  void stop(const std::string& app, const std::string& name, unsigned long release,
            unsigned long instance = 0) override;
  std::vector<DynoStatus> dynos(const std::string& app = {}) const override;
  void wait(double seconds) override;
  void stop_all() override;
  std::vector<DynoStatus> adopt(const std::vector<DynoStatus>& recorded, double grace) override;

private:
  struct Dyno;
  void launch(Dyno& d);
  void reap(Dyno& d, int status);
  void read_output(Dyno& d, bool all);
  void kill_strays();
  void signal(Dyno& d, int sig);
  void drain_cgroups();
  // The dyno recorded as `r`, if it still runs as recorded (its process, its app's user, its
  // output FIFO): made one of this runtime's.
  bool take_over(const DynoStatus& r);
  // Open the FIFO the dyno about to start writes its output to (its read end in d.output);
  // the write end for the child, or an error.
  util::Result<util::Fd> open_output(Dyno& d);
  // Give the dyno about to start the cgroups of its size (ProcessSpec::cgroup_procs_fds).
  void limit(Dyno& d, util::ProcessSpec& p, std::vector<util::Fd>& procs);
  // R14 while the dyno is above its size (every 20 s); R15 and SIGKILL once the kernel's OOM
  // killer took a process of it.
  void check_memory(Dyno& d, double now);
  // Fence the ports of the web dynos running or about to start, and no other.
  void update_fence();
  DynoLogFn m_log;
  std::function<bool(pid_t)> m_keep;
  std::optional<std::string> m_cgroups;
  util::LimitHome m_limits;
  PortFence* m_fence;
  std::string m_output; // the FIFOs' directory, or empty
  std::vector<std::string> m_draining; // dynos' cgroups that still hold a process
  unsigned long m_serial = 0;
  unsigned long m_instances = 0; // DynoStatus::instance of the last start()
  double m_next_memory_check = 0;
  std::vector<std::unique_ptr<Dyno>> m_dynos;
};

// Where the dynos of the serve for `root` get their cgroups: below this process's own cgroup
// (systemd's unit delegates it), one directory per root; none without a writable cgroup v2.
std::optional<std::string> dyno_cgroups(const std::string& root);

// Where the dynos of the serve for `root` get their memory and CPU limits (util::find_limit_home
// below this process's own cgroup). Call it after dyno_cgroups: with cgroup v2 it may move
// this process into a leaf cgroup.
util::LimitHome dyno_limit_home(const std::string& root);

// Seconds to wait before restarting a dyno after its `crashes`-th crash in a row: none the
// first time, then 2, 4, 8, ... up to 20 minutes, as Heroku does.
double restart_backoff(unsigned crashes);

// The users whose sockets listen on TCP `port` of this machine (IPv4 and IPv6), from /proc/net.
std::vector<uid_t> listening_users(int port);

// Whether connected TCP socket `fd` is connected to itself (a probe of a free port in the
// ephemeral range can be): then nothing else accepted it, and a dyno is not up.
bool self_connected(int fd);

} // namespace slipway::core
