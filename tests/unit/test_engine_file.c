/* test_engine_file.c — engine save/load round trip, every bad-file case of the .engine
 * format (truncated, corrupted, other format version, other engine version, other device,
 * other driver, not an engine at all), mutated files that must never crash, profile limits
 * and device selection errors.
 *
 * The engine under test is built from add_relu.onnx (tests/unit/make_unit_models.py):
 * y = Relu(x + b), x [N, 7, 93] dynamic in batch (profile 1..4), b[i] = ((i % 13) - 6) / 4,
 * so the expected output is computed here.
 *
 * usage: test_engine_file MODELDIR
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "serialize/format.h"
#include "trt/trt.h"

#include "../common/check.h"

#define C 7
#define W 93

static trt_engine *build_engine(trt_device *dev, const char *model_dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/add_relu.onnx", model_dir);
    trt_build_config *cfg = trt_build_config_new();
    int64_t mn[3] = {1, C, W}, op[3] = {2, C, W}, mx[3] = {4, C, W};
    trt_dims dmin = trt_dims_make(3, mn), dopt = trt_dims_make(3, op), dmax = trt_dims_make(3, mx);
    trt_build_config_set_profile(cfg, "x", &dmin, &dopt, &dmax);
    trt_engine *e = NULL;
    trt_status st = trt_engine_build_file(dev, path, cfg, &e);
    trt_build_config_free(cfg);
    CHECK(st == TRT_OK, "build %s", path);
    return e;
}

/* Runs the engine at batch n; returns the max abs error against the host computation. */
static double run_and_check(trt_engine *e, int n) {
    trt_context *ctx = NULL;
    if (trt_context_new(e, &ctx) != TRT_OK) return INFINITY;
    int64_t sh[3] = {n, C, W};
    trt_dims d = trt_dims_make(3, sh);
    size_t count = (size_t)n * C * W;
    float *x = malloc(count * 4), *y = malloc(count * 4);
    for (size_t i = 0; i < count; i++) x[i] = (float)((int)(i * 7919 % 101) - 50) * 0.03f;
    double err = INFINITY;
    trt_dims out;
    if (trt_context_set_input_shape(ctx, "x", &d) == TRT_OK &&
        trt_context_get_tensor_shape(ctx, "y", &out) == TRT_OK && trt_dims_equal(&out, &d) &&
        trt_context_write_input(ctx, "x", x, count * 4) == TRT_OK &&
        trt_context_enqueue(ctx) == TRT_OK &&
        trt_context_read_output(ctx, "y", y, count * 4) == TRT_OK &&
        trt_context_wait(ctx) == TRT_OK) {
        err = 0;
        for (size_t i = 0; i < count; i++) {
            float b = (float)((int)((i % (C * W)) % 13) - 6) * 0.25f;
            float ref = x[i] + b > 0 ? x[i] + b : 0;
            double e1 = fabs(ref - y[i]);
            if (!(e1 <= err)) err = e1; /* NaN propagates as failure */
        }
    }
    free(x);
    free(y);
    trt_context_free(ctx);
    return err;
}

/* Offsets of the description section's leading strings. */
static size_t str_at(const uint8_t *buf, int index) {
    size_t off = 64;
    for (int i = 0; i < index; i++) {
        uint32_t n;
        memcpy(&n, buf + off, 4);
        off += 4 + n;
    }
    return off;
}

/* Replaces the first byte of leading string `index` (0 engine version, 1 device name,
 * 2 vendor, 3 driver) and fixes the checksum, as a file written elsewhere would be. */
static trt_status load_with_changed_string(trt_device *dev, const uint8_t *orig, size_t len,
                                           int index, trt_engine **e) {
    uint8_t *buf = malloc(len);
    memcpy(buf, orig, len);
    size_t off = str_at(buf, index);
    uint32_t n;
    memcpy(&n, buf + off, 4);
    if (n > 0) buf[off + 4] = buf[off + 4] == 'Z' ? 'Y' : 'Z';
    trt__engine_seal(buf, len);
    trt_status s = trt_engine_deserialize(dev, buf, len, e);
    free(buf);
    return s;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s MODELDIR\n", argv[0]);
        return 2;
    }
    trt_set_log_level(TRT_LOG_ERROR);
    trt_device *dev = check_open_device();
    if (!dev) return 1;
    trt_engine *e = build_engine(dev, argv[1]);
    if (!e) {
        check_summary();
        return 1;
    }
    for (int n = 1; n <= 4; n += 3) {
        double err = run_and_check(e, n);
        CHECK(err < 1e-6, "fresh engine, batch %d: max error %g", n, err);
    }

    /* Round trip through bytes and through a file. */
    void *buf = NULL;
    size_t len = 0;
    CHECK(trt_engine_serialize(e, &buf, &len) == TRT_OK && len > 64, "serialize");
    trt_engine *e2 = NULL;
    CHECK(trt_engine_deserialize(dev, buf, len, &e2) == TRT_OK, "deserialize");
    if (e2) {
        double err = run_and_check(e2, 3);
        CHECK(err < 1e-6, "deserialized engine, batch 3: max error %g", err);
        void *buf2 = NULL;
        size_t len2 = 0;
        CHECK(trt_engine_serialize(e2, &buf2, &len2) == TRT_OK && len2 == len &&
                  memcmp(buf, buf2, len) == 0,
              "re-serialized engine is byte-identical");
        free(buf2);
        trt_engine_free(e2);
    }
    const char *path = "test_engine_file.engine";
    CHECK(trt_engine_save(e, path) == TRT_OK, "save");
    trt_engine *e3 = NULL;
    CHECK(trt_engine_load(dev, path, &e3) == TRT_OK, "load");
    if (e3) {
        CHECK(run_and_check(e3, 4) < 1e-6, "loaded engine, batch 4");
        trt_io_info io;
        CHECK(trt_engine_get_num_io(e3) == 2 && trt_engine_get_io(e3, 0, &io) == TRT_OK &&
                  strcmp(io.name, "x") == 0 && io.is_input && io.dims.d[0] == -1 &&
                  io.min.d[0] == 1 && io.max.d[0] == 4,
              "I/O description survives the round trip");
        trt_engine_free(e3);
    }
    remove(path);
    trt_engine *bad = NULL;
    CHECK(trt_engine_load(dev, "/nonexistent/dir/x.engine", &bad) == TRT_ERR_IO && !bad &&
              contains(trt_get_last_error(), "/nonexistent/dir/x.engine"),
          "missing file: TRT_ERR_IO naming the path");

    /* Truncated at every interesting length. */
    size_t cuts[] = {0, 1, 7, 8, 63, 64, 100, len / 2, len - 64, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        trt_status s = trt_engine_deserialize(dev, buf, cuts[i], &bad);
        int ok = s == TRT_ERR_BAD_ENGINE && !bad;
        if (cuts[i] >= 64) ok = ok && contains(trt_get_last_error(), "truncated");
        CHECK(ok, "truncated to %zu of %zu bytes: status %s", cuts[i], len, trt_status_name(s));
    }
    /* One flipped byte anywhere after the checksum field is caught by the checksum. */
    size_t flips[] = {40, 70, len / 3, len / 2, len - 1};
    for (size_t i = 0; i < sizeof flips / sizeof *flips; i++) {
        uint8_t *c = malloc(len);
        memcpy(c, buf, len);
        c[flips[i]] ^= 0x40;
        trt_status s = trt_engine_deserialize(dev, c, len, &bad);
        CHECK(s == TRT_ERR_BAD_ENGINE && !bad && contains(trt_get_last_error(), "rebuild"),
              "byte %zu flipped: status %s", flips[i], trt_status_name(s));
        free(c);
    }
    /* Other format version. */
    {
        uint8_t *c = malloc(len);
        memcpy(c, buf, len);
        uint32_t v = TRT_FORMAT_VERSION + 1;
        memcpy(c + 8, &v, 4);
        trt_status s = trt_engine_deserialize(dev, c, len, &bad);
        CHECK(s == TRT_ERR_VERSION && contains(trt_get_last_error(), "format version"),
              "other format version: %s", trt_status_name(s));
        free(c);
    }
    /* Other engine version, device, vendor, driver: valid files for something else. */
    static const struct {
        int index;
        trt_status want;
        const char *says;
    } others[] = {{0, TRT_ERR_VERSION, "built by trtinfer"},
                  {1, TRT_ERR_DEVICE_MISMATCH, "built for device"},
                  {2, TRT_ERR_DEVICE_MISMATCH, "built for device"},
                  {3, TRT_ERR_DEVICE_MISMATCH, "driver"}};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        trt_status s = load_with_changed_string(dev, buf, len, others[i].index, &bad);
        CHECK(s == others[i].want && !bad && contains(trt_get_last_error(), others[i].says) &&
                  contains(trt_get_last_error(), "rebuild"),
              "engine for another %s: status %s",
              (const char *[]){"engine version", "device", "vendor", "driver"}[others[i].index],
              trt_status_name(s));
    }
    /* Not an engine: an ONNX-looking file and text. */
    {
        const uint8_t onnx_like[] = {0x08, 0x07, 0x12, 0x04, 't', 'o', 'r', 'c', 'h'};
        trt_status s = trt_engine_deserialize(dev, onnx_like, sizeof onnx_like, &bad);
        CHECK(s == TRT_ERR_BAD_ENGINE && contains(trt_get_last_error(), "ONNX"),
              "ONNX model given as engine: %s", trt_status_name(s));
        const char *text = "hello, this is not an engine file at all, but it is long enough "
                           "to pass the header size check";
        s = trt_engine_deserialize(dev, text, strlen(text), &bad);
        CHECK(s == TRT_ERR_BAD_ENGINE && contains(trt_get_last_error(), "not a trtinfer engine"),
              "text file given as engine: %s", trt_status_name(s));
    }
    /* Mutations with a valid checksum reach the parser: it must refuse or accept, never
     * crash (run under valgrind/ASan to also catch out-of-bounds reads). */
    {
        uint32_t seed = 12345;
        int refused = 0, accepted = 0;
        for (int iter = 0; iter < 300; iter++) {
            uint8_t *c = malloc(len);
            memcpy(c, buf, len);
            for (int k = 0; k < 4; k++) {
                seed = seed * 1664525u + 1013904223u;
                size_t pos = 64 + seed % (uint32_t)(len - 64);
                seed = seed * 1664525u + 1013904223u;
                c[pos] = (uint8_t)(seed >> 24);
            }
            trt__engine_seal(c, len);
            trt_engine *m = NULL;
            if (trt_engine_deserialize(dev, c, len, &m) == TRT_OK) {
                accepted++;
                trt_engine_free(m);
            } else {
                refused++;
            }
            free(c);
        }
        CHECK(refused + accepted == 300, "300 mutated files: %d refused, %d accepted, no crash",
              refused, accepted);
    }
    free(buf);

    /* Shapes outside the profile are refused with the input, the shape and the range. */
    {
        trt_context *ctx = NULL;
        CHECK(trt_context_new(e, &ctx) == TRT_OK, "context");
        int64_t big[3] = {5, C, W}, rank2[2] = {C, W}, wrong[3] = {2, C, W + 1};
        trt_dims d = trt_dims_make(3, big);
        trt_status s = trt_context_set_input_shape(ctx, "x", &d);
        CHECK(s == TRT_ERR_SHAPE && contains(trt_get_last_error(), "'x'") &&
                  contains(trt_get_last_error(), "5x7x93") &&
                  contains(trt_get_last_error(), "min 1x7x93, max 4x7x93"),
              "batch 5 outside profile 1..4: %s", trt_get_last_error());
        d = trt_dims_make(2, rank2);
        CHECK(trt_context_set_input_shape(ctx, "x", &d) == TRT_ERR_SHAPE, "wrong rank refused");
        d = trt_dims_make(3, wrong);
        CHECK(trt_context_set_input_shape(ctx, "x", &d) == TRT_ERR_SHAPE, "static dim changed refused");
        CHECK(trt_context_set_input_shape(ctx, "nope", &d) == TRT_ERR_NOT_FOUND, "unknown input");
        float small[4];
        CHECK(trt_context_write_input(ctx, "x", small, sizeof small) == TRT_ERR_SHAPE,
              "write with the wrong byte count refused");
        trt_context_free(ctx);
    }
    trt_engine_free(e);

    /* Device selection. */
    {
        trt_device *d2 = NULL;
        trt_status s = trt_device_open("no-such-device-xyz", &d2);
        CHECK(s == TRT_ERR_NO_DEVICE && !d2 && contains(trt_get_last_error(), "available devices"),
              "unknown device name: %s", trt_status_name(s));
        s = trt_device_open("999", &d2);
        CHECK(s == TRT_ERR_NO_DEVICE && !d2, "device index out of range");
        s = trt_device_open("0", &d2);
        CHECK(s == TRT_OK && d2, "device 0");
        trt_device_free(d2);
        trt_device_free(NULL);
        trt_engine_free(NULL);
        trt_context_free(NULL);
    }
    trt_device_free(dev);
    return check_summary();
}
