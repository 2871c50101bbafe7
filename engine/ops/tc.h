/* tc.h — what Gemm/MatMul (gemm.c) and Conv (conv_tc.c) share to run on tensor cores
 * (kernels/tc_gemm.cl): the tile configurations a tactic may carry, their validation, and
 * the kernel build options. Nothing here is public. */
#ifndef TRT_OPS_TC_H
#define TRT_OPS_TC_H

#include <stddef.h>

#include "ops/op.h"

/* A tile configuration, stored in tactic_params[0..5] in this order: rows and columns of
 * the work-group's tile, of each warp's tile (of each warpgroup's for wgmma), the depth of
 * the cp.async ring, and 1 for the Hopper warpgroup variant (TC_WGMMA: wgmma.mma_async,
 * B as [N][K] only; engines written before it have 0 there). */
typedef struct {
    int bm, bn, wm, wn, stages, wgmma;
} trt_tc_tile;

/* Appends tensor-core candidates (tactic id `tactic`, flag TRT_TACTIC_TENSOR_CORE) for an
 * M x N product to out[n..max), largest tiles first where the product fills them; the wgmma
 * variants too where the device has them (caps) and B is [N][K] (b_kmajor). Returns the new
 * count. */
int trt__tc_add_tactics(int64_t M, int64_t N, const trt_device_caps *caps, int b_kmajor,
                        int tactic, trt_tactic *out, int n, int max);

/* The node's tile from its tactic_params; TRT_ERR_INVALID_ARG naming the node if it is not
 * one the kernel accepts (an edited or foreign engine), or a wgmma tile that this device
 * (caps) or this B layout cannot run. */
trt_status trt__tc_tile_of(const trt_node *node, const trt_device_caps *caps, int b_kmajor,
                           trt_tc_tile *tile);

/* Work-items per work-group: 32 per warp, 128 per warpgroup. */
static inline size_t trt__tc_threads(const trt_tc_tile *t) {
    if (t->wgmma) return (size_t)(t->bm / t->wm) * 128;
    return (size_t)(t->bm / t->wm) * (size_t)(t->bn / t->wn) * 32;
}

/* Build options of tc_gemm.cl for a tile and operand storage. */
void trt__tc_options(char *buf, size_t size, const trt_tc_tile *t, int b_kmajor, int out_half,
                     int bias_half);

/* Whether the tensor-core kernels can run for this node on this context's device: the probe
 * found every feature they use (the program would not compile otherwise). */
static inline int trt__tc_available(const trt_device_caps *caps) {
    return trt_caps_tensor_core_f16(caps);
}

#endif /* TRT_OPS_TC_H */
