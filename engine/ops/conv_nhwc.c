/* conv_nhwc.c — 2-D Conv over NHWC8 tensors with the portable kernels of kernels/conv_nhwc.cl
 * (tactic CONV_TACTIC_NHWC_DIRECT, and what CONV_TACTIC_AUTO runs on an NHWC8 node).
 *
 * Input X, weights W and output Y are NHWC8 (engine/core/ir.h; W as [K][KH][KW][Cgp]), the
 * bias plain, a fused residual NHWC8 like Y. Which kernel runs follows from the geometry:
 * conv_nhwc (vectorised over input channels) for group == 1 or groups of C/group % 8 == 0
 * channels whose K/group is a multiple of OCB, else conv_nhwc_grouped (depthwise and other
 * groups). tactic_params: [0] OCB, output channels per work-item of conv_nhwc (8, 16 or 32;
 * 0 = by the heuristic below), [1] PIX, adjacent output pixels per work-item (1 to 8; 0 = by
 * the heuristic), [2] accumulators (ACC_*: 0 = by device kind, float8 vectors on CPUs).
 * conv_nhwc_grouped has no parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/conv.h"

enum { NHWC_WG = 64 }; /* work-items along the pixels; fixed (PoCL compiles once per size) */

/* conv_nhwc's accumulators (tactic_params[2]; kernel macro VACC): a dot product per step into
 * one float per output (few registers: GPUs), or float8 vectors summed across once at the
 * end (plain vertical SIMD: 3-4x faster on PoCL's CPU device). */
enum { ACC_AUTO = 0, ACC_DOT = 1, ACC_VEC = 2 };

/* What prepare chose (rt->extra), so launch uses the program's OCB and PIX. */
typedef struct {
    int grouped; /* conv_nhwc_grouped */
    int ocb, pix, vacc;
} nhwc_rt;

/* Whether conv_nhwc computes this geometry with `ocb` output channels per work-item. */
static int vec_ok(const conv_geom *g, int ocb) {
    if (g->group == 1) return 1;
    return (g->c / g->group) % 8 == 0 && (g->oc / g->group) % ocb == 0;
}

/* OCB by default: the largest of 32, 16, 8 that conv_nhwc can use (for groups: dividing
 * K/group) and that spends at most 25% of the work on channel blocks past Kp; 0 when
 * conv_nhwc does not apply (conv_nhwc_grouped runs). 32 accumulators per pixel still fit a
 * GPU's registers with PIX <= 2. */
static int ocb_default(const conv_geom *g) {
    const int64_t kp = trt_nhwc8_channels(g->oc);
    for (int b = 32; b >= 8; b /= 2) {
        if (!vec_ok(g, b)) continue;
        if ((kp + b - 1) / b * b * 4 > kp * 5 && b > 8) continue;
        return b;
    }
    return 0;
}

/* PIX by default: 2 where rows are wide enough (each weight vector is then used twice). */
static int pix_default(const conv_geom *g) { return g->out[2] >= 4 ? 2 : 1; }

static trt_status layout_error(const trt_node *node, const trt_tensor *t, const char *what) {
    return trt__error(TRT_ERR_INVALID_ARG,
                      "node '%s' (%s): the NHWC8 convolution needs %s '%s' in NHWC8 layout but it "
                      "is %s; rebuild the engine",
                      node->name, trt_op_name(node->op), what, t->name,
                      t->layout == TRT_LAYOUT_NHWC8 ? "NHWC8" : "LINEAR");
}

/* Checks what both kernels assume about the node at the current shapes. */
static trt_status check_node(const trt_node *node, const conv_geom *g, const trt_tensor *t) {
    if (node->op != TRT_OP_CONV || g->nsp != 2)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (%s): the NHWC8 convolution is for 2-D Conv only (this node "
                          "has %d spatial dimensions); rebuild the engine",
                          node->name, trt_op_name(node->op), g->nsp);
    const trt_epilogue *e = &TRT_CPARAMS(node, conv_params)->epi;
    const int check[4] = {node->inputs[0], node->inputs[1], node->outputs[0],
                          e->residual > 0 ? node->inputs[e->residual] : -1};
    static const char *const what[4] = {"input X", "weights W", "output Y", "fused residual"};
    for (int i = 0; i < 4; i++)
        if (check[i] >= 0 && t[check[i]].layout != TRT_LAYOUT_NHWC8)
            return layout_error(node, &t[check[i]], what[i]);
    const int bi = node->n_inputs > 2 ? node->inputs[2] : -1;
    if (bi >= 0 && t[bi].layout != TRT_LAYOUT_LINEAR)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (Conv): the bias '%s' must be LINEAR; rebuild the engine",
                          node->name, t[bi].name);
    return TRT_OK;
}

trt_status trt__conv_nhwc_prepare(trt_exec *ex, const trt_node *node, const conv_geom *g,
                                  trt_node_rt *rt) {
    const trt_tensor *t = trt_exec_tensors(ex);
    TRT_TRY(check_node(node, g, t));
    nhwc_rt *nr = calloc(1, sizeof *nr);
    if (!nr) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
    rt->extra = nr;
    const int ocb = node->tactic_params[0] > 0 ? node->tactic_params[0] : ocb_default(g);
    const int pix = node->tactic_params[1] > 0 ? node->tactic_params[1] : pix_default(g);
    if (node->tactic_params[0] > 0 && (ocb % 8 || ocb > 32 || !vec_ok(g, ocb)))
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (Conv): OCB = %d output channels per work-item does not fit "
                          "(a multiple of 8 up to 32 dividing K/group = %lld when group > 1, with "
                          "C/group a multiple of 8); rebuild the engine",
                          node->name, ocb, (long long)(g->oc / g->group));
    const int acc = node->tactic_params[2];
    if (acc < ACC_AUTO || acc > ACC_VEC)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (Conv): unknown accumulator kind %d (tactic parameter 2); "
                          "rebuild the engine",
                          node->name, acc);
    if (pix > 8)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (Conv): PIX = %d pixels per work-item is too many (at most "
                          "8); rebuild the engine",
                          node->name, pix);
    nr->grouped = ocb == 0;
    nr->ocb = nr->grouped ? 8 : ocb;
    nr->pix = nr->grouped ? 1 : pix;
    if (acc == ACC_AUTO) {
        cl_device_type type = 0;
        clGetDeviceInfo(trt_exec_cl_device(ex), CL_DEVICE_TYPE, sizeof type, &type, NULL);
        nr->vacc = (type & CL_DEVICE_TYPE_CPU) != 0;
    } else {
        nr->vacc = acc == ACC_VEC;
    }
    const trt_tensor *y = &t[node->outputs[0]];
    char opts[192];
    snprintf(opts, sizeof opts, "-DT=%s -DOCB=%d -DPIX=%d -DVACC=%d%s",
             trt_dtype_cl_name(y->dtype), nr->ocb, nr->pix, nr->vacc, trt_tensor_storage_opts(y));
    return trt_exec_kernel(ex, "conv_nhwc.cl", opts,
                           nr->grouped ? "conv_nhwc_grouped" : "conv_nhwc", &rt->kernels[0]);
}

static cl_int2 int2_hw(const int64_t v[3]) {
    cl_int2 r;
    r.s[0] = (cl_int)v[1];
    r.s[1] = (cl_int)v[2];
    return r;
}

trt_status trt__conv_nhwc_launch(trt_exec *ex, const trt_node *node, const conv_geom *g,
                                 trt_node_rt *rt) {
    const nhwc_rt *nr = rt->extra;
    if (!nr->grouped && !vec_ok(g, nr->ocb))
        return trt__error(TRT_ERR_SHAPE,
                          "node '%s' (Conv): the kernel chosen at build time does not fit the "
                          "current weights (group %lld, C %lld, K %lld); rebuild the engine",
                          node->name, (long long)g->group, (long long)g->c, (long long)g->oc);
    const int bi = node->n_inputs > 2 ? node->inputs[2] : -1;
    cl_mem x = trt_exec_mem(ex, node->inputs[0]), w = trt_exec_mem(ex, node->inputs[1]);
    cl_mem y = trt_exec_mem(ex, node->outputs[0]);
    cl_mem b = bi >= 0 ? trt_exec_mem(ex, bi) : w; /* never read when has_bias == 0 */
    const trt_epilogue *e = &TRT_CPARAMS(node, conv_params)->epi;
    cl_int has_bias = bi >= 0, act = e->act, has_res = e->residual > 0;
    cl_float act_a = e->alpha, act_b = e->beta;
    cl_mem r = has_res ? trt_exec_mem(ex, node->inputs[e->residual]) : x; /* read if has_res */
    const int64_t cg = g->c / g->group, kg = g->oc / g->group;
    cl_int Cp = (cl_int)trt_nhwc8_channels(g->c), K = (cl_int)g->oc;
    cl_int Kp = (cl_int)trt_nhwc8_channels(g->oc);
    cl_int IH = (cl_int)g->in[1], IW = (cl_int)g->in[2], OH = (cl_int)g->out[1];
    cl_int OW = (cl_int)g->out[2], KH = (cl_int)g->k[1], KW = (cl_int)g->k[2];
    cl_int Cg = (cl_int)cg, Cgp = (cl_int)trt_nhwc8_channels(cg), Kg = (cl_int)kg;
    cl_int2 stride = int2_hw(g->s), dil = int2_hw(g->d), pad = int2_hw(g->pb);
    const trt_karg args[] = {TRT_KARG(x),     TRT_KARG(w),      TRT_KARG(b),   TRT_KARG(has_bias),
                             TRT_KARG(y),     TRT_KARG(Cp),     TRT_KARG(IH),  TRT_KARG(IW),
                             TRT_KARG(K),     TRT_KARG(Kp),     TRT_KARG(OH),  TRT_KARG(OW),
                             TRT_KARG(KH),    TRT_KARG(KW),     TRT_KARG(stride), TRT_KARG(dil),
                             TRT_KARG(pad),   TRT_KARG(Cg),     TRT_KARG(Cgp), TRT_KARG(Kg),
                             TRT_KARG(act),   TRT_KARG(act_a),  TRT_KARG(act_b), TRT_KARG(r),
                             TRT_KARG(has_res)};
    const size_t row = (size_t)((g->out[2] + nr->pix - 1) / nr->pix);
    size_t gws[3] = {(size_t)g->out[1] * row, (size_t)((Kp + nr->ocb - 1) / nr->ocb),
                     (size_t)g->n};
    size_t lws[3] = {NHWC_WG, 1, 1};
    return trt_exec_launch(ex, rt->kernels[0], 3, gws, lws, (int)(sizeof args / sizeof args[0]),
                           args);
}

/* Candidates: the heuristic's (OCB, PIX) with either accumulator kind, then twice the pixels
 * per work-item where rows are wide enough (float8 accumulators) and another channel block
 * (half, or 16 after 8; dot products) where it applies; where conv_nhwc does not apply,
 * conv_nhwc_grouped alone (params 0). */
static int add(trt_tactic *out, int n, int max, int ocb, int pix, int acc) {
    const int p[3] = {ocb, pix, acc};
    return trt_tactic_add(out, n, max, CONV_TACTIC_NHWC_DIRECT, p, 3, 0);
}

int trt__conv_nhwc_tactics(const trt_node *node, const conv_geom *g, trt_tactic *out, int max) {
    (void)node;
    const int ocb = ocb_default(g), pix = pix_default(g);
    if (!ocb) return add(out, 0, max, 0, 0, ACC_AUTO);
    int n = add(out, 0, max, ocb, pix, ACC_DOT);
    n = add(out, n, max, ocb, pix, ACC_VEC);
    if (g->out[2] >= 4 * pix) n = add(out, n, max, ocb, 2 * pix, ACC_VEC);
    const int other = ocb > 8 ? ocb / 2 : 16;
    if (vec_ok(g, other) && trt_nhwc8_channels(g->oc) >= other)
        n = add(out, n, max, other, pix, ACC_DOT);
    return n;
}
