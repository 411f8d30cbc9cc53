/*
 * Check macros shared by the C test programs in this directory. Each program counts
 * failed checks in `failures` and exits non-zero when any failed.
 */
#ifndef PEERNET_TEST_CHECK_H
#define PEERNET_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#include "p2p.h"

static int failures = 0;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
            failures++;                                                               \
        }                                                                             \
    } while (0)

#define CHECK_HR(expr, want)                                                          \
    do {                                                                              \
        HRESULT got_ = (expr);                                                        \
        if (got_ != (want)) {                                                         \
            fprintf(stderr, "%s:%d: %s returned 0x%08X, want 0x%08X\n", __FILE__,     \
                    __LINE__, #expr, (unsigned)got_, (unsigned)(want));               \
            failures++;                                                               \
        }                                                                             \
    } while (0)

/* Stop the program when a step everything else depends on failed. */
#define REQUIRE_HR(expr, want)                                                        \
    do {                                                                              \
        HRESULT got_ = (expr);                                                        \
        if (got_ != (want)) {                                                         \
            fprintf(stderr, "%s:%d: %s returned 0x%08X, want 0x%08X (fatal)\n",       \
                    __FILE__, __LINE__, #expr, (unsigned)got_, (unsigned)(want));     \
            exit(2);                                                                  \
        }                                                                             \
    } while (0)

/* The end of main(): prints "<name>: ok" and returns exit status 0 when every check
 * passed, else reports the number of failed checks and returns 1. */
static inline int check_report(const char *name)
{
    if (failures != 0) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, failures);
        return 1;
    }
    printf("%s: ok\n", name);
    return 0;
}

#endif
