// Fault injection for crash-safety tests: SLIPWAY_FAULT=<step> kills this process with
// SIGKILL when it reaches that step. Production never sets the variable.
#pragma once

#include <util/output.hpp>

namespace slipway::util {

// Die with SIGKILL here if SLIPWAY_FAULT names `step`.
void fault_point(const char* step);

// Whether SLIPWAY_FAULT names `name`: for faults that make an optional fast path unavailable
// instead of killing, so that tests reach the fallback.
bool fault_active(const char* name);

// Passes lines through to another Output and hits fault point `step` after each line, so
// that a test can kill this process while a child (compile, release command) is running.
class FaultOnLine : public Output
{
public:
  FaultOnLine(Output& out, const char* step) : m_out(out), m_step(step) {}
  void
  line(std::string_view text) override
  {
    m_out.line(text);
    fault_point(m_step);
  }
  void
  error_line(std::string_view text) override
  {
    m_out.error_line(text);
  }

private:
  Output& m_out;
  const char* m_step;
};

} // namespace slipway::util
