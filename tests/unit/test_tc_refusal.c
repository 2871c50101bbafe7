/* test_tc_refusal.c — an engine whose Gemm/MatMul layers chose tensor-core tactics
 * (GEMM_TACTIC_TENSOR_CORE, ops/gemm.c), loaded on a device that cannot run them, is refused
 * when its execution context prepares the layer: TRT_ERR_INVALID_ARG, no context, and a last
 * error that names the node and says to rebuild the engine, never a crash or another kernel.
 *
 * The engine is built on this device (PoCL: no tensor cores) in FP16 from gemm_matmul.onnx
 * (tests/unit/make_unit_models.py): x [16, 64] -> Gemm "fc" (transB=1) -> Relu -> MatMul "mm"
 * -> y [16, 16] (the Relu fused into the Gemm, named "fc + relu"). Then one node's tactic is rewritten to the tensor-core tactic with a tile
 * from ops/tc.c (tactic_params[0..6] = BM, BN, WM, WN, stages, wgmma, split-K):
 *   - in the engine file image, as an engine built on an NVIDIA GPU would hold it, with the
 *     checksum fixed (as test_engine_file.c does), then deserialized;
 *   - in the graph of the built engine in memory (before any context).
 * Devices:
 *   - this one as probed (no PTX caps): every tile is refused by the caps check of
 *     tc_prepare ("rebuild the engine on this device");
 *   - this one with faked caps, an Ampere (mma.sync, ldmatrix, cp.async, no wgmma), and a
 *     Hopper: wgmma tiles on a device without wgmma, wgmma on a MatMul (B [K][N]), split-K
 *     factors and tiles that ops/tc.c does not have are refused by trt__tc_tile_of. Valid
 *     mma.sync tiles are not tried there (they would compile PTX for the CPU).
 * A baseline checks the unedited engine loads and computes the right answer.
 *
 * usage: test_tc_refusal MODELDIR (TC_REFUSAL_VERBOSE=1 prints every refusal's message)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "runtime/runtime.h"
#include "serialize/format.h"
#include "trt/trt.h"

#include "../common/check.h"

#define M 16
#define K 64
#define N1 32
#define N2 16

enum { TACTIC_TENSOR_CORE = 4 }; /* GEMM_TACTIC_TENSOR_CORE of ops/gemm.c */

static float w_at(int i) { return (float)((i % 11) - 5) * 0.0625f; }
static float c_at(int i) { return (float)((i % 5) - 2) * 0.125f; }
static float v_at(int i) { return (float)((i % 7) - 3) * 0.125f; }
static float x_at(int i) { return (float)((i * 37 % 29) - 14) * 0.0625f; }

static trt_engine *build_engine(trt_device *dev, const char *model_dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/gemm_matmul.onnx", model_dir);
    trt_build_config *cfg = trt_build_config_new();
    trt_build_config_set_precision(cfg, TRT_PRECISION_FP16);
    trt_engine *e = NULL;
    trt_status st = trt_engine_build_file(dev, path, cfg, &e);
    trt_build_config_free(cfg);
    CHECK(st == TRT_OK, "build %s in FP16", path);
    return e;
}

/* Runs the engine once; returns the max abs error against the host computation relative to
 * the largest output (INFINITY when anything fails). */
static double run_and_check(trt_engine *e) {
    trt_context *ctx = NULL;
    if (trt_context_new(e, &ctx) != TRT_OK) return INFINITY;
    float x[M * K], y[M * N2], h[M * N1];
    for (int i = 0; i < M * K; i++) x[i] = x_at(i);
    double err = INFINITY;
    if (trt_context_write_input(ctx, "x", x, sizeof x) == TRT_OK &&
        trt_context_enqueue(ctx) == TRT_OK &&
        trt_context_read_output(ctx, "y", y, sizeof y) == TRT_OK &&
        trt_context_wait(ctx) == TRT_OK) {
        for (int m = 0; m < M; m++)
            for (int n = 0; n < N1; n++) {
                double s = c_at(n);
                for (int k = 0; k < K; k++) s += (double)x[m * K + k] * w_at(n * K + k);
                h[m * N1 + n] = s > 0 ? (float)s : 0.0f;
            }
        double max_ref = 0, max_err = 0;
        for (int m = 0; m < M; m++)
            for (int n = 0; n < N2; n++) {
                double s = 0;
                for (int k = 0; k < N1; k++) s += (double)h[m * N1 + k] * v_at(k * N2 + n);
                double d = fabs(s - y[m * N2 + n]);
                if (!(d <= max_err)) max_err = d; /* NaN propagates as failure */
                if (fabs(s) > max_ref) max_ref = fabs(s);
            }
        err = max_err / (max_ref > 1 ? max_ref : 1);
    }
    trt_context_free(ctx);
    return err;
}

static uint32_t get_u32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Offset of node `name`'s i32 tactic in an engine file image (format.h: u32 op | str name |
 * u32 n + i32 inputs | u32 n + i32 outputs | u32 size + params | i32 tactic | 8 x i32), found
 * from its name, which must be the only string of that text in the description; 0 if not. */
static size_t tactic_offset(const uint8_t *buf, size_t len, const char *name) {
    const uint32_t n = (uint32_t)strlen(name);
    uint64_t desc_end;
    memcpy(&desc_end, buf + 40, 8); /* the weight blob's offset */
    if (desc_end > len) return 0;
    size_t found = 0, hits = 0;
    for (size_t off = 64 + 4; off + 4 + n <= desc_end; off++)
        if (get_u32(buf + off) == n && memcmp(buf + off + 4, name, n) == 0) {
            found = off;
            hits++;
        }
    if (hits != 1) return 0;
    size_t p = found + 4 + n;
    for (int list = 0; list < 2; list++) { /* inputs, outputs */
        if (p + 4 > desc_end) return 0;
        p += 4 + 4 * (size_t)get_u32(buf + p);
    }
    if (p + 4 > desc_end) return 0;
    p += 4 + get_u32(buf + p); /* params */
    return p + 4 * (1 + TRT_MAX_TACTIC_PARAMS) <= desc_end ? p : 0;
}

/* A copy of the engine image with node `name`'s tactic and parameters replaced, checksum
 * fixed; NULL when the node is not found. */
static uint8_t *with_tactic(const uint8_t *orig, size_t len, const char *name, int32_t tactic,
                            const int32_t *params) {
    size_t off = tactic_offset(orig, len, name);
    if (!off) return NULL;
    uint8_t *buf = malloc(len);
    memcpy(buf, orig, len);
    memcpy(buf + off, &tactic, 4);
    int32_t p[TRT_MAX_TACTIC_PARAMS] = {0};
    memcpy(p, params, 7 * sizeof *p);
    memcpy(buf + off + 4, p, sizeof p);
    trt__engine_seal(buf, len);
    return buf;
}

static trt_node *find_node(trt_graph *g, const char *name) {
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].name, name) == 0) return &g->nodes[i];
    return NULL;
}

typedef struct {
    const char *what;
    int32_t p[7];
} tile_case;

/* Tiles a build on an NVIDIA GPU writes (the first four); split-K 7, which no build writes
 * (it offers 2, 4, 8, 16) but ops/tc.c accepts (any factor 1..16, as the kernel does); and
 * ones ops/tc.c refuses (a split-K factor out of range, a tile it does not have). */
static const tile_case tiles[] = {
    {"mma.sync 128x128", {128, 128, 64, 64, 3, 0, 1}},
    {"wgmma 128x128", {128, 128, 64, 128, 3, 1, 1}},
    {"wgmma 64x64, 64-deep k tiles", {64, 64, 64, 64, 3, 2, 1}},
    {"mma.sync 64x64 split-K 16", {64, 64, 32, 32, 4, 0, 16}},
    {"mma.sync split-K 7", {128, 128, 64, 64, 3, 0, 7}},
    {"mma.sync split-K 99", {128, 128, 64, 64, 3, 0, 99}},
    {"mma.sync split-K -1", {128, 128, 64, 64, 3, 0, -1}},
    {"unknown tile 96x96", {96, 96, 32, 32, 3, 0, 1}},
    {"wgmma variant 3 (none such)", {64, 64, 64, 64, 3, 3, 1}},
    {"zeros", {0, 0, 0, 0, 0, 0, 0}},
};
enum { N_TILES = (int)(sizeof tiles / sizeof tiles[0]) };

static const struct {
    const char *name, *op;
} nodes[] = {{"fc + relu", "Gemm"}, {"mm", "MatMul"}}; /* the Relu is fused into fc */

/* trt_context_new on `e` must fail with TRT_ERR_INVALID_ARG, no context, and a message
 * naming the node (and its op) and containing `says`. */
static void expect_refused(trt_engine *e, int node, const char *says, const char *how,
                           const char *what) {
    trt_context *ctx = (trt_context *)&ctx; /* must be reset to NULL */
    trt_status s = trt_context_new(e, &ctx);
    const char *msg = trt_get_last_error();
    if (getenv("TC_REFUSAL_VERBOSE")) printf("%s: %s: %s\n", how, what, msg);
    char named[128];
    snprintf(named, sizeof named, "node '%s' (%s)", nodes[node].name, nodes[node].op);
    CHECK(s == TRT_ERR_INVALID_ARG && ctx == NULL && contains(msg, named) &&
              contains(msg, says),
          "%s: node '%s' with %s: status %s, expected INVALID_ARG naming the node and saying "
          "\"%s\"",
          how, nodes[node].name, what, trt_status_name(s), says);
    if (s == TRT_OK && ctx && ctx != (trt_context *)&ctx) trt_context_free(ctx);
}

/* Every node x tile through the file image on `dev`, and through the in-memory graph of `e`
 * (built on `dev`'s device). `says(node, tile)` gives the expected text, NULL to skip. */
typedef const char *(*expect_fn)(int node, const tile_case *t);

static void run_cases(trt_device *dev, trt_engine *e, const uint8_t *img, size_t len,
                      expect_fn says, const char *devname) {
    for (int nd = 0; nd < 2; nd++)
        for (int i = 0; i < N_TILES; i++) {
            const char *want = says(nd, &tiles[i]);
            if (!want) continue;
            char how[128];
            /* Through the file. */
            uint8_t *buf = with_tactic(img, len, nodes[nd].name, TACTIC_TENSOR_CORE, tiles[i].p);
            CHECK(buf != NULL, "node '%s' found once in the engine file", nodes[nd].name);
            if (!buf) continue;
            trt_graph *g = NULL;
            trt_engine_meta meta;
            int landed = 0;
            if (trt__engine_read(buf, len, &g, &meta) == TRT_OK) {
                trt_node *n = find_node(g, nodes[nd].name);
                landed = n && n->tactic == TACTIC_TENSOR_CORE &&
                         memcmp(n->tactic_params, tiles[i].p, sizeof tiles[i].p) == 0;
                trt_graph_free(g);
            }
            CHECK(landed, "edited file reads back with node '%s' on the tensor-core tactic (%s)",
                  nodes[nd].name, tiles[i].what);
            trt_engine *fe = NULL;
            trt_status s = trt_engine_deserialize(dev, buf, len, &fe);
            CHECK(s == TRT_OK && fe, "%s: engine with '%s' on %s loads (status %s)", devname,
                  nodes[nd].name, tiles[i].what, trt_status_name(s));
            if (fe) {
                snprintf(how, sizeof how, "%s, engine file", devname);
                expect_refused(fe, nd, want, how, tiles[i].what);
                /* A second context is refused the same way: no state left behind. */
                expect_refused(fe, nd, want, how, tiles[i].what);
                trt_engine_free(fe);
            }
            free(buf);
            /* Through the built engine's graph in memory. */
            if (e) {
                trt_node *n = find_node(e->graph, nodes[nd].name);
                CHECK(n != NULL, "node '%s' in the built engine", nodes[nd].name);
                if (!n) continue;
                trt_node saved = *n;
                n->tactic = TACTIC_TENSOR_CORE;
                memset(n->tactic_params, 0, sizeof n->tactic_params);
                memcpy(n->tactic_params, tiles[i].p, sizeof tiles[i].p);
                snprintf(how, sizeof how, "%s, in memory", devname);
                expect_refused(e, nd, want, how, tiles[i].what);
                *n = saved;
            }
        }
}

/* This device as probed: no tensor cores, so every tile fails tc_prepare's caps check. */
static const char *says_no_tc(int node, const tile_case *t) {
    (void)node;
    (void)t;
    return "rebuild the engine on this device";
}

static int valid_split(const tile_case *t) { return t->p[6] >= 0 && t->p[6] <= 16; }
static int known_tile(const tile_case *t) {
    return t->p[0] != 96 && t->p[0] != 0 && t->p[5] <= 2 && valid_split(t);
}

/* An Ampere: mma.sync but no wgmma. */
static const char *says_ampere(int node, const tile_case *t) {
    if (!known_tile(t)) return "is not one this version of trtinfer has; rebuild the engine";
    if (t->p[5])
        return nodes[node].op[0] == 'M'
                   ? "Hopper wgmma kernel, which takes B as [N][K] only" /* MatMul: B [K][N] */
                   : "Hopper wgmma kernel, which this device does not have";
    return NULL; /* a valid mma.sync tile: would compile the kernel */
}

/* A Hopper: wgmma only where B is [N][K] (Gemm transB), not for MatMul. */
static const char *says_hopper(int node, const tile_case *t) {
    if (!known_tile(t)) return "is not one this version of trtinfer has; rebuild the engine";
    if (t->p[5] && nodes[node].op[0] == 'M') return "takes B as [N][K] only; rebuild the engine";
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s MODELDIR\n", argv[0]);
        return 2;
    }
    trt_set_log_level(TRT_LOG_ERROR);
    trt_device *dev = check_open_device();
    if (!dev) return 1;
    if (trt_caps_tensor_core_f16(&dev->caps)) {
        /* This test is about devices without them; on an NVIDIA GPU only the faked ones run. */
        printf("note: %s has tensor cores; skipping the cases of this device as probed\n",
               dev->info.name);
    }
    trt_engine *e = build_engine(dev, argv[1]);
    if (!e) {
        trt_device_free(dev);
        return check_summary();
    }
    /* Baseline: the engine as built runs, and chose no tensor-core kernel here. */
    {
        double err = run_and_check(e);
        CHECK(err < 1e-2, "unedited FP16 engine: max relative error %g", err);
        for (int nd = 0; nd < 2; nd++) {
            trt_node *n = find_node(e->graph, nodes[nd].name);
            CHECK(n && n->op == (nd ? TRT_OP_MATMUL : TRT_OP_GEMM), "node '%s' is a %s",
                  nodes[nd].name, nodes[nd].op);
            CHECK(n && (trt_caps_tensor_core_f16(&dev->caps) || n->tactic != TACTIC_TENSOR_CORE),
                  "the build on a device without tensor cores did not choose them for '%s'",
                  nodes[nd].name);
            const trt_tensor *a = n ? &e->graph->tensors[n->inputs[0]] : NULL;
            const trt_tensor *b = n ? &e->graph->tensors[n->inputs[1]] : NULL;
            CHECK(a && b && a->storage == TRT_DTYPE_FLOAT16 && b->storage == TRT_DTYPE_FLOAT16,
                  "FP16 engine: '%s' reads float16 A and B (as tensor-core tactics need)",
                  nodes[nd].name);
        }
    }
    void *img = NULL;
    size_t len = 0;
    CHECK(trt_engine_serialize(e, &img, &len) == TRT_OK && len > 64, "serialize");
    if (!img) {
        trt_engine_free(e);
        trt_device_free(dev);
        return check_summary();
    }
    /* The editor itself: an unchanged tactic gives a file that still runs. */
    {
        trt_node *n = find_node(e->graph, nodes[0].name);
        int32_t p[7] = {0};
        if (n) memcpy(p, n->tactic_params, sizeof p);
        uint8_t *same = n ? with_tactic(img, len, nodes[0].name, n->tactic, p) : NULL;
        CHECK(same && memcmp(same, img, len) == 0, "rewriting fc's own tactic changes no byte");
        free(same);
        trt_engine *fe = NULL;
        CHECK(trt_engine_deserialize(dev, img, len, &fe) == TRT_OK && run_and_check(fe) < 1e-2,
              "unedited engine file loads and runs");
        trt_engine_free(fe);
    }

    if (!trt_caps_tensor_core_f16(&dev->caps))
        run_cases(dev, e, img, len, says_no_tc, "no tensor cores");

    /* The same device with faked caps (a second handle: the first keeps its own). */
    trt_device *fake = NULL;
    CHECK(trt_device_open(NULL, &fake) == TRT_OK, "second device handle");
    if (fake) {
        fake->caps.mma_f16 = fake->caps.ldmatrix = fake->caps.cp_async = 1;
        fake->caps.wgmma = 0;
        run_cases(fake, NULL, img, len, says_ampere, "Ampere (faked caps)");
        fake->caps.wgmma = 1;
        run_cases(fake, NULL, img, len, says_hopper, "Hopper (faked caps)");
        trt_device_free(fake);
    }
    /* Nothing above disturbed the engine: it still runs. */
    CHECK(run_and_check(e) < 1e-2, "unedited engine still runs after the refusals");

    free(img);
    trt_engine_free(e);
    trt_device_free(dev);
    return check_summary();
}
