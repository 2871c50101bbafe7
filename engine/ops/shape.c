/* shape.c — shape and data-movement ops: Flatten, Reshape, Transpose, Concat, Split, Slice,
 * Squeeze, Unsqueeze, Gather, Shape, Cast, ConstantOfShape, Identity, Expand, Range.
 *
 * These ops form the shape subgraphs of exported models (Shape -> Gather -> Unsqueeze ->
 * Concat -> Reshape). Each computes its outputs on the host during shape inference when the
 * inputs it needs have host values and the outputs are small; such nodes are never launched.
 * Shape-like operands (Reshape's shape, Slice's starts/ends/axes/steps, Split's split, axes,
 * Expand's shape, Range's scalars) must have host values at build time.
 *
 * Data movement is one index mapping, `xmap` (iteration dims, source and destination strides
 * and offsets in elements), run either on the host (xmap_host) or by kernels/shape.cl copy_nd.
 * Reshape-like ops (Flatten, Reshape, Squeeze, Unsqueeze, Identity) copy the buffer.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ops/op.h"

#define MAXD TRT_MAX_DIMS
#define LWS 64

/* ---------------------------------------------------------------- common helpers */

static trt_status err_device_value(const trt_node *node, const char *what) {
    return trt__error(TRT_ERR_UNSUPPORTED,
                      "node '%s' (%s): the %s is computed on the device; trtinfer needs it to be "
                      "known at build time (constant or derived from input shapes)",
                      node->name, trt_op_name(node->op), what);
}

static int has_input(const trt_node *node, int i) {
    return i < node->n_inputs && node->inputs[i] >= 0;
}

/* Reads a rank-0 or rank-1 integer operand from its host values into out[0..*n). */
static trt_status read_ints(const trt_node *node, const trt_tensor *ts, int input, const char *what,
                            int64_t *out, int max, int *n) {
    const trt_tensor *t = &ts[node->inputs[input]];
    if (!trt_tensor_host(t)) return err_device_value(node, what);
    if (t->shape.nb_dims > 1 || t->dtype == TRT_DTYPE_FLOAT16 || t->dtype == TRT_DTYPE_FLOAT32) {
        char d[96];
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (%s): the %s must be a 1-D integer tensor, got %s of shape %s",
                          node->name, trt_op_name(node->op), what, trt_dtype_name(t->dtype),
                          trt_dims_str(&t->shape, d, sizeof d));
    }
    int64_t cnt = t->shape.nb_dims == 0 ? 1 : t->shape.d[0];
    if (cnt > max)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "node '%s' (%s): the %s has %lld values; at most %d are supported",
                          node->name, trt_op_name(node->op), what, (long long)cnt, max);
    for (int64_t i = 0; i < cnt; i++) out[i] = trt_host_i64(t, i);
    *n = (int)cnt;
    return TRT_OK;
}

static void set_out(trt_tensor *t, trt_dtype dtype, const trt_dims *shape) {
    t->dtype = dtype;
    t->storage = dtype;
    t->shape = *shape;
}

/* True when inputs [0, n) all have host values (absent optional inputs count as known). */
static int inputs_host(const trt_node *node, const trt_tensor *ts, int n) {
    for (int i = 0; i < n && i < node->n_inputs; i++)
        if (node->inputs[i] >= 0 && !trt_tensor_host(&ts[node->inputs[i]])) return 0;
    return 1;
}

/* Marks every output as host-computed if all of them are small enough; all or none. */
static int outputs_host_begin(const trt_node *node, trt_tensor *ts) {
    for (int o = 0; o < node->n_outputs; o++) {
        const trt_tensor *t = &ts[node->outputs[o]];
        if (trt_dims_volume(&t->shape) > TRT_HOST_MAX || t->dtype == TRT_DTYPE_FLOAT16 ||
            (t->flags & TRT_TENSOR_CONST))
            return 0;
    }
    for (int o = 0; o < node->n_outputs; o++) trt_host_begin(&ts[node->outputs[o]]);
    return 1;
}

/* Product of dims [from, to) of a shape. */
static int64_t dims_prod(const trt_dims *d, int from, int to) {
    int64_t v = 1;
    for (int i = from; i < to; i++) v *= d->d[i];
    return v;
}

static void dense_strides(const trt_dims *d, int64_t *s) {
    int64_t v = 1;
    for (int k = d->nb_dims - 1; k >= 0; k--) {
        s[k] = v;
        v *= d->d[k];
    }
}

static const char *elem_cl_type(trt_dtype t) {
    switch (trt_dtype_size(t)) {
    case 1: return "uchar";
    case 2: return "ushort";
    case 8: return "ulong";
    default: return "uint";
    }
}

static trt_status shape_err(const trt_node *node, const char *what, const trt_dims *d) {
    char s[128];
    return trt__error(TRT_ERR_SHAPE, "node '%s' (%s): %s (input shape %s)", node->name,
                      trt_op_name(node->op), what, trt_dims_str(d, s, sizeof s));
}

/* ---------------------------------------------------------------- index mapping */

typedef struct {
    int rank;
    int64_t dims[MAXD];
    int64_t src[MAXD], dst[MAXD]; /* strides in elements */
    int64_t src_off, dst_off;
} xmap;

/* A mapping that writes `out` densely; the caller fills src strides and offset. */
static void xmap_init(xmap *m, const trt_dims *out) {
    memset(m, 0, sizeof *m);
    m->rank = out->nb_dims;
    for (int k = 0; k < out->nb_dims; k++) m->dims[k] = out->d[k];
    dense_strides(out, m->dst);
}

static int64_t xmap_volume(const xmap *m) {
    int64_t n = 1;
    for (int k = 0; k < m->rank; k++) n *= m->dims[k];
    return n;
}

/* Drops unit dims and merges neighbours that are contiguous on both sides. */
static void xmap_simplify(xmap *m) {
    int r = 0;
    for (int k = 0; k < m->rank; k++) {
        if (m->dims[k] == 1) continue;
        if (r > 0 && m->src[r - 1] == m->src[k] * m->dims[k] &&
            m->dst[r - 1] == m->dst[k] * m->dims[k]) {
            m->dims[r - 1] *= m->dims[k];
            m->src[r - 1] = m->src[k];
            m->dst[r - 1] = m->dst[k];
            continue;
        }
        m->dims[r] = m->dims[k];
        m->src[r] = m->src[k];
        m->dst[r] = m->dst[k];
        r++;
    }
    m->rank = r;
}

static void xmap_host(const xmap *m, const void *src, void *dst, size_t es) {
    int64_t n = xmap_volume(m), c[MAXD] = {0};
    for (int64_t i = 0; i < n; i++) {
        int64_t so = m->src_off, d = m->dst_off;
        for (int k = 0; k < m->rank; k++) {
            so += c[k] * m->src[k];
            d += c[k] * m->dst[k];
        }
        memcpy((char *)dst + d * (int64_t)es, (const char *)src + so * (int64_t)es, es);
        for (int k = m->rank - 1; k >= 0; k--) {
            if (++c[k] < m->dims[k]) break;
            c[k] = 0;
        }
    }
}

/* Runs a mapping from tensor `src` to tensor `dst` with kernel copy_nd (or a buffer copy when
 * the mapping is one contiguous run). */
static trt_status xmap_launch(trt_exec *ex, cl_kernel k, int src, int dst, xmap m) {
    if (xmap_volume(&m) == 0) return TRT_OK;
    xmap_simplify(&m);
    size_t es = trt_dtype_size(trt_exec_tensors(ex)[dst].storage);
    if (m.rank == 0 || (m.rank == 1 && m.src[0] == 1 && m.dst[0] == 1))
        return trt_exec_copy(ex, dst, (size_t)m.dst_off * es, src, (size_t)m.src_off * es,
                             (size_t)xmap_volume(&m) * es);
    cl_int8 dims;
    cl_long8 ss, ds;
    for (int i = 0; i < 8; i++) {
        int k = i - (8 - m.rank);
        dims.s[i] = k >= 0 ? (cl_int)m.dims[k] : 1;
        ss.s[i] = k >= 0 ? m.src[k] : 0;
        ds.s[i] = k >= 0 ? m.dst[k] : 0;
    }
    cl_mem a = trt_exec_mem(ex, src), b = trt_exec_mem(ex, dst);
    cl_long n = xmap_volume(&m), so = m.src_off, dof = m.dst_off;
    trt_karg args[] = {TRT_KARG(a),  TRT_KARG(b),  TRT_KARG(n),  TRT_KARG(dims),
                       TRT_KARG(ss), TRT_KARG(ds), TRT_KARG(so), TRT_KARG(dof)};
    size_t gws = (size_t)n, lws = LWS;
    return trt_exec_launch(ex, k, 1, &gws, &lws, 8, args);
}

/* prepare() of ops that launch copy_nd on their output's stored element type (float16 in
 * FP16 engines: these ops only move elements, so they follow their data's storage). */
static trt_status prepare_copy(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    char opts[64];
    snprintf(opts, sizeof opts, "-DT=%s",
             elem_cl_type(trt_exec_tensors(ex)[node->outputs[0]].storage));
    return trt_exec_kernel(ex, "shape.cl", opts, "copy_nd", &rt->kernels[0]);
}

/* ---------------------------------------------------------------- reshape-like ops */

/* Output = input's values under a new shape; host values copied when known. */
static trt_status infer_alias(const trt_node *node, trt_tensor *ts, const trt_dims *shape) {
    const trt_tensor *in = &ts[node->inputs[0]];
    trt_tensor *out = &ts[node->outputs[0]];
    if (trt_dims_volume(shape) != trt_dims_volume(&in->shape)) {
        char a[128], b[128];
        return trt__error(TRT_ERR_SHAPE,
                          "node '%s' (%s): cannot view %s as %s: element counts differ", node->name,
                          trt_op_name(node->op), trt_dims_str(&in->shape, a, sizeof a),
                          trt_dims_str(shape, b, sizeof b));
    }
    set_out(out, in->dtype, shape);
    if (inputs_host(node, ts, 1) && outputs_host_begin(node, ts))
        memcpy(out->hostbuf, trt_tensor_host(in), (size_t)trt_tensor_bytes(out));
    return TRT_OK;
}

/* The memory plan lets a view share its input's buffer (passes/memplan.c): nothing to copy
 * then. Graph inputs and outputs keep their own buffers. */
static trt_status launch_alias(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    (void)rt;
    const trt_tensor *ts = trt_exec_tensors(ex);
    if (trt_exec_mem(ex, node->outputs[0]) == trt_exec_mem(ex, node->inputs[0])) return TRT_OK;
    return trt_exec_copy(ex, node->outputs[0], 0, node->inputs[0], 0,
                         (size_t)trt_tensor_bytes(&ts[node->outputs[0]]));
}

/* Flatten */

typedef struct {
    int32_t axis;
} flatten_params;
_Static_assert(sizeof(flatten_params) <= TRT_MAX_PARAMS, "flatten_params too large");

static trt_status flatten_import(trt_node *node, const trt_attrs *a) {
    TRT_TRY(trt_op_check_io(node, 1, 1, 1, 1));
    TRT_PARAMS(node, flatten_params)->axis = (int32_t)trt_attrs_int(a, "axis", 1);
    return TRT_OK;
}

static trt_status flatten_infer(const trt_node *node, trt_tensor *ts) {
    const trt_dims *in = &ts[node->inputs[0]].shape;
    int axis = TRT_CPARAMS(node, flatten_params)->axis;
    if (axis < 0) axis += in->nb_dims;
    if (axis < 0 || axis > in->nb_dims) return shape_err(node, "axis is out of range", in);
    int64_t d[2] = {dims_prod(in, 0, axis), dims_prod(in, axis, in->nb_dims)};
    trt_dims s = trt_dims_make(2, d);
    return infer_alias(node, ts, &s);
}

/* Reshape */

typedef struct {
    int32_t allowzero;
} reshape_params;
_Static_assert(sizeof(reshape_params) <= TRT_MAX_PARAMS, "reshape_params too large");

static trt_status reshape_import(trt_node *node, const trt_attrs *a) {
    TRT_TRY(trt_op_check_io(node, 2, 2, 1, 1));
    TRT_PARAMS(node, reshape_params)->allowzero = (int32_t)trt_attrs_int(a, "allowzero", 0);
    return TRT_OK;
}

static trt_status reshape_infer(const trt_node *node, trt_tensor *ts) {
    const trt_dims *in = &ts[node->inputs[0]].shape;
    int allowzero = TRT_CPARAMS(node, reshape_params)->allowzero;
    int64_t v[MAXD];
    int n;
    TRT_TRY(read_ints(node, ts, 1, "target shape", v, MAXD, &n));
    int infer_at = -1;
    int64_t known = 1;
    for (int i = 0; i < n; i++) {
        if (v[i] == 0 && !allowzero) {
            if (i >= in->nb_dims)
                return shape_err(node, "a 0 in the target shape has no input dimension to copy",
                                 in);
            v[i] = in->d[i];
        }
        if (v[i] == -1) {
            if (infer_at >= 0) return shape_err(node, "the target shape has more than one -1", in);
            infer_at = i;
            continue;
        }
        if (v[i] < 0) return shape_err(node, "the target shape has a negative dimension", in);
        known *= v[i];
    }
    int64_t vol = dims_prod(in, 0, in->nb_dims);
    if (infer_at >= 0) {
        if (known == 0 || vol % known != 0)
            return shape_err(node, "the -1 in the target shape cannot be inferred", in);
        v[infer_at] = vol / known;
    }
    trt_dims s = trt_dims_make(n, v);
    return infer_alias(node, ts, &s);
}

/* Squeeze / Unsqueeze: axes from the attribute (opset < 13) or the second input. */

typedef struct {
    int32_t n_axes; /* attribute form: number of axes; -1 when not given as an attribute */
    int64_t axes[MAXD];
} axes_params;
_Static_assert(sizeof(axes_params) <= TRT_MAX_PARAMS, "axes_params too large");

static trt_status axes_import(trt_node *node, const trt_attrs *a) {
    int unsq = node->op == TRT_OP_UNSQUEEZE;
    axes_params *p = TRT_PARAMS(node, axes_params);
    if (trt_attrs_opset(a) < 13) {
        TRT_TRY(trt_op_check_io(node, 1, 1, 1, 1));
        p->n_axes = trt_attrs_ints(a, "axes", p->axes, MAXD);
        if (p->n_axes > MAXD)
            return trt__error(TRT_ERR_UNSUPPORTED,
                              "node '%s' (%s): %d axes; at most %d are supported", node->name,
                              trt_op_name(node->op), p->n_axes, MAXD);
        if (unsq && p->n_axes < 0)
            return trt__error(TRT_ERR_PARSE,
                              "node '%s' (Unsqueeze): the 'axes' attribute is required",
                              node->name);
    } else {
        TRT_TRY(trt_op_check_io(node, unsq ? 2 : 1, 2, 1, 1));
        p->n_axes = -1;
    }
    return TRT_OK;
}

static trt_status get_axes(const trt_node *node, const trt_tensor *ts, int64_t *axes, int *n) {
    const axes_params *p = TRT_CPARAMS(node, axes_params);
    if (p->n_axes >= 0) {
        *n = p->n_axes;
        memcpy(axes, p->axes, sizeof(int64_t) * (size_t)p->n_axes);
        return TRT_OK;
    }
    if (has_input(node, 1)) return read_ints(node, ts, 1, "axes input", axes, MAXD, n);
    *n = -1;
    return TRT_OK;
}

static trt_status squeeze_infer(const trt_node *node, trt_tensor *ts) {
    const trt_dims *in = &ts[node->inputs[0]].shape;
    int64_t axes[MAXD];
    int n;
    TRT_TRY(get_axes(node, ts, axes, &n));
    int drop[MAXD] = {0};
    if (n < 0) {
        for (int k = 0; k < in->nb_dims; k++) drop[k] = in->d[k] == 1;
    } else {
        for (int i = 0; i < n; i++) {
            int k = trt_axis_norm(axes[i], in->nb_dims);
            if (k < 0) return shape_err(node, "an axis is out of range", in);
            if (in->d[k] != 1) return shape_err(node, "a squeezed dimension is not 1", in);
            drop[k] = 1;
        }
    }
    trt_dims s;
    memset(&s, 0, sizeof s);
    for (int k = 0; k < in->nb_dims; k++)
        if (!drop[k]) s.d[s.nb_dims++] = in->d[k];
    return infer_alias(node, ts, &s);
}

static trt_status unsqueeze_infer(const trt_node *node, trt_tensor *ts) {
    const trt_dims *in = &ts[node->inputs[0]].shape;
    int64_t axes[MAXD];
    int n;
    TRT_TRY(get_axes(node, ts, axes, &n));
    int rank = in->nb_dims + n;
    if (rank > MAXD) return shape_err(node, "the result would have more than 8 dimensions", in);
    int ins[MAXD] = {0};
    for (int i = 0; i < n; i++) {
        int k = trt_axis_norm(axes[i], rank);
        if (k < 0) return shape_err(node, "an axis is out of range", in);
        if (ins[k]) return shape_err(node, "an axis is repeated", in);
        ins[k] = 1;
    }
    trt_dims s;
    memset(&s, 0, sizeof s);
    s.nb_dims = rank;
    for (int k = 0, j = 0; k < rank; k++) s.d[k] = ins[k] ? 1 : in->d[j++];
    return infer_alias(node, ts, &s);
}

/* Identity */

static trt_status one_in_one_out(trt_node *node, const trt_attrs *a) {
    (void)a;
    return trt_op_check_io(node, 1, 1, 1, 1);
}

static trt_status identity_infer(const trt_node *node, trt_tensor *ts) {
    return infer_alias(node, ts, &ts[node->inputs[0]].shape);
}

/* ---------------------------------------------------------------- Transpose */

typedef struct {
    int32_t n_perm; /* -1: reverse the dimensions */
    int32_t perm[MAXD];
} transpose_params;
_Static_assert(sizeof(transpose_params) <= TRT_MAX_PARAMS, "transpose_params too large");

static trt_status transpose_import(trt_node *node, const trt_attrs *a) {
    TRT_TRY(trt_op_check_io(node, 1, 1, 1, 1));
    transpose_params *p = TRT_PARAMS(node, transpose_params);
    int64_t perm[MAXD];
    p->n_perm = trt_attrs_ints(a, "perm", perm, MAXD);
    if (p->n_perm > MAXD)
        return trt__error(
            TRT_ERR_UNSUPPORTED,
            "node '%s' (Transpose): perm has %d entries; at most %d dimensions are supported",
            node->name, p->n_perm, MAXD);
    for (int i = 0; i < p->n_perm; i++) p->perm[i] = (int32_t)perm[i];
    return TRT_OK;
}

static trt_status transpose_map(const trt_node *node, const trt_tensor *ts, trt_dims *out,
                                xmap *m) {
    const transpose_params *p = TRT_CPARAMS(node, transpose_params);
    const trt_dims *in = &ts[node->inputs[0]].shape;
    int r = in->nb_dims, perm[MAXD], seen[MAXD] = {0};
    if (p->n_perm >= 0 && p->n_perm != r)
        return shape_err(node, "perm does not match the input's rank", in);
    for (int k = 0; k < r; k++) {
        perm[k] = p->n_perm >= 0 ? trt_axis_norm(p->perm[k], r) : r - 1 - k;
        if (perm[k] < 0 || seen[perm[k]]++)
            return shape_err(node, "perm is not a permutation of the input's axes", in);
    }
    int64_t s[MAXD];
    dense_strides(in, s);
    memset(out, 0, sizeof *out);
    out->nb_dims = r;
    for (int k = 0; k < r; k++) out->d[k] = in->d[perm[k]];
    xmap_init(m, out);
    for (int k = 0; k < r; k++) m->src[k] = s[perm[k]];
    return TRT_OK;
}

/* Ops with one input and one output described by an xmap (Transpose, Slice, Expand). */
typedef trt_status (*map_fn)(const trt_node *node, const trt_tensor *ts, trt_dims *out, xmap *m);

static trt_status infer_mapped(const trt_node *node, trt_tensor *ts, map_fn fn, int n_host_inputs) {
    trt_dims s;
    xmap m;
    TRT_TRY(fn(node, ts, &s, &m));
    const trt_tensor *in = &ts[node->inputs[0]];
    trt_tensor *out = &ts[node->outputs[0]];
    set_out(out, in->dtype, &s);
    if (inputs_host(node, ts, n_host_inputs) && outputs_host_begin(node, ts))
        xmap_host(&m, trt_tensor_host(in), out->hostbuf, trt_dtype_size(in->dtype));
    return TRT_OK;
}

static trt_status launch_mapped(trt_exec *ex, const trt_node *node, trt_node_rt *rt, map_fn fn) {
    trt_dims s;
    xmap m;
    TRT_TRY(fn(node, trt_exec_tensors(ex), &s, &m));
    return xmap_launch(ex, rt->kernels[0], node->inputs[0], node->outputs[0], m);
}

static trt_status transpose_infer(const trt_node *node, trt_tensor *ts) {
    return infer_mapped(node, ts, transpose_map, 1);
}
static trt_status transpose_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    return launch_mapped(ex, node, rt, transpose_map);
}

/* ---------------------------------------------------------------- Expand */

static trt_status expand_map(const trt_node *node, const trt_tensor *ts, trt_dims *out, xmap *m) {
    const trt_dims *in = &ts[node->inputs[0]].shape;
    int64_t v[MAXD];
    int n;
    TRT_TRY(read_ints(node, ts, 1, "target shape", v, MAXD, &n));
    trt_dims want = trt_dims_make(n, v);
    if (trt_dims_broadcast(in, &want, out) != TRT_OK)
        return trt__error_prefix(TRT_ERR_SHAPE, "node '%s' (Expand)", node->name);
    int64_t s[MAXD];
    dense_strides(in, s);
    xmap_init(m, out);
    for (int k = 0; k < out->nb_dims; k++) {
        int j = k - (out->nb_dims - in->nb_dims);
        m->src[k] = (j < 0 || in->d[j] == 1) ? 0 : s[j];
    }
    return TRT_OK;
}

static trt_status expand_import(trt_node *node, const trt_attrs *a) {
    (void)a;
    return trt_op_check_io(node, 2, 2, 1, 1);
}
static trt_status expand_infer(const trt_node *node, trt_tensor *ts) {
    return infer_mapped(node, ts, expand_map, 1);
}
static trt_status expand_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    return launch_mapped(ex, node, rt, expand_map);
}

/* ---------------------------------------------------------------- Slice */

typedef struct {
    int32_t attr_form; /* opset < 10: starts/ends/axes are attributes */
    int32_t n, n_axes; /* attribute form: counts (n_axes -1 when absent) */
    int64_t starts[MAXD], ends[MAXD], axes[MAXD];
} slice_params;
_Static_assert(sizeof(slice_params) <= TRT_MAX_PARAMS, "slice_params too large");

static trt_status slice_import(trt_node *node, const trt_attrs *a) {
    slice_params *p = TRT_PARAMS(node, slice_params);
    if (trt_attrs_opset(a) >= 10) return trt_op_check_io(node, 3, 5, 1, 1);
    TRT_TRY(trt_op_check_io(node, 1, 1, 1, 1));
    p->attr_form = 1;
    p->n = trt_attrs_ints(a, "starts", p->starts, MAXD);
    int ne = trt_attrs_ints(a, "ends", p->ends, MAXD);
    p->n_axes = trt_attrs_ints(a, "axes", p->axes, MAXD);
    if (p->n < 0 || ne != p->n || (p->n_axes >= 0 && p->n_axes != p->n) || p->n > MAXD)
        return trt__error(
            TRT_ERR_PARSE,
            "node '%s' (Slice): 'starts', 'ends' and 'axes' must have the same length (at most %d)",
            node->name, MAXD);
    return TRT_OK;
}

static trt_status slice_map(const trt_node *node, const trt_tensor *ts, trt_dims *out, xmap *m) {
    const slice_params *p = TRT_CPARAMS(node, slice_params);
    const trt_dims *in = &ts[node->inputs[0]].shape;
    int r = in->nb_dims;
    int64_t starts[MAXD], ends[MAXD], axes[MAXD], steps[MAXD];
    int n, ne, na = -1, nst = -1;
    if (p->attr_form) {
        n = ne = p->n;
        memcpy(starts, p->starts, sizeof starts);
        memcpy(ends, p->ends, sizeof ends);
        if (p->n_axes >= 0) {
            na = p->n_axes;
            memcpy(axes, p->axes, sizeof axes);
        }
    } else {
        TRT_TRY(read_ints(node, ts, 1, "starts input", starts, MAXD, &n));
        TRT_TRY(read_ints(node, ts, 2, "ends input", ends, MAXD, &ne));
        if (has_input(node, 3)) TRT_TRY(read_ints(node, ts, 3, "axes input", axes, MAXD, &na));
        if (has_input(node, 4)) TRT_TRY(read_ints(node, ts, 4, "steps input", steps, MAXD, &nst));
    }
    if (ne != n || (na >= 0 && na != n) || (nst >= 0 && nst != n))
        return shape_err(node, "starts, ends, axes and steps differ in length", in);
    int64_t begin[MAXD] = {0}, step[MAXD], len[MAXD];
    int seen[MAXD] = {0};
    for (int k = 0; k < r; k++) {
        step[k] = 1;
        len[k] = in->d[k];
    }
    for (int i = 0; i < n; i++) {
        int k = trt_axis_norm(na >= 0 ? axes[i] : i, r);
        if (k < 0) return shape_err(node, "an axis is out of range", in);
        if (seen[k]++) return shape_err(node, "an axis is repeated", in);
        int64_t d = in->d[k], st = nst >= 0 ? steps[i] : 1, b = starts[i], e = ends[i];
        if (st == 0) return shape_err(node, "a step is 0", in);
        if (b < 0) b += d;
        if (e < 0) e += d;
        if (st > 0) {
            b = b < 0 ? 0 : b > d ? d : b;
            e = e < 0 ? 0 : e > d ? d : e;
            len[k] = e > b ? (e - b - 1) / st + 1 : 0;
        } else {
            b = b < 0 ? 0 : b > d - 1 ? d - 1 : b;
            e = e < -1 ? -1 : e > d - 1 ? d - 1 : e;
            len[k] = b > e ? (b - e - 1) / -st + 1 : 0;
        }
        begin[k] = len[k] ? b : 0;
        step[k] = st;
    }
    *out = trt_dims_make(r, len);
    int64_t s[MAXD];
    dense_strides(in, s);
    xmap_init(m, out);
    for (int k = 0; k < r; k++) {
        m->src[k] = s[k] * step[k];
        m->src_off += begin[k] * s[k];
    }
    return TRT_OK;
}

static trt_status slice_infer(const trt_node *node, trt_tensor *ts) {
    return infer_mapped(node, ts, slice_map, 1);
}
static trt_status slice_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    return launch_mapped(ex, node, rt, slice_map);
}

/* ---------------------------------------------------------------- Concat */

typedef struct {
    int32_t axis;
} axis_params;
_Static_assert(sizeof(axis_params) <= TRT_MAX_PARAMS, "axis_params too large");

static trt_status concat_import(trt_node *node, const trt_attrs *a) {
    TRT_TRY(trt_op_check_io(node, 1, TRT_MAX_NODE_INPUTS, 1, 1));
    if (!trt_attrs_has(a, "axis"))
        return trt__error(TRT_ERR_PARSE, "node '%s' (Concat): the 'axis' attribute is required",
                          node->name);
    TRT_PARAMS(node, axis_params)->axis = (int32_t)trt_attrs_int(a, "axis", 0);
    return TRT_OK;
}

/* Output shape; the mapping of input j is made by concat_part. */
static trt_status concat_shape(const trt_node *node, const trt_tensor *ts, trt_dims *out,
                               int *axis) {
    const trt_tensor *t0 = &ts[node->inputs[0]];
    int r = t0->shape.nb_dims;
    int ax = trt_axis_norm(TRT_CPARAMS(node, axis_params)->axis, r);
    if (ax < 0) return shape_err(node, "axis is out of range", &t0->shape);
    *out = t0->shape;
    out->d[ax] = 0;
    for (int j = 0; j < node->n_inputs; j++) {
        const trt_tensor *t = &ts[node->inputs[j]];
        if (node->inputs[j] < 0) return shape_err(node, "an input is missing", &t0->shape);
        int ok = t->shape.nb_dims == r && t->dtype == t0->dtype;
        for (int k = 0; ok && k < r; k++) ok = k == ax || t->shape.d[k] == t0->shape.d[k];
        if (!ok) {
            char a[96], b[96];
            return trt__error(TRT_ERR_SHAPE,
                              "node '%s' (Concat): input %d (%s %s) does not match input 0 (%s %s) "
                              "outside axis %d",
                              node->name, j, trt_dtype_name(t->dtype),
                              trt_dims_str(&t->shape, a, sizeof a), trt_dtype_name(t0->dtype),
                              trt_dims_str(&t0->shape, b, sizeof b), ax);
        }
        out->d[ax] += t->shape.d[ax];
    }
    *axis = ax;
    return TRT_OK;
}

/* Mapping of a slab of shape `part` at `offset` along `axis` of the dense `whole`; the slab
 * side is dense. to_whole: slab -> whole (Concat), else whole -> slab (Split). */
static void slab_map(xmap *m, const trt_dims *part, const trt_dims *whole, int axis, int64_t offset,
                     int to_whole) {
    int64_t ps[MAXD], ws[MAXD];
    dense_strides(part, ps);
    dense_strides(whole, ws);
    xmap_init(m, part);
    memcpy(to_whole ? m->src : m->dst, ps, sizeof ps);
    memcpy(to_whole ? m->dst : m->src, ws, sizeof ws);
    *(to_whole ? &m->dst_off : &m->src_off) = offset * ws[axis];
}

static trt_status concat_infer(const trt_node *node, trt_tensor *ts) {
    trt_dims s;
    int ax;
    TRT_TRY(concat_shape(node, ts, &s, &ax));
    trt_tensor *out = &ts[node->outputs[0]];
    set_out(out, ts[node->inputs[0]].dtype, &s);
    if (!inputs_host(node, ts, node->n_inputs) || !outputs_host_begin(node, ts)) return TRT_OK;
    int64_t off = 0;
    for (int j = 0; j < node->n_inputs; j++) {
        const trt_tensor *in = &ts[node->inputs[j]];
        xmap m;
        slab_map(&m, &in->shape, &s, ax, off, 1);
        xmap_host(&m, trt_tensor_host(in), out->hostbuf, trt_dtype_size(in->dtype));
        off += in->shape.d[ax];
    }
    return TRT_OK;
}

static trt_status concat_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_tensor *ts = trt_exec_tensors(ex);
    trt_dims s;
    int ax;
    TRT_TRY(concat_shape(node, ts, &s, &ax));
    int64_t off = 0;
    for (int j = 0; j < node->n_inputs; j++) {
        const trt_tensor *in = &ts[node->inputs[j]];
        xmap m;
        slab_map(&m, &in->shape, &s, ax, off, 1);
        TRT_TRY(xmap_launch(ex, rt->kernels[0], node->inputs[j], node->outputs[0], m));
        off += in->shape.d[ax];
    }
    return TRT_OK;
}

/* ---------------------------------------------------------------- Split */

typedef struct {
    int32_t axis;
    int32_t num_outputs; /* opset 18 attribute; 0 when absent */
    int32_t n_split;     /* opset < 13 'split' attribute; -1 when absent */
    int64_t split[TRT_MAX_NODE_OUTPUTS];
} split_params;
_Static_assert(sizeof(split_params) <= TRT_MAX_PARAMS, "split_params too large");

static trt_status split_import(trt_node *node, const trt_attrs *a) {
    split_params *p = TRT_PARAMS(node, split_params);
    int opset = trt_attrs_opset(a);
    TRT_TRY(trt_op_check_io(node, 1, opset >= 13 ? 2 : 1, 1, TRT_MAX_NODE_OUTPUTS));
    p->axis = (int32_t)trt_attrs_int(a, "axis", 0);
    p->num_outputs = (int32_t)trt_attrs_int(a, "num_outputs", 0);
    p->n_split = opset < 13 ? trt_attrs_ints(a, "split", p->split, TRT_MAX_NODE_OUTPUTS) : -1;
    if (p->num_outputs && p->num_outputs != node->n_outputs)
        return trt__error(TRT_ERR_PARSE,
                          "node '%s' (Split): num_outputs is %d but the node has %d outputs",
                          node->name, p->num_outputs, node->n_outputs);
    if (p->n_split >= 0 && p->n_split != node->n_outputs)
        return trt__error(TRT_ERR_PARSE,
                          "node '%s' (Split): 'split' has %d entries but the node has %d outputs",
                          node->name, p->n_split, node->n_outputs);
    return TRT_OK;
}

static trt_status split_sizes(const trt_node *node, const trt_tensor *ts, int *axis,
                              int64_t *sizes) {
    const split_params *p = TRT_CPARAMS(node, split_params);
    const trt_dims *in = &ts[node->inputs[0]].shape;
    int ax = trt_axis_norm(p->axis, in->nb_dims), no = node->n_outputs;
    if (ax < 0) return shape_err(node, "axis is out of range", in);
    int64_t d = in->d[ax];
    if (has_input(node, 1) || p->n_split >= 0) {
        int n = p->n_split;
        if (has_input(node, 1))
            TRT_TRY(read_ints(node, ts, 1, "split input", sizes, TRT_MAX_NODE_OUTPUTS, &n));
        else
            memcpy(sizes, p->split, sizeof(int64_t) * (size_t)n);
        int64_t sum = 0;
        for (int i = 0; i < n; i++) {
            if (sizes[i] < 0) return shape_err(node, "a split size is negative", in);
            sum += sizes[i];
        }
        if (n != no || sum != d)
            return shape_err(node, "the split sizes do not match the outputs and the axis", in);
    } else if (p->num_outputs) {
        int64_t chunk = (d + no - 1) / no;
        for (int i = 0; i < no; i++) {
            int64_t left = d - chunk * i;
            sizes[i] = left < 0 ? 0 : left < chunk ? left : chunk;
        }
    } else {
        if (d % no) return shape_err(node, "the axis does not divide evenly into the outputs", in);
        for (int i = 0; i < no; i++) sizes[i] = d / no;
    }
    *axis = ax;
    return TRT_OK;
}

static trt_status split_infer(const trt_node *node, trt_tensor *ts) {
    int ax;
    int64_t sizes[TRT_MAX_NODE_OUTPUTS];
    TRT_TRY(split_sizes(node, ts, &ax, sizes));
    const trt_tensor *in = &ts[node->inputs[0]];
    for (int o = 0; o < node->n_outputs; o++) {
        trt_dims s = in->shape;
        s.d[ax] = sizes[o];
        set_out(&ts[node->outputs[o]], in->dtype, &s);
    }
    if (!inputs_host(node, ts, 1) || !outputs_host_begin(node, ts)) return TRT_OK;
    int64_t off = 0;
    for (int o = 0; o < node->n_outputs; o++) {
        trt_tensor *out = &ts[node->outputs[o]];
        xmap m;
        slab_map(&m, &out->shape, &in->shape, ax, off, 0);
        xmap_host(&m, trt_tensor_host(in), out->hostbuf, trt_dtype_size(in->dtype));
        off += sizes[o];
    }
    return TRT_OK;
}

static trt_status split_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_tensor *ts = trt_exec_tensors(ex);
    int ax;
    int64_t sizes[TRT_MAX_NODE_OUTPUTS];
    TRT_TRY(split_sizes(node, ts, &ax, sizes));
    int64_t off = 0;
    for (int o = 0; o < node->n_outputs; o++) {
        xmap m;
        slab_map(&m, &ts[node->outputs[o]].shape, &ts[node->inputs[0]].shape, ax, off, 0);
        TRT_TRY(xmap_launch(ex, rt->kernels[0], node->inputs[0], node->outputs[o], m));
        off += sizes[o];
    }
    return TRT_OK;
}

/* ---------------------------------------------------------------- Gather */

static trt_status gather_import(trt_node *node, const trt_attrs *a) {
    TRT_TRY(trt_op_check_io(node, 2, 2, 1, 1));
    TRT_PARAMS(node, axis_params)->axis = (int32_t)trt_attrs_int(a, "axis", 0);
    return TRT_OK;
}

/* Data viewed as [outer, axis_dim, inner]; indices as nidx values. */
typedef struct {
    int64_t outer, axis_dim, inner, nidx;
} gather_dims;

static trt_status gather_shape(const trt_node *node, const trt_tensor *ts, trt_dims *out,
                               gather_dims *g) {
    const trt_tensor *data = &ts[node->inputs[0]], *idx = &ts[node->inputs[1]];
    const trt_dims *in = &data->shape;
    int ax = trt_axis_norm(TRT_CPARAMS(node, axis_params)->axis, in->nb_dims);
    if (ax < 0) return shape_err(node, "axis is out of range", in);
    if (idx->dtype != TRT_DTYPE_INT64 && idx->dtype != TRT_DTYPE_INT32)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "node '%s' (Gather): indices of type %s; int64 or int32 expected",
                          node->name, trt_dtype_name(idx->dtype));
    int r = in->nb_dims - 1 + idx->shape.nb_dims;
    if (r > MAXD) return shape_err(node, "the result would have more than 8 dimensions", in);
    memset(out, 0, sizeof *out);
    for (int k = 0; k < ax; k++) out->d[out->nb_dims++] = in->d[k];
    for (int k = 0; k < idx->shape.nb_dims; k++) out->d[out->nb_dims++] = idx->shape.d[k];
    for (int k = ax + 1; k < in->nb_dims; k++) out->d[out->nb_dims++] = in->d[k];
    g->outer = dims_prod(in, 0, ax);
    g->axis_dim = in->d[ax];
    g->inner = dims_prod(in, ax + 1, in->nb_dims);
    g->nidx = trt_dims_volume(&idx->shape);
    return TRT_OK;
}

static trt_status gather_infer(const trt_node *node, trt_tensor *ts) {
    trt_dims s;
    gather_dims g;
    TRT_TRY(gather_shape(node, ts, &s, &g));
    const trt_tensor *data = &ts[node->inputs[0]], *idx = &ts[node->inputs[1]];
    trt_tensor *out = &ts[node->outputs[0]];
    set_out(out, data->dtype, &s);
    if (!inputs_host(node, ts, 2)) return TRT_OK;
    for (int64_t j = 0; j < g.nidx; j++) {
        int64_t x = trt_host_i64(idx, j);
        if (x < -g.axis_dim || x >= g.axis_dim)
            return trt__error(
                TRT_ERR_INVALID_ARG,
                "node '%s' (Gather): index %lld is out of range for an axis of size %lld",
                node->name, (long long)x, (long long)g.axis_dim);
    }
    if (!outputs_host_begin(node, ts)) return TRT_OK;
    size_t es = trt_dtype_size(data->dtype);
    const char *src = trt_tensor_host(data);
    char *dst = (char *)out->hostbuf;
    for (int64_t o = 0; o < g.outer; o++)
        for (int64_t j = 0; j < g.nidx; j++) {
            int64_t x = trt_host_i64(idx, j);
            if (x < 0) x += g.axis_dim;
            memcpy(dst + ((o * g.nidx + j) * g.inner) * (int64_t)es,
                   src + ((o * g.axis_dim + x) * g.inner) * (int64_t)es, (size_t)g.inner * es);
        }
    return TRT_OK;
}

static trt_status gather_prepare(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_tensor *ts = trt_exec_tensors(ex);
    char opts[64];
    snprintf(opts, sizeof opts, "-DT=%s -DIDX=%s", elem_cl_type(ts[node->inputs[0]].storage),
             ts[node->inputs[1]].dtype == TRT_DTYPE_INT32 ? "int" : "long");
    return trt_exec_kernel(ex, "shape.cl", opts, "gather", &rt->kernels[0]);
}

static trt_status gather_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_tensor *ts = trt_exec_tensors(ex);
    trt_dims s;
    gather_dims g;
    TRT_TRY(gather_shape(node, ts, &s, &g));
    cl_mem data = trt_exec_mem(ex, node->inputs[0]), idx = trt_exec_mem(ex, node->inputs[1]),
           dst = trt_exec_mem(ex, node->outputs[0]);
    cl_long n = trt_dims_volume(&s), nidx = g.nidx, axis_dim = g.axis_dim, inner = g.inner;
    if (n == 0) return TRT_OK;
    trt_karg args[] = {TRT_KARG(data), TRT_KARG(idx),      TRT_KARG(dst),  TRT_KARG(n),
                       TRT_KARG(nidx), TRT_KARG(axis_dim), TRT_KARG(inner)};
    size_t gws = (size_t)n, lws = LWS;
    return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, 7, args);
}

/* ---------------------------------------------------------------- Shape */

typedef struct {
    int64_t start, end;
    int32_t has_end;
} shape_params;
_Static_assert(sizeof(shape_params) <= TRT_MAX_PARAMS, "shape_params too large");

static trt_status shape_import(trt_node *node, const trt_attrs *a) {
    TRT_TRY(trt_op_check_io(node, 1, 1, 1, 1));
    shape_params *p = TRT_PARAMS(node, shape_params);
    p->start = trt_attrs_int(a, "start", 0);
    p->has_end = trt_attrs_has(a, "end");
    p->end = trt_attrs_int(a, "end", 0);
    return TRT_OK;
}

static trt_status shape_infer(const trt_node *node, trt_tensor *ts) {
    const shape_params *p = TRT_CPARAMS(node, shape_params);
    const trt_dims *in = &ts[node->inputs[0]].shape;
    int64_t r = in->nb_dims, b = p->start, e = p->has_end ? p->end : r;
    if (b < 0) b += r;
    if (e < 0) e += r;
    b = b < 0 ? 0 : b > r ? r : b;
    e = e < 0 ? 0 : e > r ? r : e;
    int64_t n = e > b ? e - b : 0;
    trt_tensor *out = &ts[node->outputs[0]];
    trt_dims s = trt_dims_make(1, &n);
    set_out(out, TRT_DTYPE_INT64, &s);
    if (!outputs_host_begin(node, ts))
        return trt__error(TRT_ERR_INTERNAL, "node '%s' (Shape): its output cannot hold host values",
                          node->name);
    for (int64_t i = 0; i < n; i++) trt_host_set_i64(out, i, in->d[b + i]);
    return TRT_OK;
}

/* ---------------------------------------------------------------- Cast */

typedef struct {
    int32_t to; /* trt_dtype */
} cast_params;
_Static_assert(sizeof(cast_params) <= TRT_MAX_PARAMS, "cast_params too large");

/* ONNX TensorProto.DataType -> trt_dtype, or -1. */
static int onnx_dtype(int64_t t) {
    switch (t) {
    case 1: return TRT_DTYPE_FLOAT32;
    case 2: return TRT_DTYPE_UINT8;
    case 3: return TRT_DTYPE_INT8;
    case 6: return TRT_DTYPE_INT32;
    case 7: return TRT_DTYPE_INT64;
    case 9: return TRT_DTYPE_BOOL;
    case 10: return TRT_DTYPE_FLOAT16;
    default: return -1;
    }
}

static const char *onnx_dtype_name(int64_t t) {
    static const char *const names[] = {
        "undefined",      "float",      "uint8",          "int8",       "uint16",   "int16",
        "int32",          "int64",      "string",         "bool",       "float16",  "double",
        "uint32",         "uint64",     "complex64",      "complex128", "bfloat16", "float8e4m3fn",
        "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "uint4",      "int4"};
    return t >= 0 && t < (int64_t)(sizeof names / sizeof *names) ? names[t] : "unknown";
}

static trt_status cast_import(trt_node *node, const trt_attrs *a) {
    TRT_TRY(trt_op_check_io(node, 1, 1, 1, 1));
    int64_t to = trt_attrs_int(a, "to", -1);
    int dt = onnx_dtype(to);
    if (dt < 0)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "node '%s' (Cast): cast to %s (to=%lld) is not supported; supported: "
                          "float, float16, int64, int32, int8, uint8, bool",
                          node->name, onnx_dtype_name(to), (long long)to);
    TRT_PARAMS(node, cast_params)->to = dt;
    return TRT_OK;
}

static trt_status cast_infer(const trt_node *node, trt_tensor *ts) {
    const trt_tensor *in = &ts[node->inputs[0]];
    trt_tensor *out = &ts[node->outputs[0]];
    set_out(out, (trt_dtype)TRT_CPARAMS(node, cast_params)->to, &in->shape);
    if (in->dtype == TRT_DTYPE_FLOAT16 || !inputs_host(node, ts, 1) ||
        !outputs_host_begin(node, ts))
        return TRT_OK;
    int64_t n = trt_dims_volume(&in->shape);
    for (int64_t i = 0; i < n; i++) {
        if (in->dtype == TRT_DTYPE_FLOAT32)
            trt_host_set_f64(out, i, trt_host_f64(in, i));
        else
            trt_host_set_i64(out, i, trt_host_i64(in, i));
    }
    return TRT_OK;
}

static const char *cast_store_type(trt_dtype t) {
    return t == TRT_DTYPE_FLOAT16 ? "ushort" : trt_dtype_cl_name(t);
}

static trt_status cast_prepare(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_tensor *ts = trt_exec_tensors(ex);
    /* Storage types: FP16 engines cast float32 between float32 and float16 storage. */
    trt_dtype a = ts[node->inputs[0]].storage, b = ts[node->outputs[0]].storage;
    if (a == b) return TRT_OK; /* a plain copy */
    char opts[128];
    snprintf(opts, sizeof opts, "-DTI=%s -DTO=%s -DSRC_HALF=%d -DDST_HALF=%d -DDST_BOOL=%d",
             cast_store_type(a), cast_store_type(b), a == TRT_DTYPE_FLOAT16, b == TRT_DTYPE_FLOAT16,
             b == TRT_DTYPE_BOOL);
    return trt_exec_kernel(ex, "shape.cl", opts, "cast", &rt->kernels[0]);
}

static trt_status cast_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    if (!rt->kernels[0]) return launch_alias(ex, node, rt);
    cl_mem src = trt_exec_mem(ex, node->inputs[0]), dst = trt_exec_mem(ex, node->outputs[0]);
    cl_long n = trt_dims_volume(&trt_exec_tensors(ex)[node->outputs[0]].shape);
    trt_karg args[] = {TRT_KARG(src), TRT_KARG(dst), TRT_KARG(n)};
    size_t gws = (size_t)n, lws = LWS;
    return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, 3, args);
}

/* ---------------------------------------------------------------- ConstantOfShape */

typedef struct {
    int32_t dtype;
    uint8_t value[8]; /* one element of dtype, little-endian */
} cos_params;
_Static_assert(sizeof(cos_params) <= TRT_MAX_PARAMS, "cos_params too large");

static trt_status cos_import(trt_node *node, const trt_attrs *a) {
    TRT_TRY(trt_op_check_io(node, 1, 1, 1, 1));
    cos_params *p = TRT_PARAMS(node, cos_params);
    trt_dtype dt;
    trt_dims dims;
    const void *data;
    if (!trt_attrs_has(a, "value")) {
        p->dtype = TRT_DTYPE_FLOAT32; /* value 0 */
        return TRT_OK;
    }
    TRT_TRY(trt_attrs_tensor(a, "value", &dt, &dims, &data));
    if (trt_dims_volume(&dims) != 1)
        return trt__error(TRT_ERR_PARSE,
                          "node '%s' (ConstantOfShape): 'value' must hold one element", node->name);
    p->dtype = dt;
    memcpy(p->value, data, trt_dtype_size(dt));
    return TRT_OK;
}

static trt_status cos_infer(const trt_node *node, trt_tensor *ts) {
    const cos_params *p = TRT_CPARAMS(node, cos_params);
    int64_t v[MAXD];
    int n;
    TRT_TRY(read_ints(node, ts, 0, "shape input", v, MAXD, &n));
    for (int i = 0; i < n; i++)
        if (v[i] < 0)
            return shape_err(node, "the requested shape has a negative dimension",
                             &ts[node->inputs[0]].shape);
    trt_dims s = trt_dims_make(n, v);
    trt_tensor *out = &ts[node->outputs[0]];
    set_out(out, (trt_dtype)p->dtype, &s);
    if (outputs_host_begin(node, ts)) {
        size_t es = trt_dtype_size(out->dtype);
        for (int64_t i = 0; i < trt_dims_volume(&s); i++)
            memcpy((char *)out->hostbuf + i * (int64_t)es, p->value, es);
    }
    return TRT_OK;
}

static trt_status fill_prepare(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    char opts[64];
    snprintf(opts, sizeof opts, "-DT=%s",
             elem_cl_type(trt_exec_tensors(ex)[node->outputs[0]].dtype));
    return trt_exec_kernel(ex, "shape.cl", opts, "fill", &rt->kernels[0]);
}

static trt_status cos_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const cos_params *p = TRT_CPARAMS(node, cos_params);
    const trt_tensor *out = &trt_exec_tensors(ex)[node->outputs[0]];
    cl_mem dst = trt_exec_mem(ex, node->outputs[0]);
    cl_long n = trt_dims_volume(&out->shape);
    trt_karg args[] = {TRT_KARG(dst), TRT_KARG(n), {trt_dtype_size(out->dtype), p->value}};
    size_t gws = (size_t)n, lws = LWS;
    return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, 3, args);
}

/* ---------------------------------------------------------------- Range */

static trt_status range_import(trt_node *node, const trt_attrs *a) {
    (void)a;
    return trt_op_check_io(node, 3, 3, 1, 1);
}

static trt_status range_count(const trt_node *node, const trt_tensor *ts, int64_t *count) {
    static const char *const what[3] = {"start input", "limit input", "delta input"};
    const trt_tensor *t[3];
    for (int i = 0; i < 3; i++) {
        t[i] = &ts[node->inputs[i]];
        if (!trt_tensor_host(t[i])) return err_device_value(node, what[i]);
        if (trt_dims_volume(&t[i]->shape) != 1 || t[i]->dtype != t[0]->dtype)
            return shape_err(node, "start, limit and delta must be scalars of one type",
                             &t[0]->shape);
    }
    trt_dtype dt = t[0]->dtype;
    if (dt != TRT_DTYPE_FLOAT32 && dt != TRT_DTYPE_INT32 && dt != TRT_DTYPE_INT64)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "node '%s' (Range): type %s; float, int32 or int64 expected", node->name,
                          trt_dtype_name(dt));
    double n;
    if (dt == TRT_DTYPE_FLOAT32) {
        float d = (float)trt_host_f64(t[2], 0);
        if (d == 0.0f) return shape_err(node, "delta is 0", &t[0]->shape);
        n = ceil((double)((float)trt_host_f64(t[1], 0) - (float)trt_host_f64(t[0], 0)) / d);
    } else {
        int64_t d = trt_host_i64(t[2], 0);
        if (d == 0) return shape_err(node, "delta is 0", &t[0]->shape);
        n = ceil((double)(trt_host_i64(t[1], 0) - trt_host_i64(t[0], 0)) / (double)d);
    }
    *count = n > 0 ? (int64_t)n : 0;
    return TRT_OK;
}

static trt_status range_infer(const trt_node *node, trt_tensor *ts) {
    int64_t n;
    TRT_TRY(range_count(node, ts, &n));
    const trt_tensor *start = &ts[node->inputs[0]], *delta = &ts[node->inputs[2]];
    trt_tensor *out = &ts[node->outputs[0]];
    trt_dims s = trt_dims_make(1, &n);
    set_out(out, start->dtype, &s);
    if (!outputs_host_begin(node, ts)) return TRT_OK;
    /* Accumulated as onnxruntime does (value += delta), not start + i * delta. */
    if (out->dtype == TRT_DTYPE_FLOAT32) {
        float v = (float)trt_host_f64(start, 0), d = (float)trt_host_f64(delta, 0);
        for (int64_t i = 0; i < n; i++, v += d) trt_host_set_f64(out, i, v);
    } else {
        int64_t v = trt_host_i64(start, 0), d = trt_host_i64(delta, 0);
        for (int64_t i = 0; i < n; i++, v += d) trt_host_set_i64(out, i, v);
    }
    return TRT_OK;
}

static trt_status range_prepare(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    char opts[64];
    snprintf(opts, sizeof opts, "-DT=%s",
             trt_dtype_cl_name(trt_exec_tensors(ex)[node->outputs[0]].dtype));
    return trt_exec_kernel(ex, "shape.cl", opts, "range", &rt->kernels[0]);
}

static trt_status range_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_tensor *ts = trt_exec_tensors(ex);
    const trt_tensor *out = &ts[node->outputs[0]];
    cl_mem dst = trt_exec_mem(ex, node->outputs[0]);
    cl_long n = trt_dims_volume(&out->shape);
    size_t es = trt_dtype_size(out->dtype);
    trt_karg args[] = {TRT_KARG(dst),
                       TRT_KARG(n),
                       {es, trt_tensor_host(&ts[node->inputs[0]])},
                       {es, trt_tensor_host(&ts[node->inputs[2]])}};
    size_t gws = (size_t)n, lws = LWS;
    return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, 4, args);
}

/* ---------------------------------------------------------------- table */

const trt_op_impl trt_op_impl_FLATTEN = {"Flatten", flatten_import, flatten_infer, NULL,
                                         launch_alias};
const trt_op_impl trt_op_impl_RESHAPE = {"Reshape", reshape_import, reshape_infer, NULL,
                                         launch_alias};
const trt_op_impl trt_op_impl_TRANSPOSE = {"Transpose", transpose_import, transpose_infer,
                                           prepare_copy, transpose_launch};
const trt_op_impl trt_op_impl_CONCAT = {"Concat", concat_import, concat_infer, prepare_copy,
                                        concat_launch};
const trt_op_impl trt_op_impl_SPLIT = {"Split", split_import, split_infer, prepare_copy,
                                       split_launch};
const trt_op_impl trt_op_impl_SLICE = {"Slice", slice_import, slice_infer, prepare_copy,
                                       slice_launch};
const trt_op_impl trt_op_impl_SQUEEZE = {"Squeeze", axes_import, squeeze_infer, NULL, launch_alias};
const trt_op_impl trt_op_impl_UNSQUEEZE = {"Unsqueeze", axes_import, unsqueeze_infer, NULL,
                                           launch_alias};
const trt_op_impl trt_op_impl_GATHER = {"Gather", gather_import, gather_infer, gather_prepare,
                                        gather_launch};
const trt_op_impl trt_op_impl_SHAPE = {"Shape", shape_import, shape_infer, NULL, NULL};
const trt_op_impl trt_op_impl_CAST = {"Cast", cast_import, cast_infer, cast_prepare, cast_launch};
const trt_op_impl trt_op_impl_CONSTANT_OF_SHAPE = {"ConstantOfShape", cos_import, cos_infer,
                                                   fill_prepare, cos_launch};
const trt_op_impl trt_op_impl_IDENTITY = {"Identity", one_in_one_out, identity_infer, NULL,
                                          launch_alias};
const trt_op_impl trt_op_impl_EXPAND = {"Expand", expand_import, expand_infer, prepare_copy,
                                        expand_launch};
const trt_op_impl trt_op_impl_RANGE = {"Range", range_import, range_infer, range_prepare,
                                       range_launch};
