/* conv.c — Conv and ConvTranspose (1-D, 2-D, 3-D; NCHW) on the kernels of kernels/conv.cl,
 * and the dispatch of 2-D Conv over NHWC8 tensors to conv_nhwc.c and conv_tc.c.
 *
 * Geometry (output size and the padding that auto_pad implies) is recomputed from the
 * current shapes in infer and in launch, so dynamic spatial sizes work.
 *
 * Tactics (node->tactic):
 *   0 CONV_TACTIC_AUTO        portable default, by device kind: on CPUs conv_direct_vec; on
 *                             other devices conv_1x1 for a 1x1 kernel with stride 1 and no
 *                             padding, else conv_direct; ConvTranspose always conv_transpose.
 *                             Parameters as for the tactic chosen.
 *   1 CONV_TACTIC_DIRECT      conv_direct / conv_transpose; tactic_params[0] = OCB (output
 *                             channels per work-item; 0 = chosen from the channels per group)
 *   2 CONV_TACTIC_1X1         Conv only, conv_1x1; tactic_params[0..4] = TILE_M, TILE_N,
 *                             TILE_K, WPT_M, WPT_N (0 = the defaults below)
 *   3 CONV_TACTIC_DIRECT_VEC  Conv only, conv_direct_vec; tactic_params[0] = OCB as for 1
 *   4 CONV_TACTIC_NHWC_DIRECT NHWC8 Conv (conv_nhwc.c, kernels/conv_nhwc.cl), portable:
 *                             conv_nhwc, or conv_nhwc_grouped where that does not apply
 *                             (depthwise...); tactic_params[0] = OCB (output channels per
 *                             work-item, 8/16/32), [1] = PIX (output pixels per work-item),
 *                             [2] = accumulators (dot / float8); 0 = by conv_nhwc.c's
 *                             heuristic and the device kind
 *   5 CONV_TACTIC_TENSOR_CORE NHWC8 Conv, FP16 storage, mma.sync (conv_tc.c); parameters
 *                             as conv_tc.c describes
 *
 * Layouts: tactics 0-3 take LINEAR tensors. A node whose input the layout pass made NHWC8
 * (passes/layout.c; its weights, output and fused residual are NHWC8 too, the bias LINEAR)
 * runs tactic 4 or 5; AUTO there means 4. A tactic of the other layout family is refused
 * (the engine file is inconsistent: rebuild it).
 *
 * Fused epilogue (passes/fusion.h, written by the fusion passes): every kernel computes
 * y = act(conv + bias + residual), the residual being input 3 of the output's shape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/op.h"
#include "ops/conv.h"


/* Default conv_1x1 tiles (always passed to the compiler explicitly, so that launch and
 * program agree); work-group size of conv_direct / conv_transpose along output positions. */
enum { DEF_TILE_M = 32, DEF_TILE_N = 32, DEF_TILE_K = 16, DEF_WPT_M = 4, DEF_WPT_N = 4 };
enum { DIRECT_WG = 64 };

/* ---------------------------------------------------------------- import */

static trt_status conv_import(trt_node *node, const trt_attrs *attrs) {
    TRT_TRY(trt_op_check_io(node, 2, 3, 1, 1));
    conv_params *p = TRT_PARAMS(node, conv_params);
    int64_t group = trt_attrs_int(attrs, "group", 1);
    if (group < 1 || group > INT32_MAX)
        return trt__error(TRT_ERR_PARSE, "node '%s' (%s): group = %lld is invalid", node->name,
                          trt_op_name(node->op), (long long)group);
    p->group = (int32_t)group;
    TRT_TRY(trt_attrs_auto_pad(node, attrs, &p->auto_pad));
    TRT_TRY(trt_attrs_spatial_ints(node, attrs, "kernel_shape", CONV_MAX_SPATIAL, 1, p->kernel,
                                   &p->n_kernel));
    TRT_TRY(trt_attrs_spatial_ints(node, attrs, "strides", CONV_MAX_SPATIAL, 1, p->strides,
                                   &p->n_strides));
    TRT_TRY(trt_attrs_spatial_ints(node, attrs, "dilations", CONV_MAX_SPATIAL, 1, p->dilations,
                                   &p->n_dilations));
    TRT_TRY(
        trt_attrs_spatial_ints(node, attrs, "pads", 2 * CONV_MAX_SPATIAL, 0, p->pads, &p->n_pads));
    if (node->op == TRT_OP_CONV_TRANSPOSE) {
        TRT_TRY(trt_attrs_spatial_ints(node, attrs, "output_padding", CONV_MAX_SPATIAL, 0,
                                       p->out_pad, &p->n_out_pad));
        int64_t os[CONV_MAX_SPATIAL + 2];
        int n = trt_attrs_ints(attrs, "output_shape", os, CONV_MAX_SPATIAL + 2);
        if (n > CONV_MAX_SPATIAL + 2)
            return trt__error(TRT_ERR_UNSUPPORTED,
                              "node '%s' (ConvTranspose): output_shape has %d values; only 1-D, "
                              "2-D and 3-D convolutions are supported",
                              node->name, n);
        p->n_out_shape = n < 0 ? 0 : n;
        for (int i = 0; i < p->n_out_shape; i++) p->out_shape[i] = os[i];
    }
    return TRT_OK;
}

/* ---------------------------------------------------------------- geometry */

static trt_status geom_error(const trt_node *node, const char *what) {
    return trt__error(TRT_ERR_SHAPE, "node '%s' (%s): %s", node->name, trt_op_name(node->op),
                      what);
}

trt_status trt__conv_geom_of(const trt_node *node, const trt_tensor *t, conv_geom *g) {
    const conv_params *p = TRT_CPARAMS(node, conv_params);
    const int transpose = node->op == TRT_OP_CONV_TRANSPOSE;
    const trt_dims *xs = &t[node->inputs[0]].shape, *ws = &t[node->inputs[1]].shape;
    const int r = xs->nb_dims, nsp = r - 2;
    char sx[128], sw[128], msg[512];
    trt_dims_str(xs, sx, sizeof sx);
    trt_dims_str(ws, sw, sizeof sw);
    if (r < 3 || r > CONV_MAX_SPATIAL + 2) {
        snprintf(msg, sizeof msg, "input X is %s; only 1-D, 2-D and 3-D (rank 3 to 5) inputs "
                 "are supported", sx);
        return trt__error(r < 3 ? TRT_ERR_SHAPE : TRT_ERR_UNSUPPORTED, "node '%s' (%s): %s",
                          node->name, trt_op_name(node->op), msg);
    }
    if (ws->nb_dims != r) {
        snprintf(msg, sizeof msg, "weights W (%s) must have the rank of X (%s)", sw, sx);
        return geom_error(node, msg);
    }
    if ((p->n_kernel && p->n_kernel != nsp) || (p->n_strides && p->n_strides != nsp) ||
        (p->n_dilations && p->n_dilations != nsp) || (p->n_pads && p->n_pads != 2 * nsp) ||
        (p->n_out_pad && p->n_out_pad != nsp) ||
        (p->n_out_shape && p->n_out_shape != nsp && p->n_out_shape != nsp + 2)) {
        snprintf(msg, sizeof msg, "X is %s (%d spatial dimensions) but kernel_shape, strides, "
                 "dilations, pads, output_padding or output_shape has another length", sx, nsp);
        return geom_error(node, msg);
    }
    g->nsp = nsp;
    g->n = xs->d[0];
    g->c = xs->d[1];
    g->group = p->group;
    if (transpose) {
        if (ws->d[0] != g->c || g->c % g->group) {
            snprintf(msg, sizeof msg, "X is %s and W is %s: W must be (C, M/group, k...) with C "
                     "a multiple of group = %lld", sx, sw, (long long)g->group);
            return geom_error(node, msg);
        }
        g->oc = ws->d[1] * g->group;
    } else {
        if (ws->d[1] * g->group != g->c || ws->d[0] % g->group) {
            snprintf(msg, sizeof msg, "X is %s and W is %s: W must be (M, C/group, k...) with M "
                     "a multiple of group = %lld", sx, sw, (long long)g->group);
            return geom_error(node, msg);
        }
        g->oc = ws->d[0];
    }
    for (int i = 0; i < 3; i++) {
        g->in[i] = g->out[i] = g->k[i] = g->s[i] = g->d[i] = 1;
        g->pb[i] = g->pe[i] = 0;
    }
    for (int a = 0; a < nsp; a++) {
        const int i = 3 - nsp + a;
        const int64_t in = xs->d[2 + a], k = ws->d[2 + a];
        const int64_t s = p->n_strides ? p->strides[a] : 1;
        const int64_t d = p->n_dilations ? p->dilations[a] : 1;
        const int64_t dk = (k - 1) * d + 1;
        if (p->n_kernel && p->kernel[a] != k) {
            snprintf(msg, sizeof msg, "kernel_shape[%d] = %d but W is %s", a, p->kernel[a], sw);
            return geom_error(node, msg);
        }
        int64_t pb = p->n_pads ? p->pads[a] : 0, pe = p->n_pads ? p->pads[nsp + a] : 0, out;
        if (!transpose) {
            if (p->auto_pad == PAD_VALID) pb = pe = 0;
            if (p->auto_pad == PAD_SAME_UPPER || p->auto_pad == PAD_SAME_LOWER) {
                int64_t o = (in + s - 1) / s, total = (o - 1) * s + dk - in;
                if (total < 0) total = 0;
                pb = p->auto_pad == PAD_SAME_UPPER ? total / 2 : total - total / 2;
                pe = total - pb;
            }
            out = in + pb + pe < dk ? 0 : (in + pb + pe - dk) / s + 1;
        } else {
            const int64_t op = p->n_out_pad ? p->out_pad[a] : 0;
            const int64_t full = s * (in - 1) + op + dk;
            if (p->n_out_shape || p->auto_pad == PAD_SAME_UPPER || p->auto_pad == PAD_SAME_LOWER) {
                out = p->n_out_shape ? p->out_shape[p->n_out_shape - nsp + a] : in * s;
                int64_t total = full - out;
                if (total < 0) total = 0;
                pb = p->auto_pad == PAD_SAME_UPPER ? total / 2 : total - total / 2;
                pe = total - pb;
            } else {
                if (p->auto_pad == PAD_VALID) pb = pe = 0;
                out = full - pb - pe;
            }
        }
        if (out <= 0 || in <= 0) {
            snprintf(msg, sizeof msg, "X is %s and W is %s: spatial dimension %d would have output "
                     "size %lld (stride %lld, dilation %lld, pads %lld+%lld)", sx, sw, a,
                     (long long)out, (long long)s, (long long)d, (long long)pb, (long long)pe);
            return geom_error(node, msg);
        }
        g->in[i] = in;
        g->out[i] = out;
        g->k[i] = k;
        g->s[i] = s;
        g->d[i] = d;
        g->pb[i] = pb;
        g->pe[i] = pe;
    }
    return TRT_OK;
}

/* ---------------------------------------------------------------- infer */

trt_epilogue *trt__conv_epilogue(trt_node *node) { return &TRT_PARAMS(node, conv_params)->epi; }

/* The fused residual must have the output's shape at every shape the engine runs: the
 * fusion pass checked it at the profile's points; a file edited by hand is refused here. */
static trt_status check_epilogue(const trt_node *node, const trt_tensor *t, const trt_tensor *y) {
    const trt_epilogue *e = &TRT_CPARAMS(node, conv_params)->epi;
    if (e->act < 0 || e->act >= TRT_ACT_COUNT_ ||
        (e->residual && (e->residual >= node->n_inputs || node->inputs[e->residual] < 0)))
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (%s): invalid fused epilogue (activation %d, residual input "
                          "%d); rebuild the engine",
                          node->name, trt_op_name(node->op), e->act, e->residual);
    if (!e->residual) return TRT_OK;
    const trt_tensor *r = &t[node->inputs[e->residual]];
    if (r->dtype == y->dtype && trt_dims_equal(&r->shape, &y->shape)) return TRT_OK;
    char a[128], b[128];
    return trt__error(TRT_ERR_SHAPE,
                      "node '%s' (%s): the fused residual '%s' is %s (%s) but the output is %s; "
                      "the fusion needs them equal at every shape of the profile",
                      node->name, trt_op_name(node->op), r->name,
                      trt_dims_str(&r->shape, a, sizeof a), trt_dtype_name(r->dtype),
                      trt_dims_str(&y->shape, b, sizeof b));
}

static trt_status conv_infer(const trt_node *node, trt_tensor *t) {
    const trt_tensor *x = &t[node->inputs[0]], *w = &t[node->inputs[1]];
    const trt_tensor *b = node->n_inputs > 2 && node->inputs[2] >= 0 ? &t[node->inputs[2]] : NULL;
    const trt_tensor *in[3] = {x, w, b};
    for (int i = 0; i < 3; i++)
        if (in[i] && in[i]->dtype != TRT_DTYPE_FLOAT32)
            return trt__error(TRT_ERR_UNSUPPORTED,
                              "node '%s' (%s): input '%s' is %s; only float32 is supported",
                              node->name, trt_op_name(node->op), in[i]->name,
                              trt_dtype_name(in[i]->dtype));
    conv_geom g;
    TRT_TRY(trt__conv_geom_of(node, t, &g));
    if (b && (b->shape.nb_dims != 1 || b->shape.d[0] != g.oc)) {
        char sb[128];
        return trt__error(TRT_ERR_SHAPE, "node '%s' (%s): bias B is %s; expected %lld values",
                          node->name, trt_op_name(node->op), trt_dims_str(&b->shape, sb, sizeof sb),
                          (long long)g.oc);
    }
    trt_tensor *y = &t[node->outputs[0]];
    y->dtype = x->dtype;
    y->shape.nb_dims = g.nsp + 2;
    y->shape.d[0] = g.n;
    y->shape.d[1] = g.oc;
    for (int a = 0; a < g.nsp; a++) y->shape.d[2 + a] = g.out[3 - g.nsp + a];
    return check_epilogue(node, t, y);
}

/* ---------------------------------------------------------------- prepare / launch */

static int is_1x1(const conv_geom *g) {
    for (int i = 0; i < 3; i++)
        if (g->k[i] != 1 || g->s[i] != 1 || g->pb[i] || g->pe[i]) return 0;
    return 1;
}

/* The kernel a node runs: its tactic, with AUTO resolved from the geometry and the device
 * kind (explicit float8 vectors suit CPUs; local-memory tiles suit GPUs). */
static int resolve_tactic(const trt_node *node, const conv_geom *g, int is_cpu) {
    if (node->tactic != CONV_TACTIC_AUTO) return node->tactic;
    if (node->op == TRT_OP_CONV_TRANSPOSE) return CONV_TACTIC_DIRECT;
    if (is_cpu) return CONV_TACTIC_DIRECT_VEC;
    return is_1x1(g) ? CONV_TACTIC_1X1 : CONV_TACTIC_DIRECT;
}

/* Output channels per work-item: as many as pay off (more reuse of each input load; the
 * float8 kernel has room for more accumulators) while computing at most 25% channels past
 * the end of a group (depthwise: 1). */
static int ocb_of(const trt_node *node, int64_t ocg, int vec) {
    if (node->tactic_params[0] > 0) return node->tactic_params[0];
    int b = vec ? 16 : 8;
    while (b > 1 && (b > ocg || (ocg + b - 1) / b * b * 4 > ocg * 5)) b /= 2;
    return b;
}

static void tiles_of(const trt_node *node, int c[5]) {
    static const int def[5] = {DEF_TILE_M, DEF_TILE_N, DEF_TILE_K, DEF_WPT_M, DEF_WPT_N};
    for (int i = 0; i < 5; i++) c[i] = node->tactic_params[i] > 0 ? node->tactic_params[i] : def[i];
}

/* What prepare chose, for launch (rt->extra): the program's OCB must be used even if a
 * non-constant W changes shape later. */
typedef struct {
    int tactic;
    int ocb;
} conv_rt;

static int is_nhwc(const trt_node *node, const trt_tensor *t) {
    return t[node->inputs[0]].layout == TRT_LAYOUT_NHWC8;
}

/* The tactic's layout family must be the node's: the layout pass and the tactic choice are
 * both made at build time, so a mismatch is a damaged or hand-edited engine file. */
static trt_status check_tactic_layout(const trt_node *node, const trt_tensor *t) {
    const int nhwc_tactic =
        node->tactic == CONV_TACTIC_NHWC_DIRECT || node->tactic == CONV_TACTIC_TENSOR_CORE;
    if (node->tactic < CONV_TACTIC_AUTO || node->tactic > CONV_TACTIC_TENSOR_CORE)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (%s): unknown tactic %d; rebuild the engine", node->name,
                          trt_op_name(node->op), node->tactic);
    if (is_nhwc(node, t) && node->tactic != CONV_TACTIC_AUTO && !nhwc_tactic)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (%s): tactic %d is for LINEAR (NCHW) tensors but the input "
                          "'%s' is NHWC8; rebuild the engine",
                          node->name, trt_op_name(node->op), node->tactic,
                          t[node->inputs[0]].name);
    if (!is_nhwc(node, t) && nhwc_tactic)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (%s): tactic %d is for NHWC8 tensors but the input '%s' is "
                          "LINEAR; rebuild the engine",
                          node->name, trt_op_name(node->op), node->tactic,
                          t[node->inputs[0]].name);
    if (is_nhwc(node, t)) return TRT_OK;
    /* A LINEAR node's other tensors must be LINEAR too (the NCHW kernels index them so). */
    const trt_epilogue *e = &TRT_CPARAMS(node, conv_params)->epi;
    const int other[3] = {node->inputs[1], node->outputs[0],
                          e->residual > 0 && e->residual < node->n_inputs
                              ? node->inputs[e->residual] : -1};
    for (int i = 0; i < 3; i++)
        if (other[i] >= 0 && t[other[i]].layout != TRT_LAYOUT_LINEAR)
            return trt__error(TRT_ERR_INVALID_ARG,
                              "node '%s' (%s): the input is LINEAR but '%s' is NHWC8; the NCHW "
                              "kernels need every tensor LINEAR; rebuild the engine",
                              node->name, trt_op_name(node->op), t[other[i]].name);
    return TRT_OK;
}

static trt_status conv_prepare(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_tensor *t = trt_exec_tensors(ex);
    TRT_TRY(check_tactic_layout(node, t));
    conv_geom g;
    TRT_TRY(trt__conv_geom_of(node, t, &g));
    if (is_nhwc(node, t))
        return node->tactic == CONV_TACTIC_TENSOR_CORE ? trt__conv_tc_prepare(ex, node, &g, rt)
                                                       : trt__conv_nhwc_prepare(ex, node, &g, rt);
    conv_rt *cr = calloc(1, sizeof *cr);
    if (!cr) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
    rt->extra = cr;
    cl_device_type type_bits = 0;
    clGetDeviceInfo(trt_exec_cl_device(ex), CL_DEVICE_TYPE, sizeof type_bits, &type_bits, NULL);
    cr->tactic = resolve_tactic(node, &g, (type_bits & CL_DEVICE_TYPE_CPU) != 0);
    const char *type = trt_dtype_cl_name(t[node->outputs[0]].dtype);
    const char *stor = trt_tensor_storage_opts(&t[node->outputs[0]]);
    char opts[256];
    const int vec = cr->tactic == CONV_TACTIC_DIRECT_VEC && node->op == TRT_OP_CONV;
    if (cr->tactic == CONV_TACTIC_DIRECT || vec) {
        cr->ocb = ocb_of(node, g.oc / g.group, vec);
        if (cr->ocb > 32)
            return trt__error(TRT_ERR_INVALID_ARG,
                              "node '%s' (%s): OCB = %d output channels per work-item is too "
                              "many (at most 32); rebuild the engine",
                              node->name, trt_op_name(node->op), cr->ocb);
        snprintf(opts, sizeof opts, "-DT=%s -DOCB=%d%s", type, cr->ocb, stor);
        const char *name = vec ? "conv_direct_vec"
                           : node->op == TRT_OP_CONV ? "conv_direct" : "conv_transpose";
        return trt_exec_kernel(ex, "conv.cl", opts, name, &rt->kernels[0]);
    }
    if (cr->tactic == CONV_TACTIC_1X1 && node->op == TRT_OP_CONV && is_1x1(&g)) {
        int c[5];
        tiles_of(node, c);
        if (c[0] % c[3] || c[1] % c[4])
            return trt__error(TRT_ERR_INVALID_ARG,
                              "node '%s' (Conv): tiles TILE_M=%d TILE_N=%d must be multiples of "
                              "WPT_M=%d WPT_N=%d; rebuild the engine",
                              node->name, c[0], c[1], c[3], c[4]);
        snprintf(opts, sizeof opts,
                 "-DT=%s -DTILE_M=%d -DTILE_N=%d -DTILE_K=%d -DWPT_M=%d -DWPT_N=%d%s", type,
                 c[0], c[1], c[2], c[3], c[4], stor);
        return trt_exec_kernel(ex, "conv.cl", opts, "conv_1x1", &rt->kernels[0]);
    }
    return trt__error(TRT_ERR_INVALID_ARG,
                      "node '%s' (%s): tactic %d does not apply to this node (tactics 2 and 3 "
                      "are for Conv only, 2 with a 1x1 kernel, stride 1 and no padding); "
                      "rebuild the engine",
                      node->name, trt_op_name(node->op), node->tactic);
}

static cl_int4 int4_of(const int64_t v[3]) {
    cl_int4 r;
    for (int i = 0; i < 3; i++) r.s[i] = (cl_int)v[i];
    r.s[3] = 0;
    return r;
}

static trt_status conv_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_tensor *t = trt_exec_tensors(ex);
    conv_geom g;
    TRT_TRY(trt__conv_geom_of(node, t, &g));
    if (is_nhwc(node, t))
        return node->tactic == CONV_TACTIC_TENSOR_CORE ? trt__conv_tc_launch(ex, node, &g, rt)
                                                       : trt__conv_nhwc_launch(ex, node, &g, rt);
    const conv_rt *cr = rt->extra;
    const int bi = node->n_inputs > 2 ? node->inputs[2] : -1;
    cl_mem x = trt_exec_mem(ex, node->inputs[0]), w = trt_exec_mem(ex, node->inputs[1]);
    cl_mem y = trt_exec_mem(ex, node->outputs[0]);
    cl_mem b = bi >= 0 ? trt_exec_mem(ex, bi) : w; /* never read when has_bias == 0 */
    cl_int has_bias = bi >= 0, C = (cl_int)g.c, OC = (cl_int)g.oc, G = (cl_int)g.group;
    const trt_epilogue *e = &TRT_CPARAMS(node, conv_params)->epi;
    cl_int act = e->act, has_res = e->residual > 0;
    cl_float act_a = e->alpha, act_b = e->beta;
    cl_mem r = has_res ? trt_exec_mem(ex, node->inputs[e->residual]) : x; /* read if has_res */
    cl_int Cg = (cl_int)(g.c / g.group), OCg = (cl_int)(g.oc / g.group);
    if (cr->tactic == CONV_TACTIC_1X1) {
        if (!is_1x1(&g))
            return trt__error(TRT_ERR_SHAPE,
                              "node '%s' (Conv): built for a 1x1 kernel, stride 1 and no padding, "
                              "which the current shapes no longer give; rebuild the engine",
                              node->name);
        int c[5];
        tiles_of(node, c);
        cl_int P = (cl_int)(g.in[0] * g.in[1] * g.in[2]);
        const trt_karg args[] = {TRT_KARG(x),     TRT_KARG(w),     TRT_KARG(b),
                                 TRT_KARG(has_bias), TRT_KARG(y), TRT_KARG(C),
                                 TRT_KARG(OC),    TRT_KARG(P),     TRT_KARG(Cg),
                                 TRT_KARG(OCg),   TRT_KARG(G),     TRT_KARG(act),
                                 TRT_KARG(act_a), TRT_KARG(act_b), TRT_KARG(r),
                                 TRT_KARG(has_res)};
        size_t wg_n = (size_t)(c[1] / c[4]), wg_m = (size_t)(c[0] / c[3]);
        size_t gws[3] = {((size_t)P + c[1] - 1) / c[1] * wg_n,
                         ((size_t)OCg + c[0] - 1) / c[0] * wg_m, (size_t)(g.n * g.group)};
        size_t lws[3] = {wg_n, wg_m, 1};
        return trt_exec_launch(ex, rt->kernels[0], 3, gws, lws,
                               (int)(sizeof args / sizeof args[0]), args);
    }
    cl_int ocb = cr->ocb, nblk = (OCg + ocb - 1) / ocb;
    cl_int ID = (cl_int)g.in[0], IH = (cl_int)g.in[1], IW = (cl_int)g.in[2];
    cl_int OD = (cl_int)g.out[0], OH = (cl_int)g.out[1], OW = (cl_int)g.out[2];
    cl_int KD = (cl_int)g.k[0], KH = (cl_int)g.k[1], KW = (cl_int)g.k[2];
    cl_int4 stride = int4_of(g.s), dil = int4_of(g.d), pad = int4_of(g.pb);
    const trt_karg args[] = {TRT_KARG(x),  TRT_KARG(w),  TRT_KARG(b),      TRT_KARG(has_bias),
                             TRT_KARG(y),  TRT_KARG(C),  TRT_KARG(ID),     TRT_KARG(IH),
                             TRT_KARG(IW), TRT_KARG(OC), TRT_KARG(OD),     TRT_KARG(OH),
                             TRT_KARG(OW), TRT_KARG(KD), TRT_KARG(KH),     TRT_KARG(KW),
                             TRT_KARG(stride), TRT_KARG(dil), TRT_KARG(pad), TRT_KARG(Cg),
                             TRT_KARG(OCg), TRT_KARG(nblk), TRT_KARG(act), TRT_KARG(act_a),
                             TRT_KARG(act_b), TRT_KARG(r), TRT_KARG(has_res)};
    /* conv_direct_vec: one work-item per 8 adjacent outputs of a row. A fixed work-group:
     * PoCL compiles a kernel once per work-group size. */
    size_t row = (size_t)g.out[2];
    if (cr->tactic == CONV_TACTIC_DIRECT_VEC) row = (row + 7) / 8;
    size_t gws[3] = {(size_t)(g.out[0] * g.out[1]) * row, (size_t)(G * nblk), (size_t)g.n};
    size_t lws[3] = {DIRECT_WG, 1, 1};
    return trt_exec_launch(ex, rt->kernels[0], 3, gws, lws, (int)(sizeof args / sizeof args[0]),
                           args);
}

/* ---------------------------------------------------------------- tactics */

/* Output channels per work-item worth timing: the heuristic's choice first, then its
 * neighbours among the powers of two that waste at most half a block past a group's end. */
static int ocb_candidates(int64_t ocg, int vec, int *out) {
    trt_node probe;
    memset(&probe, 0, sizeof probe);
    int n = 0, def = ocb_of(&probe, ocg, vec);
    out[n++] = def;
    const int cand[2] = {def * 2, def / 2};
    for (int i = 0; i < 2; i++) {
        int b = cand[i];
        if (b < 1 || b > 16 || (b > 1 && (ocg + b - 1) / b * b > ocg + ocg / 2)) continue;
        out[n++] = b;
    }
    return n;
}

/* Concrete kernels valid for the node at the current shapes. NHWC8 nodes: the tensor-core
 * candidates (conv_tc.c; only on devices and precisions they suit), then conv_nhwc.c's.
 * LINEAR nodes: conv_direct_vec and
 * conv_direct with a few OCB values, conv_1x1 with a few tile shapes where the geometry is
 * 1x1 with stride 1 and no padding (W constant, so it stays so at every shape).
 * ConvTranspose: conv_transpose with a few OCB values. */
static int conv_tactics(const trt_node *node, const trt_tensor *t, const trt_device_caps *caps,
                        trt_tactic *out, int max) {
    conv_geom g;
    if (trt__conv_geom_of(node, t, &g) != TRT_OK) return 0; /* infer already accepted these shapes */
    if (is_nhwc(node, t)) {
        int n = trt__conv_tc_tactics(node, &g, t, caps, out, max);
        if (n < 0) n = 0;
        return n + trt__conv_nhwc_tactics(node, &g, out + n, max - n);
    }
    const int64_t ocg = g.oc / g.group;
    int ocb[3], n = 0;
    if (node->op == TRT_OP_CONV_TRANSPOSE) {
        int k = ocb_candidates(ocg, 0, ocb);
        for (int i = 0; i < k; i++)
            n = trt_tactic_add(out, n, max, CONV_TACTIC_DIRECT, &ocb[i], 1, 0);
        return n;
    }
    int k = ocb_candidates(ocg, 1, ocb);
    for (int i = 0; i < k; i++)
        n = trt_tactic_add(out, n, max, CONV_TACTIC_DIRECT_VEC, &ocb[i], 1, 0);
    if (is_1x1(&g) && (t[node->inputs[1]].flags & TRT_TENSOR_CONST)) {
        static const int tiles[3][5] = {
            {DEF_TILE_M, DEF_TILE_N, DEF_TILE_K, DEF_WPT_M, DEF_WPT_N},
            {64, 64, 16, 8, 8},
            {32, 64, 16, 4, 8},
        };
        for (int i = 0; i < 3; i++)
            n = trt_tactic_add(out, n, max, CONV_TACTIC_1X1, tiles[i], 5, 0);
    }
    k = ocb_candidates(ocg, 0, ocb);
    for (int i = 0; i < k; i++)
        n = trt_tactic_add(out, n, max, CONV_TACTIC_DIRECT, &ocb[i], 1, 0);
    return n;
}

const trt_op_impl trt_op_impl_CONV = {"Conv",       conv_import, conv_infer,
                                      conv_prepare, conv_launch, conv_tactics};
const trt_op_impl trt_op_impl_CONV_TRANSPOSE = {"ConvTranspose", conv_import, conv_infer,
                                                conv_prepare,    conv_launch, conv_tactics};
