/* tc.h — what Gemm/MatMul (gemm.c) and Conv (conv_tc.c) share to run on tensor cores
 * (kernels/tc_gemm.cl): the tile configurations a tactic may carry, their validation, and
 * the kernel build options. Nothing here is public. */
#ifndef TRT_OPS_TC_H
#define TRT_OPS_TC_H

#include <stddef.h>

#include "ops/op.h"

/* A tile configuration, stored in tactic_params[0..6] in this order: rows and columns of
 * the work-group's tile, of each warp's tile (of each warpgroup's for wgmma), the depth of
 * the cp.async ring, the Hopper warpgroup variant (TC_WGMMA: wgmma.mma_async, B as [N][K]
 * only; 0: mma.sync, 1: wgmma with 32-deep k tiles, 2: wgmma with 64-deep ones), and the
 * split-K factor (work-groups sharing one tile's K; 1 = none). Engines written before the last
 * two have 0 there, read as 0 and 1. */
typedef struct {
    int bm, bn, wm, wn, stages, wgmma, splits;
} trt_tc_tile;
/* The tactic_params that choose a program: the split-K factor is a launch setting, so the
 * split variants of a tile share its programs (tune.c deals a parallel build's candidates
 * out by these). */
#define TRT_TC_PROGRAM_PARAMS 6

/* The tile configurations the builder may choose from (splits 1), and their number; static
 * storage (tests/gpu/tc_kernel_check checks and times exactly these). */
const trt_tc_tile *trt__tc_tiles(int *count);

/* Room the callers leave after the tensor-core candidates for their portable ones, so that
 * both are timed and a tactic-source filter always has candidates of each kind. */
#define TRT_TC_PORTABLE_ROOM 12
/* Appends tensor-core candidates (tactic id `tactic`, flag TRT_TACTIC_TENSOR_CORE) for an
 * M x N x K product (`batches` of them) to out[n..max), largest tiles first where the product
 * fills them; the wgmma variants too where the device has them (caps) and B is [N][K]
 * (b_kmajor); split-K variants where a product has few tiles and a long K. Returns the new
 * count. */
int trt__tc_add_tactics(int64_t M, int64_t N, int64_t K, int64_t batches,
                        const trt_device_caps *caps, int b_kmajor, int tactic, trt_tactic *out,
                        int n, int max);

/* The node's tile from its tactic_params; TRT_ERR_INVALID_ARG naming the node if it is not
 * one the kernel accepts (an edited or foreign engine), or a wgmma tile that this device
 * (caps) or this B layout cannot run. */
trt_status trt__tc_tile_of(const trt_node *node, const trt_device_caps *caps, int b_kmajor,
                           trt_tc_tile *tile);

/* Depth of the tile's k tiles (the kernel's BK): 64 for wgmma variant 2, else 32. */
static inline int trt__tc_bk(const trt_tc_tile *t) { return t->wgmma == 2 ? 64 : 32; }

/* Work-items per work-group: 32 per warp, 128 per warpgroup. */
static inline size_t trt__tc_threads(const trt_tc_tile *t) {
    if (t->wgmma) return (size_t)(t->bm / t->wm) * 128;
    return (size_t)(t->bm / t->wm) * (size_t)(t->bn / t->wn) * 32;
}

/* The split-K workspace of a node (kernels/tc_gemm.cl): `counters` int slots, one per output
 * tile, then each tile's float sums (BM x BN), `bytes` in all; all zero when made, and every
 * launch leaves them zero. The counters' region keeps its size until the buffer is made again,
 * so that sums never land on counters of another launch. */
typedef struct {
    size_t bytes, counters;
} trt_tc_ws;

/* The workspace a split-K launch over `tiles` output tiles of bm x bn needs, given the current
 * one (zeros: none yet): *need, and 1 when the buffer must be made again (zeroed), 0 when the
 * current one serves. Pure arithmetic (tested on the CPU). */
int trt__tc_ws_plan(const trt_tc_ws *have, size_t tiles, int bm, int bn, trt_tc_ws *need);

/* The split-K factor a launch of `tiles` output tiles over `batches` runs with: the tile's,
 * or 1 where the runtime shape makes it unreasonable (the workspace over 256 MiB, or more
 * than 65535 work-groups along dimension 2), since a split factor is chosen at the build's
 * opt shape. */
int trt__tc_launch_splits(const trt_tc_tile *t, size_t tiles, size_t batches);

/* The output tiles of `batches` M x N products in tile t's BM x BN tiles. */
static inline size_t trt__tc_tile_count(const trt_tc_tile *t, size_t M, size_t N,
                                        size_t batches) {
    return (M + (size_t)t->bm - 1) / (size_t)t->bm * ((N + (size_t)t->bn - 1) / (size_t)t->bn) *
           batches;
}

/* How many tiles each work-group of a launch runs in turn (kernels/tc_gemm.cl), for a launch
 * of `groups` tiles in all (over batches and splits) on a device of `compute_units`: 1 where
 * there are few, up to 8 (powers of 2) where there are many, so that at least 6 work-groups
 * per compute unit remain. On the H200 an SM took about 1.6 us to start the next work-group,
 * against the 3-6 us of a memory-bound tile (bench/results/2026-12-03-h200-s7-persistent.md);
 * the counts are from the sweeps of bench/results/2026-12-03-h200-s8.md. */
int trt__tc_tiles_per_group(size_t groups, unsigned compute_units);

/* The NDRange of tc_gemm.cl over `batches` M x N products with `splits`, each work-group
 * running `per_group` tiles: (ceil(ceil(M/BM) * ceil(N/BN) / per_group) * NT, 1,
 * batches * splits), work-groups of NT (kernels/tc_gemm.cl). */
void trt__tc_grid(const trt_tc_tile *t, size_t M, size_t N, size_t batches, int splits,
                  int per_group, size_t gws[3], size_t lws[3]);

/* What a launch of tc_gemm.cl over `batches` M x N products needs besides its operands: the
 * NDRange, whether its work-groups run several tiles (the TC_PERSIST kernel), the split-K
 * factor it runs with (trt__tc_launch_splits) and the split-K workspace (kernel arguments
 * splits, ws, ws_off). */
typedef struct {
    size_t gws[3], lws[3];
    int persist;
    cl_int splits, ws_off;
    cl_mem ws; /* rt->scratch, or `unused` of trt__tc_launch_setup without split-K */
} trt_tc_launch;

/* Fills *l for tile t (the NDRange with trt__tc_tiles_per_group on the context's device, or
 * the environment variable TRT_TC_TILES_PER_GROUP's count where it is set);
 * the workspace lives in rt->scratch, made or grown as needed (*have,
 * kept by the caller with the node), zeroed when made. */
trt_status trt__tc_launch_setup(trt_exec *ex, trt_node_rt *rt, trt_tc_ws *have,
                                const trt_tc_tile *t, size_t M, size_t N, size_t batches,
                                cl_mem unused, trt_tc_launch *l);

/* The register cap of a tile's programs (runtime/ptx_arch.h's TRT_PTX_MAXNREG_OPTION), 0 for
 * none. wgmma tiles only: 128 where a work-item holds 32 accumulators (64x64 on one
 * warpgroup: 4 work-groups on a 64K-register multiprocessor; 128x64 on two: 2), 168 where a
 * one-warpgroup tile's hold 64 (128x64, 64x128: 3 work-groups). NVIDIA's compiler gave the
 * one-warpgroup tiles 136 and 161-220 registers at 232607a (H200, -cl-nv-verbose), and the
 * caps made them 1-18% faster (bench/results/2026-12-03-h200-s10.md); the two-warpgroup
 * 128x64 tile's cap follows the same arithmetic, not yet measured. */
int trt__tc_register_cap(const trt_tc_tile *t);

/* Build options of tc_gemm.cl for a tile and operand storage (without TC_PERSIST), with the
 * tile's register cap where it has one. */
void trt__tc_options(char *buf, size_t size, const trt_tc_tile *t, int b_kmajor, int out_half,
                     int bias_half);

/* Kernel `name` of tc_gemm.cl built with `opts` (trt__tc_options) for a launch: with
 * persist 0, rt->kernels[slot]; with persist 1 (trt_tc_launch.persist), rt->kernels[
 * slot_persist], built with TC_PERSIST=1. Made on first use (a compile, unless the program
 * cache has it); the kernels belong to rt. */
trt_status trt__tc_kernel(trt_exec *ex, trt_node_rt *rt, const char *opts, const char *name,
                          int slot, int slot_persist, int persist, cl_kernel *k);

/* For a node's prepare: the one-tile kernel (trt__tc_kernel), and the TC_PERSIST one too
 * where a launch of `batches` M x N products, the node's shape at prepare, runs several tiles
 * per work-group, so that its first launch does not compile. A launch at another shape that
 * needs the other kernel makes it then. */
trt_status trt__tc_prepare_kernels(trt_exec *ex, trt_node_rt *rt, const trt_tc_tile *t,
                                   const char *opts, const char *name, int slot,
                                   int slot_persist, size_t M, size_t N, size_t batches);

/* Whether the tensor-core kernels can run for this node on this context's device: the probe
 * found every feature they use (the program would not compile otherwise). */
static inline int trt__tc_available(const trt_device_caps *caps) {
    return trt_caps_tensor_core_f16(caps);
}

#endif /* TRT_OPS_TC_H */
