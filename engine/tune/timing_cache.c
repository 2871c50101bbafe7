/* timing_cache.c — the timing cache file: read, look up, add, write back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tune/cachefile.h"
#include "tune/timing_cache.h"

#define HEADER "trtinfer timing cache 1\n"
#define HEADER_FAMILY "trtinfer timing cache "

typedef struct {
    uint64_t key;
    double ms;
    char *what; /* owned; may be NULL */
} entry;

struct trt_timing_cache {
    char *path;
    entry *v;
    int n, cap;
    int dirty;    /* entries were added since the file was read */
    int readonly; /* a foreign file is there: never overwrite it */
};

static entry *find(const trt_timing_cache *c, uint64_t key) {
    for (int i = 0; i < c->n; i++)
        if (c->v[i].key == key) return &c->v[i];
    return NULL;
}

static int add(trt_timing_cache *c, uint64_t key, double ms, const char *what, size_t what_len) {
    entry *e = find(c, key);
    if (!e) {
        if (c->n == c->cap) {
            int cap = c->cap ? c->cap * 2 : 64;
            entry *v = realloc(c->v, sizeof *v * (size_t)cap);
            if (!v) return -1;
            c->v = v;
            c->cap = cap;
        }
        e = &c->v[c->n++];
        e->what = NULL;
    }
    e->key = key;
    e->ms = ms;
    free(e->what);
    e->what = NULL;
    if (what && what_len) {
        e->what = malloc(what_len + 1);
        if (e->what) {
            memcpy(e->what, what, what_len);
            e->what[what_len] = 0;
        }
    }
    return 0;
}

/* Parses the lines after the header; returns how many were damaged. */
static int parse(trt_timing_cache *c, char *text) {
    int bad = 0;
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        char *next = end ? end + 1 : line + strlen(line);
        if (end) *end = 0;
        if (*line) {
            char *p;
            errno = 0;
            unsigned long long key = strtoull(line, &p, 16);
            int ok = p == line + 16 && *p == ' ' && errno == 0;
            double ms = ok ? strtod(p + 1, &p) : -1;
            ok = ok && ms >= 0 && ms < 1e9 && (*p == ' ' || *p == 0);
            if (!ok) bad++;
            else if (add(c, key, ms, *p ? p + 1 : NULL, *p ? strlen(p + 1) : 0) != 0) break;
        }
        line = next;
    }
    return bad;
}

trt_timing_cache *trt__timing_cache_load(const char *path) {
    trt_timing_cache *c = calloc(1, sizeof *c);
    if (!c || !(c->path = trt__strdup(path))) {
        free(c);
        return NULL;
    }
    void *data;
    size_t len;
    if (trt__cache_read(path, &data, &len) != 0) {
        if (errno != ENOENT)
            trt__log(TRT_LOG_WARNING, "timing cache '%s' cannot be read (%s); timing every tactic",
                     path, strerror(errno));
        return c;
    }
    char *text = data;
    if (len == 0) {
        /* An empty file (made by `touch`) is a fresh cache. */
    } else if (strncmp(text, HEADER, strlen(HEADER)) == 0) {
        int bad = parse(c, text + strlen(HEADER));
        if (bad)
            trt__log(TRT_LOG_WARNING, "timing cache '%s': %d damaged line%s ignored", path, bad,
                     bad == 1 ? "" : "s");
        trt__log(TRT_LOG_INFO, "timing cache '%s': %d entries", path, c->n);
    } else if (strncmp(text, HEADER_FAMILY, strlen(HEADER_FAMILY)) == 0) {
        trt__log(TRT_LOG_WARNING, "timing cache '%s' was written by another trtinfer version; "
                                  "ignoring it (it will be rewritten)", path);
    } else {
        c->readonly = 1;
        trt__log(TRT_LOG_WARNING, "'%s' is not a trtinfer timing cache; ignoring it and leaving "
                                  "it as it is (give another --timingCacheFile)", path);
    }
    free(data);
    return c;
}

void trt__timing_cache_free(trt_timing_cache *c) {
    if (!c) return;
    for (int i = 0; i < c->n; i++) free(c->v[i].what);
    free(c->v);
    free(c->path);
    free(c);
}

int trt__timing_cache_get(const trt_timing_cache *c, uint64_t key, double *ms) {
    const entry *e = c ? find(c, key) : NULL;
    if (e) *ms = e->ms;
    return e != NULL;
}

trt_status trt__timing_cache_put(trt_timing_cache *c, uint64_t key, double ms, const char *what) {
    if (add(c, key, ms, what, what ? strcspn(what, "\n") : 0) != 0)
        return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory in the timing cache");
    c->dirty = 1;
    return TRT_OK;
}

void trt__timing_cache_save(trt_timing_cache *c) {
    if (!c || !c->dirty || c->readonly) return;
    size_t cap = strlen(HEADER) + 1, len = 0;
    for (int i = 0; i < c->n; i++) cap += 48 + (c->v[i].what ? strlen(c->v[i].what) : 0);
    char *buf = malloc(cap);
    if (!buf) {
        trt__log(TRT_LOG_WARNING, "timing cache '%s': out of memory writing it", c->path);
        return;
    }
    len += (size_t)snprintf(buf, cap, "%s", HEADER);
    for (int i = 0; i < c->n; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%016llx %.6g%s%s\n",
                                (unsigned long long)c->v[i].key, c->v[i].ms,
                                c->v[i].what ? " " : "", c->v[i].what ? c->v[i].what : "");
    if (trt__cache_write(c->path, buf, len) != 0)
        trt__log(TRT_LOG_WARNING, "timing cache '%s' cannot be written (%s)", c->path,
                 strerror(errno));
    else {
        c->dirty = 0;
        trt__log(TRT_LOG_INFO, "timing cache '%s': %d entries written", c->path, c->n);
    }
    free(buf);
}
