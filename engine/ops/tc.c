/* tc.c — tile configurations and build options of the tensor-core kernels (tc.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/tc.h"
#include "runtime/ptx_arch.h"

/* The configurations worth timing. Local memory is STAGES * (BM + BN) * BK * 2 bytes
 * (trt__tc_bk):
 * 48 KiB at most for the mma.sync tiles, which run on any NVIDIA GPU from sm_80 (its
 * CL_DEVICE_LOCAL_MEM_SIZE); the wgmma ones (Hopper only) go past that, as a kernel's static
 * __local array may there (measured on the H200, bench/results/2026-12-03-h200-s8.md: 64 and
 * 96 KiB tiles build, run and pass tc_kernel_check; a __local argument of that size does not
 * launch); a tile whose kernel a device refuses is a skipped candidate. mma.sync: 64 x 64 warp
 * tiles keep 128 float accumulators per work-item, 32-wide ones half that. wgmma: each
 * warpgroup holds WM x BN accumulators over 128 work-items. The last tile of each kind is the
 * one for small products. */
static const trt_tc_tile tiles[] = {
    {128, 128, 64, 64, 3, 0},   /* 4 warps, 48 KiB */
    {128, 256, 64, 64, 2, 0},   /* 8 warps, 48 KiB */
    {256, 128, 64, 64, 2, 0},   /* 8 warps, 48 KiB */
    {128, 128, 32, 64, 3, 0},   /* 8 warps, 48 KiB */
    {64, 128, 32, 64, 4, 0},    /* 4 warps, 48 KiB */
    {128, 64, 64, 32, 4, 0},    /* 4 warps, 48 KiB */
    {64, 64, 32, 32, 4, 0},     /* 4 warps, 32 KiB */
    {128, 128, 128, 128, 4, 1}, /* 1 warpgroup, 64 KiB */
    {128, 128, 128, 128, 3, 1}, /* 1 warpgroup, 48 KiB */
    {128, 128, 64, 128, 3, 1},  /* 2 warpgroups, 48 KiB */
    {128, 256, 64, 256, 4, 1},  /* 2 warpgroups, 96 KiB */
    {64, 256, 64, 256, 2, 1},   /* 1 warpgroup, 40 KiB */
    {64, 128, 64, 128, 4, 1},   /* 1 warpgroup, 48 KiB */
    {128, 64, 64, 64, 4, 1},    /* 2 warpgroups, 48 KiB: products with N = 64 */
    {128, 64, 128, 64, 4, 1},   /* 1 warpgroup, 48 KiB */
    {64, 64, 64, 64, 4, 1},     /* 1 warpgroup, 32 KiB */
    /* wgmma with 64-deep k tiles (wgmma 2, BK 64): half the waits and barriers per k. */
    {128, 128, 128, 128, 3, 2}, /* 1 warpgroup, 96 KiB */
    {128, 128, 128, 128, 2, 2}, /* 1 warpgroup, 64 KiB */
    {64, 128, 64, 128, 3, 2},   /* 1 warpgroup, 72 KiB */
    {128, 64, 128, 64, 3, 2},   /* 1 warpgroup, 72 KiB */
    {64, 64, 64, 64, 3, 2},     /* 1 warpgroup, 48 KiB */
};
enum { N_TILES = (int)(sizeof tiles / sizeof tiles[0]) };

const trt_tc_tile *trt__tc_tiles(int *count) {
    *count = N_TILES;
    return tiles;
}

static int last_of_kind(int i) { return i + 1 == N_TILES || tiles[i + 1].wgmma != tiles[i].wgmma; }

/* Split-K factors tried, and the bounds of a split: at most this many work-groups in all
 * (a few waves of a large GPU), at least this many k tiles (of BK) per work-group. */
static const int split_factors[] = {2, 4, 8, 16};
enum { SPLIT_MAX_GROUPS = 512, SPLIT_MIN_K_TILES = 4 };

int trt__tc_add_tactics(int64_t M, int64_t N, int64_t K, int64_t batches,
                        const trt_device_caps *caps, int b_kmajor, int tactic, trt_tactic *out,
                        int n, int max) {
    const int wgmma_ok = trt_caps_tensor_core_wgmma(caps) && b_kmajor;
    for (int i = 0; i < N_TILES && n < max; i++) {
        const trt_tc_tile *t = &tiles[i];
        if (t->wgmma && !wgmma_ok) continue;
        const int64_t k_tiles = (K + trt__tc_bk(t) - 1) / trt__tc_bk(t);
        /* Big tiles only where the product fills at least half of one. */
        if (!last_of_kind(i) && (M * 2 < t->bm || N * 2 < t->bn)) continue;
        int p[7] = {t->bm, t->bn, t->wm, t->wn, t->stages, t->wgmma, 1};
        n = trt_tactic_add(out, n, max, tactic, p, 7, TRT_TACTIC_TENSOR_CORE);
        const int64_t groups =
            (int64_t)trt__tc_tile_count(t, (size_t)M, (size_t)N, (size_t)batches);
        for (int f = 0; f < (int)(sizeof split_factors / sizeof *split_factors) && n < max; f++) {
            p[6] = split_factors[f];
            if (groups * p[6] > SPLIT_MAX_GROUPS || k_tiles < (int64_t)p[6] * SPLIT_MIN_K_TILES)
                break;
            n = trt_tactic_add(out, n, max, tactic, p, 7, TRT_TACTIC_TENSOR_CORE);
        }
    }
    return n;
}

trt_status trt__tc_tile_of(const trt_node *node, const trt_device_caps *caps, int b_kmajor,
                           trt_tc_tile *tile) {
    const int32_t *p = node->tactic_params;
    for (int i = 0; i < N_TILES; i++) {
        const trt_tc_tile *t = &tiles[i];
        const int splits = p[6] ? p[6] : 1;
        if (p[0] != t->bm || p[1] != t->bn || p[2] != t->wm || p[3] != t->wn ||
            p[4] != t->stages || p[5] != t->wgmma || splits < 1 || splits > 16)
            continue;
        if (t->wgmma && !(trt_caps_tensor_core_wgmma(caps) && b_kmajor))
            return trt__error(TRT_ERR_INVALID_ARG,
                              "node '%s' (%s): the engine chose a Hopper wgmma kernel, which %s; "
                              "rebuild the engine on this device",
                              node->name, trt_op_name(node->op),
                              b_kmajor ? "this device does not have (its probe found no wgmma)"
                                       : "takes B as [N][K] only");
        *tile = *t;
        tile->splits = splits;
        return TRT_OK;
    }
    return trt__error(TRT_ERR_INVALID_ARG,
                      "node '%s' (%s): tensor-core tile %dx%d (warp %dx%d, %d stages%s, split-K "
                      "%d) is not one this version of trtinfer has; rebuild the engine",
                      node->name, trt_op_name(node->op), p[0], p[1], p[2], p[3], p[4],
                      p[5] == 2 ? ", wgmma, 64-deep k tiles" : p[5] ? ", wgmma" : "", p[6]);
}

int trt__tc_ws_plan(const trt_tc_ws *have, size_t tiles, int bm, int bn, trt_tc_ws *need) {
    const size_t counters = (tiles + 63) / 64 * 64;
    need->counters = have->counters >= counters ? have->counters : counters;
    need->bytes = (need->counters + tiles * (size_t)bm * (size_t)bn) * sizeof(float);
    if (need->counters == have->counters && need->bytes <= have->bytes) {
        *need = *have;
        return 0;
    }
    return 1;
}

enum { SPLIT_MAX_WS_BYTES = 256 << 20, SPLIT_MAX_DIM2 = 65535 };

int trt__tc_launch_splits(const trt_tc_tile *t, size_t tiles, size_t batches) {
    if (t->splits <= 1) return 1;
    const size_t ws = tiles * (size_t)t->bm * (size_t)t->bn * sizeof(float);
    if (ws > SPLIT_MAX_WS_BYTES || batches * (size_t)t->splits > SPLIT_MAX_DIM2) return 1;
    return t->splits;
}

/* The workspace of a launch over `tiles` tiles with `splits` in rt->scratch (trt_tc_launch). */
static trt_status workspace(trt_exec *ex, trt_node_rt *rt, trt_tc_ws *have, const trt_tc_tile *t,
                            int splits, size_t tiles, cl_mem unused, cl_mem *ws, cl_int *ws_off) {
    *ws = unused;
    *ws_off = 0;
    if (splits <= 1 || tiles == 0) return TRT_OK; /* an empty product launches nothing */
    trt_tc_ws need;
    if (trt__tc_ws_plan(have, tiles, t->bm, t->bn, &need)) {
        if (need.counters > INT32_MAX)
            return trt__error(TRT_ERR_UNSUPPORTED, "split-K over %zu tiles: too many", tiles);
        if (rt->scratch) clReleaseMemObject(rt->scratch);
        rt->scratch = NULL;
        have->bytes = have->counters = 0;
        cl_int err;
        cl_mem m =
            clCreateBuffer(trt_exec_cl_context(ex), CL_MEM_READ_WRITE, need.bytes, NULL, &err);
        if (err != CL_SUCCESS)
            return trt__error(TRT_ERR_OPENCL,
                              "allocating the %zu-byte split-K workspace failed (OpenCL error %d)",
                              need.bytes, (int)err);
        const cl_int zero = 0;
        err = clEnqueueFillBuffer(trt_exec_queue(ex), m, &zero, sizeof zero, 0, need.bytes, 0,
                                  NULL, NULL);
        if (err != CL_SUCCESS) {
            clReleaseMemObject(m);
            return trt__error(TRT_ERR_OPENCL,
                              "clearing the split-K workspace failed (OpenCL error %d)", (int)err);
        }
        rt->scratch = m;
        *have = need;
    }
    *ws = rt->scratch;
    *ws_off = (cl_int)have->counters;
    return TRT_OK;
}

/* Tiles per work-group: the largest power of 2 that leaves at least PERSIST_MIN_GROUPS_PER_CU
 * work-groups per compute unit, at most PERSIST_MAX_TILES. From the H200 sweeps of
 * tc_kernel_check --per-group over ResNet-50's batch-128 products (bench/results/
 * 2026-12-03-h200-s8.md, section 3): faster than the earlier rule (1 to 4, keeping 16
 * work-groups per unit) where a launch has 6272 tiles or more, e.g. M 401408 x N 256 x K 64
 * with 64x64 tiles 0.184 against 0.194 ms; where it has about 24 tiles per compute unit
 * (3136 on 132), 2 tiles per work-group measured up to 11% slower than 1. */
enum { PERSIST_MAX_TILES = 8, PERSIST_MIN_GROUPS_PER_CU = 6 };

int trt__tc_tiles_per_group(size_t groups, unsigned compute_units) {
    if (compute_units == 0) return 1;
    const size_t room = groups / ((size_t)compute_units * PERSIST_MIN_GROUPS_PER_CU);
    int t = 1;
    while (t * 2 <= PERSIST_MAX_TILES && (size_t)t * 2 <= room)
        t *= 2;
    return t;
}

void trt__tc_grid(const trt_tc_tile *t, size_t M, size_t N, size_t batches, int splits,
                  int per_group, size_t gws[3], size_t lws[3]) {
    const size_t tiles = trt__tc_tile_count(t, M, N, 1);
    const size_t per = per_group > 1 ? (size_t)per_group : 1;
    lws[0] = trt__tc_threads(t), lws[1] = lws[2] = 1;
    gws[0] = (tiles + per - 1) / per * lws[0];
    gws[1] = 1;
    gws[2] = batches * (size_t)splits;
}

/* How a launch of tile t over `batches` M x N products runs: its output tiles (*tiles), its
 * split-K factor (*splits) and, returned, the tiles per work-group (trt__tc_tiles_per_group;
 * TRT_TC_TILES_PER_GROUP=T forces T, for tests: the tile loop on models too small for it). */
static int launch_plan(trt_exec *ex, const trt_tc_tile *t, size_t M, size_t N, size_t batches,
                       size_t *tiles, int *splits) {
    *tiles = trt__tc_tile_count(t, M, N, batches);
    *splits = trt__tc_launch_splits(t, *tiles, batches);
    const char *env = getenv("TRT_TC_TILES_PER_GROUP");
    const int forced = env ? atoi(env) : 0;
    if (forced > 0) return forced;
    return trt__tc_tiles_per_group(*tiles * (size_t)*splits, trt_exec_compute_units(ex));
}

trt_status trt__tc_launch_setup(trt_exec *ex, trt_node_rt *rt, trt_tc_ws *have,
                                const trt_tc_tile *t, size_t M, size_t N, size_t batches,
                                cl_mem unused, trt_tc_launch *l) {
    size_t tiles;
    int splits;
    const int per_group = launch_plan(ex, t, M, N, batches, &tiles, &splits);
    l->splits = splits;
    trt__tc_grid(t, M, N, batches, splits, per_group, l->gws, l->lws);
    l->persist = per_group > 1;
    return workspace(ex, rt, have, t, splits, tiles, unused, &l->ws, &l->ws_off);
}

trt_status trt__tc_prepare_kernels(trt_exec *ex, trt_node_rt *rt, const trt_tc_tile *t,
                                   const char *opts, const char *name, int slot,
                                   int slot_persist, size_t M, size_t N, size_t batches) {
    cl_kernel k;
    TRT_TRY(trt__tc_kernel(ex, rt, opts, name, slot, slot_persist, 0, &k));
    size_t tiles;
    int splits;
    if (launch_plan(ex, t, M, N, batches, &tiles, &splits) > 1)
        TRT_TRY(trt__tc_kernel(ex, rt, opts, name, slot, slot_persist, 1, &k));
    return TRT_OK;
}

/* The build options of a kernel: trt__tc_options' and the TC_PERSIST flag. */
enum { KERNEL_OPTIONS_MAX = 320 };
static void kernel_options(char *o, size_t size, const char *opts, int persist) {
    snprintf(o, size, "%s -DTC_PERSIST=%d", opts, persist);
}

trt_status trt__tc_kernel(trt_exec *ex, trt_node_rt *rt, const char *opts, const char *name,
                          int slot, int slot_persist, int persist, cl_kernel *k) {
    const int s = persist ? slot_persist : slot;
    if (!rt->kernels[s]) {
        char o[KERNEL_OPTIONS_MAX];
        kernel_options(o, sizeof o, opts, persist);
        TRT_TRY(trt_exec_kernel(ex, "tc_gemm.cl", o, name, &rt->kernels[s]));
    }
    *k = rt->kernels[s];
    return TRT_OK;
}

int trt__tc_register_cap(const trt_tc_tile *t) {
    const int threads = (int)trt__tc_threads(t);
    if (!t->wgmma || threads <= 0) return 0;
    const int accumulators = t->bm * t->bn / threads;
    if (accumulators <= 32) return 128; /* 4 work-groups of 128 work-items, 2 of 256 */
    if (accumulators <= 64 && threads == 128) return 168; /* 3 of 128 */
    return 0;
}

void trt__tc_options(char *buf, size_t size, const trt_tc_tile *t, int b_kmajor, int out_half,
                     int bias_half) {
    const int n = snprintf(buf, size,
                           "-DBM=%d -DBN=%d -DWM=%d -DWN=%d -DSTAGES=%d -DB_KMAJOR=%d "
                           "-DOUT_HALF=%d -DBIAS_HALF=%d -DTC_WGMMA=%d -DBK=%d",
                           t->bm, t->bn, t->wm, t->wn, t->stages, b_kmajor, out_half, bias_half,
                           t->wgmma != 0, trt__tc_bk(t));
    const int cap = trt__tc_register_cap(t);
    char suffix[48];
    const int sn = snprintf(suffix, sizeof suffix, " " TRT_PTX_MAXNREG_OPTION "%d", cap);
    /* All of the option or none of it: a cut one would read as another cap. */
    if (cap > 0 && n > 0 && (size_t)n + (size_t)sn < size) memcpy(buf + n, suffix, (size_t)sn + 1);
}
