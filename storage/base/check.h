// CT_CHECK: aborts on a broken invariant (a bug), never used for input or I/O errors.
#pragma once

#include <cstdio>
#include <cstdlib>

#define CT_CHECK(cond)                                                              \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)
