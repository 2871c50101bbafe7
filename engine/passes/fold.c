/* fold.c — constant folding: a device node whose inputs are all constants (a Transpose,
 * Cast or Mul of weights, an Unsqueeze of a weight...) runs once at build time with its own
 * kernels, in a one-node engine on the build device, and its outputs become constants.
 *
 * The one-node engine is made with trt__engine_create directly, so the passes do not run
 * again on it. Outputs over FOLD_MAX_BYTES stay computed at run time (weights would grow).
 */
#include <stdlib.h>
#include <string.h>

#include "passes/passes.h"
#include "runtime/runtime.h"

#define FOLD_MAX_BYTES ((uint64_t)64 << 20)

static int foldable(const trt_graph *g, const trt_node *node) {
    if (node->is_host || node->n_outputs == 0 || !trt_op_get(node->op)->launch) return 0;
    int n_in = 0;
    for (int k = 0; k < node->n_inputs; k++) {
        if (node->inputs[k] < 0) continue;
        if (!trt__tensor_is_const(g, node->inputs[k])) return 0;
        /* The one-node graph copies dense LINEAR data of the model's dtype (fold runs before
         * the precision and layout passes; a later caller must not fold their tensors). */
        const trt_tensor *in = &g->tensors[node->inputs[k]];
        if (in->layout != TRT_LAYOUT_LINEAR || in->storage != in->dtype) return 0;
        n_in++;
    }
    if (!n_in) return 0;
    for (int o = 0; o < node->n_outputs; o++) {
        int t = node->outputs[o];
        if (t < 0 || trt_tensor_bytes(&g->tensors[t]) > FOLD_MAX_BYTES) return 0;
    }
    return 1;
}

/* The node alone in a graph: its constant inputs, its outputs as graph outputs. */
static trt_graph *one_node_graph(const trt_graph *g, const trt_node *node) {
    trt_graph *s = trt_graph_new();
    if (!s) return NULL;
    s->opset = g->opset;
    int ins[TRT_MAX_NODE_INPUTS], outs[TRT_MAX_NODE_OUTPUTS];
    for (int k = 0; k < node->n_inputs; k++) {
        ins[k] = -1;
        if (node->inputs[k] < 0) continue;
        const trt_tensor *t = &g->tensors[node->inputs[k]];
        if ((ins[k] = trt_graph_add_const(s, t->name, t->dtype, &t->shape, t->data)) < 0) goto fail;
    }
    for (int o = 0; o < node->n_outputs; o++) {
        const trt_tensor *t = &g->tensors[node->outputs[o]];
        if ((outs[o] = trt_graph_add_tensor(s, t->name, t->dtype, &t->shape)) < 0 ||
            trt_graph_add_output(s, outs[o]) < 0)
            goto fail;
        s->tensors[outs[o]].capacity = trt_tensor_bytes(t);
    }
    int n = trt_graph_add_node(s, node->op, node->name, ins, node->n_inputs, outs, node->n_outputs);
    if (n < 0) goto fail;
    memcpy(s->nodes[n].params, node->params, sizeof node->params);
    return s;
fail:
    trt_graph_free(s);
    return NULL;
}

/* Runs node n on the device and turns its outputs into constants. */
static trt_status fold_node(trt_device *dev, trt_graph *g, int n) {
    const trt_node *node = &g->nodes[n];
    trt_graph *s = one_node_graph(g, node);
    if (!s) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory folding '%s'", node->name);
    trt_engine_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.mem_align = dev->mem_align;
    trt_engine *e = NULL;
    trt_context *ctx = NULL;
    void *data[TRT_MAX_NODE_OUTPUTS] = {NULL};
    trt_status st = trt_graph_infer(s, 1);
    if (st == TRT_OK) st = trt__engine_create(dev, s, &meta, &e);
    else trt_graph_free(s);
    if (st == TRT_OK) st = trt_context_new(e, &ctx);
    if (st == TRT_OK) st = trt_context_enqueue(ctx);
    for (int o = 0; st == TRT_OK && o < node->n_outputs; o++) {
        const trt_tensor *t = &g->tensors[node->outputs[o]];
        size_t bytes = (size_t)trt_tensor_bytes(t);
        if (!(data[o] = malloc(bytes ? bytes : 1)))
            st = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory folding '%s'", node->name);
        else if (bytes)
            st = trt_context_read_output(ctx, t->name, data[o], bytes);
    }
    if (st == TRT_OK) st = trt_context_wait(ctx);
    trt_context_free(ctx);
    trt_engine_free(e);
    if (st != TRT_OK) {
        for (int o = 0; o < node->n_outputs; o++) free(data[o]);
        return trt__error_prefix(st, "folding node '%s' (%s) at build time", node->name,
                                 trt_op_name(node->op));
    }
    for (int o = 0; o < node->n_outputs; o++) {
        trt_tensor *t = &g->tensors[node->outputs[o]];
        free(t->data);
        t->data = data[o];
        t->data_size = (size_t)trt_tensor_bytes(t);
        t->flags |= TRT_TENSOR_CONST;
        t->has_host = 1;
        t->producer = -1;
    }
    return TRT_OK;
}

trt_status trt__pass_fold(trt_device *dev, trt_graph *g) {
    int folded = 0;
    for (int n = 0; n < g->n_nodes; n++) {
        if (!foldable(g, &g->nodes[n])) continue;
        TRT_TRY(fold_node(dev, g, n));
        trt__log(TRT_LOG_VERBOSE, "Folding %s (%s): its inputs are constants",
                 g->nodes[n].name, trt_op_name(g->nodes[n].op));
        trt__node_kill(g, n);
        folded++;
    }
    if (folded) trt__graph_compact(g);
    return TRT_OK;
}
