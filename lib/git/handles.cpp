#include "handles.hpp"

namespace slipway::git {

util::Error
last_error(const std::string& what)
{
  const git_error* e = git_error_last();
  return util::error(what + ": " + (e && e->message ? e->message : "unknown libgit2 error"));
}

bool
parse_oid(const std::string& hex, git_oid& out)
{
  return is_oid_hex(hex) && git_oid_fromstr(&out, hex.c_str()) == 0;
}

std::string
oid_hex(const git_oid& oid)
{
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

} // namespace slipway::git
