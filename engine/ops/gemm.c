/* gemm.c — Gemm and MatMul on the kernels of kernels/gemm.cl.
 *
 * Both ops become one strided, batched product (see the banner of gemm.cl): transposes,
 * 1-D operands and broadcast batch dimensions are strides, never copies.
 *
 * Tactics (node->tactic):
 *   0 GEMM_TACTIC_AUTO    portable default, chosen per launch from the current shapes and the
 *                         device kind, with default parameters: gemm_simple for contiguous dot
 *                         products (transB) or fewer than 8 columns; else gemm_vec on CPUs,
 *                         gemm_tiled on other devices (gemm_simple below 16 rows or columns)
 *   1 GEMM_TACTIC_TILED   gemm_tiled; tactic_params[0..4] = TILE_M, TILE_N, TILE_K, WPT_M,
 *                         WPT_N (0 = the default below)
 *   2 GEMM_TACTIC_SIMPLE  gemm_simple
 *   3 GEMM_TACTIC_VEC     gemm_vec; tactic_params[0] = VM (0 = the default below)
 *   4 GEMM_TACTIC_TENSOR_CORE  tc_gemm of kernels/tc_gemm.cl (FP16 A and B on NVIDIA tensor
 *                         cores); tactic_params[0..4] = the tile (ops/tc.h). Offered where the
 *                         device probe found the PTX features, A and B have float16 storage, A
 *                         is not transposed, K is a multiple of 8, and B is transposed or N is
 *                         a multiple of 8 (16-byte rows for cp.async). A launch whose shapes
 *                         break that (a dynamic K) runs gemm_simple instead, and says so once.
 *
 * Fused epilogue (passes/fusion.h): an activation after the product, and for MatMul an
 * optional third input, a bias of N values (or one) added as Gemm adds C.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/op.h"
#include "ops/tc.h"
#include "passes/fusion.h"

typedef struct {
    trt_gemm_attrs at; /* alpha, beta, transA, transB (passes/fusion.h: BN folding edits it) */
    trt_epilogue epi;  /* fused activation (residual unused); zero from import */
} gemm_params;
_Static_assert(sizeof(gemm_params) <= TRT_MAX_PARAMS, "gemm_params exceeds TRT_MAX_PARAMS");

enum {
    GEMM_TACTIC_AUTO = 0,
    GEMM_TACTIC_TILED = 1,
    GEMM_TACTIC_SIMPLE = 2,
    GEMM_TACTIC_VEC = 3,
    GEMM_TACTIC_TENSOR_CORE = 4,
};
enum { KERNEL_TILED = 0, KERNEL_SIMPLE = 1, KERNEL_VEC = 2, KERNEL_TC = 3, KERNEL_TC_PERSIST = 4 };

/* Default tile configuration (kept equal to the #ifndef defaults of gemm.cl, but always
 * passed explicitly so that launch and program agree). */
enum { DEF_TILE_M = 32, DEF_TILE_N = 32, DEF_TILE_K = 16, DEF_WPT_M = 4, DEF_WPT_N = 4 };
enum { DEF_VM = 8 };
/* Work-groups of gemm_simple and gemm_vec along n. */
enum { SIMPLE_WG = 32, VEC_WG = 8 };

/* Kernel parameters of a node: its tactic's, defaults elsewhere and under AUTO. */
typedef struct {
    int tile_m, tile_n, tile_k, wpt_m, wpt_n, vm;
} kernel_cfg;

static kernel_cfg cfg_of(const trt_node *node) {
    kernel_cfg c = {DEF_TILE_M, DEF_TILE_N, DEF_TILE_K, DEF_WPT_M, DEF_WPT_N, DEF_VM};
    const int32_t *p = node->tactic_params;
    if (node->tactic == GEMM_TACTIC_TILED) {
        int *f[5] = {&c.tile_m, &c.tile_n, &c.tile_k, &c.wpt_m, &c.wpt_n};
        for (int i = 0; i < 5; i++)
            if (p[i]) *f[i] = p[i];
    }
    if (node->tactic == GEMM_TACTIC_VEC && p[0]) c.vm = p[0];
    return c;
}

/* Per-context state (rt->extra). */
typedef struct {
    int is_cpu;
    trt_tc_tile tile; /* GEMM_TACTIC_TENSOR_CORE */
    trt_tc_ws ws;     /* its split-K workspace (rt->scratch) */
    int b_kmajor;     /* ... compiled for B as [N][K] (1) or [K][N] (0) */
    int told;         /* ... the fallback to gemm_simple was logged */
    char tc_opts[256]; /* ... trt__tc_options */
} gemm_rt;

/* One batched product; see gemm.cl for the meaning of every field. */
typedef struct {
    int M, N, K;
    float alpha, beta;
    trt_epilogue epi;
    int a, b, c, y; /* tensor indices; c = -1: no addend */
    cl_int a_sm, a_sk, b_sk, b_sn, c_sm, c_sn, y_sm;
    cl_int8 bdims, a_bs, b_bs, c_bs, y_bs;
    size_t batch;
} gemm_desc;

static trt_status check_float(const trt_node *node, const trt_tensor *t, const char *what) {
    if (t->dtype != TRT_DTYPE_FLOAT32)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "node '%s' (%s): %s '%s' is %s; only float32 is supported", node->name,
                          trt_op_name(node->op), what, t->name, trt_dtype_name(t->dtype));
    return TRT_OK;
}

/* ---------------------------------------------------------------- import / infer */

static trt_status gemm_import(trt_node *node, const trt_attrs *attrs) {
    TRT_TRY(trt_op_check_io(node, 2, 3, 1, 1));
    gemm_params *p = TRT_PARAMS(node, gemm_params);
    p->at.alpha = trt_attrs_float(attrs, "alpha", 1.0f);
    p->at.beta = trt_attrs_float(attrs, "beta", 1.0f);
    p->at.trans_a = trt_attrs_int(attrs, "transA", 0) != 0;
    p->at.trans_b = trt_attrs_int(attrs, "transB", 0) != 0;
    return TRT_OK;
}

trt_epilogue *trt__gemm_epilogue(trt_node *node) { return &TRT_PARAMS(node, gemm_params)->epi; }
trt_gemm_attrs *trt__gemm_attrs(trt_node *node) { return &TRT_PARAMS(node, gemm_params)->at; }

static trt_status check_epilogue(const trt_node *node) {
    const trt_epilogue *e = &TRT_CPARAMS(node, gemm_params)->epi;
    if (e->act >= 0 && e->act < TRT_ACT_COUNT_ && !e->residual) return TRT_OK;
    return trt__error(TRT_ERR_INVALID_ARG,
                      "node '%s' (%s): invalid fused epilogue (activation %d, residual input "
                      "%d); rebuild the engine",
                      node->name, trt_op_name(node->op), e->act, e->residual);
}

static trt_status matmul_import(trt_node *node, const trt_attrs *attrs) {
    (void)attrs;
    return trt_op_check_io(node, 2, 2, 1, 1);
}

static trt_status gemm_infer(const trt_node *node, trt_tensor *t) {
    const gemm_params *p = TRT_CPARAMS(node, gemm_params);
    const trt_tensor *a = &t[node->inputs[0]], *b = &t[node->inputs[1]];
    const trt_tensor *c = node->n_inputs > 2 && node->inputs[2] >= 0 ? &t[node->inputs[2]] : NULL;
    TRT_TRY(check_float(node, a, "input A"));
    TRT_TRY(check_float(node, b, "input B"));
    if (c) TRT_TRY(check_float(node, c, "input C"));
    TRT_TRY(check_epilogue(node));
    char sa[128], sb[128];
    if (a->shape.nb_dims != 2 || b->shape.nb_dims != 2)
        return trt__error(TRT_ERR_SHAPE, "node '%s' (Gemm): A (%s) and B (%s) must be matrices",
                          node->name, trt_dims_str(&a->shape, sa, sizeof sa),
                          trt_dims_str(&b->shape, sb, sizeof sb));
    int64_t mn[2] = {a->shape.d[p->at.trans_a], b->shape.d[!p->at.trans_b]};
    int64_t ka = a->shape.d[!p->at.trans_a], kb = b->shape.d[p->at.trans_b];
    if (ka != kb)
        return trt__error(TRT_ERR_SHAPE,
                          "node '%s' (Gemm): A is %s (transA=%d) and B is %s (transB=%d): inner "
                          "dimensions %lld and %lld differ",
                          node->name, trt_dims_str(&a->shape, sa, sizeof sa), p->at.trans_a,
                          trt_dims_str(&b->shape, sb, sizeof sb), p->at.trans_b, (long long)ka,
                          (long long)kb);
    if (c) {
        /* Unidirectional broadcast of C to (M, N). */
        int ok = c->shape.nb_dims <= 2;
        for (int i = 0; ok && i < c->shape.nb_dims; i++) {
            int64_t d = c->shape.d[c->shape.nb_dims - 1 - i];
            ok = d == 1 || d == mn[1 - i];
        }
        if (!ok)
            return trt__error(TRT_ERR_SHAPE,
                              "node '%s' (Gemm): C (%s) cannot be broadcast to the product's "
                              "shape %lldx%lld",
                              node->name, trt_dims_str(&c->shape, sa, sizeof sa),
                              (long long)mn[0], (long long)mn[1]);
    }
    trt_tensor *y = &t[node->outputs[0]];
    y->dtype = a->dtype;
    y->shape = trt_dims_make(2, mn);
    return TRT_OK;
}

/* MatMul with numpy semantics: a 1-D A is a row (1, K), a 1-D B a column (K, 1), and the
 * added dimension is dropped from the result; leading dimensions broadcast. */
typedef struct {
    int64_t M, N, K;
    trt_dims batch; /* broadcast batch dimensions (rank 0 when none) */
    trt_dims out;
} matmul_geom;

static trt_status matmul_geom_of(const trt_node *node, const trt_dims *a, const trt_dims *b,
                                 matmul_geom *g) {
    char sa[128], sb[128];
    int ra = a->nb_dims, rb = b->nb_dims;
    if (ra < 1 || rb < 1)
        return trt__error(TRT_ERR_SHAPE,
                          "node '%s' (MatMul): operands %s and %s must have rank >= 1", node->name,
                          trt_dims_str(a, sa, sizeof sa), trt_dims_str(b, sb, sizeof sb));
    g->M = ra == 1 ? 1 : a->d[ra - 2];
    g->K = a->d[ra - 1];
    int64_t kb = rb == 1 ? b->d[0] : b->d[rb - 2];
    g->N = rb == 1 ? 1 : b->d[rb - 1];
    if (g->K != kb)
        return trt__error(TRT_ERR_SHAPE,
                          "node '%s' (MatMul): %s x %s: inner dimensions %lld and %lld differ",
                          node->name, trt_dims_str(a, sa, sizeof sa),
                          trt_dims_str(b, sb, sizeof sb), (long long)g->K, (long long)kb);
    trt_dims ba = {ra > 2 ? ra - 2 : 0, {0}}, bb = {rb > 2 ? rb - 2 : 0, {0}};
    for (int i = 0; i < ba.nb_dims; i++) ba.d[i] = a->d[i];
    for (int i = 0; i < bb.nb_dims; i++) bb.d[i] = b->d[i];
    trt_status s = trt_dims_broadcast(&ba, &bb, &g->batch);
    if (s != TRT_OK)
        return trt__error_prefix(s, "node '%s' (MatMul): batch dimensions of %s and %s",
                                 node->name, trt_dims_str(a, sa, sizeof sa),
                                 trt_dims_str(b, sb, sizeof sb));
    g->out = g->batch;
    if (ra > 1) g->out.d[g->out.nb_dims++] = g->M;
    if (rb > 1) g->out.d[g->out.nb_dims++] = g->N;
    return TRT_OK;
}

static trt_status matmul_infer(const trt_node *node, trt_tensor *t) {
    const trt_tensor *a = &t[node->inputs[0]], *b = &t[node->inputs[1]];
    TRT_TRY(check_float(node, a, "input A"));
    TRT_TRY(check_float(node, b, "input B"));
    TRT_TRY(check_epilogue(node));
    matmul_geom g;
    TRT_TRY(matmul_geom_of(node, &a->shape, &b->shape, &g));
    if (node->n_inputs > 2) {
        /* The fused bias: N values (or one) along the last dimension. */
        const trt_tensor *c = &t[node->inputs[2]];
        TRT_TRY(check_float(node, c, "fused bias"));
        int64_t v = trt_dims_volume(&c->shape);
        int r = c->shape.nb_dims;
        if (!(v == 1 || (v == g.N && c->shape.d[r - 1] == g.N)) ||
            r > (g.out.nb_dims ? g.out.nb_dims : 1)) {
            char sc[128];
            return trt__error(TRT_ERR_SHAPE,
                              "node '%s' (MatMul): the fused bias '%s' is %s; expected %lld "
                              "values along the last dimension",
                              node->name, c->name, trt_dims_str(&c->shape, sc, sizeof sc),
                              (long long)g.N);
        }
    }
    trt_tensor *y = &t[node->outputs[0]];
    y->dtype = a->dtype;
    y->shape = g.out;
    return TRT_OK;
}

/* ---------------------------------------------------------------- prepare / launch */

/* Whether B is read as [N][K] rows (Gemm with transB) rather than [K][N]. */
static int b_is_kmajor(const trt_node *node) {
    return node->op == TRT_OP_GEMM && TRT_CPARAMS(node, gemm_params)->at.trans_b;
}

/* The parts of the tensor-core requirements that hold for the node at every shape: float16
 * A and B, A not transposed, a B matrix (not a MatMul vector). */
static int tc_node_ok(const trt_node *node, const trt_tensor *t) {
    const trt_tensor *a = &t[node->inputs[0]], *b = &t[node->inputs[1]];
    if (a->storage != TRT_DTYPE_FLOAT16 || b->storage != TRT_DTYPE_FLOAT16) return 0;
    if (node->op == TRT_OP_GEMM) return !TRT_CPARAMS(node, gemm_params)->at.trans_a;
    return b->shape.nb_dims >= 2;
}

static trt_status tc_prepare(trt_exec *ex, const trt_node *node, gemm_rt *gr, trt_node_rt *rt,
                             const char *fallback_opts) {
    const trt_tensor *t = trt_exec_tensors(ex);
    if (!trt__tc_available(trt_exec_caps(ex)) || !tc_node_ok(node, t))
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (%s): the engine chose the tensor-core kernel, which this "
                          "device or these operands cannot run (it needs NVIDIA mma.sync, "
                          "ldmatrix and cp.async, float16 A and B, A not transposed); rebuild "
                          "the engine on this device",
                          node->name, trt_op_name(node->op));
    gr->b_kmajor = b_is_kmajor(node);
    TRT_TRY(trt__tc_tile_of(node, trt_exec_caps(ex), gr->b_kmajor, &gr->tile));
    const int ci = node->n_inputs > 2 ? node->inputs[2] : -1;
    trt__tc_options(gr->tc_opts, sizeof gr->tc_opts, &gr->tile, gr->b_kmajor,
                    t[node->outputs[0]].storage == TRT_DTYPE_FLOAT16,
                    ci < 0 || t[ci].storage == TRT_DTYPE_FLOAT16);
    /* The product's rows, columns and batches at the current shapes, read off the output:
     * whether a launch there runs several tiles per work-group (a TC_PERSIST build too, made
     * now, as conv_tc.c does). A launch at other shapes makes what it lacks. */
    const trt_dims *ys = &t[node->outputs[0]].shape;
    const int64_t vol = trt_dims_volume(ys);
    const int64_t n = ys->nb_dims >= 1 ? ys->d[ys->nb_dims - 1] : 1;
    const int64_t m = ys->nb_dims >= 2 ? ys->d[ys->nb_dims - 2] : 1;
    const int64_t batches = m > 0 && n > 0 ? vol / (m * n) : 0;
    TRT_TRY(trt__tc_prepare_kernels(ex, rt, &gr->tile, gr->tc_opts, "tc_gemm", KERNEL_TC,
                                    KERNEL_TC_PERSIST, (size_t)m, (size_t)n,
                                    (size_t)(batches > 0 ? batches : 1)));
    /* For shapes the kernel cannot take (a dynamic K that is not a multiple of 8). */
    return trt_exec_kernel(ex, "gemm.cl", fallback_opts, "gemm_simple",
                           &rt->kernels[KERNEL_SIMPLE]);
}

static trt_status gemm_prepare(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    if (node->tactic < GEMM_TACTIC_AUTO || node->tactic > GEMM_TACTIC_TENSOR_CORE)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (%s): unknown tactic %d; rebuild the engine", node->name,
                          trt_op_name(node->op), node->tactic);
    const trt_tensor *y = &trt_exec_tensors(ex)[node->outputs[0]];
    kernel_cfg c = cfg_of(node);
    if (c.tile_m <= 0 || c.tile_n <= 0 || c.tile_k <= 0 || c.wpt_m <= 0 || c.wpt_n <= 0 ||
        c.tile_m % c.wpt_m || c.tile_n % c.wpt_n || c.vm <= 0 || c.vm > 32)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (%s): kernel parameters TILE_M=%d TILE_N=%d TILE_K=%d "
                          "WPT_M=%d WPT_N=%d VM=%d are invalid (WPT must divide TILE, VM at most "
                          "32); rebuild the engine",
                          node->name, trt_op_name(node->op), c.tile_m, c.tile_n, c.tile_k,
                          c.wpt_m, c.wpt_n, c.vm);
    gemm_rt *gr = calloc(1, sizeof *gr);
    if (!gr) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
    rt->extra = gr;
    cl_device_type type = 0;
    clGetDeviceInfo(trt_exec_cl_device(ex), CL_DEVICE_TYPE, sizeof type, &type, NULL);
    gr->is_cpu = (type & CL_DEVICE_TYPE_CPU) != 0;
    char opts[256];
    snprintf(opts, sizeof opts,
             "-DT=%s -DTILE_M=%d -DTILE_N=%d -DTILE_K=%d -DWPT_M=%d -DWPT_N=%d -DVM=%d%s",
             trt_dtype_cl_name(y->dtype), c.tile_m, c.tile_n, c.tile_k, c.wpt_m, c.wpt_n, c.vm,
             trt_tensor_storage_opts(y));
    if (node->tactic == GEMM_TACTIC_TENSOR_CORE) return tc_prepare(ex, node, gr, rt, opts);
    const int auto_ = node->tactic == GEMM_TACTIC_AUTO;
    /* AUTO may fall back to gemm_simple whatever the device. */
    if (auto_ || node->tactic == GEMM_TACTIC_SIMPLE)
        TRT_TRY(trt_exec_kernel(ex, "gemm.cl", opts, "gemm_simple", &rt->kernels[KERNEL_SIMPLE]));
    if (node->tactic == GEMM_TACTIC_VEC || (auto_ && gr->is_cpu))
        TRT_TRY(trt_exec_kernel(ex, "gemm.cl", opts, "gemm_vec", &rt->kernels[KERNEL_VEC]));
    if (!(node->tactic == GEMM_TACTIC_TILED || (auto_ && !gr->is_cpu))) return TRT_OK;
    TRT_TRY(trt_exec_kernel(ex, "gemm.cl", opts, "gemm_tiled", &rt->kernels[KERNEL_TILED]));
    /* The tile's work-group must fit this kernel on this device; AUTO can do without it. */
    size_t wg = 0, need = (size_t)(c.tile_m / c.wpt_m) * (size_t)(c.tile_n / c.wpt_n);
    cl_int err = clGetKernelWorkGroupInfo(rt->kernels[KERNEL_TILED], trt_exec_cl_device(ex),
                                          CL_KERNEL_WORK_GROUP_SIZE, sizeof wg, &wg, NULL);
    if (err != CL_SUCCESS || wg >= need) return TRT_OK;
    if (!auto_)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (%s): the tiled kernel needs work-groups of %zu but the "
                          "device allows %zu with TILE_M=%d TILE_N=%d WPT_M=%d WPT_N=%d; rebuild "
                          "the engine",
                          node->name, trt_op_name(node->op), need, wg, c.tile_m, c.tile_n,
                          c.wpt_m, c.wpt_n);
    clReleaseKernel(rt->kernels[KERNEL_TILED]);
    rt->kernels[KERNEL_TILED] = NULL;
    return TRT_OK;
}

/* Right-aligned strides of `d` (rank n) into the batch slots, 0 where the dimension is 1
 * (broadcast); `inner` is the size of one matrix. */
static cl_int8 batch_strides(const int64_t *d, int n, int64_t inner) {
    cl_int8 s;
    memset(&s, 0, sizeof s);
    int64_t st = inner;
    for (int i = n - 1; i >= 0; i--) {
        s.s[8 - n + i] = d[i] == 1 ? 0 : (cl_int)st;
        st *= d[i];
    }
    return s;
}

/* The kernel for this launch: the node's tactic, or AUTO's choice for these shapes. */
static int pick(const trt_node *node, const trt_node_rt *rt, const gemm_desc *d) {
    if (node->tactic == GEMM_TACTIC_TENSOR_CORE) return GEMM_TACTIC_SIMPLE; /* its fallback */
    if (node->tactic != GEMM_TACTIC_AUTO) return node->tactic;
    const gemm_rt *gr = rt->extra;
    /* Contiguous dot products (transB) and too few columns for float8 rows: gemm_simple. */
    if ((d->a_sk == 1 && d->b_sk == 1 && d->b_sn != 1) || d->N < 8) return GEMM_TACTIC_SIMPLE;
    if (gr->is_cpu) return GEMM_TACTIC_VEC;
    return rt->kernels[KERNEL_TILED] && d->M >= DEF_TILE_M / 2 && d->N >= DEF_TILE_N / 2
               ? GEMM_TACTIC_TILED
               : GEMM_TACTIC_SIMPLE;
}

/* Whether the tensor-core kernel takes this launch's strides (16-byte aligned rows and
 * batches, B as compiled, C a row of N values or one). */
static int tc_launch_ok(const gemm_rt *gr, const gemm_desc *d) {
    if (d->a_sk != 1 || d->a_sm % 8 || d->K % 8) return 0;
    if (gr->b_kmajor ? (d->b_sk != 1 || d->b_sn % 8) : (d->b_sn != 1 || d->b_sk % 8 || d->N % 8))
        return 0;
    for (int i = 0; i < 8; i++)
        if (d->a_bs.s[i] % 8 || d->b_bs.s[i] % 8) return 0;
    return d->c < 0 || d->c_sm == 0;
}

static trt_status run_tc(trt_exec *ex, const trt_node *node, trt_node_rt *rt, const gemm_desc *d) {
    gemm_rt *gr = rt->extra;
    cl_mem a = trt_exec_mem(ex, d->a), b = trt_exec_mem(ex, d->b), y = trt_exec_mem(ex, d->y);
    cl_mem bias = d->c >= 0 ? trt_exec_mem(ex, d->c) : y; /* never read when has_bias == 0 */
    cl_int M = d->M, N = d->N, K = d->K, has_bias = d->c >= 0, bias_sn = d->c_sn;
    cl_int lda = d->a_sm, ldb = gr->b_kmajor ? d->b_sn : d->b_sk, ldy = d->y_sm;
    cl_int has_res = 0, ldr = 0, act = d->epi.act;
    cl_float alpha = d->alpha, beta = d->beta, act_a = d->epi.alpha, act_b = d->epi.beta;
    trt_tc_launch l;
    TRT_TRY(trt__tc_launch_setup(ex, rt, &gr->ws, &gr->tile, (size_t)M, (size_t)N, d->batch, y,
                                 &l));
    const trt_karg args[] = {
        TRT_KARG(M),        TRT_KARG(N),      TRT_KARG(K),       TRT_KARG(alpha),
        TRT_KARG(a),        TRT_KARG(lda),    TRT_KARG(b),       TRT_KARG(ldb),
        TRT_KARG(bias),     TRT_KARG(has_bias), TRT_KARG(bias_sn), TRT_KARG(beta),
        TRT_KARG(y),        TRT_KARG(ldy),    TRT_KARG(y),       TRT_KARG(has_res),
        TRT_KARG(ldr),      TRT_KARG(act),    TRT_KARG(act_a),   TRT_KARG(act_b),
        TRT_KARG(d->bdims), TRT_KARG(d->a_bs), TRT_KARG(d->b_bs), TRT_KARG(d->y_bs),
        TRT_KARG(l.splits), TRT_KARG(l.ws),   TRT_KARG(l.ws_off),
    };
    (void)node;
    cl_kernel k;
    TRT_TRY(trt__tc_kernel(ex, rt, gr->tc_opts, "tc_gemm", KERNEL_TC, KERNEL_TC_PERSIST,
                           l.persist, &k));
    return trt_exec_launch(ex, k, 3, l.gws, l.lws,
                           (int)(sizeof args / sizeof args[0]), args);
}

static trt_status run(trt_exec *ex, const trt_node *node, trt_node_rt *rt, const gemm_desc *d) {
    kernel_cfg c = cfg_of(node);
    if (node->tactic == GEMM_TACTIC_TENSOR_CORE) {
        gemm_rt *gr = rt->extra;
        if (tc_launch_ok(gr, d)) return run_tc(ex, node, rt, d);
        if (!gr->told) {
            gr->told = 1;
            trt__log(TRT_LOG_WARNING,
                     "node '%s' (%s): %dx%dx%d cannot run on the tensor-core kernel chosen at "
                     "build time (K and the row strides must be multiples of 8); running the "
                     "portable kernel instead",
                     node->name, trt_op_name(node->op), d->M, d->N, d->K);
        }
    }
    cl_mem a = trt_exec_mem(ex, d->a), b = trt_exec_mem(ex, d->b), y = trt_exec_mem(ex, d->y);
    cl_mem cm = d->c >= 0 ? trt_exec_mem(ex, d->c) : y; /* never read when has_c == 0 */
    cl_int M = d->M, N = d->N, K = d->K, has_c = d->c >= 0;
    cl_float alpha = d->alpha, beta = d->beta, act_a = d->epi.alpha, act_b = d->epi.beta;
    cl_int act = d->epi.act;
    const trt_karg args[] = {
        TRT_KARG(M),       TRT_KARG(N),       TRT_KARG(K),       TRT_KARG(alpha),
        TRT_KARG(beta),    TRT_KARG(a),       TRT_KARG(d->a_sm), TRT_KARG(d->a_sk),
        TRT_KARG(b),       TRT_KARG(d->b_sk), TRT_KARG(d->b_sn), TRT_KARG(cm),
        TRT_KARG(d->c_sm), TRT_KARG(d->c_sn), TRT_KARG(has_c),   TRT_KARG(y),
        TRT_KARG(d->y_sm), TRT_KARG(d->bdims), TRT_KARG(d->a_bs), TRT_KARG(d->b_bs),
        TRT_KARG(d->c_bs), TRT_KARG(d->y_bs), TRT_KARG(act),     TRT_KARG(act_a),
        TRT_KARG(act_b),
    };
    const int n_args = (int)(sizeof args / sizeof args[0]);
    /* Fixed work-groups for gemm_simple and gemm_vec: PoCL compiles a kernel once per
     * work-group size. */
    switch (pick(node, rt, d)) {
    case GEMM_TACTIC_TILED: {
        size_t wg_n = (size_t)(c.tile_n / c.wpt_n), wg_m = (size_t)(c.tile_m / c.wpt_m);
        size_t gws[3] = {((size_t)N + c.tile_n - 1) / c.tile_n * wg_n,
                         ((size_t)M + c.tile_m - 1) / c.tile_m * wg_m, d->batch};
        size_t lws[3] = {wg_n, wg_m, 1};
        return trt_exec_launch(ex, rt->kernels[KERNEL_TILED], 3, gws, lws, n_args, args);
    }
    case GEMM_TACTIC_VEC: {
        size_t gws[3] = {((size_t)N + 7) / 8, ((size_t)M + c.vm - 1) / c.vm, d->batch};
        size_t lws[3] = {VEC_WG, 1, 1};
        return trt_exec_launch(ex, rt->kernels[KERNEL_VEC], 3, gws, lws, n_args, args);
    }
    default: {
        size_t gws[3] = {(size_t)N, (size_t)M, d->batch}, lws[3] = {SIMPLE_WG, 1, 1};
        return trt_exec_launch(ex, rt->kernels[KERNEL_SIMPLE], 3, gws, lws, n_args, args);
    }
    }
}

static void no_batch(gemm_desc *d) {
    for (int i = 0; i < 8; i++) {
        d->bdims.s[i] = 1;
        d->a_bs.s[i] = d->b_bs.s[i] = d->c_bs.s[i] = d->y_bs.s[i] = 0;
    }
    d->batch = 1;
}

static trt_status gemm_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const gemm_params *p = TRT_CPARAMS(node, gemm_params);
    const trt_tensor *t = trt_exec_tensors(ex);
    const trt_dims *as = &t[node->inputs[0]].shape, *bs = &t[node->inputs[1]].shape;
    int ci = node->n_inputs > 2 ? node->inputs[2] : -1;
    gemm_desc d;
    memset(&d, 0, sizeof d);
    no_batch(&d);
    d.M = (int)as->d[p->at.trans_a];
    d.K = (int)as->d[!p->at.trans_a];
    d.N = (int)bs->d[!p->at.trans_b];
    d.alpha = p->at.alpha;
    d.beta = p->at.beta;
    d.epi = p->epi;
    d.a = node->inputs[0];
    d.b = node->inputs[1];
    d.y = node->outputs[0];
    /* Row-major A is (M, K), or (K, M) when transposed; B likewise. */
    d.a_sm = p->at.trans_a ? 1 : d.K;
    d.a_sk = p->at.trans_a ? d.M : 1;
    d.b_sk = p->at.trans_b ? 1 : d.N;
    d.b_sn = p->at.trans_b ? d.K : 1;
    d.y_sm = d.N;
    d.c = -1;
    if (ci >= 0 && p->at.beta != 0.0f) {
        const trt_dims *cs = &t[ci].shape;
        int r = cs->nb_dims;
        int64_t cm = r == 2 ? cs->d[0] : 1, cn = r >= 1 ? cs->d[r - 1] : 1;
        d.c = ci;
        d.c_sm = cm == 1 ? 0 : (cl_int)cn;
        d.c_sn = cn == 1 ? 0 : 1;
    }
    return run(ex, node, rt, &d);
}

static trt_status matmul_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_tensor *t = trt_exec_tensors(ex);
    const trt_dims *as = &t[node->inputs[0]].shape, *bs = &t[node->inputs[1]].shape;
    matmul_geom g;
    TRT_TRY(matmul_geom_of(node, as, bs, &g));
    gemm_desc d;
    memset(&d, 0, sizeof d);
    no_batch(&d);
    d.M = (int)g.M;
    d.N = (int)g.N;
    d.K = (int)g.K;
    d.alpha = 1.0f;
    d.beta = 1.0f;
    d.epi = TRT_CPARAMS(node, gemm_params)->epi;
    d.a = node->inputs[0];
    d.b = node->inputs[1];
    d.c = -1;
    if (node->n_inputs > 2) {
        /* Fused bias: every row of every batch reads the same N (or 1) values. */
        d.c = node->inputs[2];
        d.c_sm = 0;
        d.c_sn = trt_dims_volume(&t[d.c].shape) == 1 ? 0 : 1;
    }
    d.y = node->outputs[0];
    d.a_sm = as->nb_dims == 1 ? 0 : d.K;
    d.a_sk = 1;
    d.b_sk = bs->nb_dims == 1 ? 1 : d.N;
    d.b_sn = bs->nb_dims == 1 ? 0 : 1;
    d.y_sm = d.N;
    int nb = g.batch.nb_dims;
    if (nb > 0) {
        /* Each operand's batch dimensions, right-aligned to the broadcast batch. */
        int64_t ad[TRT_MAX_DIMS], bd[TRT_MAX_DIMS];
        int na = as->nb_dims > 2 ? as->nb_dims - 2 : 0, nbb = bs->nb_dims > 2 ? bs->nb_dims - 2 : 0;
        for (int i = 0; i < nb; i++) {
            ad[i] = i - (nb - na) >= 0 ? as->d[i - (nb - na)] : 1;
            bd[i] = i - (nb - nbb) >= 0 ? bs->d[i - (nb - nbb)] : 1;
        }
        d.a_bs = batch_strides(ad, nb, g.M * g.K);
        d.b_bs = batch_strides(bd, nb, g.K * g.N);
        d.y_bs = batch_strides(g.batch.d, nb, g.M * g.N);
        for (int i = 0; i < nb; i++) d.bdims.s[8 - nb + i] = (cl_int)g.batch.d[i];
        d.batch = (size_t)trt_dims_volume(&g.batch);
    }
    return run(ex, node, rt, &d);
}

/* ---------------------------------------------------------------- tactics */

/* Concrete kernels for a product of M x N x K: gemm_simple (first for contiguous dot
 * products and skinny products, where it is AUTO's choice), gemm_vec with a few row
 * blocks, gemm_tiled with a few tiles where the product is at least half a tile each way.
 * All kernels are valid at every shape; the list only leaves out hopeless ones. */
static int product_tactics(int64_t M, int64_t N, int dot, trt_tactic *out, int max) {
    static const int vms[3] = {8, 4, 16};
    static const int tiles[3][5] = {
        {DEF_TILE_M, DEF_TILE_N, DEF_TILE_K, DEF_WPT_M, DEF_WPT_N},
        {64, 64, 16, 8, 8},
        {16, 64, 16, 2, 8},
    };
    int n = 0;
    const int simple_first = dot || N < 8;
    if (simple_first) n = trt_tactic_add(out, n, max, GEMM_TACTIC_SIMPLE, NULL, 0, 0);
    for (int i = 0; i < 3; i++)
        if (i == 0 || M >= vms[i]) n = trt_tactic_add(out, n, max, GEMM_TACTIC_VEC, &vms[i], 1, 0);
    for (int i = 0; i < 3; i++)
        if (M >= tiles[i][0] / 2 && N >= tiles[i][1] / 2)
            n = trt_tactic_add(out, n, max, GEMM_TACTIC_TILED, tiles[i], 5, 0);
    if (!simple_first) n = trt_tactic_add(out, n, max, GEMM_TACTIC_SIMPLE, NULL, 0, 0);
    return n;
}

/* Tensor-core candidates first where they apply at these shapes (tc_node_ok, K % 8 and, for
 * B read as [K][N], N % 8). */
static int tc_tactics(const trt_node *node, const trt_tensor *t, const trt_device_caps *caps,
                      int64_t M, int64_t N, int64_t K, int64_t batches, trt_tactic *out,
                      int max) {
    if (!trt__tc_available(caps) || !tc_node_ok(node, t) || K % 8) return 0;
    if (!b_is_kmajor(node) && N % 8) return 0;
    return trt__tc_add_tactics(M, N, K, batches, caps, b_is_kmajor(node),
                               GEMM_TACTIC_TENSOR_CORE, out, 0, max - TRT_TC_PORTABLE_ROOM);
}

static int gemm_tactics(const trt_node *node, const trt_tensor *t, const trt_device_caps *caps,
                        trt_tactic *out, int max) {
    const gemm_params *p = TRT_CPARAMS(node, gemm_params);
    const trt_dims *as = &t[node->inputs[0]].shape, *bs = &t[node->inputs[1]].shape;
    if (as->nb_dims != 2 || bs->nb_dims != 2) return 0;
    /* Rows of A and columns of B contiguous: gemm_simple's float8 dot products. */
    const int dot = !p->at.trans_a && p->at.trans_b;
    const int64_t M = as->d[p->at.trans_a], N = bs->d[!p->at.trans_b], K = as->d[!p->at.trans_a];
    int n = tc_tactics(node, t, caps, M, N, K, 1, out, max);
    return n + product_tactics(M, N, dot, out + n, max - n);
}

static int matmul_tactics(const trt_node *node, const trt_tensor *t, const trt_device_caps *caps,
                          trt_tactic *out, int max) {
    matmul_geom g;
    if (matmul_geom_of(node, &t[node->inputs[0]].shape, &t[node->inputs[1]].shape, &g) != TRT_OK)
        return 0; /* infer already accepted these shapes */
    int n = tc_tactics(node, t, caps, g.M, g.N, g.K, trt_dims_volume(&g.batch), out, max);
    return n + product_tactics(g.M, g.N, t[node->inputs[1]].shape.nb_dims == 1, out + n, max - n);
}

const trt_op_impl trt_op_impl_GEMM = {"Gemm",       gemm_import, gemm_infer,
                                      gemm_prepare, gemm_launch, gemm_tactics};
const trt_op_impl trt_op_impl_MATMUL = {"MatMul",     matmul_import, matmul_infer,
                                        gemm_prepare, matmul_launch, matmul_tactics};
