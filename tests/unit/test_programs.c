/* test_programs.c — the device's program cache under threads (runtime/program.c), on the
 * device TRT_DEVICE picks (PoCL in CI):
 *
 * - a program that fails to compile is left out of the cache, and asking for it again
 *   reports the compiler's failure again;
 * - threads asking for the same program at once get one build and the same program;
 * - threads asking for different programs at once each get theirs.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "runtime/runtime.h"
#include "trt/trt.h"

#include "../common/check.h"

/* pad.cl builds with T and MODE; the extra macro only makes the options, hence the program,
 * distinct. */
static void options_of(char *buf, size_t size, const char *tag, int i) {
    snprintf(buf, size, "-DT=uint -DMODE=0 -DTRT_TEST_%s=%d", tag, i);
}

/* The cache's entries for kernels/pad.cl with `options` (as trt__device_program completes
 * them with the device's macros), and the program of the last one found. */
static int entries_of(trt_device *dev, const char *options, cl_program *program) {
    char *full = trt__device_build_options(dev, options);
    int n = 0;
    pthread_mutex_lock(&dev->lock);
    for (trt_program_entry *e = dev->programs; e; e = e->next)
        if (strcmp(e->file, "pad.cl") == 0 && strcmp(e->options, full) == 0) {
            n++;
            *program = e->program;
        }
    pthread_mutex_unlock(&dev->lock);
    free(full);
    return n;
}

/* A program that does not compile: reported, not cached, reported again when asked again. */
static void check_failure(trt_device *dev) {
    const char *bad_options = "-DT=no_such_type -DMODE=0";
    for (int attempt = 1; attempt <= 2; attempt++) {
        cl_program bad = NULL;
        trt_status s = trt__device_program(dev, "pad.cl", bad_options, &bad);
        CHECK(s == TRT_ERR_KERNEL_BUILD && contains(trt_get_last_error(), "kernels/pad.cl") &&
                  contains(trt_get_last_error(), "failed to compile"),
              "attempt %d: the failure is reported: %s", attempt, trt_get_last_error());
        CHECK(entries_of(dev, bad_options, &bad) == 0,
              "attempt %d: the program that does not compile is not in the cache", attempt);
    }
}

typedef struct {
    trt_device *dev;
    char options[128];
    cl_program program;
    trt_status status;
} request;

static void *ask(void *arg) {
    request *r = arg;
    r->status = trt__device_program(r->dev, "pad.cl", r->options, &r->program);
    return NULL;
}

/* `n` threads at once, each for options tag i (distinct) or all for tag 0 (same). */
static void check_threads(trt_device *dev, int distinct) {
    enum { N = 8 };
    request r[N];
    pthread_t t[N];
    const char *tag = distinct ? "DISTINCT" : "SAME";
    for (int i = 0; i < N; i++) {
        r[i].dev = dev;
        r[i].program = NULL;
        r[i].status = TRT_ERR_INTERNAL;
        options_of(r[i].options, sizeof r[i].options, tag, distinct ? i : 0);
    }
    int started = 0;
    for (; started < N; started++)
        if (pthread_create(&t[started], NULL, ask, &r[started]) != 0) break;
    for (int i = 0; i < started; i++) pthread_join(t[i], NULL);
    CHECK(started == N, "%d threads started", started);
    for (int i = 0; i < started; i++) {
        cl_program cached = NULL;
        const int n = entries_of(dev, r[i].options, &cached);
        CHECK(r[i].status == TRT_OK && r[i].program && r[i].program == cached && n == 1,
              "%s options, thread %d: its program, from the one cache entry (%d entries)", tag, i,
              n);
        if (!distinct && i > 0)
            CHECK(r[i].program == r[0].program, "same options, thread %d: the same program", i);
    }
}

int main(void) {
    trt_device *dev = check_open_device();
    if (!dev) return 1;
    check_failure(dev);
    check_threads(dev, 0);
    check_threads(dev, 1);
    trt_device_free(dev);
    return check_summary();
}
