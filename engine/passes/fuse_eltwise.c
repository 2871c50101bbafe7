/* fuse_eltwise.c — chains of float32 elementwise ops on one tensor become one node that
 * runs the whole chain per element (fusion.h, trt_chain; eltwise.cl's eltwise_chain).
 *
 * A chain starts at a unary op, or at a binary op whose output has the shape of one of its
 * inputs (the chain's input x), and follows the value v through unary ops and binary ops
 * whose other operand is x itself, a one-value constant (an immediate), or a tensor that
 * broadcasts into v's shape (at most CHAIN_MAX_BUFFERS of them; a non-constant one no
 * larger than v at any profile point). Every intermediate value must be read only by the
 * next op of the chain. Chains of at least two ops are fused; the node takes the op and
 * place of the chain's last node and the names of all: "Div_3 + Erf_4 + Add_5".
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "passes/fusion.h"
#include "passes/passes.h"

enum { CHAIN_MAX_BUFFERS = 4 };

typedef struct {
    trt_chain chain;
    int inputs[1 + CHAIN_MAX_BUFFERS]; /* x, then buffer operands */
    int n_inputs;
    int nodes[TRT_CHAIN_MAX];
    int x, v;                          /* chain input; current value */
} builder;

/* The operand slot for tensor o, adding it if new; 0 when no slot is left. */
static int buffer_slot(builder *b, int o) {
    for (int k = 1; k < b->n_inputs; k++)
        if (b->inputs[k] == o) return k;
    if (b->n_inputs == 1 + CHAIN_MAX_BUFFERS) return 0;
    b->inputs[b->n_inputs] = o;
    return b->n_inputs++;
}

static int operand_of(const trt_graph *g, builder *b, int o, trt_chain_step *st) {
    const trt_tensor *to = &g->tensors[o], *tv = &g->tensors[b->v];
    if (o == b->x) {
        st->operand = TRT_CHAIN_X;
        return 1;
    }
    if (trt__tensor_is_const(g, o) && trt_dims_volume(&to->shape) == 1) {
        st->operand = TRT_CHAIN_IMM;
        st->c0 = *(const float *)to->data;
        return 1;
    }
    trt_dims bc;
    if (trt_dims_broadcast(&tv->shape, &to->shape, &bc) != TRT_OK ||
        !trt_dims_equal(&bc, &tv->shape))
        return 0;
    if (!(to->flags & TRT_TENSOR_CONST) && to->capacity > tv->capacity) return 0;
    return (st->operand = buffer_slot(b, o)) != 0;
}

/* Appends node n, which reads the current value, as a step. */
static int append(const trt_graph *g, builder *b, int n) {
    const trt_node *node = &g->nodes[n];
    trt_chain_step st;
    memset(&st, 0, sizeof st);
    if (b->chain.n == TRT_CHAIN_MAX) return 0;
    if (trt__eltwise_unary_step(g, node, &st)) {
        if (node->inputs[0] != b->v) return 0;
    } else if (trt__eltwise_is_binary(g, node)) {
        int a0 = node->inputs[0], a1 = node->inputs[1];
        st.op = node->op;
        if (a0 == b->v) {
            st.swap = 0;
            if (a1 == b->v && b->v != b->x) return 0; /* v (op) v */
            if (!operand_of(g, b, a1, &st)) return 0;
        } else if (a1 == b->v) {
            st.swap = 1;
            if (!operand_of(g, b, a0, &st)) return 0;
        } else {
            return 0;
        }
        if (!trt_dims_equal(&g->tensors[node->outputs[0]].shape, &g->tensors[b->v].shape)) return 0;
    } else {
        return 0;
    }
    b->chain.step[b->chain.n] = st;
    b->nodes[b->chain.n++] = n;
    b->v = node->outputs[0];
    return 1;
}

/* The chain's input for head node n: its input of the output's shape, not a constant. */
static int head_input(const trt_graph *g, int n) {
    const trt_node *node = &g->nodes[n];
    trt_chain_step st;
    if (trt__eltwise_unary_step(g, node, &st)) return node->inputs[0];
    if (!trt__eltwise_is_binary(g, node)) return -1;
    for (int k = 0; k < 2; k++) {
        int t = node->inputs[k];
        if (!(g->tensors[t].flags & TRT_TENSOR_CONST) &&
            trt_dims_equal(&g->tensors[t].shape, &g->tensors[node->outputs[0]].shape))
            return t;
    }
    return -1;
}

static trt_status fuse(trt_graph *g, const builder *b) {
    int head = b->nodes[0], last = b->nodes[b->chain.n - 1];
    for (int i = 1; i < b->chain.n; i++)
        TRT_TRY(trt__node_append_name(g, head, g->nodes[b->nodes[i]].name));
    trt__log(TRT_LOG_VERBOSE, "Fusing %s", g->nodes[head].name);
    trt_node *h = &g->nodes[head];
    *trt__eltwise_chain(h) = b->chain;
    h->n_inputs = b->n_inputs;
    for (int k = 0; k < b->n_inputs; k++) h->inputs[k] = b->inputs[k];
    h->outputs[0] = b->v;
    for (int i = 1; i < b->chain.n; i++) trt__node_kill(g, b->nodes[i]);
    free(g->nodes[last].name);
    g->nodes[last] = *h;
    h->name = NULL;
    trt__node_kill(g, head);
    g->tensors[b->v].producer = last;
    return TRT_OK;
}

trt_status trt__pass_fuse_eltwise(trt_graph *g) {
    int fused = 0;
    for (int n = 0; n < g->n_nodes; n++) {
        if (g->nodes[n].n_outputs != 1) continue;
        builder b;
        memset(&b, 0, sizeof b);
        if ((b.x = head_input(g, n)) < 0) continue;
        b.v = b.x;
        b.inputs[0] = b.x;
        b.n_inputs = 1;
        if (!append(g, &b, n)) continue;
        for (;;) {
            int next = trt__sole_consumer(g, b.v);
            if (next < 0 || g->nodes[next].n_outputs != 1) break;
            builder keep = b;
            if (!append(g, &b, next)) {
                b = keep;
                break;
            }
        }
        if (b.chain.n < 2) continue;
        TRT_TRY(fuse(g, &b));
        fused++;
    }
    if (fused) trt__graph_compact(g);
    return TRT_OK;
}
