/* test_profile.c — the per-layer profiling and layer-info API on resnet_small (public API
 * only): layer info for every layer and its tensors, tuned Conv layers, range checks;
 * profiling levels, run counts with and without waits, totals, reset, and that spans-only
 * profiling records no layers.
 *
 * usage: test_profile CASES_DIR   (tests/models/make_models.py's output)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trt/trt.h"

#include "../common/check.h"

#define PIXELS (3 * 64 * 64)

static trt_dims images(int64_t batch) {
    trt_dims d = {4, {batch, 3, 64, 64}};
    return d;
}

static void check_layer_info(const trt_engine *e) {
    int n = trt_engine_get_num_layers(e), tuned = 0, convs = 0;
    CHECK(n > 0, "layer count %d", n);
    for (int i = 0; i < n; i++) {
        trt_layer_info li;
        if (trt_engine_get_layer_info(e, i, &li) != TRT_OK) {
            CHECK(0, "layer info %d", i);
            continue;
        }
        CHECK(li.name && *li.name && li.op && *li.op, "layer %d has a name and an op", i);
        CHECK(li.n_outputs >= 1, "layer %d '%s' has outputs", i, li.name);
        if (strcmp(li.op, "Conv") == 0) {
            convs++;
            tuned += li.tactic != 0;
        }
        for (int io = 0; io < 2; io++)
            for (int k = 0; k < (io ? li.n_outputs : li.n_inputs); k++) {
                trt_layer_tensor t;
                int ok = trt_engine_get_layer_tensor(e, i, io, k, &t) == TRT_OK;
                CHECK(ok, "layer %d '%s' %s %d", i, li.name, io ? "output" : "input", k);
                if (!ok || !t.name) continue;
                CHECK(t.dims.nb_dims > 0 && trt_dims_volume(&t.dims) > 0,
                      "layer '%s' tensor '%s' has opt dims", li.name, t.name);
                if (io) CHECK(!t.is_constant, "output '%s' is not a constant", t.name);
                if (i == 0 && io == 0 && k == 0)
                    CHECK(strcmp(t.name, "images") == 0 && t.dims.d[0] == 4,
                          "first layer reads images at the opt batch 4, got '%s' batch %lld",
                          t.name, (long long)t.dims.d[0]);
            }
        trt_layer_tensor t;
        CHECK(trt_engine_get_layer_tensor(e, i, 1, li.n_outputs, &t) == TRT_ERR_INVALID_ARG,
              "output index past the end is refused");
    }
    /* resnet_small's convolutions have several candidate kernels each: the builder times
     * them and records a concrete one (tactic 0 means "not tuned"). */
    CHECK(convs > 0 && tuned == convs, "%d of %d Conv layers carry a timed tactic", tuned, convs);
    trt_layer_info li;
    CHECK(trt_engine_get_layer_info(e, n, &li) == TRT_ERR_INVALID_ARG, "layer %d refused", n);
    CHECK(trt_engine_get_layer_info(e, -1, &li) == TRT_ERR_INVALID_ARG, "layer -1 refused");
    CHECK(trt_engine_get_layer_info(NULL, 0, &li) == TRT_ERR_INVALID_ARG, "NULL engine refused");
}

static int run(trt_context *ctx, const float *x, int wait) {
    int ok = trt_context_write_input(ctx, "images", x, sizeof(float) * 4 * PIXELS) == TRT_OK &&
             trt_context_enqueue(ctx) == TRT_OK;
    return ok && (!wait || trt_context_wait(ctx) == TRT_OK);
}

static long runs_of(trt_context *ctx, int layer) {
    trt_layer_profile p;
    return trt_context_get_layer_profile(ctx, layer, &p) == TRT_OK ? p.runs : -1;
}

static void check_profile(trt_engine *e) {
    trt_context *ctx = NULL;
    if (trt_context_new(e, &ctx) != TRT_OK) {
        CHECK(0, "context");
        return;
    }
    float *x = malloc(sizeof(float) * 4 * PIXELS);
    for (int i = 0; i < 4 * PIXELS; i++) x[i] = (float)((i * 7919) % 255) / 127.5f - 1.0f;
    int n = trt_engine_get_num_layers(e);
    trt_layer_profile p;
    CHECK(trt_context_get_layer_profile(ctx, 0, &p) == TRT_ERR_STATE, "no profile before enabling");
    CHECK(trt_context_set_profiling(ctx, 3) == TRT_ERR_INVALID_ARG, "level 3 refused");
    CHECK(trt_context_set_profiling(ctx, -1) == TRT_ERR_INVALID_ARG, "level -1 refused");

    CHECK(trt_context_set_profiling(ctx, TRT_PROFILING_LAYERS) == TRT_OK, "enable layers");
    for (int r = 0; r < 5; r++) CHECK(run(ctx, x, 1), "profiled run %d", r);
    double sum = 0.0;
    int timed = 0;
    for (int i = 0; i < n; i++) {
        if (trt_context_get_layer_profile(ctx, i, &p) != TRT_OK) {
            CHECK(0, "profile of layer %d", i);
            continue;
        }
        trt_layer_info li;
        trt_engine_get_layer_info(e, i, &li);
        CHECK(p.runs == 5, "layer '%s' measured over %ld runs, expected 5", p.name, p.runs);
        CHECK(strcmp(p.name, li.name) == 0 && strcmp(p.op, li.op) == 0,
              "profile and layer info agree on layer %d", i);
        CHECK(p.total_ms >= 0 && fabs(p.average_ms - p.total_ms / 5) <= 1e-9 * (1 + p.total_ms),
              "layer '%s' average %g = total %g / 5", p.name, p.average_ms, p.total_ms);
        if (strcmp(p.op, "Conv") == 0)
            CHECK(p.total_ms > 0 && p.median_ms > 0, "Conv layer '%s' takes time", p.name);
        sum += p.total_ms;
        timed += p.total_ms > 0;
    }
    CHECK(timed > 0, "some layer takes time");
    CHECK(trt_context_get_layer_profile(ctx, TRT_LAYER_TOTAL, &p) == TRT_OK, "total");
    CHECK(strcmp(p.name, "Total") == 0 && p.runs == 5, "total: '%s' over %ld runs", p.name, p.runs);
    CHECK(fabs(p.total_ms - sum) <= 1e-6 * (1 + sum), "total %g = sum of layers %g", p.total_ms,
          sum);
    CHECK(p.median_ms > 0 && p.median_ms <= p.total_ms, "total median %g", p.median_ms);
    CHECK(trt_context_get_layer_profile(ctx, n, &p) == TRT_ERR_INVALID_ARG, "layer %d refused", n);
    CHECK(trt_context_get_layer_profile(ctx, -2, &p) == TRT_ERR_INVALID_ARG, "layer -2 refused");

    /* Two enqueues without a wait in between: the second reads the first. */
    CHECK(run(ctx, x, 0) && run(ctx, x, 0), "two enqueues without waiting");
    CHECK(runs_of(ctx, 0) == 7, "reading the profile waits for the pending enqueue: %ld runs",
          runs_of(ctx, 0));

    CHECK(trt_context_reset_layer_profile(ctx) == TRT_OK && runs_of(ctx, 0) == 0, "reset");
    CHECK(run(ctx, x, 1) && runs_of(ctx, TRT_LAYER_TOTAL) == 1, "one run after the reset");
    /* The compute span (first command's start to the end marker after the last) covers every
     * layer of that run: in an in-order queue the layers' intervals lie inside it. */
    trt_timing span;
    CHECK(trt_context_get_timing(ctx, &span) == TRT_OK &&
              trt_context_get_layer_profile(ctx, TRT_LAYER_TOTAL, &p) == TRT_OK &&
              span.compute_ms + 1e-6 >= p.total_ms && p.total_ms > 0,
          "compute span %g ms covers the run's layers, %g ms in all", span.compute_ms,
          p.total_ms);

    /* Spans only: timing works, layers are not recorded; back to layers starts afresh. */
    CHECK(trt_context_set_profiling(ctx, TRT_PROFILING_SPANS) == TRT_OK, "spans");
    CHECK(run(ctx, x, 1) && runs_of(ctx, 0) == 1, "spans-only runs leave the profile alone");
    trt_timing t;
    CHECK(trt_context_get_timing(ctx, &t) == TRT_OK && t.compute_ms > 0, "span timing %g",
          t.compute_ms);
    CHECK(trt_context_set_profiling(ctx, TRT_PROFILING_LAYERS) == TRT_OK && runs_of(ctx, 0) == 0,
          "enabling layers again starts a new profile");

    /* Another batch size inside the profile; then profiling off. */
    trt_dims d1 = images(1);
    for (int level = TRT_PROFILING_LAYERS; level >= TRT_PROFILING_OFF; level -= 2)
        CHECK(trt_context_set_profiling(ctx, level) == TRT_OK &&
                  trt_context_set_input_shape(ctx, "images", &d1) == TRT_OK &&
                  trt_context_write_input(ctx, "images", x, sizeof(float) * PIXELS) == TRT_OK &&
                  trt_context_enqueue(ctx) == TRT_OK && trt_context_wait(ctx) == TRT_OK,
              "batch 1 run at profiling level %d", level);
    CHECK(runs_of(ctx, n - 1) == 1, "batch 1 profiled once: %ld", runs_of(ctx, n - 1));
    trt_context_free(ctx);
    free(x);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_profile CASES_DIR\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/resnet_small/model.onnx", argv[1]);
    trt_device *dev = check_open_device();
    if (!dev) return 1;
    trt_build_config *cfg = trt_build_config_new();
    trt_dims dmin = images(1), dopt = images(4), dmax = images(8);
    trt_engine *e = NULL;
    CHECK(cfg && trt_build_config_set_profile(cfg, "images", &dmin, &dopt, &dmax) == TRT_OK &&
              trt_engine_build_file(dev, path, cfg, &e) == TRT_OK,
          "build %s", path);
    trt_build_config_free(cfg);
    if (e) {
        check_layer_info(e);
        check_profile(e);
    }
    trt_engine_free(e);
    trt_device_free(dev);
    return check_summary();
}
