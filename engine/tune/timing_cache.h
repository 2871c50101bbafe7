/* timing_cache.h — the builder's timing cache file (trtexec's --timingCacheFile): median
 * device times of tactics already timed, so that a rebuild skips timing them.
 *
 * The file is text, one entry per line after a header line:
 *
 *   trtinfer timing cache 1
 *   <key: 16 hex digits> <median ms> <description for people, ignored when read>
 *
 * The key is a 64-bit hash of everything the time depends on (device, driver, engine
 * version, op, its parameters and kernel sources, input/output dtypes and shapes, tactic and
 * tactic parameters; see tune.c). Damaged lines are skipped; a file with another header is
 * ignored and, if not written by trtinfer at all, never overwritten.
 */
#ifndef TRT_TUNE_TIMING_CACHE_H
#define TRT_TUNE_TIMING_CACHE_H

#include <stdint.h>

#include "core/core.h"

typedef struct trt_timing_cache trt_timing_cache;

/* Reads `path` (kept, copied, for trt__timing_cache_save). A missing file gives an empty
 * cache; an unreadable or damaged one, an empty cache and a warning. NULL only when out of
 * memory. */
trt_timing_cache *trt__timing_cache_load(const char *path);
void trt__timing_cache_free(trt_timing_cache *c);

/* 1 and *ms when `key` is known, else 0. */
int trt__timing_cache_get(const trt_timing_cache *c, uint64_t key, double *ms);
/* Adds or replaces an entry; `what` (one line, may be NULL) goes into the file for people. */
trt_status trt__timing_cache_put(trt_timing_cache *c, uint64_t key, double ms, const char *what);
/* Writes the file back if entries were added (atomically; a failure is a warning). */
void trt__timing_cache_save(trt_timing_cache *c);

#endif /* TRT_TUNE_TIMING_CACHE_H */
