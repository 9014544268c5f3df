// Filesystem helpers that report errors as values and write atomically.
#pragma once

#include <util/fd.hpp>
#include <util/result.hpp>

#include <sys/types.h>

#include <string>
#include <vector>

namespace slipway::util {

// The whole content of `path`.
Result<std::string> read_file(const std::string& path);

// The rest of the open file `fd`; `shown` names it in errors.
Result<std::string> read_fd(int fd, const std::string& shown);

// An anonymous file in memory (memfd, CLOEXEC) holding `content`, at offset 0: a child's stdin
// (ProcessSpec::stdin_fd). `shown` names it in errors.
Result<Fd> memory_file(const std::string& shown, std::string_view content);

// Write all of `content` to `fd`; `shown` names it in errors.
Status write_fd(int fd, std::string_view content, const std::string& shown);

// The same without a message: false with errno set, for callers that report in their own way.
bool write_all(int fd, std::string_view content);

// What the atomic writes below name their temp files: `path` + k_temp_infix + this pid, in
// the same directory. A name holding k_temp_infix is a leftover once its writer is gone.
inline constexpr const char* k_temp_infix = ".tmp.";
std::string temp_name(const std::string& path);

// Create or truncate `path` and write `content` in place (never through a link): for files
// whose existence is what counts, so that no temp file is left beside them.
Status write_file(const std::string& path, std::string_view content, mode_t mode = 0644);

// Write `content` to `path` so that readers see the old or the new file, never a part:
// temp file in the same directory, fsync, rename over, fsync the directory. With
// `durable` false there is no fsync, for files that are only hints: after a crash they may
// be empty or cut short, so their readers must check them.
Status write_file_atomic(const std::string& path, std::string_view content, mode_t mode = 0644, bool durable = true);

// fsync a directory so that renames in it survive a crash.
Status fsync_dir(const std::string& dir);

// Create one directory; an existing one is an error unless `exist_ok`.
Status make_dir(const std::string& path, mode_t mode = 0755, bool exist_ok = false);

// Create a directory and its parents (mkdir -p).
Status make_dirs(const std::string& path, mode_t mode = 0755);

// Remove a file or a whole tree; a missing path is not an error.
Status remove_tree(const std::string& path);

// Point `link` at `target` atomically: new link under a temp name, rename over, fsync.
// `fault_step` names the fault point between the two (see fault.hpp).
Status replace_symlink(const std::string& target, const std::string& link, const char* fault_step = nullptr);

// The target of a symlink, or an error if `link` is not one.
Result<std::string> read_link(const std::string& link);

bool path_exists(const std::string& path);
bool is_directory(const std::string& path);

// Names in `dir` (no "." or ".."), in byte order.
Result<std::vector<std::string>> list_dir(const std::string& dir);

// The same for the directory open as `dirfd` (read through a duplicate, from its start);
// `shown` names it in errors.
Result<std::vector<std::string>> list_dir_at(int dirfd, const std::string& shown);

// The directory part and the last part of a path ("a/b/c" -> "a/b", "c").
std::string dir_name(const std::string& path);
std::string base_name(const std::string& path);

// Bytes used by the files under `path` (like du -s, without following links).
unsigned long long disk_usage(const std::string& path);

// "<what> '<path>': <strerror(errno)>" for error messages.
std::string errno_message(const std::string& what, const std::string& path);

} // namespace slipway::util
