/* check.h — the assertion counter shared by the C tests: CHECK(cond, fmt, ...) counts a
 * pass or prints a failure with its place and the engine's last error; CHECK_SUMMARY()
 * prints "N passed, N failed" and gives the exit status; check_open_device opens the default
 * device or counts that as a failure; contains is strstr as a truth value (for messages).
 * Include once per test program. */
#ifndef TRT_TESTS_CHECK_H
#define TRT_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

#include "trt/trt.h"

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                                  \
    do {                                                                                  \
        if (cond) {                                                                       \
            check_passed++;                                                               \
        } else {                                                                          \
            check_failed++;                                                               \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            printf(__VA_ARGS__);                                                          \
            printf(" [last error: %s]\n", trt_get_last_error());                          \
        }                                                                                 \
    } while (0)

static inline int check_summary(void) {
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

/* The default device (the caller frees it), or NULL after a failed CHECK and the summary
 * line: the test then returns 1. */
static inline trt_device *check_open_device(void) {
    trt_device *dev = NULL;
    if (trt_device_open(NULL, &dev) == TRT_OK) return dev;
    CHECK(0, "no OpenCL device");
    check_summary();
    return NULL;
}

static inline int contains(const char *hay, const char *needle) {
    return strstr(hay, needle) != NULL;
}

#endif /* TRT_TESTS_CHECK_H */
