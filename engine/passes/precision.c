/* precision.c — FP16 storage (trt__pass_precision, run when the build config asks for FP16).
 *
 * A device node whose op has half-storage kernels (Conv, ConvTranspose, Gemm, MatMul, the
 * pools, float unary/binary eltwise ops and fused eltwise chains) becomes a *half node*:
 * every float32 tensor it reads or writes is stored as float16 (tensor.storage), and its
 * kernels are built with -DSTORAGE_HALF (kernels/common.cl: loads and stores through
 * vload_half/vstore_half, arithmetic and accumulation in float). Views (Reshape, Flatten,
 * Squeeze, Unsqueeze, Identity) and data movement ops (Transpose, Concat, Split, Slice,
 * Gather, Expand: their kernels copy elements of the stored size) follow their data: half
 * when some float input comes from a half node.
 * Constants read only by half nodes are converted to float16 in place (data_size halves);
 * one also read elsewhere gets a float16 copy for the half nodes.
 * Where a half tensor meets a float32 one (a graph input or output, an op without
 * half kernels, a host-evaluated value) a Cast node converts between the storages, so users
 * still bind float32 buffers and every kernel sees one storage type for its float buffers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "passes/fusion.h"
#include "passes/passes.h"

static int is_f32(const trt_graph *g, int t) {
    return t >= 0 && g->tensors[t].dtype == TRT_DTYPE_FLOAT32;
}

static int op_has_half_kernels(trt_graph *g, trt_node *node) {
    /* Eltwise nodes (ops.def's block Relu..Where) may head a fused chain, which is all float.
     * Exp's results pass float16's largest value (65504) from exp(11.1): kept float32, alone
     * or ending a chain. */
    if (node->op >= TRT_OP_RELU && node->op <= TRT_OP_WHERE) {
        const trt_chain *chain = trt__eltwise_chain(node);
        if (chain->n > 0) return chain->step[chain->n - 1].op != TRT_OP_EXP;
    }
    switch (node->op) {
    case TRT_OP_CONV:
    case TRT_OP_CONV_TRANSPOSE:
    case TRT_OP_GEMM:
    case TRT_OP_MATMUL:
    case TRT_OP_MAX_POOL:
    case TRT_OP_AVERAGE_POOL:
    case TRT_OP_GLOBAL_AVERAGE_POOL:
    case TRT_OP_GLOBAL_MAX_POOL:
    case TRT_OP_RELU: case TRT_OP_LEAKY_RELU: case TRT_OP_SIGMOID: case TRT_OP_HARD_SIGMOID:
    case TRT_OP_HARD_SWISH: case TRT_OP_TANH: case TRT_OP_ERF: case TRT_OP_LOG:
    case TRT_OP_SQRT: case TRT_OP_NEG: case TRT_OP_ABS: case TRT_OP_RECIPROCAL:
    case TRT_OP_FLOOR: case TRT_OP_CEIL:
    case TRT_OP_ADD: case TRT_OP_SUB: case TRT_OP_MUL: case TRT_OP_DIV: case TRT_OP_MIN:
    case TRT_OP_MAX: return 1;
    /* Clip and Pow kernels read bounds/exponents of other types (as chains they are float). */
    default: (void)g; return 0;
    }
}

/* Ops that only move elements (or view them): storage-agnostic, any storage their data has. */
static int moves_data(const trt_graph *g, int n) {
    switch (g->nodes[n].op) {
    case TRT_OP_TRANSPOSE:
    case TRT_OP_CONCAT:
    case TRT_OP_SPLIT:
    case TRT_OP_SLICE:
    case TRT_OP_GATHER:
    case TRT_OP_EXPAND: return 1;
    default: return trt__node_is_view(g, n);
    }
}

/* A device node whose outputs are float32 and whose float32 inputs are device data (no host
 * values but constants). Only data movement ops may have other inputs (indices, shapes),
 * which keep their storage. */
static int float_device_node(const trt_graph *g, int n) {
    const trt_node *node = &g->nodes[n];
    if (node->is_host || node->n_outputs < 1) return 0;
    if (!moves_data(g, n) && node->n_outputs != 1) return 0;
    for (int o = 0; o < node->n_outputs; o++)
        if (!is_f32(g, node->outputs[o])) return 0;
    for (int k = 0; k < node->n_inputs; k++) {
        int t = node->inputs[k];
        if (t < 0) continue;
        const trt_tensor *tt = &g->tensors[t];
        if (!is_f32(g, t)) {
            if (!moves_data(g, n) || k == 0) return 0;
            continue;
        }
        if (tt->has_host && !(tt->flags & TRT_TENSOR_CONST)) return 0;
        if ((tt->flags & TRT_TENSOR_CONST) && !tt->data) return 0;
    }
    return 1;
}

/* A new float32 tensor named after t with `suffix`, t's shape, the given storage. */
static int add_twin(trt_graph *g, int t, const char *suffix, trt_dtype storage) {
    char name[512];
    snprintf(name, sizeof name, "%s%s", g->tensors[t].name, suffix);
    trt_dims shape = g->tensors[t].shape;
    int u = trt_graph_add_tensor(g, name, TRT_DTYPE_FLOAT32, &shape);
    if (u >= 0) g->tensors[u].storage = storage;
    return u;
}

static trt_status to_half_data(trt_tensor *t) {
    size_t n = t->data_size / sizeof(float);
    uint16_t *h = malloc(n ? n * 2 : 1);
    if (!h) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory converting weights to FP16");
    const float *f = t->data;
    for (size_t i = 0; i < n; i++) h[i] = trt_f32_to_f16(f[i]);
    free(t->data);
    t->data = h;
    t->data_size = n * 2;
    t->storage = TRT_DTYPE_FLOAT16;
    return TRT_OK;
}

/* Cast node `src` -> `dst` (both float32; the storages differ), placed after node `after`
 * (-1: before every node) when the nodes are reordered. */
static trt_status add_cast(trt_graph *g, int src, int dst, int after, int **pos, int *npos) {
    char name[512];
    snprintf(name, sizeof name, "%s (to %s)", g->tensors[src].name,
             g->tensors[dst].storage == TRT_DTYPE_FLOAT16 ? "fp16" : "fp32");
    int n = trt_graph_add_node(g, TRT_OP_CAST, name, &src, 1, &dst, 1);
    int *p = realloc(*pos, sizeof(int) * (size_t)(*npos + 1));
    if (n < 0 || !p) {
        if (p) *pos = p;
        return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory adding a Cast for FP16");
    }
    *pos = p;
    p[(*npos)++] = after;
    /* Cast's params (shape.c) start with the int32 target dtype. */
    int32_t to = TRT_DTYPE_FLOAT32;
    memcpy(g->nodes[n].params, &to, sizeof to);
    return TRT_OK;
}

trt_status trt__pass_precision(trt_graph *g, trt_precision precision) {
    if (precision != TRT_PRECISION_FP16) return TRT_OK;
    const int nn = g->n_nodes, nt = g->n_tensors;
    uint8_t *half = calloc((size_t)nn + 1, 1);
    uint8_t *src_half = calloc((size_t)nt + 1, 1); /* produced by a half node */
    int *pos = NULL, npos = 0;
    trt_status s = TRT_OK;
    if (!half || !src_half) {
        s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory in the precision pass");
        goto done;
    }
    for (int n = 0; n < nn; n++) {
        trt_node *node = &g->nodes[n];
        if (!float_device_node(g, n)) continue;
        if (moves_data(g, n)) {
            for (int k = 0; k < node->n_inputs; k++)
                if (node->inputs[k] >= 0 && is_f32(g, node->inputs[k]) && src_half[node->inputs[k]])
                    half[n] = 1;
        } else {
            half[n] = (uint8_t)op_has_half_kernels(g, node);
        }
        for (int o = 0; half[n] && o < node->n_outputs; o++) src_half[node->outputs[o]] = 1;
    }
    for (int t = 0; t < nt; t++) {
        trt_tensor *tt = &g->tensors[t];
        if (tt->dtype != TRT_DTYPE_FLOAT32 || tt->storage != TRT_DTYPE_FLOAT32) continue;
        int half_users = 0, float_users = trt__tensor_is_output(g, t);
        for (int n = 0; n < nn; n++)
            for (int k = 0; k < g->nodes[n].n_inputs; k++)
                if (g->nodes[n].inputs[k] == t) {
                    if (half[n]) half_users++;
                    else float_users++;
                }
        if (tt->flags & TRT_TENSOR_CONST) {
            if (!half_users) continue;
            int h = t;
            if (float_users) {
                /* A float16 copy for the half nodes; the float32 original stays. */
                h = trt_graph_add_const(g, NULL, TRT_DTYPE_FLOAT32, &tt->shape, tt->data);
                if (h < 0) {
                    s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory copying weights");
                    goto done;
                }
                tt = &g->tensors[t];
                for (int n = 0; n < nn; n++)
                    for (int k = 0; k < g->nodes[n].n_inputs; k++)
                        if (half[n] && g->nodes[n].inputs[k] == t) g->nodes[n].inputs[k] = h;
            }
            if ((s = to_half_data(&g->tensors[h])) != TRT_OK) goto done;
            continue;
        }
        if (src_half[t]) {
            /* The producer writes a half twin; a Cast gives float32 users the original. */
            int h = add_twin(g, t, " (fp16)", TRT_DTYPE_FLOAT16);
            if (h < 0) {
                s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory in the precision pass");
                goto done;
            }
            int p = g->tensors[t].producer;
            for (int o = 0; o < g->nodes[p].n_outputs; o++)
                if (g->nodes[p].outputs[o] == t) g->nodes[p].outputs[o] = h;
            g->tensors[h].producer = p;
            for (int n = 0; n < nn; n++)
                for (int k = 0; k < g->nodes[n].n_inputs; k++)
                    if (half[n] && g->nodes[n].inputs[k] == t) g->nodes[n].inputs[k] = h;
            if (float_users && (s = add_cast(g, h, t, p, &pos, &npos)) != TRT_OK) goto done;
        } else if (half_users) {
            int h = add_twin(g, t, " (fp16)", TRT_DTYPE_FLOAT16);
            if (h < 0) {
                s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory in the precision pass");
                goto done;
            }
            for (int n = 0; n < nn; n++)
                for (int k = 0; k < g->nodes[n].n_inputs; k++)
                    if (half[n] && g->nodes[n].inputs[k] == t) g->nodes[n].inputs[k] = h;
            if ((s = add_cast(g, t, h, g->tensors[t].producer, &pos, &npos)) != TRT_OK) goto done;
        }
    }
    if (npos) {
        /* Reorder: each Cast right after the node producing its input. */
        trt_node *order = malloc(sizeof(trt_node) * (size_t)g->n_nodes);
        if (!order) {
            s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory in the precision pass");
            goto done;
        }
        int w = 0;
        for (int n = -1; n < nn; n++) {
            if (n >= 0) order[w++] = g->nodes[n];
            for (int c = 0; c < npos; c++)
                if (pos[c] == n) order[w++] = g->nodes[nn + c];
        }
        memcpy(g->nodes, order, sizeof(trt_node) * (size_t)w);
        free(order);
        trt__graph_compact(g);
    }
    int n_half = 0;
    for (int n = 0; n < nn; n++) n_half += half[n];
    trt__log(TRT_LOG_INFO, "FP16: %d of %d layers store float16, %d casts at float32 edges",
             n_half, nn, npos);
done:
    free(half);
    free(src_half);
    free(pos);
    return s;
}
