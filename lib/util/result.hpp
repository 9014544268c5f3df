// Errors as values: the low layers return Result<T>; only the front end prints.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace slipway::util {

// What went wrong, phrased for a person: what failed first, then what to do next.
struct Error
{
  std::string message;
  // Exit status a command-line front end should use (1 failure, 2 usage).
  int exit_code = 1;
};

inline Error
error(std::string message, int exit_code = 1)
{
  return Error{std::move(message), exit_code};
}

// A value or an Error; check with `if (!r)` before dereferencing.
template <typename T> class [[nodiscard]] Result
{
public:
  Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
  Result(Error e) : m_v(std::in_place_index<1>, std::move(e)) {}

  explicit operator bool() const { return m_v.index() == 0; }
  T&
  operator*()
  {
    return std::get<0>(m_v);
  }
  const T&
  operator*() const
  {
    return std::get<0>(m_v);
  }
  T*
  operator->()
  {
    return &std::get<0>(m_v);
  }
  const T*
  operator->() const
  {
    return &std::get<0>(m_v);
  }
  const Error&
  error() const
  {
    return std::get<1>(m_v);
  }

private:
  std::variant<T, Error> m_v;
};

template <> class [[nodiscard]] Result<void>
{
public:
  Result() = default;
  Result(Error e) : m_e(std::move(e)) {}

  explicit operator bool() const { return !m_e; }
  const Error&
  error() const
  {
    return *m_e;
  }

private:
  std::optional<Error> m_e;
};

using Status = Result<void>;

} // namespace slipway::util

// Return the error of `expr` from the enclosing function if it failed.
#define SW_TRY(expr)                                                                                                   \
  do {                                                                                                                 \
    auto sw_try_result_ = (expr);                                                                                      \
    if (!sw_try_result_) {                                                                                             \
      return sw_try_result_.error();                                                                                   \
    }                                                                                                                  \
  } while (false)

#define SW_CONCAT_(a, b) a##b
#define SW_CONCAT(a, b) SW_CONCAT_(a, b)
// Declare `var` from the value of `expr`, or return its error.
#define SW_TRY_ASSIGN(var, expr)                                                                                       \
  auto SW_CONCAT(sw_res_, __LINE__) = (expr);                                                                          \
  if (!SW_CONCAT(sw_res_, __LINE__)) {                                                                                 \
    return SW_CONCAT(sw_res_, __LINE__).error();                                                                       \
  }                                                                                                                    \
  var = std::move(*SW_CONCAT(sw_res_, __LINE__))
