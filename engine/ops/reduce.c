/* reduce.c — reductions over axes (ReduceSum, ReduceMean, ReduceMax), Softmax, ArgMax, TopK.
 * Kernels: kernels/reduce.cl.
 *
 * Opset-dependent forms handled here: ReduceSum takes its axes as an input from opset 13,
 * ReduceMean/ReduceMax from opset 18 (attribute before); Softmax before opset 13 flattens
 * the input to 2-D at `axis` (default 1) and normalises whole rows, from 13 it normalises
 * along the one axis (default -1); TopK's k is an attribute before opset 10, an input after.
 * Axes and k given as inputs must be known at build time (constants or shape arithmetic).
 * Reductions and ArgMax of tensors with host values are evaluated on the host in infer().
 */
#include <stdio.h>
#include <string.h>

#include "ops/op.h"

typedef struct {
    int32_t axes[TRT_MAX_DIMS];   /* Reduce*: the axes attribute (may be negative) */
    int32_t n_axes;               /* entries in axes; -1: no axes attribute */
    int32_t keepdims;             /* Reduce*, ArgMax (default 1) */
    int32_t noop_with_empty_axes; /* Reduce*: no axes means identity instead of all axes */
    int32_t axis;                 /* Softmax, ArgMax, TopK */
    int32_t softmax_2d;           /* Softmax before opset 13: flatten to 2-D at axis */
    int32_t select_last_index;    /* ArgMax: ties pick the last index */
    int32_t largest;              /* TopK (default 1) */
    int32_t sorted;               /* TopK (default 1); outputs are always sorted */
    int64_t k;                    /* TopK before opset 10: the k attribute */
} red_params;
_Static_assert(sizeof(red_params) <= TRT_MAX_PARAMS, "red_params exceeds TRT_MAX_PARAMS");

#define NODE_FMT "node '%s' (%s): "
#define NODE_ARGS(node) (node)->name, trt_op_name((node)->op)

/* Work-group sizes of reduce_wg/softmax_wg and of topk_wg (WG, TOPK_WG in reduce.cl). */
#define RED_WG 64
#define TOPK_WG 256
/* Reductions at least this long get a work-group per output instead of a work-item. */
#define RED_WG_MIN 256

static int is_reduce(trt_op op) {
    return op == TRT_OP_REDUCE_SUM || op == TRT_OP_REDUCE_MEAN || op == TRT_OP_REDUCE_MAX;
}

/* ---------------------------------------------------------------- import */

static trt_status red_import(trt_node *node, const trt_attrs *attrs) {
    red_params *p = TRT_PARAMS(node, red_params);
    memset(p, 0, sizeof *p);
    int opset = trt_attrs_opset(attrs);
    switch (node->op) {
    case TRT_OP_REDUCE_SUM:
    case TRT_OP_REDUCE_MEAN:
    case TRT_OP_REDUCE_MAX: {
        int axes_input = opset >= (node->op == TRT_OP_REDUCE_SUM ? 13 : 18);
        TRT_TRY(trt_op_check_io(node, 1, axes_input ? 2 : 1, 1, 1));
        p->keepdims = (int32_t)trt_attrs_int(attrs, "keepdims", 1);
        p->noop_with_empty_axes = (int32_t)trt_attrs_int(attrs, "noop_with_empty_axes", 0);
        p->n_axes = -1;
        if (!axes_input && trt_attrs_has(attrs, "axes")) {
            int64_t ax[TRT_MAX_DIMS];
            int n = trt_attrs_ints(attrs, "axes", ax, TRT_MAX_DIMS);
            if (n > TRT_MAX_DIMS)
                return trt__error(TRT_ERR_UNSUPPORTED, NODE_FMT "%d axes; at most %d supported",
                                  NODE_ARGS(node), n, TRT_MAX_DIMS);
            p->n_axes = n < 0 ? 0 : n;
            for (int i = 0; i < p->n_axes; i++) p->axes[i] = (int32_t)ax[i];
        }
        break;
    }
    case TRT_OP_SOFTMAX:
        TRT_TRY(trt_op_check_io(node, 1, 1, 1, 1));
        p->softmax_2d = opset < 13;
        p->axis = (int32_t)trt_attrs_int(attrs, "axis", opset < 13 ? 1 : -1);
        break;
    case TRT_OP_ARGMAX:
        TRT_TRY(trt_op_check_io(node, 1, 1, 1, 1));
        p->axis = (int32_t)trt_attrs_int(attrs, "axis", 0);
        p->keepdims = (int32_t)trt_attrs_int(attrs, "keepdims", 1);
        p->select_last_index = (int32_t)trt_attrs_int(attrs, "select_last_index", 0);
        break;
    case TRT_OP_TOPK:
        if (opset < 10) {
            TRT_TRY(trt_op_check_io(node, 1, 1, 2, 2));
            if (!trt_attrs_has(attrs, "k"))
                return trt__error(TRT_ERR_PARSE, NODE_FMT "attribute 'k' is missing",
                                  NODE_ARGS(node));
            p->k = trt_attrs_int(attrs, "k", 0);
        } else {
            TRT_TRY(trt_op_check_io(node, 2, 2, 2, 2));
            p->k = -1;
        }
        p->axis = (int32_t)trt_attrs_int(attrs, "axis", -1);
        p->largest = (int32_t)trt_attrs_int(attrs, "largest", 1);
        p->sorted = (int32_t)trt_attrs_int(attrs, "sorted", 1);
        break;
    default:
        return trt__error(TRT_ERR_INTERNAL, NODE_FMT "not a reduce op", NODE_ARGS(node));
    }
    return TRT_OK;
}

/* ---------------------------------------------------------------- infer */

/* Softmax takes float32; the others int64 and int32 too, ReduceMax also bool. */
static trt_status check_dtype(const trt_node *node, const trt_tensor *x) {
    int ints_ok = node->op != TRT_OP_SOFTMAX, bool_ok = node->op == TRT_OP_REDUCE_MAX;
    if (x->dtype == TRT_DTYPE_FLOAT32) return TRT_OK;
    if (ints_ok && (x->dtype == TRT_DTYPE_INT64 || x->dtype == TRT_DTYPE_INT32)) return TRT_OK;
    if (bool_ok && x->dtype == TRT_DTYPE_BOOL) return TRT_OK;
    return trt__error(TRT_ERR_UNSUPPORTED, NODE_FMT "input '%s' is %s; supported: float32%s%s",
                      NODE_ARGS(node), x->name, trt_dtype_name(x->dtype),
                      ints_ok ? ", int64, int32" : "", bool_ok ? ", bool" : "");
}

/* The reduced axes as a bit mask; *noop when no axes were given and noop_with_empty_axes
 * makes the op an identity. */
static trt_status reduce_axes(const trt_node *node, const trt_tensor *t, unsigned *mask,
                              int *noop) {
    const red_params *p = TRT_CPARAMS(node, red_params);
    int rank = t[node->inputs[0]].shape.nb_dims;
    int64_t ax[TRT_MAX_DIMS];
    int n = 0;
    if (node->n_inputs > 1 && node->inputs[1] >= 0) {
        const trt_tensor *a = &t[node->inputs[1]];
        if (!trt_tensor_host(a))
            return trt__error(TRT_ERR_UNSUPPORTED,
                              NODE_FMT "axes '%s' must be known at build time (a constant or "
                              "computed from shapes)",
                              NODE_ARGS(node), a->name);
        int64_t v = trt_dims_volume(&a->shape);
        if (v > TRT_MAX_DIMS)
            return trt__error(TRT_ERR_SHAPE, NODE_FMT "axes '%s' has %lld entries for rank %d",
                              NODE_ARGS(node), a->name, (long long)v, rank);
        n = (int)v;
        for (int i = 0; i < n; i++) ax[i] = trt_host_i64(a, i);
    } else if (p->n_axes > 0) {
        n = p->n_axes;
        for (int i = 0; i < n; i++) ax[i] = p->axes[i];
    }
    *mask = 0;
    *noop = 0;
    if (n == 0) {
        if (p->noop_with_empty_axes) *noop = 1;
        else *mask = (1u << rank) - 1;
        return TRT_OK;
    }
    for (int i = 0; i < n; i++) {
        int a = trt_axis_norm(ax[i], rank);
        if (a < 0 || (*mask & (1u << a)))
            return trt__error(TRT_ERR_SHAPE, NODE_FMT "axis %lld is %s for rank %d",
                              NODE_ARGS(node), (long long)ax[i],
                              a < 0 ? "out of range" : "repeated", rank);
        *mask |= 1u << a;
    }
    return TRT_OK;
}

/* Output index of input element i: the reduced coordinates dropped. */
static int64_t reduced_index(const trt_dims *in, unsigned mask, int64_t i) {
    int64_t o = 0, stride = 1;
    for (int k = in->nb_dims - 1; k >= 0; k--) {
        int64_t c = i % in->d[k];
        i /= in->d[k];
        if (mask & (1u << k)) continue;
        o += c * stride;
        stride *= in->d[k];
    }
    return o;
}

static void host_reduce(const trt_node *node, const trt_tensor *x, unsigned mask,
                        trt_tensor *out) {
    int64_t n_out = trt_dims_volume(&out->shape), n_in = trt_dims_volume(&x->shape);
    int fl = x->dtype == TRT_DTYPE_FLOAT32, mx = node->op == TRT_OP_REDUCE_MAX;
    double af[TRT_HOST_MAX];
    int64_t ai[TRT_HOST_MAX];
    int seen[TRT_HOST_MAX];
    memset(seen, 0, sizeof seen);
    for (int64_t o = 0; o < n_out; o++) {
        af[o] = 0.0;
        ai[o] = 0;
    }
    for (int64_t i = 0; i < n_in; i++) {
        int64_t o = reduced_index(&x->shape, mask, i);
        if (fl) {
            double v = trt_host_f64(x, i);
            if (!mx) af[o] += v;
            else if (!seen[o] || v > af[o] || v != v) af[o] = v;
        } else {
            int64_t v = trt_host_i64(x, i);
            if (!mx) ai[o] = (int64_t)((uint64_t)ai[o] + (uint64_t)v); /* wraps as on the device */
            else if (!seen[o] || v > ai[o]) ai[o] = v;
        }
        seen[o] = 1;
    }
    int64_t count = n_out ? n_in / n_out : 0;
    for (int64_t o = 0; o < n_out; o++) {
        if (node->op == TRT_OP_REDUCE_MEAN && count) {
            af[o] /= (double)count;
            ai[o] /= count;
        }
        if (fl) trt_host_set_f64(out, o, af[o]);
        else trt_host_set_i64(out, o, ai[o]);
    }
}

static trt_status reduce_infer(const trt_node *node, trt_tensor *t) {
    const red_params *p = TRT_CPARAMS(node, red_params);
    const trt_tensor *x = &t[node->inputs[0]];
    trt_tensor *out = &t[node->outputs[0]];
    TRT_TRY(check_dtype(node, x));
    unsigned mask;
    int noop;
    TRT_TRY(reduce_axes(node, t, &mask, &noop));
    trt_dims s;
    memset(&s, 0, sizeof s);
    for (int k = 0; k < x->shape.nb_dims; k++) {
        if (!(mask & (1u << k))) s.d[s.nb_dims++] = x->shape.d[k];
        else if (p->keepdims) s.d[s.nb_dims++] = 1;
    }
    out->dtype = out->storage = x->dtype;
    out->shape = s;
    if (trt_tensor_host(x) && trt_host_begin(out)) host_reduce(node, x, mask, out);
    return TRT_OK;
}

static trt_status axis_of(const trt_node *node, const trt_tensor *x, int *axis) {
    const red_params *p = TRT_CPARAMS(node, red_params);
    /* A rank-0 Softmax normalises its one element. */
    int rank = x->shape.nb_dims;
    *axis = rank == 0 && node->op == TRT_OP_SOFTMAX ? 0 : trt_axis_norm(p->axis, rank);
    if (*axis < 0)
        return trt__error(TRT_ERR_SHAPE, NODE_FMT "axis %d is out of range for rank %d",
                          NODE_ARGS(node), p->axis, rank);
    return TRT_OK;
}

static trt_status softmax_infer(const trt_node *node, trt_tensor *t) {
    const trt_tensor *x = &t[node->inputs[0]];
    trt_tensor *out = &t[node->outputs[0]];
    TRT_TRY(check_dtype(node, x));
    int axis;
    TRT_TRY(axis_of(node, x, &axis));
    out->dtype = out->storage = x->dtype;
    out->shape = x->shape;
    return TRT_OK;
}

static trt_status argmax_infer(const trt_node *node, trt_tensor *t) {
    const red_params *p = TRT_CPARAMS(node, red_params);
    const trt_tensor *x = &t[node->inputs[0]];
    trt_tensor *out = &t[node->outputs[0]];
    TRT_TRY(check_dtype(node, x));
    int axis;
    TRT_TRY(axis_of(node, x, &axis));
    if (x->shape.d[axis] == 0)
        return trt__error(TRT_ERR_SHAPE, NODE_FMT "ArgMax along an empty axis %d",
                          NODE_ARGS(node), axis);
    trt_dims s = x->shape;
    if (p->keepdims) {
        s.d[axis] = 1;
    } else {
        for (int k = axis; k + 1 < s.nb_dims; k++) s.d[k] = s.d[k + 1];
        s.nb_dims--;
    }
    out->dtype = out->storage = TRT_DTYPE_INT64;
    out->shape = s;
    if (trt_tensor_host(x) && trt_host_begin(out)) {
        int64_t n = x->shape.d[axis], inner = 1;
        for (int k = axis + 1; k < x->shape.nb_dims; k++) inner *= x->shape.d[k];
        int64_t rows = trt_dims_volume(&s);
        for (int64_t r = 0; r < rows; r++) {
            int64_t base = r / inner * n * inner + r % inner, bi = 0;
            double best = trt_host_f64(x, base);
            for (int64_t j = 1; j < n; j++) {
                double v = trt_host_f64(x, base + j * inner);
                if (v > best || (p->select_last_index && v == best)) {
                    best = v;
                    bi = j;
                }
            }
            trt_host_set_i64(out, r, bi);
        }
    }
    return TRT_OK;
}

static trt_status topk_infer(const trt_node *node, trt_tensor *t) {
    const red_params *p = TRT_CPARAMS(node, red_params);
    const trt_tensor *x = &t[node->inputs[0]];
    TRT_TRY(check_dtype(node, x));
    int axis;
    TRT_TRY(axis_of(node, x, &axis));
    int64_t k = p->k;
    if (k < 0) {
        const trt_tensor *kt = &t[node->inputs[1]];
        if (!trt_tensor_host(kt))
            return trt__error(TRT_ERR_UNSUPPORTED,
                              NODE_FMT "K '%s' must be known at build time (a constant or "
                              "computed from shapes)",
                              NODE_ARGS(node), kt->name);
        if (trt_dims_volume(&kt->shape) != 1)
            return trt__error(TRT_ERR_SHAPE, NODE_FMT "K '%s' must hold one value",
                              NODE_ARGS(node), kt->name);
        k = trt_host_i64(kt, 0);
    }
    if (k < 0 || k > x->shape.d[axis])
        return trt__error(TRT_ERR_SHAPE, NODE_FMT "k = %lld is outside 0..%lld (axis %d)",
                          NODE_ARGS(node), (long long)k, (long long)x->shape.d[axis], axis);
    trt_tensor *vals = &t[node->outputs[0]], *idx = &t[node->outputs[1]];
    vals->dtype = vals->storage = x->dtype;
    idx->dtype = idx->storage = TRT_DTYPE_INT64;
    vals->shape = x->shape;
    vals->shape.d[axis] = k;
    idx->shape = vals->shape;
    return TRT_OK;
}

static trt_status red_infer(const trt_node *node, trt_tensor *t) {
    switch (node->op) {
    case TRT_OP_SOFTMAX: return softmax_infer(node, t);
    case TRT_OP_ARGMAX: return argmax_infer(node, t);
    case TRT_OP_TOPK: return topk_infer(node, t);
    default: return reduce_infer(node, t);
    }
}

/* ---------------------------------------------------------------- device */

static trt_status red_prepare(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_tensor *x = &trt_exec_tensors(ex)[node->inputs[0]];
    int fl = x->dtype == TRT_DTYPE_FLOAT32;
    const char *tn = trt_dtype_cl_name(x->dtype);
    const char *op = node->op == TRT_OP_REDUCE_MAX    ? "OP_MAX"
                     : node->op == TRT_OP_REDUCE_MEAN ? "OP_MEAN"
                                                      : "OP_SUM";
    const char *lowest = fl                            ? "(-INFINITY)"
                         : x->dtype == TRT_DTYPE_INT64 ? "LONG_MIN"
                         : x->dtype == TRT_DTYPE_INT32 ? "INT_MIN"
                                                       : "0";
    char opts[192];
    snprintf(opts, sizeof opts, "-DT=%s -DT_INT=%d -DWG=%d -DTOPK_WG=%d", tn, !fl, RED_WG,
             TOPK_WG);
    if (is_reduce(node->op)) {
        size_t o = strlen(opts);
        snprintf(opts + o, sizeof opts - o, " -DACC=%s -DT_LOWEST=%s -DOP=%s", tn, lowest, op);
    }
    switch (node->op) {
    case TRT_OP_SOFTMAX:
        TRT_TRY(trt_exec_kernel(ex, "reduce.cl", opts, "softmax_rows", &rt->kernels[0]));
        return trt_exec_kernel(ex, "reduce.cl", opts, "softmax_wg", &rt->kernels[1]);
    case TRT_OP_ARGMAX:
        return trt_exec_kernel(ex, "reduce.cl", opts, "argmax_rows", &rt->kernels[0]);
    case TRT_OP_TOPK: return trt_exec_kernel(ex, "reduce.cl", opts, "topk_wg", &rt->kernels[0]);
    default:
        TRT_TRY(trt_exec_kernel(ex, "reduce.cl", opts, "reduce_rows", &rt->kernels[0]));
        return trt_exec_kernel(ex, "reduce.cl", opts, "reduce_wg", &rt->kernels[1]);
    }
}

/* Kept and reduced dimension groups of a reduction (see reduce.cl's banner). */
typedef struct {
    cl_long n_out;
    cl_int8 kdims, kstrides;
    cl_long r_outer;
    cl_int8 rdims, rstrides;
    cl_long rn, rs;
} red_plan;

static void right_align(cl_int8 *dims, cl_int8 *strides, const int64_t *d, const int64_t *s,
                        int n) {
    for (int i = 0; i < 8; i++) {
        dims->s[i] = 1;
        strides->s[i] = 0;
    }
    for (int i = 0; i < n; i++) {
        dims->s[8 - n + i] = (cl_int)d[i];
        strides->s[8 - n + i] = (cl_int)s[i];
    }
}

static trt_status plan_reduce(const trt_node *node, const trt_dims *in, unsigned mask,
                              red_plan *pl) {
    int64_t gd[TRT_MAX_DIMS], gs[TRT_MAX_DIMS];
    int gr[TRT_MAX_DIMS], m = 0;
    for (int k = 0; k < in->nb_dims; k++) {
        if (in->d[k] == 1) continue;
        int r = (mask >> k) & 1;
        if (m > 0 && gr[m - 1] == r) {
            gd[m - 1] *= in->d[k];
        } else {
            gd[m] = in->d[k];
            gr[m++] = r;
        }
    }
    int64_t stride = 1;
    for (int i = m - 1; i >= 0; i--) {
        gs[i] = stride;
        stride *= gd[i];
    }
    if (stride > INT32_MAX)
        return trt__error(TRT_ERR_UNSUPPORTED, NODE_FMT "tensors over 2^31 elements",
                          NODE_ARGS(node));
    int64_t kd[TRT_MAX_DIMS], ks[TRT_MAX_DIMS], rd[TRT_MAX_DIMS], rsx[TRT_MAX_DIMS];
    int nk = 0, nr = 0;
    pl->n_out = 1;
    pl->r_outer = 1;
    pl->rn = 1;
    pl->rs = 0;
    int last_r = -1;
    for (int i = 0; i < m; i++)
        if (gr[i]) last_r = i;
    for (int i = 0; i < m; i++) {
        if (!gr[i]) {
            kd[nk] = gd[i];
            ks[nk++] = gs[i];
            pl->n_out *= gd[i];
        } else if (i == last_r) {
            pl->rn = gd[i];
            pl->rs = gs[i];
        } else {
            rd[nr] = gd[i];
            rsx[nr++] = gs[i];
            pl->r_outer *= gd[i];
        }
    }
    right_align(&pl->kdims, &pl->kstrides, kd, ks, nk);
    right_align(&pl->rdims, &pl->rstrides, rd, rsx, nr);
    return TRT_OK;
}

static trt_status reduce_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    trt_tensor *t = trt_exec_tensors(ex);
    const trt_tensor *x = &t[node->inputs[0]];
    unsigned mask;
    int noop;
    TRT_TRY(reduce_axes(node, t, &mask, &noop));
    if (noop)
        return trt_exec_copy(ex, node->outputs[0], 0, node->inputs[0], 0,
                             (size_t)trt_tensor_bytes(x));
    red_plan pl;
    TRT_TRY(plan_reduce(node, &x->shape, mask, &pl));
    cl_mem mx = trt_exec_mem(ex, node->inputs[0]), my = trt_exec_mem(ex, node->outputs[0]);
    trt_karg args[] = {TRT_KARG(mx),          TRT_KARG(my),         TRT_KARG(pl.n_out),
                       TRT_KARG(pl.kdims),    TRT_KARG(pl.kstrides), TRT_KARG(pl.r_outer),
                       TRT_KARG(pl.rdims),    TRT_KARG(pl.rstrides), TRT_KARG(pl.rn),
                       TRT_KARG(pl.rs)};
    if (pl.r_outer * pl.rn >= RED_WG_MIN) {
        size_t gws = (size_t)pl.n_out * RED_WG, lws = RED_WG;
        return trt_exec_launch(ex, rt->kernels[1], 1, &gws, &lws, 10, args);
    }
    size_t gws = (size_t)pl.n_out, lws = 64;
    return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, 10, args);
}

/* The [outer, n, inner] view of x around `axis` (Softmax before opset 13: inner = 1 and n
 * spans every dimension from axis on). */
static void row_view(const trt_dims *d, int axis, int flat_tail, cl_long *outer, cl_long *n,
                     cl_long *inner) {
    *outer = *n = *inner = 1;
    for (int k = 0; k < d->nb_dims; k++) {
        if (k < axis) *outer *= d->d[k];
        else if (k == axis || flat_tail) *n *= d->d[k];
        else *inner *= d->d[k];
    }
}

static trt_status rows_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const red_params *p = TRT_CPARAMS(node, red_params);
    trt_tensor *t = trt_exec_tensors(ex);
    const trt_tensor *x = &t[node->inputs[0]];
    int axis;
    TRT_TRY(axis_of(node, x, &axis));
    cl_long outer, n, inner;
    row_view(&x->shape, axis, node->op == TRT_OP_SOFTMAX && p->softmax_2d, &outer, &n, &inner);
    cl_long rows = outer * inner;
    if (trt_dims_volume(&x->shape) == 0) return TRT_OK;
    cl_mem mx = trt_exec_mem(ex, node->inputs[0]), my = trt_exec_mem(ex, node->outputs[0]);
    size_t lws = RED_WG;
    if (node->op == TRT_OP_SOFTMAX) {
        if (inner == 1 && n >= RED_WG_MIN) {
            size_t gws = (size_t)rows * RED_WG;
            trt_karg args[] = {TRT_KARG(mx), TRT_KARG(my), TRT_KARG(rows), TRT_KARG(n)};
            return trt_exec_launch(ex, rt->kernels[1], 1, &gws, &lws, 4, args);
        }
        size_t gws = (size_t)rows;
        trt_karg args[] = {TRT_KARG(mx), TRT_KARG(my), TRT_KARG(rows), TRT_KARG(n),
                           TRT_KARG(inner)};
        return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, 5, args);
    }
    if (node->op == TRT_OP_ARGMAX) {
        size_t gws = (size_t)rows;
        cl_int last = p->select_last_index != 0;
        trt_karg args[] = {TRT_KARG(mx), TRT_KARG(my),    TRT_KARG(rows),
                           TRT_KARG(n),  TRT_KARG(inner), TRT_KARG(last)};
        return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, 6, args);
    }
    /* TopK */
    cl_long k = t[node->outputs[0]].shape.d[axis];
    cl_mem mi = trt_exec_mem(ex, node->outputs[1]);
    cl_int largest = p->largest != 0;
    size_t gws = (size_t)rows * TOPK_WG;
    lws = TOPK_WG;
    trt_karg args[] = {TRT_KARG(mx), TRT_KARG(my),    TRT_KARG(mi), TRT_KARG(rows),
                       TRT_KARG(n),  TRT_KARG(inner), TRT_KARG(k),  TRT_KARG(largest)};
    return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, 8, args);
}

const trt_op_impl trt_op_impl_SOFTMAX = {"Softmax", red_import, red_infer, red_prepare,
                                         rows_launch};
const trt_op_impl trt_op_impl_REDUCE_MEAN = {"ReduceMean", red_import, red_infer, red_prepare,
                                             reduce_launch};
const trt_op_impl trt_op_impl_REDUCE_MAX = {"ReduceMax", red_import, red_infer, red_prepare,
                                            reduce_launch};
const trt_op_impl trt_op_impl_REDUCE_SUM = {"ReduceSum", red_import, red_infer, red_prepare,
                                            reduce_launch};
const trt_op_impl trt_op_impl_ARGMAX = {"ArgMax", red_import, red_infer, red_prepare,
                                        rows_launch};
const trt_op_impl trt_op_impl_TOPK = {"TopK", red_import, red_infer, red_prepare, rows_launch};
