#include "app_lock.hpp"

#include <core/release/leftovers.hpp>
#include <util/clock.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>

#include <unistd.h>

namespace slipway::core {

util::Result<AppLock>
AppLock::acquire(const AppPaths& paths, const std::string& what, bool wait, util::Output& out)
{
  AppLock lock;
  if (wait) {
    SW_TRY_ASSIGN(lock.m_lock, util::FileLock::acquire(paths.lock(), [&](const std::string& holder) {
                    out.step("Waiting for the deploy lock of " + paths.name() + ", held by " +
                             (holder.empty() ? std::string("another process") : holder));
                  }));
  } else {
    SW_TRY_ASSIGN(bool got, util::FileLock::try_acquire(paths.lock(), lock.m_lock));
    if (!got) {
      std::string holder = util::FileLock::read_note(paths.lock());
      return util::error("app '" + paths.name() + "' is locked by " +
                         (holder.empty() ? std::string("another process") : holder) +
                         "; try again when it finishes, or wait for it with --wait");
    }
  }
  lock.m_lock.set_note(util::current_user() + " (pid " + std::to_string(::getpid()) + ") since " + util::now_iso8601() +
                       ": " + what);
  if (util::is_directory(paths.releases())) {
    clean_leftovers(paths, out);
  }
  return lock;
}

} // namespace slipway::core
