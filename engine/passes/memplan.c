/* memplan.c — activation memory planning by liveness. */
#include <stdlib.h>
#include <string.h>

#include "builder/builder.h"
#include "core/core.h"

trt_status trt__memory_plan(trt_graph *g, uint64_t align, uint64_t *arena_bytes) {
    int nt = g->n_tensors, nn = g->n_nodes;
    int *first_use = malloc(sizeof(int) * (size_t)(nt + 1));
    int *last_use = malloc(sizeof(int) * (size_t)(nt + 1));
    int *order = malloc(sizeof(int) * (size_t)(nt + 1));
    uint8_t *on_device = calloc((size_t)nt + 1, 1);
    int *slot_of = malloc(sizeof(int) * (size_t)(nt + 1));
    int *slot_free_after = malloc(sizeof(int) * (size_t)(nt + 1));
    uint64_t *slot_size = malloc(sizeof(uint64_t) * (size_t)(nt + 1));
    uint64_t *slot_off = malloc(sizeof(uint64_t) * (size_t)(nt + 1));
    trt_status s = TRT_OK;
    if (!first_use || !last_use || !order || !on_device || !slot_of || !slot_free_after ||
        !slot_size || !slot_off) {
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
            if (!node->is_host && g->tensors[t].has_host && !(g->tensors[t].flags & TRT_TENSOR_CONST))
                on_device[t] = 1; /* host-computed, read by a device node: uploaded */
        }
    }
    /* Host-computed tensors are uploaded before the first layer runs: live from the start. */
    for (int t = 0; t < nt; t++)
        if (on_device[t] && g->tensors[t].has_host && g->tensors[t].producer >= 0 &&
            g->nodes[g->tensors[t].producer].is_host)
            first_use[t] = 0;
    int n_planned = 0;
    for (int t = 0; t < nt; t++) {
        trt_tensor *tt = &g->tensors[t];
        tt->offset = 0;
        if (tt->flags & (TRT_TENSOR_INPUT | TRT_TENSOR_OUTPUT)) continue; /* own buffers */
        if (tt->flags & TRT_TENSOR_CONST || !on_device[t] || first_use[t] < 0) {
            if (!(tt->flags & TRT_TENSOR_CONST)) tt->capacity = 0;
            continue;
        }
        order[n_planned++] = t;
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
    *arena_bytes = top;
done:
    free(first_use);
    free(last_use);
    free(order);
    free(on_device);
    free(slot_of);
    free(slot_free_after);
    free(slot_size);
    free(slot_off);
    return s;
}

