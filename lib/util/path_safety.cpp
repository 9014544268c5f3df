#include "path_safety.hpp"

#include <util/strings.hpp>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace slipway::util {

bool
is_safe_relative_path(std::string_view rel)
{
  if (rel.empty() || rel.front() == '/' || rel.find('\0') != std::string_view::npos) {
    return false;
  }
  for (const auto& part : split(rel, '/')) {
    if (part.empty() || part == "." || part == "..") {
      return false;
    }
  }
  return true;
}

bool
symlink_stays_inside(std::string_view link_rel, std::string_view target)
{
  if (target.empty() || target.front() == '/' || !is_safe_relative_path(link_rel)) {
    return false;
  }
  long depth = static_cast<long>(split(link_rel, '/').size()) - 1; // parts above the link
  bool named = false;
  for (const auto& part : split(target, '/')) {
    if (part.empty() || part == ".") {
      continue;
    }
    if (part == "..") {
      if (named || --depth < 0) {
        return false;
      }
    } else {
      named = true;
    }
  }
  return true;
}

int
open_beneath(int dirfd, const std::string& rel)
{
  open_how how{};
  how.flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, dirfd, rel.c_str(), &how, sizeof how));
}

} // namespace slipway::util
