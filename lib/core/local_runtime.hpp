// The local runtime: dynos as process groups of this machine, supervised by the process that
// owns the object (`slipway serve`), which must be a child subreaper so that what a dyno
// leaves behind is reparented to it and reaped.
#pragma once

#include <core/runtime.hpp>

#include <memory>

namespace slipway::core {

class LocalRuntime : public Runtime
{
public:
  explicit LocalRuntime(DynoLogFn log);
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
  DynoLogFn m_log;
  std::vector<std::unique_ptr<Dyno>> m_dynos;
};

// Seconds to wait before restarting a dyno after its `crashes`-th crash in a row: none the
// first time, then 2, 4, 8, ... up to 20 minutes, as Heroku does.
double restart_backoff(unsigned crashes);

// argv for running `command` as Heroku does: bash, the app's .profile.d/*.sh sourced from
// $HOME, then the command evaluated. `label` is $0.
std::vector<std::string> profile_command(const std::string& command, const std::string& label);

} // namespace slipway::core
