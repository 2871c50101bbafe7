/* conv_tc.c — Conv on NVIDIA tensor cores: implicit GEMM over NHWC8 tensors
 * (kernels/tc_gemm.cl, tc_conv; a 1x1 convolution with stride 1 and no padding is a plain
 * product and runs tc_gemm).
 *
 * The product: M = N*OH*OW output pixels, N = output channels, K = KH*KW*Cp (Cp = the input's
 * channels padded to 8). A(m, k) is read from the NHWC8 input (zero outside the image), B is
 * the NHWC8 weights [K][KH][KW][Cp] (passes/layout.c repacks them), Y the NHWC8 output. The
 * fused epilogue (bias, residual, activation) runs on the accumulators.
 *
 * Requirements (checked when the candidates are listed and again in prepare): a 2-D
 * convolution with group 1, output channels a multiple of 8 (so the output has no padding
 * channels to clear), float16 storage and NHWC8 layout for input, weights, output and
 * residual, and a device whose probe found mma.sync f16, ldmatrix and cp.async.
 */
#include <stdlib.h>

#include "ops/conv.h"
#include "ops/tc.h"

typedef struct {
    trt_tc_tile tile;
    int is_1x1;      /* tc_gemm over the input as an [N*H*W][Cp] matrix */
    trt_tc_ws ws;    /* the split-K workspace (rt->scratch) */
    char opts[256];  /* trt__tc_options */
} conv_tc_rt;

/* rt->kernels: one tile per work-group, several (trt__tc_kernel). */
enum { KERNEL_ONE = 0, KERNEL_PERSIST = 1 };

static int nhwc8_half(const trt_tensor *t) {
    return t->layout == TRT_LAYOUT_NHWC8 && t->storage == TRT_DTYPE_FLOAT16;
}

/* Everything but the device: see the banner. */
static int tc_applies(const trt_node *node, const conv_geom *g, const trt_tensor *t) {
    if (node->op != TRT_OP_CONV || g->nsp != 2 || g->group != 1 || g->oc % 8) return 0;
    if (!nhwc8_half(&t[node->inputs[0]]) || !nhwc8_half(&t[node->inputs[1]]) ||
        !nhwc8_half(&t[node->outputs[0]]))
        return 0;
    const trt_epilogue *e = &TRT_CPARAMS(node, conv_params)->epi;
    return !e->residual || nhwc8_half(&t[node->inputs[e->residual]]);
}

/* The rows of the convolution's GEMM: output pixels of every image. */
static int64_t gemm_rows(const conv_geom *g) { return g->n * g->out[1] * g->out[2]; }

static int is_1x1_s1(const conv_geom *g) {
    for (int i = 1; i < 3; i++)
        if (g->k[i] != 1 || g->s[i] != 1 || g->pb[i] || g->pe[i]) return 0;
    return 1;
}

int trt__conv_tc_tactics(const trt_node *node, const conv_geom *g, const trt_tensor *t,
                         const trt_device_caps *caps, trt_tactic *out, int max) {
    if (!trt__tc_available(caps) || !tc_applies(node, g, t)) return 0;
    const int64_t M = gemm_rows(g);
    const int64_t K = g->k[1] * g->k[2] * trt_nhwc8_channels(g->c);
    return trt__tc_add_tactics(M, g->oc, K, 1, caps, 1, CONV_TACTIC_TENSOR_CORE, out, 0,
                               max - TRT_TC_PORTABLE_ROOM);
}

trt_status trt__conv_tc_prepare(trt_exec *ex, const trt_node *node, const conv_geom *g,
                                trt_node_rt *rt) {
    const trt_tensor *t = trt_exec_tensors(ex);
    if (!trt__tc_available(trt_exec_caps(ex)) || !tc_applies(node, g, t))
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (Conv): the engine chose the tensor-core kernel, which this "
                          "device or this layer cannot run (it needs NVIDIA mma.sync, ldmatrix "
                          "and cp.async, a 2-D convolution with group 1 and output channels a "
                          "multiple of 8, in FP16 NHWC8); rebuild the engine on this device",
                          node->name);
    conv_tc_rt *cr = calloc(1, sizeof *cr);
    if (!cr) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
    rt->extra = cr;
    TRT_TRY(trt__tc_tile_of(node, trt_exec_caps(ex), 1, &cr->tile));
    cr->is_1x1 = is_1x1_s1(g);
    const int bi = node->n_inputs > 2 ? node->inputs[2] : -1;
    trt__tc_options(cr->opts, sizeof cr->opts, &cr->tile, 1, 1,
                    bi < 0 || t[bi].storage == TRT_DTYPE_FLOAT16);
    return trt__tc_prepare_kernels(ex, rt, &cr->tile, cr->opts,
                                   cr->is_1x1 ? "tc_gemm" : "tc_conv", KERNEL_ONE,
                                   KERNEL_PERSIST, (size_t)gemm_rows(g),
                                   (size_t)g->oc, 1);
}

trt_status trt__conv_tc_launch(trt_exec *ex, const trt_node *node, const conv_geom *g,
                               trt_node_rt *rt) {
    conv_tc_rt *cr = rt->extra;
    if (cr->is_1x1 != is_1x1_s1(g))
        return trt__error(TRT_ERR_SHAPE,
                          "node '%s' (Conv): the kernel geometry changed since the engine was "
                          "built; rebuild the engine",
                          node->name);
    const trt_epilogue *e = &TRT_CPARAMS(node, conv_params)->epi;
    const int bi = node->n_inputs > 2 ? node->inputs[2] : -1;
    cl_mem x = trt_exec_mem(ex, node->inputs[0]), w = trt_exec_mem(ex, node->inputs[1]);
    cl_mem y = trt_exec_mem(ex, node->outputs[0]);
    cl_mem bias = bi >= 0 ? trt_exec_mem(ex, bi) : w; /* never read when has_bias == 0 */
    cl_mem res = e->residual ? trt_exec_mem(ex, node->inputs[e->residual]) : y;
    const int64_t cp = trt_nhwc8_channels(g->c);
    const int64_t m = gemm_rows(g), k = g->k[1] * g->k[2] * cp;
    if (m > INT32_MAX || g->n * g->in[1] * g->in[2] * cp > INT32_MAX)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "node '%s' (Conv): the tensor-core kernel addresses tensors of at most "
                          "2^31 elements; use a smaller batch or rebuild without FP16",
                          node->name);
    cl_int M = (cl_int)m, N = (cl_int)g->oc, K = (cl_int)k, ld = (cl_int)cp;
    cl_int ldy = (cl_int)g->oc, has_bias = bi >= 0, has_res = e->residual > 0, act = e->act;
    cl_float act_a = e->alpha, act_b = e->beta;
    trt_tc_launch l;
    TRT_TRY(trt__tc_launch_setup(ex, rt, &cr->ws, &cr->tile, (size_t)M, (size_t)N, 1, y, &l));
    cl_kernel kernel;
    TRT_TRY(trt__tc_kernel(ex, rt, cr->opts, cr->is_1x1 ? "tc_gemm" : "tc_conv", KERNEL_ONE,
                           KERNEL_PERSIST, l.persist, &kernel));
    if (cr->is_1x1) {
        cl_float one = 1.0f;
        cl_int bias_sn = 1;
        cl_int8 bdims, zero;
        for (int i = 0; i < 8; i++) bdims.s[i] = 1, zero.s[i] = 0;
        const trt_karg args[] = {
            TRT_KARG(M),      TRT_KARG(N),        TRT_KARG(K),       TRT_KARG(one),
            TRT_KARG(x),      TRT_KARG(ld),       TRT_KARG(w),       TRT_KARG(K),
            TRT_KARG(bias),   TRT_KARG(has_bias), TRT_KARG(bias_sn), TRT_KARG(one),
            TRT_KARG(y),      TRT_KARG(ldy),      TRT_KARG(res),     TRT_KARG(has_res),
            TRT_KARG(ldy),    TRT_KARG(act),      TRT_KARG(act_a),   TRT_KARG(act_b),
            TRT_KARG(bdims),  TRT_KARG(zero),     TRT_KARG(zero),    TRT_KARG(zero),
            TRT_KARG(l.splits), TRT_KARG(l.ws),   TRT_KARG(l.ws_off),
        };
        return trt_exec_launch(ex, kernel, 3, l.gws, l.lws,
                               (int)(sizeof args / sizeof args[0]), args);
    }
    cl_int H = (cl_int)g->in[1], W = (cl_int)g->in[2], OH = (cl_int)g->out[1];
    cl_int OW = (cl_int)g->out[2], S = (cl_int)g->k[2];
    cl_int2 stride = {{(cl_int)g->s[1], (cl_int)g->s[2]}};
    cl_int2 pad = {{(cl_int)g->pb[1], (cl_int)g->pb[2]}};
    cl_int2 dil = {{(cl_int)g->d[1], (cl_int)g->d[2]}};
    const trt_karg args[] = {
        TRT_KARG(M),        TRT_KARG(N),    TRT_KARG(K),      TRT_KARG(x),
        TRT_KARG(H),        TRT_KARG(W),    TRT_KARG(ld),     TRT_KARG(OH),
        TRT_KARG(OW),       TRT_KARG(S),    TRT_KARG(stride), TRT_KARG(pad),
        TRT_KARG(dil),      TRT_KARG(w),    TRT_KARG(K),      TRT_KARG(bias),
        TRT_KARG(has_bias), TRT_KARG(y),    TRT_KARG(ldy),    TRT_KARG(res),
        TRT_KARG(has_res),  TRT_KARG(act),  TRT_KARG(act_a),  TRT_KARG(act_b),
        TRT_KARG(l.splits), TRT_KARG(l.ws), TRT_KARG(l.ws_off),
    };
    return trt_exec_launch(ex, kernel, 3, l.gws, l.lws,
                           (int)(sizeof args / sizeof args[0]), args);
}
