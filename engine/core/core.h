/* core.h — internal helpers shared by every engine module: error reporting, logging,
 * small string and memory utilities. Not installed; engine code only.
 */
#ifndef TRT_CORE_CORE_H
#define TRT_CORE_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "trt/trt.h"

#if defined(__GNUC__)
#define TRT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TRT_PRINTF(f, a)
#endif

/* Records `fmt` as this thread's last error (trt_get_last_error), logs it at ERROR level,
 * and returns `s` so callers can write `return trt__error(TRT_ERR_X, "...", ...);`. */
trt_status trt__error(trt_status s, const char *fmt, ...) TRT_PRINTF(2, 3);
/* Prefixes the current last error with more context ("while building node X: <old>"). */
trt_status trt__error_prefix(trt_status s, const char *fmt, ...) TRT_PRINTF(2, 3);
/* Clears the last error of this thread. */
void trt__error_clear(void);

void trt__log(trt_log_level level, const char *fmt, ...) TRT_PRINTF(2, 3);
int trt__log_enabled(trt_log_level level);

/* Propagate a failing status. */
#define TRT_TRY(expr)                                                                     \
    do {                                                                                  \
        trt_status trt_try_s_ = (expr);                                                   \
        if (trt_try_s_ != TRT_OK) return trt_try_s_;                                      \
    } while (0)

/* Duplicates a string (NULL -> NULL). Owned by the caller. */
char *trt__strdup(const char *s);
/* Reads a whole file; *data is malloc'd and owned by the caller. */
trt_status trt__read_file(const char *path, void **data, size_t *len);
trt_status trt__write_file(const char *path, const void *data, size_t len);

/* 64-bit FNV-1a, continued from `h` (start with TRT_FNV_INIT). */
#define TRT_FNV_INIT 0xcbf29ce484222325ULL
uint64_t trt__fnv1a(uint64_t h, const void *data, size_t len);

static inline size_t trt__align_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

#endif /* TRT_CORE_CORE_H */
