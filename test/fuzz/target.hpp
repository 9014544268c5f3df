// One libFuzzer entry point per target file: SLIPWAY_FUZZ_TARGET(fn) defines
// LLVMFuzzerTestOneInput to abort when fn (true: the input keeps the target's invariants)
// says no. With SLIPWAY_FUZZ_REPLAY (test/unit/test_fuzz_corpus.cpp) it defines nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#ifdef SLIPWAY_FUZZ_REPLAY
#define SLIPWAY_FUZZ_TARGET(fn)
#else
#define SLIPWAY_FUZZ_TARGET(fn)                                                                                        \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)                                              \
  {                                                                                                                    \
    if (!fn(data, size)) {                                                                                             \
      std::abort();                                                                                                    \
    }                                                                                                                  \
    return 0;                                                                                                          \
  }
#endif
