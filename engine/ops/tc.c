/* tc.c — tile configurations and build options of the tensor-core kernels (tc.h). */
#include <stdio.h>
#include <string.h>

#include "ops/tc.h"

/* The configurations worth timing. Local memory is STAGES * (BM + BN) * 32 * 2 bytes, at
 * most 48 KiB (what NVIDIA's OpenCL driver gives a work-group). mma.sync: 64 x 64 warp tiles
 * keep 128 float accumulators per work-item, 32-wide ones half that. wgmma: each warpgroup
 * holds WM x BN accumulators over 128 work-items. The last tile of each kind is the one for
 * small products. */
static const trt_tc_tile tiles[] = {
    {128, 128, 64, 64, 3, 0},   /* 4 warps, 48 KiB */
    {128, 256, 64, 64, 2, 0},   /* 8 warps, 48 KiB */
    {256, 128, 64, 64, 2, 0},   /* 8 warps, 48 KiB */
    {128, 128, 32, 64, 3, 0},   /* 8 warps, 48 KiB */
    {64, 128, 32, 64, 4, 0},    /* 4 warps, 48 KiB */
    {128, 64, 64, 32, 4, 0},    /* 4 warps, 48 KiB */
    {64, 64, 32, 32, 4, 0},     /* 4 warps, 32 KiB */
    {128, 128, 128, 128, 3, 1}, /* 1 warpgroup, 48 KiB */
    {128, 128, 64, 128, 3, 1},  /* 2 warpgroups, 48 KiB */
    {128, 256, 64, 256, 2, 1},  /* 2 warpgroups, 48 KiB */
    {64, 256, 64, 256, 2, 1},   /* 1 warpgroup, 40 KiB */
    {64, 128, 64, 128, 4, 1},   /* 1 warpgroup, 48 KiB */
    {64, 64, 64, 64, 4, 1},     /* 1 warpgroup, 32 KiB */
};
enum { N_TILES = (int)(sizeof tiles / sizeof tiles[0]) };

static int last_of_kind(int i) { return i + 1 == N_TILES || tiles[i + 1].wgmma != tiles[i].wgmma; }

int trt__tc_add_tactics(int64_t M, int64_t N, const trt_device_caps *caps, int b_kmajor,
                        int tactic, trt_tactic *out, int n, int max) {
    const int wgmma_ok = trt_caps_tensor_core_wgmma(caps) && b_kmajor;
    for (int i = 0; i < N_TILES && n < max; i++) {
        const trt_tc_tile *t = &tiles[i];
        if (t->wgmma && !wgmma_ok) continue;
        /* Big tiles only where the product fills at least half of one. */
        if (!last_of_kind(i) && (M * 2 < t->bm || N * 2 < t->bn)) continue;
        const int p[6] = {t->bm, t->bn, t->wm, t->wn, t->stages, t->wgmma};
        n = trt_tactic_add(out, n, max, tactic, p, 6, TRT_TACTIC_TENSOR_CORE);
    }
    return n;
}

trt_status trt__tc_tile_of(const trt_node *node, const trt_device_caps *caps, int b_kmajor,
                           trt_tc_tile *tile) {
    const int32_t *p = node->tactic_params;
    for (int i = 0; i < N_TILES; i++) {
        const trt_tc_tile *t = &tiles[i];
        if (p[0] != t->bm || p[1] != t->bn || p[2] != t->wm || p[3] != t->wn ||
            p[4] != t->stages || p[5] != t->wgmma)
            continue;
        if (t->wgmma && !(trt_caps_tensor_core_wgmma(caps) && b_kmajor))
            return trt__error(TRT_ERR_INVALID_ARG,
                              "node '%s' (%s): the engine chose a Hopper wgmma kernel, which %s; "
                              "rebuild the engine on this device",
                              node->name, trt_op_name(node->op),
                              b_kmajor ? "this device does not have (its probe found no wgmma)"
                                       : "takes B as [N][K] only");
        *tile = *t;
        return TRT_OK;
    }
    return trt__error(TRT_ERR_INVALID_ARG,
                      "node '%s' (%s): tensor-core tile %dx%d (warp %dx%d, %d stages%s) is not "
                      "one this version of trtinfer has; rebuild the engine",
                      node->name, trt_op_name(node->op), p[0], p[1], p[2], p[3], p[4],
                      p[5] ? ", wgmma" : "");
}

void trt__tc_options(char *buf, size_t size, const trt_tc_tile *t, int b_kmajor, int out_half,
                     int bias_half) {
    snprintf(buf, size,
             "-DBM=%d -DBN=%d -DWM=%d -DWN=%d -DSTAGES=%d -DB_KMAJOR=%d -DOUT_HALF=%d "
             "-DBIAS_HALF=%d -DTC_WGMMA=%d",
             t->bm, t->bn, t->wm, t->wn, t->stages, b_kmajor, out_half, bias_half, t->wgmma);
}
