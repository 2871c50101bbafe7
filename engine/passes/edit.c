/* edit.c — small graph-editing helpers shared by the passes. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "passes/passes.h"

int trt__tensor_is_output(const trt_graph *g, int t) {
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == t) return 1;
    return 0;
}

int trt__tensor_uses(const trt_graph *g, int t) {
    int uses = trt__tensor_is_output(g, t);
    for (int n = 0; n < g->n_nodes; n++)
        for (int k = 0; k < g->nodes[n].n_inputs; k++) uses += g->nodes[n].inputs[k] == t;
    return uses;
}

int trt__sole_consumer(const trt_graph *g, int t) {
    if (trt__tensor_is_output(g, t)) return -1;
    int found = -1, uses = 0;
    for (int n = 0; n < g->n_nodes; n++)
        for (int k = 0; k < g->nodes[n].n_inputs; k++)
            if (g->nodes[n].inputs[k] == t) {
                found = n;
                uses++;
            }
    return uses == 1 ? found : -1;
}

void trt__replace_uses(trt_graph *g, int from, int to) {
    for (int n = 0; n < g->n_nodes; n++)
        for (int k = 0; k < g->nodes[n].n_inputs; k++)
            if (g->nodes[n].inputs[k] == from) g->nodes[n].inputs[k] = to;
}

int trt__tensor_is_const(const trt_graph *g, int t) {
    return t >= 0 && (g->tensors[t].flags & TRT_TENSOR_CONST) && g->tensors[t].data;
}

trt_status trt__node_append_name(trt_graph *g, int n, const char *suffix) {
    char *old = g->nodes[n].name;
    size_t a = strlen(old), b = strlen(suffix);
    char *name = malloc(a + b + 4);
    if (!name) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory naming a fused node");
    memcpy(name, old, a);
    memcpy(name + a, " + ", 3);
    memcpy(name + a + 3, suffix, b + 1);
    free(old);
    g->nodes[n].name = name;
    return TRT_OK;
}

void trt__node_kill(trt_graph *g, int n) {
    g->nodes[n].n_outputs = 0;
    g->nodes[n].n_inputs = 0;
}

static void recompute_producers(trt_graph *g) {
    for (int t = 0; t < g->n_tensors; t++) g->tensors[t].producer = -1;
    for (int n = 0; n < g->n_nodes; n++)
        for (int o = 0; o < g->nodes[n].n_outputs; o++)
            if (g->nodes[n].outputs[o] >= 0) g->tensors[g->nodes[n].outputs[o]].producer = n;
}

void trt__graph_compact(trt_graph *g) {
    int w = 0;
    for (int n = 0; n < g->n_nodes; n++) {
        if (g->nodes[n].n_outputs == 0) {
            free(g->nodes[n].name);
            continue;
        }
        g->nodes[w++] = g->nodes[n];
    }
    g->n_nodes = w;
    recompute_producers(g);
}

void trt__node_move_later(trt_graph *g, int from, int to) {
    trt_node keep = g->nodes[from];
    memmove(&g->nodes[from], &g->nodes[from + 1], sizeof(trt_node) * (size_t)(to - from));
    g->nodes[to] = keep;
    recompute_producers(g);
}

trt_status trt__graph_place_new_nodes(trt_graph *g, int n_old, const int *before) {
    const int n_new = g->n_nodes - n_old;
    if (n_new <= 0) return TRT_OK;
    trt_node *order = malloc(sizeof(trt_node) * (size_t)g->n_nodes);
    if (!order) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory reordering nodes");
    int w = 0;
    for (int n = 0; n <= n_old; n++) {
        for (int i = 0; i < n_new; i++)
            if (before[i] == n) order[w++] = g->nodes[n_old + i];
        if (n < n_old) order[w++] = g->nodes[n];
    }
    memcpy(g->nodes, order, sizeof(trt_node) * (size_t)w);
    free(order);
    recompute_producers(g);
    return TRT_OK;
}
