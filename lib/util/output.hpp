// User-facing output, kept apart from logging: the library reports through this sink and
// the front end decides where lines go (a terminal, a git pusher, an HTTP stream, a log).
#pragma once

#include <string>
#include <string_view>

namespace slipway::util {

class Output
{
public:
  virtual ~Output() = default;
  // One line of normal output, without its newline.
  virtual void line(std::string_view text) = 0;
  // One line of warning or error output.
  virtual void
  error_line(std::string_view text)
  {
    line(text);
  }

  // Heroku's conventions: "-----> " steps, 7-space detail, " !     " warnings.
  void
  step(std::string_view text)
  {
    line("-----> " + std::string(text));
  }
  void
  detail(std::string_view text)
  {
    line("       " + std::string(text));
  }
  void
  warn(std::string_view text)
  {
    error_line(" !     " + std::string(text));
  }
};

// Discards everything; for callers that want no output.
class NullOutput : public Output
{
public:
  void
  line(std::string_view) override
  {}
};

// Sends every line to two sinks (the pusher and a log file, say).
class TeeOutput : public Output
{
public:
  TeeOutput(Output& a, Output& b) : m_a(a), m_b(b) {}
  void
  line(std::string_view text) override
  {
    m_a.line(text);
    m_b.line(text);
  }
  void
  error_line(std::string_view text) override
  {
    m_a.error_line(text);
    m_b.error_line(text);
  }

private:
  Output& m_a;
  Output& m_b;
};

} // namespace slipway::util
