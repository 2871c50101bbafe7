/* reformat.c — Reformat: converts a rank-4 tensor between the LINEAR (NCHW) and NHWC8
 * layouts (core/ir.h trt_layout) on the kernels of kernels/reformat.cl.
 *
 * An internal op (ops.def TRT_OP_INTERNAL): only passes/layout.c inserts it, at the edges of
 * the regions it runs in NHWC8; a model file naming it is refused by the importer. Input and
 * output have the same shape, dtype and storage (float32 or float16: the kernels move bits of
 * the stored element size); only the layout differs, except that a Reformat to NHWC8 may read
 * float32 storage and write float16 (passes/layout.c folds an FP16 engine's input Cast into
 * it: one kernel converts and reformats). NHWC8 pads the channels to a multiple of
 * 8 with zeros, which the NHWC8 kernels rely on (they read whole 8-channel rows).
 */
#include <stdio.h>
#include <string.h>

#include "ops/op.h"

typedef struct {
    int32_t layout;  /* trt_layout of the output; the input has the other one */
    int32_t pairs_w; /* 1: to NHWC8 as pairs of pixels along W (passes/layout.c "W-pairs"):
                      * X [N, C, H, W] (C <= 4) -> Y [N, 2C, H, ceil(W/2)], Y(n, e*C + c, h,
                      * w') = X(n, c, h, 2w' + e), zero past W */
} reformat_params;
_Static_assert(sizeof(reformat_params) <= TRT_MAX_PARAMS, "reformat_params too large");

enum { REFORMAT_LWS = 64 };

static const char *layout_name(int l) {
    return l == TRT_LAYOUT_LINEAR ? "LINEAR" : l == TRT_LAYOUT_NHWC8 ? "NHWC8" : "unknown";
}

static trt_status reformat_import(trt_node *node, const trt_attrs *attrs) {
    (void)attrs;
    return trt__error(TRT_ERR_UNSUPPORTED,
                      "node '%s' (Reformat): an internal op of the engine, not an ONNX "
                      "operator; remove it from the model",
                      node->name);
}

static trt_status reformat_infer(const trt_node *node, trt_tensor *t) {
    TRT_TRY(trt_op_check_io(node, 1, 1, 1, 1));
    const trt_tensor *x = &t[node->inputs[0]];
    const int32_t to = TRT_CPARAMS(node, reformat_params)->layout;
    if (to != TRT_LAYOUT_LINEAR && to != TRT_LAYOUT_NHWC8)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (Reformat): unknown target layout %d; rebuild the engine",
                          node->name, to);
    if (x->shape.nb_dims != 4) {
        char s[128];
        return trt__error(TRT_ERR_SHAPE,
                          "node '%s' (Reformat): input '%s' is %s; only rank-4 (N, C, H, W) "
                          "tensors change layout",
                          node->name, x->name, trt_dims_str(&x->shape, s, sizeof s));
    }
    trt_tensor *y = &t[node->outputs[0]];
    y->dtype = x->dtype;
    y->shape = x->shape;
    if (TRT_CPARAMS(node, reformat_params)->pairs_w) {
        if (to != TRT_LAYOUT_NHWC8 || x->shape.d[1] > 4)
            return trt__error(TRT_ERR_INVALID_ARG,
                              "node '%s' (Reformat): pairs of pixels need a conversion to NHWC8 "
                              "of at most 4 channels, not %lld; the engine file is "
                              "inconsistent, rebuild it",
                              node->name, (long long)x->shape.d[1]);
        y->shape.d[1] = 2 * x->shape.d[1];
        y->shape.d[3] = (x->shape.d[3] + 1) / 2;
    }
    return TRT_OK;
}

/* Unsigned type of the stored element's size: the kernels only move bits. */
static const char *bits_type(size_t size) {
    return size == 1 ? "uchar" : size == 2 ? "ushort" : size == 4 ? "uint" : "ulong";
}

static trt_status reformat_prepare(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_tensor *t = trt_exec_tensors(ex);
    const trt_tensor *x = &t[node->inputs[0]], *y = &t[node->outputs[0]];
    const int32_t to = TRT_CPARAMS(node, reformat_params)->layout;
    const int32_t from = to == TRT_LAYOUT_NHWC8 ? TRT_LAYOUT_LINEAR : TRT_LAYOUT_NHWC8;
    const int to_half = x->storage == TRT_DTYPE_FLOAT32 && y->storage == TRT_DTYPE_FLOAT16 &&
                        to == TRT_LAYOUT_NHWC8;
    if ((int32_t)y->layout != to || (int32_t)x->layout != from ||
        (x->storage != y->storage && !to_half))
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (Reformat): converts to %s but reads '%s' (%s, %s) and "
                          "writes '%s' (%s, %s); the engine file is inconsistent, rebuild it",
                          node->name, layout_name(to), x->name, layout_name(x->layout),
                          trt_dtype_name(x->storage), y->name, layout_name(y->layout),
                          trt_dtype_name(y->storage));
    char opts[64];
    snprintf(opts, sizeof opts, "-DT=%s -DTO_HALF=%d", bits_type(trt_dtype_size(x->storage)),
             to_half);
    const char *kernel = TRT_CPARAMS(node, reformat_params)->pairs_w ? "to_nhwc8_pairs"
                         : to == TRT_LAYOUT_NHWC8                    ? "to_nhwc8"
                                                                     : "to_linear";
    return trt_exec_kernel(ex, "reformat.cl", opts, kernel, &rt->kernels[0]);
}

static trt_status reformat_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_tensor *x = &trt_exec_tensors(ex)[node->inputs[0]];
    cl_mem src = trt_exec_mem(ex, node->inputs[0]), dst = trt_exec_mem(ex, node->outputs[0]);
    const int64_t *d = x->shape.d;
    if (TRT_CPARAMS(node, reformat_params)->pairs_w) {
        /* One work-item per output pixel (pair). */
        cl_int C = (cl_int)d[1], H = (cl_int)d[2], W = (cl_int)d[3], W2 = (W + 1) / 2;
        cl_long n = (cl_long)d[0] * H * W2;
        const trt_karg args[] = {TRT_KARG(src), TRT_KARG(dst), TRT_KARG(n), TRT_KARG(C),
                                 TRT_KARG(H),   TRT_KARG(W),   TRT_KARG(W2)};
        size_t gws = (size_t)n, lws = REFORMAT_LWS;
        return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws,
                               (int)(sizeof args / sizeof *args), args);
    }
    cl_int C = (cl_int)d[1], CP = (cl_int)trt_nhwc8_channels(d[1]);
    cl_long HW = (cl_long)(d[2] * d[3]);
    /* One work-item per pixel and 8-channel block (padding channels included: to_nhwc8
     * writes their zeros, to_linear skips them). */
    cl_long n = (cl_long)d[0] * HW * (CP / 8);
    const trt_karg args[] = {TRT_KARG(src), TRT_KARG(dst), TRT_KARG(n),
                             TRT_KARG(C),   TRT_KARG(CP),  TRT_KARG(HW)};
    size_t gws = (size_t)n, lws = REFORMAT_LWS;
    return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, (int)(sizeof args / sizeof *args),
                           args);
}

const trt_op_impl trt_op_impl_REFORMAT = {"Reformat", reformat_import, reformat_infer,
                                          reformat_prepare, reformat_launch, NULL};
