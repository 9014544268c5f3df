#include "audit.hpp"

#include <core/app/layout.hpp>
#include <util/clock.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/identity.hpp>
#include <util/strings.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <deque>

namespace slipway::core {

namespace {

// One field of a line: no tabs or line breaks.
std::string
field(std::string_view s)
{
  std::string out = util::printable(s);
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return out.empty() ? "-" : out;
}

} // namespace

void
audit(const std::string& root, const std::string& app, std::string_view what)
{
  std::string line =
      field(util::now_iso8601()) + "\t" + field(util::current_user()) + "\t" + field(app) + "\t" + field(what) + "\n";
  // O_APPEND: lines from processes writing at once never interleave.
  util::Fd fd(::open(audit_log(root).c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd) {
    (void)util::write_all(fd.get(), line);
  }
}

util::Result<std::vector<AuditEntry>>
read_audit(const std::string& root, const std::string& app, size_t count)
{
  std::vector<AuditEntry> out;
  if (!util::path_exists(audit_log(root))) {
    return out;
  }
  SW_TRY_ASSIGN(std::string text, util::read_file(audit_log(root)));
  std::deque<AuditEntry> last;
  for (const auto& line : util::split(text, '\n')) {
    auto f = util::split(line, '\t');
    if (f.size() != 4 || (!app.empty() && f[2] != app)) {
      continue;
    }
    last.push_back({f[0], f[1], f[2], f[3]});
    if (last.size() > count) {
      last.pop_front();
    }
  }
  out.assign(last.begin(), last.end());
  return out;
}

} // namespace slipway::core
