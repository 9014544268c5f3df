// Wall-clock time as records store it (ISO 8601 UTC) and as people read it.
#pragma once

#include <util/result.hpp>

#include <ctime>
#include <string>

namespace slipway::util {

// "2026-11-27T22:38:02Z"
std::string iso8601_utc(std::time_t t);
std::string now_iso8601();

// Parse what iso8601_utc writes; false on anything else.
bool parse_iso8601(const std::string& s, std::time_t& out);

// "2026/11/27 22:38:02 +0000", Heroku's `releases` style.
std::string display_time(const std::string& iso);

// Seconds since an arbitrary fixed point, for durations and timeouts.
double monotonic_seconds();

// Whether `a` is strictly earlier than `b`.
inline bool
earlier(const timespec& a, const timespec& b)
{
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

// A file change time later than `after`, such that every change made in `dir`'s filesystem
// after this returns carries a ctime at least as late. Asks the filesystem itself (a
// throwaway file's ctime), since the kernel's stamps may be coarse or fine-grained; waits
// (usually one clock tick, a few ms) until its stamps have passed `after`.
Result<timespec> change_time_fence(const std::string& dir, const timespec& after);

} // namespace slipway::util
