/* eltwise.c — elementwise ops: unary activations and math, numpy-broadcast binary arithmetic
 * and comparisons, variadic Min/Max, Where. Kernels: kernels/eltwise.cl, one program per
 * (op, dtype) chosen by -DOP=OP_<NAME> -DT=<type>.
 *
 * Every op here is also evaluated on the host in infer() when all its inputs have host values
 * and the output is small: this folds shape arithmetic (Shape -> Gather -> Div -> Concat).
 *
 * Fused chains (passes/fusion.h, made by the eltwise fusion pass): a node whose params hold
 * a chain of n > 0 steps computes them all per element of its input 0 in one kernel,
 * eltwise_chain, whose program is chosen by the steps' op codes and operand kinds (-D), the
 * constants being kernel arguments: chains of one shape share a program.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ops/op.h"
#include "passes/fusion.h"

typedef struct {
    float alpha;        /* LeakyRelu (default 0.01), HardSigmoid (0.2) */
    float beta;         /* HardSigmoid (0.5) */
    float clip_min;     /* Clip before opset 11: the min/max attributes */
    float clip_max;
    int32_t clip_attrs; /* 1: Clip's bounds are clip_min/clip_max, not inputs 1 and 2 */
    trt_chain chain;    /* fused chain; n = 0 for an imported node */
} elt_params;
_Static_assert(sizeof(elt_params) <= TRT_MAX_PARAMS, "elt_params exceeds TRT_MAX_PARAMS");

enum { K_UNARY, K_CLIP, K_BINARY, K_VARIADIC, K_WHERE };
/* Buffer operands of a chain (kernel arguments b0..b3). */
enum { CHAIN_MAX_BUFFERS = 4 };
/* Element type classes an op accepts (INT: int64, int32, int8, uint8). */
enum { D_FLOAT = 1, D_INT = 2, D_BOOL = 4 };

typedef struct {
    trt_op op;
    const char *macro; /* -DOP= value, an OP_* of eltwise.cl */
    int kind;
    int dtypes;        /* of the data inputs (Where: X and Y) */
    int compare;       /* output is bool */
} elt_desc;

static const elt_desc descs[] = {
    {TRT_OP_RELU, "OP_RELU", K_UNARY, D_FLOAT | D_INT, 0},
    {TRT_OP_LEAKY_RELU, "OP_LEAKY_RELU", K_UNARY, D_FLOAT, 0},
    {TRT_OP_CLIP, "OP_CLIP", K_CLIP, D_FLOAT | D_INT, 0},
    {TRT_OP_SIGMOID, "OP_SIGMOID", K_UNARY, D_FLOAT, 0},
    {TRT_OP_HARD_SIGMOID, "OP_HARD_SIGMOID", K_UNARY, D_FLOAT, 0},
    {TRT_OP_HARD_SWISH, "OP_HARD_SWISH", K_UNARY, D_FLOAT, 0},
    {TRT_OP_TANH, "OP_TANH", K_UNARY, D_FLOAT, 0},
    {TRT_OP_ERF, "OP_ERF", K_UNARY, D_FLOAT, 0},
    {TRT_OP_EXP, "OP_EXP", K_UNARY, D_FLOAT, 0},
    {TRT_OP_LOG, "OP_LOG", K_UNARY, D_FLOAT, 0},
    {TRT_OP_SQRT, "OP_SQRT", K_UNARY, D_FLOAT, 0},
    {TRT_OP_NEG, "OP_NEG", K_UNARY, D_FLOAT | D_INT, 0},
    {TRT_OP_ABS, "OP_ABS", K_UNARY, D_FLOAT | D_INT, 0},
    {TRT_OP_RECIPROCAL, "OP_RECIPROCAL", K_UNARY, D_FLOAT, 0},
    {TRT_OP_FLOOR, "OP_FLOOR", K_UNARY, D_FLOAT, 0},
    {TRT_OP_CEIL, "OP_CEIL", K_UNARY, D_FLOAT, 0},
    {TRT_OP_ADD, "OP_ADD", K_BINARY, D_FLOAT | D_INT, 0},
    {TRT_OP_SUB, "OP_SUB", K_BINARY, D_FLOAT | D_INT, 0},
    {TRT_OP_MUL, "OP_MUL", K_BINARY, D_FLOAT | D_INT, 0},
    {TRT_OP_DIV, "OP_DIV", K_BINARY, D_FLOAT | D_INT, 0},
    {TRT_OP_POW, "OP_POW", K_BINARY, D_FLOAT | D_INT, 0},
    {TRT_OP_MIN, "OP_MIN", K_VARIADIC, D_FLOAT | D_INT, 0},
    {TRT_OP_MAX, "OP_MAX", K_VARIADIC, D_FLOAT | D_INT, 0},
    {TRT_OP_EQUAL, "OP_EQUAL", K_BINARY, D_FLOAT | D_INT | D_BOOL, 1},
    {TRT_OP_LESS, "OP_LESS", K_BINARY, D_FLOAT | D_INT, 1},
    {TRT_OP_GREATER, "OP_GREATER", K_BINARY, D_FLOAT | D_INT, 1},
    {TRT_OP_WHERE, "OP_WHERE", K_WHERE, D_FLOAT | D_INT | D_BOOL, 0},
};

static const elt_desc *desc_of(trt_op op) {
    for (size_t i = 0; i < sizeof descs / sizeof descs[0]; i++)
        if (descs[i].op == op) return &descs[i];
    return NULL;
}

static int dclass(trt_dtype t) {
    switch (t) {
    case TRT_DTYPE_FLOAT32: return D_FLOAT;
    case TRT_DTYPE_INT64:
    case TRT_DTYPE_INT32:
    case TRT_DTYPE_INT8:
    case TRT_DTYPE_UINT8: return D_INT;
    case TRT_DTYPE_BOOL: return D_BOOL;
    default: return 0;
    }
}

#define NODE_FMT "node '%s' (%s): "
#define NODE_ARGS(node) (node)->name, trt_op_name((node)->op)

/* ---------------------------------------------------------------- import */

static trt_status elt_import(trt_node *node, const trt_attrs *attrs) {
    const elt_desc *d = desc_of(node->op);
    if (!d) return trt__error(TRT_ERR_INTERNAL, NODE_FMT "not an eltwise op", NODE_ARGS(node));
    elt_params *p = TRT_PARAMS(node, elt_params);
    memset(p, 0, sizeof *p);
    switch (d->kind) {
    case K_UNARY: TRT_TRY(trt_op_check_io(node, 1, 1, 1, 1)); break;
    case K_BINARY: TRT_TRY(trt_op_check_io(node, 2, 2, 1, 1)); break;
    case K_VARIADIC: TRT_TRY(trt_op_check_io(node, 1, TRT_MAX_NODE_INPUTS, 1, 1)); break;
    case K_WHERE: TRT_TRY(trt_op_check_io(node, 3, 3, 1, 1)); break;
    case K_CLIP:
        if (trt_attrs_opset(attrs) < 11) {
            TRT_TRY(trt_op_check_io(node, 1, 1, 1, 1));
            p->clip_attrs = 1;
            p->clip_min = trt_attrs_float(attrs, "min", -FLT_MAX);
            p->clip_max = trt_attrs_float(attrs, "max", FLT_MAX);
        } else {
            TRT_TRY(trt_op_check_io(node, 1, 3, 1, 1));
        }
        break;
    }
    if (node->op == TRT_OP_LEAKY_RELU) p->alpha = trt_attrs_float(attrs, "alpha", 0.01f);
    if (node->op == TRT_OP_HARD_SIGMOID) {
        p->alpha = trt_attrs_float(attrs, "alpha", 0.2f);
        p->beta = trt_attrs_float(attrs, "beta", 0.5f);
    }
    return TRT_OK;
}

/* ---------------------------------------------------------------- host evaluation */

/* Flat index into `in` of element i of `out` under numpy broadcasting. */
static int64_t host_bcast(const trt_dims *out, const trt_dims *in, int64_t i) {
    int64_t off = 0, stride = 1;
    for (int k = out->nb_dims - 1; k >= 0; k--) {
        int64_t r = i % out->d[k];
        i /= out->d[k];
        int ik = k - (out->nb_dims - in->nb_dims);
        if (ik < 0) break;
        if (in->d[ik] != 1) off += r * stride;
        stride *= in->d[ik];
    }
    return off;
}

static double host_unary_f(trt_op op, const elt_params *p, double x) {
    switch (op) {
    case TRT_OP_RELU: return x > 0 ? x : 0;
    case TRT_OP_LEAKY_RELU: return x >= 0 ? x : (double)p->alpha * x;
    case TRT_OP_SIGMOID: return 1.0 / (1.0 + exp(-x));
    case TRT_OP_HARD_SIGMOID: return fmax(0.0, fmin(1.0, (double)p->alpha * x + p->beta));
    case TRT_OP_HARD_SWISH: return x * fmax(0.0, fmin(1.0, x / 6.0 + 0.5));
    case TRT_OP_TANH: return tanh(x);
    case TRT_OP_ERF: return erf(x);
    case TRT_OP_EXP: return exp(x);
    case TRT_OP_LOG: return log(x);
    case TRT_OP_SQRT: return sqrt(x);
    case TRT_OP_NEG: return -x;
    case TRT_OP_ABS: return fabs(x);
    case TRT_OP_RECIPROCAL: return 1.0 / x;
    case TRT_OP_FLOOR: return floor(x);
    case TRT_OP_CEIL: return ceil(x);
    default: return x;
    }
}

static int64_t host_unary_i(trt_op op, int64_t x) {
    switch (op) {
    case TRT_OP_RELU: return x > 0 ? x : 0;
    case TRT_OP_NEG: return (int64_t)(0 - (uint64_t)x);
    case TRT_OP_ABS: return x < 0 ? (int64_t)(0 - (uint64_t)x) : x;
    default: return x;
    }
}

static double host_binary_f(trt_op op, double a, double b) {
    switch (op) {
    case TRT_OP_ADD: return a + b;
    case TRT_OP_SUB: return a - b;
    case TRT_OP_MUL: return a * b;
    case TRT_OP_DIV: return a / b;
    case TRT_OP_POW: return pow(a, b);
    case TRT_OP_MIN: return (a < b || a != a) ? a : b;
    case TRT_OP_MAX: return (a > b || a != a) ? a : b;
    case TRT_OP_EQUAL: return a == b;
    case TRT_OP_LESS: return a < b;
    case TRT_OP_GREATER: return a > b;
    default: return a;
    }
}

static int64_t int_pow(int64_t a, int64_t e) {
    if (e < 0) return a == 1 ? 1 : a == -1 ? ((e & 1) ? -1 : 1) : 0;
    uint64_t r = 1, base = (uint64_t)a;
    for (; e; e >>= 1) {
        if (e & 1) r *= base;
        base *= base;
    }
    return (int64_t)r;
}

/* Integer arithmetic wraps (as on the device); Div truncates toward zero. */
static trt_status host_binary_i(const trt_node *node, int64_t a, int64_t b, int64_t *r) {
    uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
    switch (node->op) {
    case TRT_OP_ADD: *r = (int64_t)(ua + ub); break;
    case TRT_OP_SUB: *r = (int64_t)(ua - ub); break;
    case TRT_OP_MUL: *r = (int64_t)(ua * ub); break;
    case TRT_OP_DIV:
        if (b == 0)
            return trt__error(TRT_ERR_INVALID_ARG,
                              NODE_FMT "integer division by zero in values known at build time "
                              "(%lld / 0); check the model's shape arithmetic",
                              NODE_ARGS(node), (long long)a);
        *r = b == -1 ? (int64_t)(0 - ua) : a / b;
        break;
    case TRT_OP_POW: *r = int_pow(a, b); break;
    case TRT_OP_MIN: *r = a < b ? a : b; break;
    case TRT_OP_MAX: *r = a > b ? a : b; break;
    case TRT_OP_EQUAL: *r = a == b; break;
    case TRT_OP_LESS: *r = a < b; break;
    case TRT_OP_GREATER: *r = a > b; break;
    default: *r = a; break;
    }
    return TRT_OK;
}

/* Computes out's host values from the inputs' (all known). `x` is the tensor whose dtype
 * decides float or integer arithmetic. */
static trt_status host_eval(const trt_node *node, const elt_desc *d, trt_tensor *t,
                            const trt_tensor *x, trt_tensor *out) {
    const elt_params *p = TRT_CPARAMS(node, elt_params);
    int fl = x->dtype == TRT_DTYPE_FLOAT32;
    int64_t n = trt_dims_volume(&out->shape);
    const trt_tensor *lo = NULL, *hi = NULL; /* Clip's bound inputs */
    if (d->kind == K_CLIP && node->n_inputs > 1 && node->inputs[1] >= 0) lo = &t[node->inputs[1]];
    if (d->kind == K_CLIP && node->n_inputs > 2 && node->inputs[2] >= 0) hi = &t[node->inputs[2]];
    for (int64_t i = 0; i < n; i++) {
        if (d->kind == K_UNARY) {
            if (fl) trt_host_set_f64(out, i, host_unary_f(node->op, p, trt_host_f64(x, i)));
            else trt_host_set_i64(out, i, host_unary_i(node->op, trt_host_i64(x, i)));
        } else if (d->kind == K_CLIP) {
            if (fl) {
                double v = trt_host_f64(x, i);
                double l = p->clip_attrs ? p->clip_min : lo ? trt_host_f64(lo, 0) : -INFINITY;
                double h = p->clip_attrs ? p->clip_max : hi ? trt_host_f64(hi, 0) : INFINITY;
                trt_host_set_f64(out, i, v < l ? l : v > h ? h : v);
            } else {
                int64_t v = trt_host_i64(x, i);
                if (lo && v < trt_host_i64(lo, 0)) v = trt_host_i64(lo, 0);
                if (hi && v > trt_host_i64(hi, 0)) v = trt_host_i64(hi, 0);
                trt_host_set_i64(out, i, v);
            }
        } else if (d->kind == K_WHERE) {
            const trt_tensor *c = &t[node->inputs[0]], *a = &t[node->inputs[1]],
                             *b = &t[node->inputs[2]];
            const trt_tensor *pick =
                trt_host_i64(c, host_bcast(&out->shape, &c->shape, i)) ? a : b;
            int64_t j = host_bcast(&out->shape, &pick->shape, i);
            if (fl) trt_host_set_f64(out, i, trt_host_f64(pick, j));
            else trt_host_set_i64(out, i, trt_host_i64(pick, j));
        } else { /* binary and variadic: a left fold over the inputs */
            const trt_tensor *a = &t[node->inputs[0]];
            int64_t ja = host_bcast(&out->shape, &a->shape, i);
            double vf = fl ? trt_host_f64(a, ja) : 0.0;
            int64_t vi = fl ? 0 : trt_host_i64(a, ja);
            for (int k = 1; k < node->n_inputs; k++) {
                const trt_tensor *b = &t[node->inputs[k]];
                int64_t jb = host_bcast(&out->shape, &b->shape, i);
                if (fl) vf = host_binary_f(node->op, vf, trt_host_f64(b, jb));
                else if (b->dtype == TRT_DTYPE_FLOAT32) /* Pow: integer base, float exponent */
                    vi = (int64_t)pow((double)vi, trt_host_f64(b, jb));
                else TRT_TRY(host_binary_i(node, vi, trt_host_i64(b, jb), &vi));
            }
            if (fl && !d->compare) trt_host_set_f64(out, i, vf);
            else trt_host_set_i64(out, i, fl ? (int64_t)vf : vi);
        }
    }
    return TRT_OK;
}

/* ---------------------------------------------------------------- infer */

static trt_status check_dtype(const trt_node *node, const elt_desc *d, const trt_tensor *x) {
    if (dclass(x->dtype) & d->dtypes) return TRT_OK;
    return trt__error(TRT_ERR_UNSUPPORTED,
                      NODE_FMT "input '%s' is %s; this op supports %s%s%s here",
                      NODE_ARGS(node), x->name, trt_dtype_name(x->dtype),
                      d->dtypes & D_FLOAT ? "float32" : "",
                      d->dtypes & D_INT ? ", int64, int32, int8, uint8" : "",
                      d->dtypes & D_BOOL ? ", bool" : "");
}

static trt_status same_dtype(const trt_node *node, const trt_tensor *a, const trt_tensor *b) {
    if (a->dtype == b->dtype) return TRT_OK;
    return trt__error(TRT_ERR_PARSE, NODE_FMT "inputs '%s' (%s) and '%s' (%s) must have one dtype",
                      NODE_ARGS(node), a->name, trt_dtype_name(a->dtype), b->name,
                      trt_dtype_name(b->dtype));
}

static trt_status chain_infer(const trt_node *node, trt_tensor *t);

static trt_status elt_infer(const trt_node *node, trt_tensor *t) {
    const elt_desc *d = desc_of(node->op);
    if (!d) return trt__error(TRT_ERR_INTERNAL, NODE_FMT "not an eltwise op", NODE_ARGS(node));
    if (TRT_CPARAMS(node, elt_params)->chain.n) return chain_infer(node, t);
    int first = d->kind == K_WHERE ? 1 : 0; /* the input that sets the dtype */
    const trt_tensor *x = &t[node->inputs[first]];
    trt_tensor *out = &t[node->outputs[0]];
    TRT_TRY(check_dtype(node, d, x));
    if (d->kind == K_CLIP && TRT_CPARAMS(node, elt_params)->clip_attrs &&
        x->dtype != TRT_DTYPE_FLOAT32)
        return trt__error(TRT_ERR_UNSUPPORTED, NODE_FMT "Clip before opset 11 takes float32 only",
                          NODE_ARGS(node));
    trt_dims shape = x->shape;
    int all_host = 1;
    for (int k = 0; k < node->n_inputs; k++) {
        if (node->inputs[k] < 0) continue;
        const trt_tensor *in = &t[node->inputs[k]];
        if (!trt_tensor_host(in)) all_host = 0;
        if (d->kind == K_CLIP) {
            if (k == 0) continue;
            TRT_TRY(same_dtype(node, x, in));
            if (trt_dims_volume(&in->shape) != 1)
                return trt__error(TRT_ERR_SHAPE,
                                  NODE_FMT "bound '%s' must hold one value, it has %lld",
                                  NODE_ARGS(node), in->name,
                                  (long long)trt_dims_volume(&in->shape));
            continue;
        }
        if (d->kind == K_UNARY) continue;
        if (d->kind == K_WHERE && k == 0) {
            if (in->dtype != TRT_DTYPE_BOOL)
                return trt__error(TRT_ERR_PARSE, NODE_FMT "condition '%s' is %s, must be bool",
                                  NODE_ARGS(node), in->name, trt_dtype_name(in->dtype));
        } else if (node->op == TRT_OP_POW && k == 1) {
            if (!(dclass(in->dtype) & (D_FLOAT | D_INT)))
                return trt__error(TRT_ERR_UNSUPPORTED,
                                  NODE_FMT "exponent '%s' is %s; supported: float32, int64, "
                                  "int32, int8, uint8",
                                  NODE_ARGS(node), in->name, trt_dtype_name(in->dtype));
        } else if (k != first) {
            TRT_TRY(same_dtype(node, x, in));
        }
        TRT_TRY(trt_dims_broadcast(&shape, &in->shape, &shape));
    }
    out->dtype = d->compare ? TRT_DTYPE_BOOL : x->dtype;
    out->storage = out->dtype;
    out->shape = shape;
    if (all_host && trt_host_begin(out)) {
        trt_status s = host_eval(node, d, t, x, out);
        if (s != TRT_OK) out->has_host = 0;
        return s;
    }
    return TRT_OK;
}

/* ---------------------------------------------------------------- device */

static int is_int(trt_dtype dt) { return dclass(dt) == D_INT; }

/* A float constant (op parameter, chain operand) is fit for half arithmetic: 0, or a float16
 * normal number (2^-14 <= |c| <= 65504, rounded with at most 2^-11 relative error; smaller
 * ones lose precision as subnormals, larger ones become infinity, and a mask constant of -1e9
 * times 0 would give NaN where float gives 0). `inf_ok`: Clip's absent bounds are infinite. */
static int half_const_ok(float c, int inf_ok) {
    float a = fabsf(c);
    return c == 0.0f || (a >= 0x1p-14f && a <= 65504.0f) || (inf_ok && isinf(c));
}

static trt_status chain_prepare(trt_exec *ex, const trt_node *node, trt_node_rt *rt);
static trt_status chain_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt);

static trt_status elt_prepare(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const elt_desc *d = desc_of(node->op);
    const elt_params *p = TRT_CPARAMS(node, elt_params);
    if (p->chain.n) return chain_prepare(ex, node, rt);
    const trt_tensor *t = trt_exec_tensors(ex);
    trt_dtype dt = t[node->inputs[d->kind == K_WHERE ? 1 : 0]].dtype;
    char opts[160];
    int o = snprintf(opts, sizeof opts, "-DT=%s -DT_INT=%d -DOP=%s", trt_dtype_cl_name(dt),
                     is_int(dt), d->macro);
    if (node->op == TRT_OP_POW) {
        trt_dtype e = t[node->inputs[1]].dtype;
        o += snprintf(opts + o, sizeof opts - (size_t)o, " -DTB=%s -DTB_INT=%d",
                      trt_dtype_cl_name(e), is_int(e));
    }
    /* Half arithmetic where the op's buffers are float16 (the unary and binary ops the
     * precision pass makes half: one operation per element, so float16 arithmetic rounds
     * like float arithmetic followed by the float16 store; eltwise.cl keeps the
     * transcendental ones in float), unless a parameter is no float16 normal number. */
    const trt_tensor *y = &t[node->outputs[0]];
    int half_ok = (node->op != TRT_OP_LEAKY_RELU || half_const_ok(p->alpha, 0)) &&
                  (node->op != TRT_OP_HARD_SIGMOID ||
                   (half_const_ok(p->alpha, 0) && half_const_ok(p->beta, 0)));
    snprintf(opts + o, sizeof opts - (size_t)o, "%s%s", trt_tensor_storage_opts(y),
             half_ok ? trt_exec_half_math_opts(ex, y) : "");
    switch (d->kind) {
    case K_UNARY: return trt_exec_kernel(ex, "eltwise.cl", opts, "eltwise_unary", &rt->kernels[0]);
    case K_WHERE: return trt_exec_kernel(ex, "eltwise.cl", opts, "eltwise_where", &rt->kernels[0]);
    case K_CLIP:
        if (p->clip_attrs) {
            /* The attribute bounds live in the node's scratch buffer: [min, max]. */
            float b[2] = {p->clip_min, p->clip_max};
            cl_int err;
            rt->scratch = clCreateBuffer(trt_exec_cl_context(ex),
                                         CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof b, b,
                                         &err);
            if (err != CL_SUCCESS)
                return trt__error(TRT_ERR_OPENCL,
                                  NODE_FMT "creating the bounds buffer failed (OpenCL error %d)",
                                  NODE_ARGS(node), (int)err);
        }
        return trt_exec_kernel(ex, "eltwise.cl", opts, "eltwise_clip", &rt->kernels[0]);
    default:
        if (node->n_inputs < 2) return TRT_OK; /* Min/Max of one input: a copy */
        TRT_TRY(trt_exec_kernel(ex, "eltwise.cl", opts, "eltwise_binary_flat", &rt->kernels[0]));
        return trt_exec_kernel(ex, "eltwise.cl", opts, "eltwise_binary", &rt->kernels[1]);
    }
}

/* A broadcast launch: the output shape collapsed (dimensions of 1 dropped, neighbours merged
 * where every input broadcasts alike), right-aligned into 8 slots with per-input strides. */
enum { BCAST_MAX_IN = 4 };
typedef struct {
    cl_int rank;
    cl_int8 dims;
    cl_int8 strides[BCAST_MAX_IN];
} bcast_plan;

static trt_status plan_bcast(const trt_node *node, const trt_dims *out, const trt_dims *const *in,
                             int n_in, bcast_plan *pl) {
    if (trt_dims_volume(out) > INT_MAX) goto too_big;
    int64_t cd[TRT_MAX_DIMS];
    int bc[TRT_MAX_DIMS][BCAST_MAX_IN];
    int m = 0;
    for (int k = 0; k < out->nb_dims; k++) {
        if (out->d[k] == 1) continue;
        int cur[BCAST_MAX_IN] = {0};
        for (int j = 0; j < n_in; j++) {
            int ik = k - (out->nb_dims - in[j]->nb_dims);
            cur[j] = ik < 0 || in[j]->d[ik] == 1;
        }
        if (m > 0 && memcmp(cur, bc[m - 1], sizeof cur) == 0) {
            cd[m - 1] *= out->d[k];
        } else {
            cd[m] = out->d[k];
            memcpy(bc[m], cur, sizeof cur);
            m++;
        }
    }
    memset(pl, 0, sizeof *pl);
    for (int s = 0; s < 8; s++) pl->dims.s[s] = 1;
    pl->rank = m;
    int64_t acc[BCAST_MAX_IN] = {1, 1, 1, 1};
    for (int i = m - 1; i >= 0; i--) {
        int s = 8 - m + i;
        if (cd[i] > INT_MAX) goto too_big;
        pl->dims.s[s] = (cl_int)cd[i];
        for (int j = 0; j < n_in; j++) {
            if (bc[i][j]) continue;
            if (acc[j] > INT_MAX) goto too_big;
            pl->strides[j].s[s] = (cl_int)acc[j];
            acc[j] *= cd[i];
        }
    }
    return TRT_OK;
too_big:
    return trt__error(TRT_ERR_UNSUPPORTED,
                      NODE_FMT "broadcasting over 2^31 elements or more is not supported",
                      NODE_ARGS(node));
}

static trt_status launch_binary(trt_exec *ex, const trt_node *node, trt_node_rt *rt, int a, int b,
                                cl_long n) {
    trt_tensor *t = trt_exec_tensors(ex);
    int y = node->outputs[0];
    cl_mem ma = trt_exec_mem(ex, a), mb = trt_exec_mem(ex, b), my = trt_exec_mem(ex, y);
    size_t gws = (size_t)n, lws = 64;
    if (trt_dims_volume(&t[a].shape) == n && trt_dims_volume(&t[b].shape) == n) {
        trt_karg args[] = {TRT_KARG(ma), TRT_KARG(mb), TRT_KARG(my), TRT_KARG(n)};
        return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, 4, args);
    }
    const trt_dims *in[2] = {&t[a].shape, &t[b].shape};
    bcast_plan pl;
    TRT_TRY(plan_bcast(node, &t[y].shape, in, 2, &pl));
    trt_karg args[] = {TRT_KARG(ma),      TRT_KARG(mb),      TRT_KARG(my),
                       TRT_KARG(n),       TRT_KARG(pl.rank), TRT_KARG(pl.dims),
                       TRT_KARG(pl.strides[0]), TRT_KARG(pl.strides[1])};
    return trt_exec_launch(ex, rt->kernels[1], 1, &gws, &lws, 8, args);
}

static trt_status elt_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const elt_desc *d = desc_of(node->op);
    const elt_params *p = TRT_CPARAMS(node, elt_params);
    if (p->chain.n) return chain_launch(ex, node, rt);
    trt_tensor *t = trt_exec_tensors(ex);
    int y = node->outputs[0];
    cl_long n = trt_dims_volume(&t[y].shape);
    size_t gws = (size_t)n, lws = 64;
    cl_mem my = trt_exec_mem(ex, y);
    switch (d->kind) {
    case K_UNARY: {
        cl_mem mx = trt_exec_mem(ex, node->inputs[0]);
        float p0 = p->alpha, p1 = p->beta;
        trt_karg args[] = {TRT_KARG(mx), TRT_KARG(my), TRT_KARG(n), TRT_KARG(p0), TRT_KARG(p1)};
        return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, 5, args);
    }
    case K_CLIP: {
        cl_mem mx = trt_exec_mem(ex, node->inputs[0]);
        int li = node->n_inputs > 1 ? node->inputs[1] : -1;
        int hi = node->n_inputs > 2 ? node->inputs[2] : -1;
        cl_mem mlo = p->clip_attrs ? rt->scratch : li >= 0 ? trt_exec_mem(ex, li) : mx;
        cl_mem mhi = p->clip_attrs ? rt->scratch : hi >= 0 ? trt_exec_mem(ex, hi) : mx;
        cl_int lo_at = p->clip_attrs ? 0 : li >= 0 ? 0 : -1;
        cl_int hi_at = p->clip_attrs ? 1 : hi >= 0 ? 0 : -1;
        trt_karg args[] = {TRT_KARG(mx),  TRT_KARG(my),    TRT_KARG(n),    TRT_KARG(mlo),
                           TRT_KARG(mhi), TRT_KARG(lo_at), TRT_KARG(hi_at)};
        return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, 7, args);
    }
    case K_WHERE: {
        int c = node->inputs[0], a = node->inputs[1], b = node->inputs[2];
        const trt_dims *in[3] = {&t[c].shape, &t[a].shape, &t[b].shape};
        bcast_plan pl;
        TRT_TRY(plan_bcast(node, &t[y].shape, in, 3, &pl));
        cl_mem mc = trt_exec_mem(ex, c), ma = trt_exec_mem(ex, a), mb = trt_exec_mem(ex, b);
        trt_karg args[] = {TRT_KARG(mc),      TRT_KARG(ma),      TRT_KARG(mb),
                           TRT_KARG(my),      TRT_KARG(n),       TRT_KARG(pl.rank),
                           TRT_KARG(pl.dims), TRT_KARG(pl.strides[0]), TRT_KARG(pl.strides[1]),
                           TRT_KARG(pl.strides[2])};
        return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, 10, args);
    }
    default:
        if (node->n_inputs == 1)
            return trt_exec_copy(ex, y, 0, node->inputs[0], 0, (size_t)trt_tensor_bytes(&t[y]));
        /* Min/Max of N inputs fold left in place: y = op(x0, x1), then y = op(y, xk). Each
         * step reads and writes y at the same element, so no step overwrites its input. */
        TRT_TRY(launch_binary(ex, node, rt, node->inputs[0], node->inputs[1], n));
        for (int k = 2; k < node->n_inputs; k++)
            TRT_TRY(launch_binary(ex, node, rt, y, node->inputs[k], n));
        return TRT_OK;
    }
}

/* ---------------------------------------------------------------- fused chains */

trt_chain *trt__eltwise_chain(trt_node *node) { return &TRT_PARAMS(node, elt_params)->chain; }

static int is_f32_node(const trt_graph *g, const trt_node *node) {
    const elt_desc *d = desc_of(node->op);
    return d && !node->is_host && node->n_outputs == 1 && node->n_inputs >= 1 &&
           node->inputs[0] >= 0 && g->tensors[node->inputs[0]].dtype == TRT_DTYPE_FLOAT32 &&
           TRT_CPARAMS(node, elt_params)->chain.n == 0;
}

/* A Clip bound: absent (the infinity `def`), or a float constant of one value. */
static int clip_bound(const trt_graph *g, const trt_node *node, int k, float def, float *out) {
    int t = node->n_inputs > k ? node->inputs[k] : -1;
    *out = def;
    if (t < 0) return 1;
    const trt_tensor *b = &g->tensors[t];
    if (!(b->flags & TRT_TENSOR_CONST) || !b->data || b->dtype != TRT_DTYPE_FLOAT32 ||
        trt_dims_volume(&b->shape) != 1)
        return 0;
    *out = *(const float *)b->data;
    return 1;
}

int trt__eltwise_unary_step(const trt_graph *g, const trt_node *node, trt_chain_step *step) {
    if (!is_f32_node(g, node)) return 0;
    const elt_desc *d = desc_of(node->op);
    const elt_params *p = TRT_CPARAMS(node, elt_params);
    memset(step, 0, sizeof *step);
    step->op = node->op;
    step->operand = TRT_CHAIN_NONE;
    if (d->kind == K_UNARY) {
        step->c0 = p->alpha;
        step->c1 = p->beta;
        return 1;
    }
    if (d->kind != K_CLIP) return 0;
    if (p->clip_attrs) {
        step->c0 = p->clip_min;
        step->c1 = p->clip_max;
        return 1;
    }
    return clip_bound(g, node, 1, -INFINITY, &step->c0) &&
           clip_bound(g, node, 2, INFINITY, &step->c1);
}

int trt__eltwise_is_binary(const trt_graph *g, const trt_node *node) {
    if (!is_f32_node(g, node) || node->n_inputs != 2 || node->inputs[1] < 0) return 0;
    const elt_desc *d = desc_of(node->op);
    return (d->kind == K_BINARY || d->kind == K_VARIADIC) && !d->compare &&
           g->tensors[node->inputs[1]].dtype == TRT_DTYPE_FLOAT32;
}

static int chain_step_valid(const trt_node *node, const trt_chain_step *st) {
    const elt_desc *d = desc_of((trt_op)st->op);
    if (!d || d->compare || d->kind == K_WHERE) return 0;
    if (d->kind == K_UNARY || d->kind == K_CLIP) return st->operand == TRT_CHAIN_NONE;
    return st->operand == TRT_CHAIN_IMM || st->operand == TRT_CHAIN_X ||
           (st->operand >= 1 && st->operand < node->n_inputs && node->inputs[st->operand] >= 0);
}

/* Output of x's shape and dtype; each operand broadcasts into it. */
static trt_status chain_infer(const trt_node *node, trt_tensor *t) {
    const trt_chain *c = &TRT_CPARAMS(node, elt_params)->chain;
    const trt_tensor *x = &t[node->inputs[0]];
    int valid = c->n > 0 && c->n <= TRT_CHAIN_MAX && node->n_inputs <= 1 + CHAIN_MAX_BUFFERS;
    for (int k = 0; valid && k < c->n; k++) valid = chain_step_valid(node, &c->step[k]);
    if (!valid)
        return trt__error(TRT_ERR_INVALID_ARG, NODE_FMT "invalid fused chain; rebuild the engine",
                          NODE_ARGS(node));
    for (int k = 0; k < node->n_inputs; k++) {
        const trt_tensor *in = &t[node->inputs[k]];
        if (in->dtype != TRT_DTYPE_FLOAT32)
            return trt__error(TRT_ERR_UNSUPPORTED,
                              NODE_FMT "fused chain input '%s' is %s, not float32",
                              NODE_ARGS(node), in->name, trt_dtype_name(in->dtype));
        trt_dims b;
        if (k && (trt_dims_broadcast(&x->shape, &in->shape, &b) != TRT_OK ||
                  !trt_dims_equal(&b, &x->shape))) {
            char sa[128], sb[128];
            return trt__error(TRT_ERR_SHAPE,
                              NODE_FMT "fused chain operand '%s' (%s) does not broadcast into the "
                              "input's shape %s; the fusion needs it to at every shape of the "
                              "profile",
                              NODE_ARGS(node), in->name, trt_dims_str(&in->shape, sa, sizeof sa),
                              trt_dims_str(&x->shape, sb, sizeof sb));
        }
    }
    trt_tensor *y = &t[node->outputs[0]];
    y->dtype = y->storage = TRT_DTYPE_FLOAT32;
    y->shape = x->shape;
    return TRT_OK;
}

/* Operand kinds as eltwise.cl's chain kernel reads them (SK<k>). */
static int chain_kind(const trt_chain_step *st) {
    switch (st->operand) {
    case TRT_CHAIN_NONE: return 0;
    case TRT_CHAIN_IMM: return 1;
    case TRT_CHAIN_X: return 2;
    default: return 2 + st->operand; /* buffer b<operand - 1> */
    }
}

/* Whether a chain may compute in float16 (HALF_MATH): its input and output are float16
 * already, but its intermediate values are not, and float16 arithmetic rounds each step
 * (at most 2^-11 relative each; FP16 accuracy bound of tests/models: rel L2 1e-2) and
 * overflows past 65504. So every constant must be fit for float16, and no step but the
 * last may be one that can leave float16's range from in-range values where a later step
 * would bring a float result back: Exp (past x = 11.1), Pow, Reciprocal and Div by a value
 * that is not a constant (by numbers near 0). Multiplying two values over 256 can still
 * overflow where float would not; the chains the fusion pass builds from networks
 * (activations, GELU, scale and shift) keep far from that. */
static int chain_half_ok(const trt_chain *c) {
    for (int k = 0; k < c->n; k++) {
        const trt_chain_step *st = &c->step[k];
        int last = k == c->n - 1;
        switch ((trt_op)st->op) {
        case TRT_OP_EXP:
        case TRT_OP_POW:
        case TRT_OP_RECIPROCAL:
            if (!last) return 0;
            break;
        case TRT_OP_DIV:
            if (!last && (st->operand != TRT_CHAIN_IMM || st->swap)) return 0;
            break;
        case TRT_OP_LEAKY_RELU:
            if (!half_const_ok(st->c0, 0)) return 0;
            break;
        case TRT_OP_HARD_SIGMOID:
            if (!half_const_ok(st->c0, 0) || !half_const_ok(st->c1, 0)) return 0;
            break;
        case TRT_OP_CLIP:
            if (!half_const_ok(st->c0, 1) || !half_const_ok(st->c1, 1)) return 0;
            break;
        default: break;
        }
        if (st->operand == TRT_CHAIN_IMM && !half_const_ok(st->c0, 0)) return 0;
    }
    return 1;
}

static trt_status chain_prepare(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_chain *c = &TRT_CPARAMS(node, elt_params)->chain;
    char opts[640];
    int o = snprintf(opts, sizeof opts, "-DT=float -DT_INT=0 -DOP=OP_CHAIN -DNSTEP=%d", c->n);
    for (int k = 0; k < c->n && o < (int)sizeof opts; k++) {
        const trt_chain_step *st = &c->step[k];
        o += snprintf(opts + o, sizeof opts - (size_t)o, " -DSOP%d=%s -DSK%d=%d -DSS%d=%d", k,
                      desc_of((trt_op)st->op)->macro, k, chain_kind(st), k, st->swap != 0);
    }
    const trt_tensor *y = &trt_exec_tensors(ex)[node->outputs[0]];
    if (o < (int)sizeof opts)
        snprintf(opts + o, sizeof opts - (size_t)o, "%s%s", trt_tensor_storage_opts(y),
                 chain_half_ok(c) ? trt_exec_half_math_opts(ex, y) : "");
    return trt_exec_kernel(ex, "eltwise.cl", opts, "eltwise_chain", &rt->kernels[0]);
}

static trt_status chain_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_chain *c = &TRT_CPARAMS(node, elt_params)->chain;
    trt_tensor *t = trt_exec_tensors(ex);
    int y = node->outputs[0];
    cl_long n = trt_dims_volume(&t[y].shape);
    cl_mem mx = trt_exec_mem(ex, node->inputs[0]), my = trt_exec_mem(ex, y);
    cl_float8 c0, c1;
    memset(&c0, 0, sizeof c0);
    memset(&c1, 0, sizeof c1);
    for (int k = 0; k < c->n; k++) {
        c0.s[k] = c->step[k].c0;
        c1.s[k] = c->step[k].c1;
    }
    /* Operands b0..b3 = inputs 1..4; absent ones get x (never read). */
    const trt_dims *shapes[BCAST_MAX_IN];
    cl_mem mb[CHAIN_MAX_BUFFERS];
    cl_int flat[CHAIN_MAX_BUFFERS];
    int nb = node->n_inputs - 1;
    for (int j = 0; j < CHAIN_MAX_BUFFERS; j++) {
        int ti = j < nb ? node->inputs[1 + j] : node->inputs[0];
        shapes[j] = &t[ti].shape;
        mb[j] = trt_exec_mem(ex, ti);
        flat[j] = trt_dims_volume(&t[ti].shape) == n;
    }
    bcast_plan pl;
    TRT_TRY(plan_bcast(node, &t[y].shape, shapes, CHAIN_MAX_BUFFERS, &pl));
    trt_karg args[] = {TRT_KARG(mx),     TRT_KARG(my),          TRT_KARG(n),
                       TRT_KARG(c0),     TRT_KARG(c1),          TRT_KARG(pl.rank),
                       TRT_KARG(pl.dims), TRT_KARG(mb[0]),      TRT_KARG(pl.strides[0]),
                       TRT_KARG(flat[0]), TRT_KARG(mb[1]),      TRT_KARG(pl.strides[1]),
                       TRT_KARG(flat[1]), TRT_KARG(mb[2]),      TRT_KARG(pl.strides[2]),
                       TRT_KARG(flat[2]), TRT_KARG(mb[3]),      TRT_KARG(pl.strides[3]),
                       TRT_KARG(flat[3])};
    size_t gws = (size_t)n, lws = 64;
    return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, (int)(sizeof args / sizeof args[0]),
                           args);
}

#define ELT(id, name)                                                                      \
    const trt_op_impl trt_op_impl_##id = {name, elt_import, elt_infer, elt_prepare, elt_launch};
ELT(RELU, "Relu")
ELT(LEAKY_RELU, "LeakyRelu")
ELT(CLIP, "Clip")
ELT(SIGMOID, "Sigmoid")
ELT(HARD_SIGMOID, "HardSigmoid")
ELT(HARD_SWISH, "HardSwish")
ELT(TANH, "Tanh")
ELT(ERF, "Erf")
ELT(EXP, "Exp")
ELT(LOG, "Log")
ELT(SQRT, "Sqrt")
ELT(NEG, "Neg")
ELT(ABS, "Abs")
ELT(RECIPROCAL, "Reciprocal")
ELT(FLOOR, "Floor")
ELT(CEIL, "Ceil")
ELT(ADD, "Add")
ELT(SUB, "Sub")
ELT(MUL, "Mul")
ELT(DIV, "Div")
ELT(POW, "Pow")
ELT(MIN, "Min")
ELT(MAX, "Max")
ELT(EQUAL, "Equal")
ELT(LESS, "Less")
ELT(GREATER, "Greater")
ELT(WHERE, "Where")
