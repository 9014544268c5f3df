// Text after fork, where a threaded process may only make async-signal-safe calls: no
// allocation, no stdio, no locale. A fixed buffer on the stack, filled by hand.
#pragma once

#include <cstddef>

namespace slipway::util {

// A string of at most N-1 bytes in place; what does not fit is dropped.
template <size_t N> class StackText
{
public:
  StackText() { m_buf[0] = '\0'; }

  StackText&
  add(const char* s)
  {
    while (*s && m_len + 1 < N) {
      m_buf[m_len++] = *s++;
    }
    m_buf[m_len] = '\0';
    return *this;
  }

  StackText&
  add(unsigned long v)
  {
    char digits[24];
    size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0 && m_len + 1 < N) {
      m_buf[m_len++] = digits[--n];
    }
    m_buf[m_len] = '\0';
    return *this;
  }

  const char*
  c_str() const
  {
    return m_buf;
  }
  size_t
  size() const
  {
    return m_len;
  }

private:
  char m_buf[N];
  size_t m_len = 0;
};

} // namespace slipway::util
