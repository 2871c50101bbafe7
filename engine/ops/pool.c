/* NHWC8 input (and output): 2-D MaxPool, 2-D AveragePool, GlobalAveragePool, GlobalMaxPool.
 *
 * pool.c — MaxPool, AveragePool (1-D, 2-D, 3-D), GlobalAveragePool and GlobalMaxPool on the
 * kernels of kernels/pool.cl (LINEAR tensors) and kernels/pool_nhwc.cl (4-D NHWC8 tensors,
 * which passes/layout.c gives the pools inside an NHWC8 region; output in the input's
 * layout). One kernel per op and layout (tactic 0 only). float32 throughout; MaxPool also
 * int8 and uint8.
 *
 * Output sizes follow ONNX (and onnxruntime): with ceil_mode a last window that would start
 * in the end padding is dropped. MaxPool's optional Indices output is not supported.
 */
#include <stdio.h>
#include <string.h>

#include "ops/op.h"

#define POOL_MAX_SPATIAL 3


typedef struct {
    int32_t auto_pad; /* PAD_* */
    int32_t ceil_mode;
    int32_t count_include_pad;
    int32_t n_spatial; /* length of kernel_shape */
    /* Lengths of the optional attributes given (0 = absent). */
    int32_t n_strides, n_dilations, n_pads;
    int32_t kernel[POOL_MAX_SPATIAL];
    int32_t strides[POOL_MAX_SPATIAL];
    int32_t dilations[POOL_MAX_SPATIAL];
    int32_t pads[2 * POOL_MAX_SPATIAL]; /* begins, then ends */
} pool_params;
_Static_assert(sizeof(pool_params) <= TRT_MAX_PARAMS, "pool_params exceeds TRT_MAX_PARAMS");

/* Geometry right-aligned to (D, H, W), leading dimensions of size 1. */
typedef struct {
    int64_t rows; /* N * C */
    int64_t in[3], out[3], k[3], s[3], d[3], pb[3], pe[3];
} pool_geom;

/* ---------------------------------------------------------------- import */

static trt_status pool_import(trt_node *node, const trt_attrs *attrs) {
    const int is_max = node->op == TRT_OP_MAX_POOL;
    TRT_TRY(trt_op_check_io(node, 1, 1, 1, is_max ? 2 : 1));
    if (node->n_outputs > 1 && node->outputs[1] >= 0)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "node '%s' (MaxPool): the optional output Indices is not supported; "
                          "remove it from the model (only the pooled values Y are computed)",
                          node->name);
    pool_params *p = TRT_PARAMS(node, pool_params);
    TRT_TRY(trt_attrs_auto_pad(node, attrs, &p->auto_pad));
    p->ceil_mode = trt_attrs_int(attrs, "ceil_mode", 0) != 0;
    p->count_include_pad = !is_max && trt_attrs_int(attrs, "count_include_pad", 0) != 0;
    TRT_TRY(trt_attrs_spatial_ints(node, attrs, "kernel_shape", POOL_MAX_SPATIAL, 1, p->kernel,
                                   &p->n_spatial));
    if (p->n_spatial == 0)
        return trt__error(TRT_ERR_PARSE, "node '%s' (%s): the attribute kernel_shape is required",
                          node->name, trt_op_name(node->op));
    TRT_TRY(trt_attrs_spatial_ints(node, attrs, "strides", POOL_MAX_SPATIAL, 1, p->strides,
                                   &p->n_strides));
    TRT_TRY(trt_attrs_spatial_ints(node, attrs, "dilations", POOL_MAX_SPATIAL, 1, p->dilations,
                                   &p->n_dilations));
    TRT_TRY(
        trt_attrs_spatial_ints(node, attrs, "pads", 2 * POOL_MAX_SPATIAL, 0, p->pads, &p->n_pads));
    if ((p->n_strides && p->n_strides != p->n_spatial) ||
        (p->n_dilations && p->n_dilations != p->n_spatial) ||
        (p->n_pads && p->n_pads != 2 * p->n_spatial))
        return trt__error(TRT_ERR_PARSE,
                          "node '%s' (%s): kernel_shape has %d values but strides has %d, "
                          "dilations %d and pads %d (expected %d)",
                          node->name, trt_op_name(node->op), p->n_spatial, p->n_strides,
                          p->n_dilations, p->n_pads, 2 * p->n_spatial);
    return TRT_OK;
}

static trt_status global_pool_import(trt_node *node, const trt_attrs *attrs) {
    (void)attrs;
    return trt_op_check_io(node, 1, 1, 1, 1);
}

/* ---------------------------------------------------------------- geometry / infer */

static trt_status check_input(const trt_node *node, const trt_tensor *x, int min_rank) {
    char sx[128];
    const int int8_ok = node->op == TRT_OP_MAX_POOL;
    if (x->dtype != TRT_DTYPE_FLOAT32 &&
        !(int8_ok && (x->dtype == TRT_DTYPE_INT8 || x->dtype == TRT_DTYPE_UINT8)))
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "node '%s' (%s): input '%s' is %s; only float32%s is supported",
                          node->name, trt_op_name(node->op), x->name, trt_dtype_name(x->dtype),
                          int8_ok ? ", int8 and uint8" : "");
    if (x->shape.nb_dims < min_rank)
        return trt__error(TRT_ERR_SHAPE, "node '%s' (%s): input X is %s; expected rank >= %d",
                          node->name, trt_op_name(node->op),
                          trt_dims_str(&x->shape, sx, sizeof sx), min_rank);
    return TRT_OK;
}

static trt_status pool_geom_of(const trt_node *node, const trt_dims *xs, pool_geom *g) {
    const pool_params *p = TRT_CPARAMS(node, pool_params);
    const int nsp = p->n_spatial;
    char sx[128];
    if (xs->nb_dims != nsp + 2)
        return trt__error(TRT_ERR_SHAPE,
                          "node '%s' (%s): input X is %s but kernel_shape has %d values; X must "
                          "have rank %d",
                          node->name, trt_op_name(node->op), trt_dims_str(xs, sx, sizeof sx), nsp,
                          nsp + 2);
    g->rows = xs->d[0] * xs->d[1];
    for (int i = 0; i < 3; i++) {
        g->in[i] = g->out[i] = g->k[i] = g->s[i] = g->d[i] = 1;
        g->pb[i] = g->pe[i] = 0;
    }
    for (int a = 0; a < nsp; a++) {
        const int i = 3 - nsp + a;
        const int64_t in = xs->d[2 + a], k = p->kernel[a];
        const int64_t s = p->n_strides ? p->strides[a] : 1;
        const int64_t d = p->n_dilations ? p->dilations[a] : 1;
        const int64_t dk = (k - 1) * d + 1;
        int64_t pb = p->n_pads ? p->pads[a] : 0, pe = p->n_pads ? p->pads[nsp + a] : 0, out;
        if (p->auto_pad == PAD_SAME_UPPER || p->auto_pad == PAD_SAME_LOWER) {
            out = (in + s - 1) / s;
            int64_t total = (out - 1) * s + dk - in;
            if (total < 0) total = 0;
            pb = p->auto_pad == PAD_SAME_UPPER ? total / 2 : total - total / 2;
            pe = total - pb;
        } else {
            if (p->auto_pad == PAD_VALID) pb = pe = 0;
            const int64_t span = in + pb + pe - dk;
            out = span < 0 ? 0 : (p->ceil_mode ? (span + s - 1) / s : span / s) + 1;
            if (p->ceil_mode && out > 1 && (out - 1) * s >= in + pb) out--;
        }
        if (out <= 0 || in <= 0)
            return trt__error(TRT_ERR_SHAPE,
                              "node '%s' (%s): input X is %s: spatial dimension %d would have "
                              "output size %lld (kernel %lld, stride %lld, dilation %lld, pads "
                              "%lld+%lld)",
                              node->name, trt_op_name(node->op), trt_dims_str(xs, sx, sizeof sx),
                              a, (long long)out, (long long)k, (long long)s, (long long)d,
                              (long long)pb, (long long)pe);
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

static trt_status pool_infer(const trt_node *node, trt_tensor *t) {
    const trt_tensor *x = &t[node->inputs[0]];
    TRT_TRY(check_input(node, x, 3));
    pool_geom g;
    TRT_TRY(pool_geom_of(node, &x->shape, &g));
    trt_tensor *y = &t[node->outputs[0]];
    const int nsp = x->shape.nb_dims - 2;
    y->dtype = x->dtype;
    y->shape = x->shape;
    for (int a = 0; a < nsp; a++) y->shape.d[2 + a] = g.out[3 - nsp + a];
    return TRT_OK;
}

static trt_status global_pool_infer(const trt_node *node, trt_tensor *t) {
    const trt_tensor *x = &t[node->inputs[0]];
    TRT_TRY(check_input(node, x, 2));
    trt_tensor *y = &t[node->outputs[0]];
    y->dtype = x->dtype;
    y->shape = x->shape;
    for (int i = 2; i < y->shape.nb_dims; i++) y->shape.d[i] = 1;
    return TRT_OK;
}

/* ---------------------------------------------------------------- prepare / launch */

/* Work-items per row of the global pools (GP_WG of pool.cl). The windowed pools use a fixed
 * work-group too: PoCL compiles a kernel once per work-group size. */
enum { GLOBAL_WG = 64, POOL_WG = 64 };

static int is_nhwc(const trt_node *node, const trt_tensor *t) {
    return t[node->inputs[0]].layout == TRT_LAYOUT_NHWC8;
}

/* The NHWC8 kernels take a 4-D input and output both NHWC8, and no Indices output (MaxPool's
 * indices are defined over the NCHW element order). Anything else is an engine file the
 * layout pass did not write. */
static trt_status check_layout(const trt_node *node, const trt_tensor *t) {
    const trt_tensor *x = &t[node->inputs[0]], *y = &t[node->outputs[0]];
    char sx[128];
    const int indices = node->n_outputs > 1 && node->outputs[1] >= 0;
    if (x->layout == y->layout &&
        (x->layout == TRT_LAYOUT_LINEAR || (x->shape.nb_dims == 4 && !indices)))
        return TRT_OK;
    return trt__error(TRT_ERR_INVALID_ARG,
                      "node '%s' (%s): input '%s' is %s %s and output '%s' %s%s; the NHWC8 "
                      "kernels need a 4-D input and output both NHWC8 and no Indices output; "
                      "rebuild the engine",
                      node->name, trt_op_name(node->op), x->name,
                      x->layout == TRT_LAYOUT_NHWC8 ? "NHWC8" : "LINEAR",
                      trt_dims_str(&x->shape, sx, sizeof sx), y->name,
                      y->layout == TRT_LAYOUT_NHWC8 ? "NHWC8" : "LINEAR",
                      indices ? " (with Indices)" : "");
}

static trt_status pool_prepare(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    if (node->tactic != 0)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (%s): unknown tactic %d; rebuild the engine", node->name,
                          trt_op_name(node->op), node->tactic);
    static const char *const names[2][4] = {
        {"pool_max", "pool_avg", "global_max", "global_avg"},
        {"pool_nhwc_max", "pool_nhwc_avg", "global_nhwc_max", "global_nhwc_avg"}};
    int which = node->op == TRT_OP_MAX_POOL         ? 0
                : node->op == TRT_OP_AVERAGE_POOL   ? 1
                : node->op == TRT_OP_GLOBAL_MAX_POOL ? 2
                                                     : 3;
    const trt_tensor *t = trt_exec_tensors(ex);
    TRT_TRY(check_layout(node, t));
    const int nhwc = is_nhwc(node, t);
    const trt_tensor *y = &t[node->outputs[0]];
    const trt_dtype dt = y->dtype;
    const char *lowest = dt == TRT_DTYPE_UINT8 ? "0" : dt == TRT_DTYPE_INT8 ? "-128" : "-FLT_MAX";
    char opts[128];
    snprintf(opts, sizeof opts, "-DT=%s -DGP_WG=%d -DPOOL_LOWEST=%s%s", trt_dtype_cl_name(dt),
             GLOBAL_WG, lowest, trt_tensor_storage_opts(y));
    return trt_exec_kernel(ex, nhwc ? "pool_nhwc.cl" : "pool.cl", opts, names[nhwc][which],
                           &rt->kernels[0]);
}

static cl_int4 int4_of(const int64_t v[3]) {
    cl_int4 r;
    for (int i = 0; i < 3; i++) r.s[i] = (cl_int)v[i];
    r.s[3] = 0;
    return r;
}

static cl_int2 int2_hw(const int64_t v[3]) {
    cl_int2 r;
    r.s[0] = (cl_int)v[1];
    r.s[1] = (cl_int)v[2];
    return r;
}

/* pool_nhwc_max / pool_nhwc_avg: 2-D (the layout pass gives NHWC8 to 4-D tensors only). */
static trt_status pool_nhwc_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt,
                                   const trt_dims *xs, const pool_geom *g) {
    cl_mem x = trt_exec_mem(ex, node->inputs[0]), y = trt_exec_mem(ex, node->outputs[0]);
    cl_int C = (cl_int)xs->d[1], Cp = (cl_int)trt_nhwc8_channels(xs->d[1]);
    cl_int IH = (cl_int)g->in[1], IW = (cl_int)g->in[2], OH = (cl_int)g->out[1];
    cl_int OW = (cl_int)g->out[2], KH = (cl_int)g->k[1], KW = (cl_int)g->k[2];
    cl_int2 stride = int2_hw(g->s), dil = int2_hw(g->d), pad = int2_hw(g->pb);
    cl_int2 pad_end = int2_hw(g->pe);
    cl_int include = TRT_CPARAMS(node, pool_params)->count_include_pad;
    const trt_karg args[] = {TRT_KARG(x),  TRT_KARG(y),      TRT_KARG(C),   TRT_KARG(Cp),
                             TRT_KARG(IH), TRT_KARG(IW),     TRT_KARG(OH),  TRT_KARG(OW),
                             TRT_KARG(KH), TRT_KARG(KW),     TRT_KARG(stride), TRT_KARG(dil),
                             TRT_KARG(pad), TRT_KARG(pad_end), TRT_KARG(include)};
    int n_args = node->op == TRT_OP_AVERAGE_POOL ? 15 : 13;
    /* Channel blocks fastest: a warp reads whole 16-byte blocks of adjacent channels. */
    const size_t cb = (size_t)Cp / 8, lw0 = cb < POOL_WG ? cb : POOL_WG;
    size_t gws[3] = {cb, (size_t)(g->out[1] * g->out[2]), (size_t)xs->d[0]};
    size_t lws[3] = {lw0, POOL_WG / lw0 ? POOL_WG / lw0 : 1, 1};
    return trt_exec_launch(ex, rt->kernels[0], 3, gws, lws, n_args, args);
}

static trt_status pool_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_tensor *t = trt_exec_tensors(ex);
    pool_geom g;
    TRT_TRY(pool_geom_of(node, &t[node->inputs[0]].shape, &g));
    if (is_nhwc(node, t)) return pool_nhwc_launch(ex, node, rt, &t[node->inputs[0]].shape, &g);
    cl_mem x = trt_exec_mem(ex, node->inputs[0]), y = trt_exec_mem(ex, node->outputs[0]);
    cl_int rows = (cl_int)g.rows;
    cl_int ID = (cl_int)g.in[0], IH = (cl_int)g.in[1], IW = (cl_int)g.in[2];
    cl_int OD = (cl_int)g.out[0], OH = (cl_int)g.out[1], OW = (cl_int)g.out[2];
    cl_int KD = (cl_int)g.k[0], KH = (cl_int)g.k[1], KW = (cl_int)g.k[2];
    cl_int4 stride = int4_of(g.s), dil = int4_of(g.d), pad = int4_of(g.pb), pad_end = int4_of(g.pe);
    cl_int include = TRT_CPARAMS(node, pool_params)->count_include_pad;
    const trt_karg args[] = {TRT_KARG(x),   TRT_KARG(y),       TRT_KARG(rows), TRT_KARG(ID),
                             TRT_KARG(IH),  TRT_KARG(IW),      TRT_KARG(OD),   TRT_KARG(OH),
                             TRT_KARG(OW),  TRT_KARG(KD),      TRT_KARG(KH),   TRT_KARG(KW),
                             TRT_KARG(stride), TRT_KARG(dil),  TRT_KARG(pad),  TRT_KARG(pad_end),
                             TRT_KARG(include)};
    int n_args = node->op == TRT_OP_AVERAGE_POOL ? 17 : 15;
    size_t gws[2] = {(size_t)(g.out[0] * g.out[1] * g.out[2]), (size_t)g.rows};
    size_t lws[2] = {POOL_WG, 1};
    return trt_exec_launch(ex, rt->kernels[0], 2, gws, lws, n_args, args);
}

static trt_status global_pool_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_tensor *t = trt_exec_tensors(ex);
    const trt_dims *xs = &t[node->inputs[0]].shape;
    cl_mem x = trt_exec_mem(ex, node->inputs[0]), y = trt_exec_mem(ex, node->outputs[0]);
    int64_t s = 1;
    for (int i = 2; i < xs->nb_dims; i++) s *= xs->d[i];
    if (is_nhwc(node, t)) {
        cl_int C = (cl_int)xs->d[1], Cp = (cl_int)trt_nhwc8_channels(xs->d[1]), S = (cl_int)s;
        const trt_karg args[] = {TRT_KARG(x), TRT_KARG(y), TRT_KARG(C), TRT_KARG(Cp),
                                 TRT_KARG(S)};
        size_t gws[2] = {(size_t)Cp / 8 * GLOBAL_WG, (size_t)xs->d[0]}, lws[2] = {GLOBAL_WG, 1};
        return trt_exec_launch(ex, rt->kernels[0], 2, gws, lws, 5, args);
    }
    cl_int rows = (cl_int)(xs->d[0] * xs->d[1]), S = (cl_int)s;
    const trt_karg args[] = {TRT_KARG(x), TRT_KARG(y), TRT_KARG(rows), TRT_KARG(S)};
    size_t gws[1] = {(size_t)rows * GLOBAL_WG}, lws[1] = {GLOBAL_WG};
    return trt_exec_launch(ex, rt->kernels[0], 1, gws, lws, 4, args);
}

const trt_op_impl trt_op_impl_MAX_POOL = {"MaxPool", pool_import, pool_infer, pool_prepare,
                                          pool_launch};
const trt_op_impl trt_op_impl_AVERAGE_POOL = {"AveragePool", pool_import, pool_infer,
                                              pool_prepare, pool_launch};
const trt_op_impl trt_op_impl_GLOBAL_AVERAGE_POOL = {"GlobalAveragePool", global_pool_import,
                                                     global_pool_infer, pool_prepare,
                                                     global_pool_launch};
const trt_op_impl trt_op_impl_GLOBAL_MAX_POOL = {"GlobalMaxPool", global_pool_import,
                                                 global_pool_infer, pool_prepare,
                                                 global_pool_launch};
