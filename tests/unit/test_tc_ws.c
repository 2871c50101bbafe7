/* test_tc_ws.c — the launch arithmetic of ops/tc.c: the NDRange (trt__tc_grid), the tiles a
 * work-group runs in turn (trt__tc_tiles_per_group) and the
 * split-K workspace (trt__tc_ws_plan, trt__tc_launch_splits), which decides when the buffer
 * is made again and where the tiles' sums start: they must never land on the counters of
 * another launch, whatever the order of shapes (the kernels themselves run only on NVIDIA GPUs: tests/gpu/tc_kernel_check). */
#include <stdio.h>
#include <string.h>

#include "ops/tc.h"

#include "../common/check.h"


int main(void) {
    trt_tc_ws have = {0, 0}, need;
    /* First launch: a buffer with counters for 512 tiles, then one 64x64 float slab per tile
     * (the split factor does not matter: the work-groups of a tile add into one slab). */
    CHECK(trt__tc_ws_plan(&have, 500, 64, 64, &need) == 1, "first launch makes a buffer");
    CHECK(need.counters == 512, "counters rounded up to 64");
    CHECK(need.bytes == (512 + 500 * 64 * 64) * sizeof(float), "bytes = counters + slabs");
    have = need;
    /* A smaller batch: the buffer serves, and the counters keep their place and size, so its
     * sums (from counters on) cannot overwrite the slots of the larger launch. */
    CHECK(trt__tc_ws_plan(&have, 16, 64, 64, &need) == 0, "a smaller launch reuses it");
    CHECK(need.counters == 512 && need.bytes == have.bytes, "and keeps the counters' region");
    /* Back to the larger one: still the same buffer (counters and slabs were left at zero). */
    CHECK(trt__tc_ws_plan(&have, 500, 64, 64, &need) == 0, "the larger again reuses it");
    /* More tiles than counters: a new buffer (counters zeroed again), larger region. */
    CHECK(trt__tc_ws_plan(&have, 513, 64, 64, &need) == 1, "more tiles than counters: new");
    CHECK(need.counters == 576, "with room for them");
    /* Same tiles, larger slabs than bytes (a larger tile): new buffer, and the counters'
     * region does not shrink. */
    CHECK(trt__tc_ws_plan(&have, 500, 128, 64, &need) == 1, "larger slabs: new buffer");
    CHECK(need.counters == 512, "counters region kept");
    CHECK(need.bytes == (512 + 500 * 128 * 64) * sizeof(float), "with room for the slabs");

    /* The split factor a launch runs with. */
    trt_tc_tile t = {64, 64, 64, 64, 4, 1, 8};
    CHECK(trt__tc_launch_splits(&t, 16, 1) == 8, "the tile's factor where it fits");
    CHECK(trt__tc_launch_splits(&t, 16384, 32) == 8, "16384 64x64 slabs are 256 MiB: fits");
    CHECK(trt__tc_launch_splits(&t, 16385, 32) == 1, "1 where the workspace would pass 256 MiB");
    CHECK(trt__tc_launch_splits(&t, 16, 10000) == 1, "1 where dimension 2 would pass 65535");
    t.splits = 1;
    CHECK(trt__tc_launch_splits(&t, 16, 1) == 1, "no split stays no split");

    /* The NDRange (kernels/tc_gemm.cl): work-groups x work-items, 1, batches x splits. */
    size_t gws[3], lws[3];
    const trt_tc_tile g = {128, 64, 64, 64, 4, 1, 1}; /* 2 warpgroups: 256 work-items */
    CHECK(trt__tc_tile_count(&g, 1000, 200, 3) == 8 * 4 * 3, "tiles: 8 rows x 4 columns x 3");
    trt__tc_grid(&g, 1000, 200, 3, 1, 1, gws, lws);   /* 8 row tiles x 4 column tiles */
    CHECK(lws[0] == 256 && lws[1] == 1 && lws[2] == 1, "work-groups of 256 work-items");
    CHECK(gws[0] == 32 * 256 && gws[1] == 1 && gws[2] == 3, "one work-group per tile and batch");
    trt__tc_grid(&g, 1000, 200, 3, 4, 1, gws, lws);
    CHECK(gws[0] == 32 * 256 && gws[1] == 1 && gws[2] == 12, "split-K 4: batches x splits");
    trt__tc_grid(&g, 1000, 200, 3, 1, 3, gws, lws);
    CHECK(gws[0] == 11 * 256 && gws[2] == 3, "3 tiles per work-group: ceil(32 / 3) work-groups");
    trt__tc_grid(&g, 1000, 200, 3, 1, 0, gws, lws);
    CHECK(gws[0] == 32 * 256, "0 tiles per work-group reads as 1");

    /* Tiles per work-group: the largest power of 2 that keeps 6 work-groups per compute unit,
     * at most 8 (132 units: 792 work-groups). */
    CHECK(trt__tc_tiles_per_group(25088, 132) == 8, "ResNet-50 layer1 64x64 tiles at batch 128: 8");
    CHECK(trt__tc_tiles_per_group(6272, 132) == 4, "6272 tiles (7.9 per 792): 4");
    CHECK(trt__tc_tiles_per_group(3136, 132) == 2, "3136 tiles (3.96 per 792): 2");
    CHECK(trt__tc_tiles_per_group(132 * 6 * 2, 132) == 2, "exactly 2 x 792: 2");
    CHECK(trt__tc_tiles_per_group(132 * 6 * 2 - 1, 132) == 1, "just under: 1");
    CHECK(trt__tc_tiles_per_group(132 * 6 * 7, 132) == 4, "7 x 792: 4, a power of 2");
    CHECK(trt__tc_tiles_per_group(10000000, 132) == 8, "many tiles: at most 8");
    CHECK(trt__tc_tiles_per_group(49, 132) == 1, "few tiles: 1");
    CHECK(trt__tc_tiles_per_group(1000000, 0) == 1, "unknown compute units: 1");
    /* Register caps: one-warpgroup wgmma tiles of 32 and 64 accumulators per work-item; none
     * for the others; the option is in the build options iff there is a cap. */
    const trt_tc_tile w64 = {64, 64, 64, 64, 4, 1, 0}, w128x64 = {128, 64, 128, 64, 4, 1, 0},
                      w64x128 = {64, 128, 64, 128, 4, 1, 0},
                      w128 = {128, 128, 128, 128, 4, 1, 0},
                      w2 = {128, 128, 64, 128, 3, 1, 0}, mma = {64, 64, 32, 32, 4, 0, 0};
    CHECK(trt__tc_register_cap(&w64) == 128, "64x64 wgmma: 128 registers");
    CHECK(trt__tc_register_cap(&w128x64) == 168 && trt__tc_register_cap(&w64x128) == 168,
          "128x64 and 64x128 wgmma: 168");
    CHECK(trt__tc_register_cap(&w128) == 0, "128x128 on one warpgroup: no cap");
    CHECK(trt__tc_register_cap(&w2) == 0, "two warpgroups of 64 accumulators: no cap");
    const trt_tc_tile w2n64 = {128, 64, 64, 64, 4, 1, 0};
    CHECK(trt__tc_register_cap(&w2n64) == 128, "two warpgroups of 32 accumulators: 128");
    CHECK(trt__tc_register_cap(&mma) == 0, "mma.sync: no cap");
    char o[256];
    trt__tc_options(o, sizeof o, &w64, 1, 1, 1);
    CHECK(strstr(o, " -DTRT_PTX_MAXNREG=128") != NULL && strstr(o, "-DTC_WGMMA=1"),
          "the cap is among a capped tile's options");
    trt__tc_options(o, sizeof o, &mma, 1, 1, 1);
    CHECK(strstr(o, "MAXNREG") == NULL, "and not among an uncapped one's");
    /* A buffer with room for the tile's options but not the whole cap: no cap at all, never a
     * cut one (which would read as another number). */
    char full[256], small[256];
    trt__tc_options(full, sizeof full, &w64, 1, 1, 1);
    const size_t cut = strlen(full) - 2; /* "...=128" would come out as "...=1" */
    trt__tc_options(small, cut + 1, &w64, 1, 1, 1);
    CHECK(strstr(small, "MAXNREG") == NULL && strstr(small, "-DTC_WGMMA=1"),
          "the cap is left out whole when it does not fit");
    const trt_tc_tile odd = {64, 64, 128, 64, 4, 1, 0}; /* WM > BM: no warpgroup */
    CHECK(trt__tc_register_cap(&odd) == 0, "a tile of no work-items has no cap (no division)");
    return check_summary();
}
