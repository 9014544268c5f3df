#include "fs.hpp"

#include <util/dir_walk.hpp>
#include <util/fault.hpp>
#include <util/fd.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace slipway::util {

std::string
errno_message(const std::string& what, const std::string& path)
{
  return what + " '" + path + "': " + std::strerror(errno);
}

Result<std::string>
read_fd(int fd, const std::string& shown)
{
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return error(errno_message("cannot read", shown));
    }
    if (n == 0) {
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<std::string>
read_file(const std::string& path)
{
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return error(errno_message("cannot read", path));
  }
  return read_fd(fd.get(), path);
}

Status
write_fd(int fd, std::string_view data, const std::string& path)
{
  if (!write_all(fd, data)) {
    return error(errno_message("cannot write", path));
  }
  return {};
}

Result<Fd>
memory_file(const std::string& shown, std::string_view content)
{
  Fd fd(::memfd_create(shown.c_str(), MFD_CLOEXEC));
  if (!fd || !write_all(fd.get(), content) || ::lseek(fd.get(), 0, SEEK_SET) != 0) {
    return error(errno_message("cannot pass", shown));
  }
  return fd;
}

bool
write_all(int fd, std::string_view data)
{
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string
dir_name(const std::string& path)
{
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string
base_name(const std::string& path)
{
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Status
fsync_dir(const std::string& dir)
{
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) {
    return error(errno_message("cannot sync directory", dir));
  }
  return {};
}

std::string
temp_name(const std::string& path)
{
  return path + k_temp_infix + std::to_string(::getpid());
}

Status
write_file(const std::string& path, std::string_view content, mode_t mode)
{
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd) {
    return error(errno_message("cannot write", path));
  }
  return write_fd(fd.get(), content, path);
}

Status
write_file_atomic(const std::string& path, std::string_view content, mode_t mode, bool durable)
{
  std::string tmp = temp_name(path);
  ::unlink(tmp.c_str());
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd) {
    return error(errno_message("cannot create", tmp));
  }
  // open() applies the umask; the mode is part of the contract (secrets stay 0600).
  ::fchmod(fd.get(), mode);
  auto written = write_fd(fd.get(), content, tmp);
  if (!written || (durable && ::fsync(fd.get()) != 0)) {
    ::unlink(tmp.c_str());
    return written ? error(errno_message("cannot sync", tmp)) : written;
  }
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = error(errno_message("cannot rename over", path));
    ::unlink(tmp.c_str());
    return e;
  }
  return durable ? fsync_dir(dir_name(path)) : Status();
}

Status
make_dir(const std::string& path, mode_t mode, bool exist_ok)
{
  if (::mkdir(path.c_str(), mode) != 0) {
    if (errno == EEXIST && exist_ok && is_directory(path)) {
      return {};
    }
    return error(errno_message("cannot create directory", path));
  }
  ::chmod(path.c_str(), mode);
  return {};
}

Status
make_dirs(const std::string& path, mode_t mode)
{
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return error("cannot create directory '" + path + "': " + ec.message());
  }
  ::chmod(path.c_str(), mode);
  return {};
}

Status
remove_tree(const std::string& path)
{
  Fd parent(::open(dir_name(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!parent) {
    return errno == ENOENT ? Status() : error(errno_message("cannot remove", path));
  }
  auto removed = remove_at(parent.get(), base_name(path));
  if (!removed) {
    return error("cannot remove '" + path + "': " + removed.error().message);
  }
  return {};
}

Status
replace_symlink(const std::string& target, const std::string& link, const char* fault_step)
{
  std::string tmp = temp_name(link);
  ::unlink(tmp.c_str());
  if (::symlink(target.c_str(), tmp.c_str()) != 0) {
    return error(errno_message("cannot create symlink", tmp));
  }
  if (fault_step) {
    fault_point(fault_step);
  }
  if (::rename(tmp.c_str(), link.c_str()) != 0) {
    auto e = error(errno_message("cannot rename symlink over", link));
    ::unlink(tmp.c_str());
    return e;
  }
  return fsync_dir(dir_name(link));
}

Result<std::string>
read_link(const std::string& link)
{
  char buf[4096];
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  if (n < 0) {
    return error(errno_message("cannot read link", link));
  }
  return std::string(buf, static_cast<size_t>(n));
}

bool
path_exists(const std::string& path)
{
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool
is_directory(const std::string& path)
{
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::vector<std::string>>
list_dir_at(int dirfd, const std::string& shown)
{
  int dup = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  std::unique_ptr<DIR, int (*)(DIR*)> d(dup >= 0 ? ::fdopendir(dup) : nullptr, ::closedir);
  if (!d) {
    if (dup >= 0) {
      ::close(dup);
    }
    return error(errno_message("cannot list", shown.empty() ? "." : shown));
  }
  ::rewinddir(d.get());
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d.get())) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") {
      names.emplace_back(n);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::vector<std::string>>
list_dir(const std::string& dir)
{
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    return error(errno_message("cannot list", dir));
  }
  return list_dir_at(fd.get(), dir);
}

unsigned long long
disk_usage(const std::string& path)
{
  unsigned long long total = 0;
  (void)walk_path(path, [&](int, const std::string&, const std::string&, const struct stat& st) -> Result<Visit> {
    total += static_cast<unsigned long long>(st.st_blocks) * 512;
    return Visit::descend;
  });
  return total;
}

} // namespace slipway::util
