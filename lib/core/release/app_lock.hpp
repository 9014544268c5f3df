// The app's deploy lock. Every command that changes an app (push, config, rollback, retry,
// promote, prune, destroy) holds it; the kernel frees it if the holder dies.
#pragma once

#include <core/app/layout.hpp>
#include <util/file_lock.hpp>
#include <util/output.hpp>

namespace slipway::core {

class AppLock
{
public:
  // Take the lock for `what` ("push of main 1a2b3c4d"). If it is held: with `wait`, say who
  // holds it on `out` and wait; without, fail naming the holder. Once held, leftovers of
  // interrupted runs are cleaned up (see leftovers.hpp).
  static util::Result<AppLock> acquire(const AppPaths& paths, const std::string& what, bool wait, util::Output& out);

private:
  util::FileLock m_lock;
};

} // namespace slipway::core
