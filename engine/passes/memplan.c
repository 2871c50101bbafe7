/* memplan.c — activation memory planning by liveness.
 *
 * The output of a view node (trt__node_is_view: Reshape, Flatten, Squeeze, Unsqueeze,
 * Identity) shares its input's memory when both live in the arena: one tensor group, live
 * from the first's production to the last use of any, planned as one tensor. They then get
 * the same offset and capacity, so the context binds them to one sub-buffer and the view's
 * launch copies nothing. Graph inputs and outputs have their own buffers: copied.
 */
#include <stdlib.h>
#include <string.h>

#include "builder/builder.h"
#include "core/core.h"
#include "passes/passes.h"

int trt__node_is_view(const trt_graph *g, int n) {
    const trt_node *node = &g->nodes[n];
    if (node->is_host || node->n_inputs < 1 || node->n_outputs != 1 || node->inputs[0] < 0)
        return 0;
    switch (node->op) {
    case TRT_OP_RESHAPE:
    case TRT_OP_FLATTEN:
    case TRT_OP_SQUEEZE:
    case TRT_OP_UNSQUEEZE:
    case TRT_OP_IDENTITY: return 1;
    default: return 0;
    }
}

/* Whether tensor t is planned in the arena (not a graph input/output, not a constant). */
static int in_arena(const trt_graph *g, int t, const uint8_t *on_device, const int *first_use) {
    const trt_tensor *tt = &g->tensors[t];
    return !(tt->flags & (TRT_TENSOR_INPUT | TRT_TENSOR_OUTPUT | TRT_TENSOR_CONST)) &&
           on_device[t] && first_use[t] >= 0;
}

trt_status trt__memory_plan(trt_graph *g, uint64_t align, uint64_t *arena_bytes) {
    int nt = g->n_tensors, nn = g->n_nodes;
    int *first_use = malloc(sizeof(int) * (size_t)(nt + 1));
    int *last_use = malloc(sizeof(int) * (size_t)(nt + 1));
    int *order = malloc(sizeof(int) * (size_t)(nt + 1));
    int *root = malloc(sizeof(int) * (size_t)(nt + 1)); /* the tensor whose memory t uses */
    uint8_t *on_device = calloc((size_t)nt + 1, 1);
    int *slot_of = malloc(sizeof(int) * (size_t)(nt + 1));
    int *slot_free_after = malloc(sizeof(int) * (size_t)(nt + 1));
    uint64_t *slot_size = malloc(sizeof(uint64_t) * (size_t)(nt + 1));
    uint64_t *slot_off = malloc(sizeof(uint64_t) * (size_t)(nt + 1));
    trt_status s = TRT_OK;
    if (!first_use || !last_use || !order || !root || !on_device || !slot_of ||
        !slot_free_after || !slot_size || !slot_off) {
        s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory planning memory");
        goto done;
    }
    for (int t = 0; t < nt; t++) first_use[t] = last_use[t] = -1;
    for (int n = 0; n < nn; n++) {
        const trt_node *node = &g->nodes[n];
        for (int o = 0; o < node->n_outputs; o++) {
            int t = node->outputs[o];
            first_use[t] = n;
            if (last_use[t] < n) last_use[t] = n;
            if (!node->is_host) on_device[t] = 1;
        }
        for (int k = 0; k < node->n_inputs; k++) {
            int t = node->inputs[k];
            if (t < 0) continue;
            last_use[t] = n;
            const trt_tensor *tt = &g->tensors[t];
            if (!node->is_host && tt->has_host && !(tt->flags & TRT_TENSOR_CONST))
                on_device[t] = 1; /* host-computed, read by a device node: uploaded */
        }
    }
    /* Host-computed tensors are uploaded before the first layer runs: live from the start. */
    for (int t = 0; t < nt; t++)
        if (on_device[t] && g->tensors[t].has_host && g->tensors[t].producer >= 0 &&
            g->nodes[g->tensors[t].producer].is_host)
            first_use[t] = 0;
    /* Views join their input's group (nodes are in order: the input's root is settled). */
    for (int t = 0; t < nt; t++) root[t] = t;
    for (int n = 0; n < nn; n++) {
        if (!trt__node_is_view(g, n)) continue;
        int in = g->nodes[n].inputs[0], out = g->nodes[n].outputs[0];
        if (!in_arena(g, in, on_device, first_use) || !in_arena(g, out, on_device, first_use))
            continue;
        int r = root[in];
        root[out] = r;
        if (last_use[out] > last_use[r]) last_use[r] = last_use[out];
        if (g->tensors[out].capacity > g->tensors[r].capacity)
            g->tensors[r].capacity = g->tensors[out].capacity;
    }
    int n_planned = 0;
    for (int t = 0; t < nt; t++) {
        trt_tensor *tt = &g->tensors[t];
        tt->offset = 0;
        if (!in_arena(g, t, on_device, first_use)) {
            if (!(tt->flags & (TRT_TENSOR_CONST | TRT_TENSOR_INPUT | TRT_TENSOR_OUTPUT)))
                tt->capacity = 0;
            continue;
        }
        if (root[t] == t) order[n_planned++] = t;
    }
    /* Tensors share memory by whole slots: a slot is reused once its last tensor is dead,
     * best fit by size, growing if needed. Slots never partly overlap, so each becomes one
     * sub-buffer (NVIDIA's driver crashes releasing partly overlapping sub-buffers, and
     * OpenCL leaves their use undefined). */
    int n_slots = 0;
    for (int i = 0; i < n_planned; i++) {
        int t = order[i];
        uint64_t need = trt__align_up(g->tensors[t].capacity ? g->tensors[t].capacity : 4, align);
        int best = -1;
        for (int k = 0; k < n_slots; k++) {
            if (slot_free_after[k] >= first_use[t]) continue; /* still in use */
            int fits = slot_size[k] >= need, best_fits = best >= 0 && slot_size[best] >= need;
            if (best < 0 || (fits && (!best_fits || slot_size[k] < slot_size[best])) ||
                (!fits && !best_fits && slot_size[k] > slot_size[best]))
                best = k;
        }
        if (best < 0) {
            best = n_slots++;
            slot_size[best] = 0;
        }
        if (need > slot_size[best]) slot_size[best] = need;
        slot_free_after[best] = last_use[t];
        slot_of[t] = best;
    }
    uint64_t top = 0;
    for (int k = 0; k < n_slots; k++) {
        slot_off[k] = top;
        top += slot_size[k];
    }
    for (int i = 0; i < n_planned; i++) {
        int t = order[i];
        g->tensors[t].offset = slot_off[slot_of[t]];
        g->tensors[t].capacity = slot_size[slot_of[t]];
    }
    for (int t = 0; t < nt; t++) {
        if (root[t] == t || !in_arena(g, t, on_device, first_use)) continue;
        g->tensors[t].offset = g->tensors[root[t]].offset;
        g->tensors[t].capacity = g->tensors[root[t]].capacity;
    }
    *arena_bytes = top;
done:
    free(first_use);
    free(last_use);
    free(order);
    free(root);
    free(on_device);
    free(slot_of);
    free(slot_free_after);
    free(slot_size);
    free(slot_off);
    return s;
}

