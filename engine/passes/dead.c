/* dead.c — removes Identity nodes and nodes whose results nobody uses.
 *
 * An Identity's consumers read its input instead. When the Identity produces a graph output,
 * the output keeps its name: the input's producer writes the output tensor directly (its
 * other consumers read it there), unless the input is itself a graph input, a constant or
 * another graph output, which need the copy.
 */
#include "core/core.h"
#include "passes/passes.h"

static int remove_identity(trt_graph *g, int n) {
    trt_node *node = &g->nodes[n];
    int in = node->inputs[0], out = node->outputs[0];
    if (!trt__tensor_is_output(g, out)) {
        trt__replace_uses(g, out, in);
        return 1;
    }
    const trt_tensor *ti = &g->tensors[in];
    if (ti->producer < 0 || (ti->flags & (TRT_TENSOR_INPUT | TRT_TENSOR_CONST)) ||
        trt__tensor_is_output(g, in))
        return 0;
    trt_node *p = &g->nodes[ti->producer];
    for (int o = 0; o < p->n_outputs; o++)
        if (p->outputs[o] == in) p->outputs[o] = out;
    trt__replace_uses(g, in, out);
    g->tensors[out].producer = ti->producer;
    return 1;
}

trt_status trt__pass_dead(trt_graph *g) {
    for (int n = 0; n < g->n_nodes; n++) {
        trt_node *node = &g->nodes[n];
        if (node->op != TRT_OP_IDENTITY || node->n_inputs != 1 || node->n_outputs != 1) continue;
        if (!remove_identity(g, n)) continue;
        trt__log(TRT_LOG_VERBOSE, "Removing %s", node->name);
        trt__node_kill(g, n);
    }
    /* Backwards, so that a chain of unused nodes goes at once. */
    for (int n = g->n_nodes - 1; n >= 0; n--) {
        trt_node *node = &g->nodes[n];
        if (node->n_outputs == 0) continue;
        int used = 0;
        for (int o = 0; o < node->n_outputs && !used; o++)
            used = node->outputs[o] >= 0 && trt__tensor_uses(g, node->outputs[o]) > 0;
        if (used) continue;
        trt__log(TRT_LOG_VERBOSE, "Removing %s (%s): its result is not used", node->name,
                 trt_op_name(node->op));
        trt__node_kill(g, n);
    }
    trt__graph_compact(g);
    return TRT_OK;
}
