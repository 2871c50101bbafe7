/* conv.h — what the Conv family's files share: conv.c (import, infer, portable NCHW kernels,
 * tactic list), conv_nhwc.c (portable NHWC8 kernel) and conv_tc.c (tensor-core kernel).
 * Nothing here is public; the engine's other layers use Conv through the op table. */
#ifndef TRT_OPS_CONV_H
#define TRT_OPS_CONV_H

#include "ops/op.h"
#include "passes/fusion.h"

#define CONV_MAX_SPATIAL 3

/* Tactics (node->tactic); see conv.c's banner. */
enum {
    CONV_TACTIC_AUTO = 0,
    CONV_TACTIC_DIRECT = 1,
    CONV_TACTIC_1X1 = 2,
    CONV_TACTIC_DIRECT_VEC = 3,
    CONV_TACTIC_NHWC_DIRECT = 4, /* conv_nhwc.c: NHWC8 input/output/weights, portable */
    CONV_TACTIC_TENSOR_CORE = 5, /* conv_tc.c: NHWC8, FP16, mma.sync (NVIDIA inline PTX) */
};

typedef struct {
    int32_t group;
    int32_t auto_pad; /* PAD_* */
    /* Lengths of the attributes given (0 = absent); checked against the input's rank. */
    int32_t n_kernel, n_strides, n_dilations, n_pads, n_out_pad, n_out_shape;
    int32_t kernel[CONV_MAX_SPATIAL];
    int32_t strides[CONV_MAX_SPATIAL];
    int32_t dilations[CONV_MAX_SPATIAL];
    int32_t pads[2 * CONV_MAX_SPATIAL]; /* begins, then ends */
    int32_t out_pad[CONV_MAX_SPATIAL];  /* ConvTranspose output_padding */
    int64_t out_shape[CONV_MAX_SPATIAL + 2]; /* ConvTranspose output_shape (spatial, or full) */
    trt_epilogue epi; /* fused bias/residual/activation; zero from import */
} conv_params;
_Static_assert(sizeof(conv_params) <= TRT_MAX_PARAMS, "conv_params exceeds TRT_MAX_PARAMS");

/* Geometry for the current shapes, right-aligned to 3 spatial dimensions (D, H, W): the
 * leading unused ones have size 1, kernel 1, stride 1, dilation 1 and no padding. */
typedef struct {
    int nsp;
    int64_t n, c, oc, group;
    int64_t in[3], out[3], k[3], s[3], d[3], pb[3], pe[3];
} conv_geom;

/* Geometry of `node` at the shapes in `t`; errors name the node. */
trt_status trt__conv_geom_of(const trt_node *node, const trt_tensor *t, conv_geom *g);

/* The NHWC8 tactics (prepare creates rt->kernels and may set rt->extra; launch enqueues). */
trt_status trt__conv_nhwc_prepare(trt_exec *ex, const trt_node *node, const conv_geom *g,
                                  trt_node_rt *rt);
trt_status trt__conv_nhwc_launch(trt_exec *ex, const trt_node *node, const conv_geom *g,
                                 trt_node_rt *rt);
/* Portable NHWC8 candidates (tactic CONV_TACTIC_NHWC_DIRECT) for a 2-D NHWC8 Conv; returns
 * how many were written (at most max). */
int trt__conv_nhwc_tactics(const trt_node *node, const conv_geom *g, trt_tactic *out, int max);
trt_status trt__conv_tc_prepare(trt_exec *ex, const trt_node *node, const conv_geom *g,
                                trt_node_rt *rt);
trt_status trt__conv_tc_launch(trt_exec *ex, const trt_node *node, const conv_geom *g,
                               trt_node_rt *rt);
/* Tensor-core candidates (tactic CONV_TACTIC_TENSOR_CORE, flag TRT_TACTIC_TENSOR_CORE) for a
 * node whose input, weights and output are NHWC8 with FP16 storage, on a device with
 * trt_caps_tensor_core_f16; 0 elsewhere. Returns how many were written (at most max). */
int trt__conv_tc_tactics(const trt_node *node, const conv_geom *g, const trt_tensor *t,
                         const trt_device_caps *caps, trt_tactic *out, int max);

#endif /* TRT_OPS_CONV_H */
