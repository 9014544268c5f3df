// slipway audit [-a APP] [-n N]: who changed what (core/access/audit.hpp).
#include <cmd/command.hpp>
#include <core/app/app_name.hpp>
#include <core/access/audit.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

namespace slipway::cmd {

static util::Result<int>
run_audit(Context& ctx)
{
  std::string app = ctx.get("app");
  if (!app.empty()) {
    SW_TRY(core::validate_app_name(app)); // a destroyed app's history stays readable
  }
  unsigned long long n = 100;
  if (ctx.has("num") && (!util::parse_uint(ctx.get("num"), n) || n == 0 || n > 100000)) {
    return util::error("--num takes a number of lines from 1 to 100000, not '" + util::printable(ctx.get("num")) + "'",
                       2);
  }
  SW_TRY_ASSIGN(auto entries, core::read_audit(ctx.root, app, n));
  for (const auto& e : entries) {
    ctx.out->line(fmt::format("{}  {}  {}  {}", e.time, e.user, e.app, e.what));
  }
  return 0;
}

extern const CommandSpec k_cmd_audit{
    "audit",
    "",
    "who changed what: releases, scaling, apps, users, keys and access, newest last",
    "Each line: time, who (the SSH user, or the local Unix user), app ('-' for none), what.",
    {{"app", 'a', "APP", "only this app's changes (a destroyed app's too)"},
     {"num", 'n', "N", "how many lines (default 100)"}},
    0,
    0,
    run_audit};

} // namespace slipway::cmd
