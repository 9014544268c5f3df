#include "overlay_view.hpp"

#include <util/async_safe.hpp>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace slipway::util {

namespace {

enum Step {
  k_namespace,
  k_private,
  k_userns,
  k_clone_tree,
  k_idmap,
  k_attach,
  k_overlay,
};

const char* const k_step_names[] = {
    "create a mount namespace",   "make mounts private",   "create the id mapping", "clone the lower tree",
    "map the lower tree's owner", "attach the lower tree", "mount the overlay",
};

// Write "0 <id> 1" to /proc/<pid>/<file>: id 0 inside maps to `id` outside.
bool
write_map(pid_t pid, const char* file, unsigned id)
{
  StackText<64> path, line;
  path.add("/proc/").add(static_cast<unsigned long>(pid)).add("/").add(file);
  line.add("0 ").add(static_cast<unsigned long>(id)).add(" 1\n");
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  bool ok = ::write(fd, line.c_str(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  return ok;
}

// A user namespace in which uid/gid 0 is uid/gid outside, as an fd: what an idmapped mount
// needs. A helper child enters the namespace and stops until its maps are written.
int
open_mapping_userns(uid_t uid, gid_t gid)
{
  pid_t helper = ::fork();
  if (helper < 0) {
    return -1;
  }
  if (helper == 0) {
    if (::unshare(CLONE_NEWUSER) != 0) {
      ::_exit(1);
    }
    ::raise(SIGSTOP);
    ::_exit(0);
  }
  int status = 0;
  int fd = -1;
  int saved = 0;
  if (::waitpid(helper, &status, WUNTRACED) == helper && WIFSTOPPED(status)) {
    StackText<64> ns;
    ns.add("/proc/").add(static_cast<unsigned long>(helper)).add("/ns/user");
    if (write_map(helper, "uid_map", uid) && write_map(helper, "gid_map", gid)) {
      fd = ::open(ns.c_str(), O_RDONLY | O_CLOEXEC);
    }
    saved = errno;
  } else {
    saved = ECHILD;
  }
  ::kill(helper, SIGKILL);
  while (::waitpid(helper, &status, 0) < 0 && errno == EINTR) {
  }
  errno = saved == 0 ? EINVAL : saved;
  return fd;
}

} // namespace

bool
overlay_paths_usable(const OverlayView& view)
{
  for (const std::string* p : {&view.mount, &view.upper, &view.work}) {
    if (p->empty() || p->find_first_of(",:\\") != std::string::npos) {
      return false;
    }
  }
  return !view.lower.empty() && !view.target.empty();
}

PreparedOverlay
prepare_overlay(const OverlayView& view)
{
  PreparedOverlay p;
  p.view = &view;
  // volatile: the upper layer is thrown away, so unmounting must not syncfs the whole disk.
  p.options = "lowerdir=" + view.mount + ",upperdir=" + view.upper + ",workdir=" + view.work + ",volatile";
  return p;
}

int
enter_overlay_view(const PreparedOverlay& prepared, int* step)
{
  const OverlayView& v = *prepared.view;
  auto fail = [&](Step s) {
    *step = s;
    return errno != 0 ? errno : EINVAL;
  };
  if (::unshare(CLONE_NEWNS) != 0) {
    return fail(k_namespace);
  }
  // Nothing mounted here may propagate back to the host's namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return fail(k_private);
  }
  int userns = open_mapping_userns(v.uid, v.gid);
  if (userns < 0) {
    return fail(k_userns);
  }
  int tree = ::open_tree(AT_FDCWD, v.lower.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0) {
    ::close(userns);
    return fail(k_clone_tree);
  }
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  attr.userns_fd = static_cast<__u64>(userns);
  int rc = ::mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof attr);
  int saved = errno;
  ::close(userns);
  if (rc != 0) {
    ::close(tree);
    errno = saved;
    return fail(k_idmap);
  }
  rc = ::move_mount(tree, "", AT_FDCWD, v.mount.c_str(), MOVE_MOUNT_F_EMPTY_PATH);
  saved = errno;
  ::close(tree);
  if (rc != 0) {
    errno = saved;
    return fail(k_attach);
  }
  if (::mount("overlay", v.target.c_str(), "overlay", MS_NOSUID | MS_NODEV, prepared.options.c_str()) != 0) {
    return fail(k_overlay);
  }
  return 0;
}

const char*
overlay_step_name(int step)
{
  if (step < 0 || step >= static_cast<int>(sizeof k_step_names / sizeof k_step_names[0])) {
    return "set up the overlay";
  }
  return k_step_names[step];
}

} // namespace slipway::util
