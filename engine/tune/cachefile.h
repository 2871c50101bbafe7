/* cachefile.h — file helpers shared by the on-disk caches: compiled programs
 * (runtime/program.c) and tactic timings (tune/timing_cache.c).
 *
 * None of them records an error (trt__error) or logs: a cache that cannot be read or written
 * is skipped by its caller, which decides what to tell the user. Functions return 0 on
 * success and -1 on failure with errno set.
 */
#ifndef TRT_TUNE_CACHEFILE_H
#define TRT_TUNE_CACHEFILE_H

#include <stddef.h>

/* Reads a whole regular file into *data (malloc'd, owned by the caller, one extra 0 byte
 * after the end so text can be parsed in place) and its size into *len. */
int trt__cache_read(const char *path, void **data, size_t *len);
/* Replaces `path` by `len` bytes of `data` atomically: written to a temporary file in the
 * same folder, then renamed over it, so readers in other processes see the old or the new
 * content, never a torn one. */
int trt__cache_write(const char *path, const void *data, size_t len);
/* Creates folder `dir` and its missing parents (mode 0755). */
int trt__cache_mkdirs(const char *dir);

#endif /* TRT_TUNE_CACHEFILE_H */
