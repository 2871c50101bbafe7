/* status.c — status strings, the per-thread last error, logging. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

const char *trt_status_str(trt_status s) {
    switch (s) {
#define TRT_STATUS_STR_(name, value, msg) case TRT_##name: return msg;
        TRT_STATUS_MAP(TRT_STATUS_STR_)
#undef TRT_STATUS_STR_
    }
    return "unknown status";
}

const char *trt_status_name(trt_status s) {
    switch (s) {
#define TRT_STATUS_NAME_(name, value, msg) case TRT_##name: return #name;
        TRT_STATUS_MAP(TRT_STATUS_NAME_)
#undef TRT_STATUS_NAME_
    }
    return "UNKNOWN";
}

static _Thread_local char last_error[2048];

const char *trt_get_last_error(void) { return last_error; }
void trt__error_clear(void) { last_error[0] = 0; }

trt_status trt__error(trt_status s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    trt__log(TRT_LOG_VERBOSE, "error %s: %s", trt_status_name(s), last_error);
    return s;
}

trt_status trt__error_prefix(trt_status s, const char *fmt, ...) {
    char prefix[1024], old[sizeof last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, last_error, sizeof old);
    snprintf(last_error, sizeof last_error, "%.1000s: %.1000s", prefix, old);
    return s;
}

/* ---------------------------------------------------------------- logging */

static int log_level = -1;
static trt_log_fn log_fn;
static void *log_user;

static int current_level(void) {
    if (log_level < 0) {
        const char *e = getenv("TRT_LOG_LEVEL");
        log_level = (e && *e >= '0' && *e <= '3') ? *e - '0' : TRT_LOG_WARNING;
    }
    return log_level;
}

void trt_set_log_level(trt_log_level level) { log_level = (int)level; }
void trt_set_log_callback(trt_log_fn fn, void *user) {
    log_fn = fn;
    log_user = user;
}
int trt__log_enabled(trt_log_level level) { return (int)level <= current_level(); }

void trt__log(trt_log_level level, const char *fmt, ...) {
    if (!trt__log_enabled(level)) return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (log_fn) {
        log_fn(level, msg, log_user);
        return;
    }
    static const char *const tags[] = {"E", "W", "I", "V"};
    fprintf(stderr, "[trt %s] %s\n", tags[level & 3], msg);
}

/* ---------------------------------------------------------------- utilities */

char *trt__strdup(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

trt_status trt__read_file(const char *path, void **data, size_t *len) {
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return trt__error(TRT_ERR_IO, "cannot open '%s' for reading", path);
    trt_status s = TRT_OK;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
        s = trt__error(TRT_ERR_IO, "cannot read '%s' (not a regular file?)", path);
        goto done;
    }
    buf = malloc((size_t)n + 1);
    if (!buf) {
        s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory reading '%s' (%ld bytes)", path, n);
        goto done;
    }
    if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        s = trt__error(TRT_ERR_IO, "short read on '%s'", path);
        free(buf);
        buf = NULL;
        goto done;
    }
    buf[n] = 0;
    *data = buf;
    *len = (size_t)n;
done:
    fclose(f);
    return s;
}

trt_status trt__write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) return trt__error(TRT_ERR_IO, "cannot open '%s' for writing", path);
    size_t w = len ? fwrite(data, 1, len, f) : 0;
    int c = fclose(f);
    if (w != len || c != 0) return trt__error(TRT_ERR_IO, "cannot write '%s' (disk full?)", path);
    return TRT_OK;
}

uint64_t trt__fnv1a(uint64_t h, const void *data, size_t len) {
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
