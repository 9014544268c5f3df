// Output to the process's stdout and stderr, line at a time. Writes that fail (a pusher
// who hung up) are dropped: the work goes on and the logs keep everything.
#pragma once

#include <util/output.hpp>

namespace slipway::cmd {

class StdOutput : public util::Output
{
public:
  void line(std::string_view text) override;
  void error_line(std::string_view text) override;
};

} // namespace slipway::cmd
