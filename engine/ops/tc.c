/* tc.c — tile configurations and build options of the tensor-core kernels (tc.h). */
#include <stdio.h>
#include <string.h>

#include "ops/tc.h"

/* The configurations worth timing. Local memory is STAGES * (BM + BN) * 32 * 2 bytes, at
 * most 48 KiB (what NVIDIA's OpenCL driver gives a work-group); 64 x 64 warp tiles keep 128
 * float accumulators per work-item, 32-wide ones half that. */
static const trt_tc_tile tiles[] = {
    {128, 128, 64, 64, 3}, /* 4 warps, 48 KiB */
    {128, 256, 64, 64, 2}, /* 8 warps, 48 KiB */
    {256, 128, 64, 64, 2}, /* 8 warps, 48 KiB */
    {128, 128, 32, 64, 3}, /* 8 warps, 48 KiB */
    {64, 128, 32, 64, 4},  /* 4 warps, 48 KiB */
    {128, 64, 64, 32, 4},  /* 4 warps, 48 KiB */
    {64, 64, 32, 32, 4},   /* 4 warps, 32 KiB: small products */
};
enum { N_TILES = (int)(sizeof tiles / sizeof tiles[0]) };

int trt__tc_add_tactics(int64_t M, int64_t N, int tactic, trt_tactic *out, int n, int max) {
    for (int i = 0; i < N_TILES && n < max; i++) {
        const trt_tc_tile *t = &tiles[i];
        /* Big tiles only where the product fills at least half of one. */
        if (i < N_TILES - 1 && (M * 2 < t->bm || N * 2 < t->bn)) continue;
        const int p[5] = {t->bm, t->bn, t->wm, t->wn, t->stages};
        n = trt_tactic_add(out, n, max, tactic, p, 5, TRT_TACTIC_TENSOR_CORE);
    }
    return n;
}

trt_status trt__tc_tile_of(const trt_node *node, trt_tc_tile *tile) {
    const int32_t *p = node->tactic_params;
    for (int i = 0; i < N_TILES; i++) {
        const trt_tc_tile *t = &tiles[i];
        if (p[0] == t->bm && p[1] == t->bn && p[2] == t->wm && p[3] == t->wn &&
            p[4] == t->stages) {
            *tile = *t;
            return TRT_OK;
        }
    }
    return trt__error(TRT_ERR_INVALID_ARG,
                      "node '%s' (%s): tensor-core tile %dx%d (warp %dx%d, %d stages) is not one "
                      "this version of trtinfer has; rebuild the engine",
                      node->name, trt_op_name(node->op), p[0], p[1], p[2], p[3], p[4]);
}

void trt__tc_options(char *buf, size_t size, const trt_tc_tile *t, int b_kmajor, int out_half,
                     int bias_half) {
    snprintf(buf, size,
             "-DBM=%d -DBN=%d -DWM=%d -DWN=%d -DSTAGES=%d -DB_KMAJOR=%d -DOUT_HALF=%d "
             "-DBIAS_HALF=%d",
             t->bm, t->bn, t->wm, t->wn, t->stages, b_kmajor, out_half, bias_half);
}
