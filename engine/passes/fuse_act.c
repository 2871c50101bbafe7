/* fuse_act.c — fuses what follows a Conv, ConvTranspose, Gemm or MatMul into its epilogue
 * (fusion.h): y = act(op(x) + bias + residual).
 *
 * Patterns, each on an output read by nothing else (and no graph output):
 *   residual  Conv -> Add(conv_out, r): r a non-constant tensor of the output's shape at the
 *             profile's opt point and of its largest size (so of its shape at every point;
 *             the conv's infer checks it at run time)
 *   bias      MatMul, or Gemm without C -> Add(out, b): b a float constant of N values along
 *             the last dimension, or of one value
 *   act       then Relu, Clip (constant bounds), LeakyRelu, Sigmoid, HardSigmoid, HardSwish,
 *             Tanh; or Mul(v, Sigmoid(v)) (SiLU) or Mul(v, HardSigmoid(v)), either order
 * The fused node takes the place of the last node of its pattern (its residual may be
 * computed after the conv) and the names of all: "Conv_3 + Add_5 + Relu_6".
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "passes/fusion.h"
#include "passes/passes.h"

enum { MAX_FUSED = 5 };

typedef struct {
    int nodes[MAX_FUSED]; /* fused into the producer, in graph order of the pattern */
    int n;
    int out;              /* the tensor the fused node now produces */
} match;

static void take(match *m, int node, int out) {
    m->nodes[m->n++] = node;
    m->out = out;
}

static int act_of(const trt_chain_step *st, trt_epilogue *e) {
    switch ((trt_op)st->op) {
    case TRT_OP_RELU: e->act = TRT_ACT_RELU; break;
    case TRT_OP_CLIP: e->act = TRT_ACT_CLIP; break;
    case TRT_OP_LEAKY_RELU: e->act = TRT_ACT_LEAKY_RELU; break;
    case TRT_OP_SIGMOID: e->act = TRT_ACT_SIGMOID; break;
    case TRT_OP_HARD_SIGMOID: e->act = TRT_ACT_HARD_SIGMOID; break;
    case TRT_OP_HARD_SWISH: e->act = TRT_ACT_HARD_SWISH; break;
    case TRT_OP_TANH: e->act = TRT_ACT_TANH; break;
    default: return 0;
    }
    e->alpha = st->c0;
    e->beta = st->c1;
    return 1;
}

/* The two consumers of t, or 0 if it has another number of uses. */
static int two_consumers(const trt_graph *g, int t, int *a, int *b) {
    if (trt__tensor_is_output(g, t)) return 0;
    int found[3], n = 0;
    for (int i = 0; i < g->n_nodes && n < 3; i++)
        for (int k = 0; k < g->nodes[i].n_inputs && n < 3; k++)
            if (g->nodes[i].inputs[k] == t) found[n++] = i;
    if (n != 2 || found[0] == found[1]) return 0;
    *a = found[0];
    *b = found[1];
    return 1;
}

/* Mul(t, f(t)) with f Sigmoid or HardSigmoid read only by the Mul. */
static int match_gated(const trt_graph *g, int t, trt_epilogue *e, match *m) {
    int a, b;
    if (!two_consumers(g, t, &a, &b)) return 0;
    for (int swap = 0; swap < 2; swap++) {
        int s = swap ? b : a, mul = swap ? a : b;
        trt_chain_step st;
        const trt_node *sn = &g->nodes[s], *mn = &g->nodes[mul];
        if (!trt__eltwise_unary_step(g, sn, &st) || sn->inputs[0] != t) continue;
        if (st.op != TRT_OP_SIGMOID && st.op != TRT_OP_HARD_SIGMOID) continue;
        if (mn->op != TRT_OP_MUL || !trt__eltwise_is_binary(g, mn)) continue;
        int so = sn->outputs[0];
        if (!((mn->inputs[0] == t && mn->inputs[1] == so) ||
              (mn->inputs[0] == so && mn->inputs[1] == t)))
            continue;
        if (trt__sole_consumer(g, so) != mul) continue;
        e->act = st.op == TRT_OP_SIGMOID ? TRT_ACT_SILU : TRT_ACT_HARD_SIGMOID_MUL;
        e->alpha = st.c0;
        e->beta = st.c1;
        take(m, s < mul ? s : mul, -1);
        take(m, s < mul ? mul : s, mn->outputs[0]);
        return 1;
    }
    return 0;
}

static int match_act(const trt_graph *g, int t, trt_epilogue *e, match *m) {
    int c = trt__sole_consumer(g, t);
    trt_chain_step st;
    if (c >= 0 && trt__eltwise_unary_step(g, &g->nodes[c], &st) && g->nodes[c].inputs[0] == t &&
        act_of(&st, e)) {
        take(m, c, g->nodes[c].outputs[0]);
        return 1;
    }
    return match_gated(g, t, e, m);
}

/* Add(t, other) read only by t's producer's pattern; returns the Add and sets *other. */
static int match_add(const trt_graph *g, int t, int *other) {
    int a = trt__sole_consumer(g, t);
    if (a < 0 || g->nodes[a].op != TRT_OP_ADD || !trt__eltwise_is_binary(g, &g->nodes[a]))
        return -1;
    const trt_node *an = &g->nodes[a];
    *other = an->inputs[0] == t ? an->inputs[1] : an->inputs[0];
    if (*other == t || !trt_dims_equal(&g->tensors[an->outputs[0]].shape, &g->tensors[t].shape))
        return -1;
    return a;
}

static int match_residual(const trt_graph *g, int t, int *res, match *m) {
    int a = match_add(g, t, res);
    if (a < 0) return 0;
    const trt_tensor *r = &g->tensors[*res], *y = &g->tensors[t];
    if ((r->flags & TRT_TENSOR_CONST) || r->has_host || !trt_dims_equal(&r->shape, &y->shape) ||
        r->capacity != y->capacity)
        return 0;
    take(m, a, g->nodes[a].outputs[0]);
    return 1;
}

/* A bias for the product's last dimension (n values): a constant of one value or of n
 * values along its last dimension, of rank at most the output's. */
static int match_bias(const trt_graph *g, int t, int *bias, match *m) {
    int a = match_add(g, t, bias);
    if (a < 0) return 0;
    const trt_tensor *b = &g->tensors[*bias], *y = &g->tensors[t];
    if (!trt__tensor_is_const(g, *bias) || y->shape.nb_dims < 1) return 0;
    const int64_t n = y->shape.d[y->shape.nb_dims - 1], v = trt_dims_volume(&b->shape);
    if (b->shape.nb_dims > y->shape.nb_dims ||
        !(v == 1 || (v == n && b->shape.d[b->shape.nb_dims - 1] == n)))
        return 0;
    take(m, a, g->nodes[a].outputs[0]);
    return 1;
}

static trt_status fuse(trt_graph *g, int n, const match *m) {
    for (int i = 0; i < m->n; i++) TRT_TRY(trt__node_append_name(g, n, g->nodes[m->nodes[i]].name));
    trt__log(TRT_LOG_VERBOSE, "Fusing %s", g->nodes[n].name);
    g->nodes[n].outputs[0] = m->out;
    for (int i = 0; i < m->n; i++) trt__node_kill(g, m->nodes[i]);
    /* Into the slot of the pattern's last node: every input exists by then. */
    int last = m->nodes[m->n - 1];
    free(g->nodes[last].name);
    g->nodes[last] = g->nodes[n];
    g->nodes[n].name = NULL;
    trt__node_kill(g, n);
    g->tensors[m->out].producer = last;
    return TRT_OK;
}

trt_status trt__pass_fuse_act(trt_graph *g) {
    int fused = 0;
    for (int n = 0; n < g->n_nodes; n++) {
        trt_node *node = &g->nodes[n];
        const int conv = node->op == TRT_OP_CONV || node->op == TRT_OP_CONV_TRANSPOSE;
        const int gemm = node->op == TRT_OP_GEMM || node->op == TRT_OP_MATMUL;
        if ((!conv && !gemm) || node->is_host || node->n_outputs != 1) continue;
        trt_epilogue *epi = conv ? trt__conv_epilogue(node) : trt__gemm_epilogue(node);
        if (epi->act || epi->residual) continue;
        match m = {.n = 0, .out = node->outputs[0]};
        trt_epilogue e = {0};
        int extra = -1; /* residual or bias tensor */
        if (conv) {
            if (match_residual(g, m.out, &extra, &m)) e.residual = 3; /* after X, W, B */
        } else if (node->op == TRT_OP_MATMUL ? node->n_inputs == 2
                                             : node->n_inputs < 3 || node->inputs[2] < 0) {
            match_bias(g, m.out, &extra, &m);
        }
        match_act(g, m.out, &e, &m);
        if (!m.n) continue;
        if (conv && e.residual) {
            if (node->n_inputs < 3) node->inputs[2] = -1;
            node->inputs[e.residual] = extra;
            node->n_inputs = e.residual + 1;
        } else if (gemm && extra >= 0) {
            node->inputs[2] = extra;
            node->n_inputs = 3;
            trt__gemm_attrs(node)->beta = 1.0f;
        }
        *epi = e;
        TRT_TRY(fuse(g, n, &m));
        fused++;
    }
    if (fused) trt__graph_compact(g);
    return TRT_OK;
}
