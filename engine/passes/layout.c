/* layout.c — runs convolutions in the NHWC8 layout (core/ir.h TRT_LAYOUT_NHWC8) and converts
 * at the edges of the regions that do (trt__pass_layout; runs after fusion and precision).
 *
 * Which Convs run NHWC8 (2-D: rank-4 X, constant W, bias constant or absent):
 *   - tensor cores: the device has trt_caps_tensor_core_f16, X and Y have float16 storage
 *     (FP16 engine), group 1, output channels a multiple of 8 (conv_tc.c's tiles);
 *   - TRT_LAYOUT=nhwc8 in the environment: every such Conv with group 1 or depthwise
 *     (group = C = K), on any device and precision (the portable kernel of conv_nhwc.c; how
 *     the tests run NHWC8 on PoCL). TRT_LAYOUT=linear turns the pass off; unset or "auto"
 *     is the tensor-core rule alone.
 * Ops listed by runs_nhwc8 (pools with NHWC8 kernels) also run NHWC8 when their data input
 * is NHWC8, so a region spans Conv -> MaxPool -> Conv without converting.
 *
 * The rewrite, for every tensor t an NHWC8 node writes: the node writes a new NHWC8 tensor
 * "t (nhwc8)", which NHWC8 readers read; if anything else reads t (another op, a view, a
 * Cast, the NHWC8 node's non-data inputs) or t is a graph output, one Reformat converts it
 * back into t, which keeps its name and the LINEAR layout (graph outputs stay LINEAR under
 * their names). A LINEAR tensor an NHWC8 node reads as data (X, or a Conv's fused residual)
 * gets one Reformat into "t (nhwc8)", shared by its NHWC8 readers. Reformats go right before
 * their first reader (right after the producer for a graph output), keeping the node list
 * topologically sorted.
 * Weights: an NHWC8 Conv's W [K, C/g, R, S] is repacked on the host into NHWC8 storage
 * [K][R][S][round_up(C/g, 8)] with zeros in the padding, in its storage type (float16 if the
 * precision pass converted it). A W also read by other nodes is duplicated first.
 * Every decision is logged at TRT_LOG_VERBOSE ("Layout: Conv_3 runs NHWC8 (tensor cores)").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "ops/conv.h"
#include "passes/fusion.h"
#include "passes/passes.h"
#include "runtime/runtime.h"

enum { MODE_AUTO, MODE_NHWC8, MODE_LINEAR };

static int env_mode(void) {
    const char *e = getenv("TRT_LAYOUT");
    if (!e || !*e || strcmp(e, "auto") == 0) return MODE_AUTO;
    if (strcmp(e, "nhwc8") == 0) return MODE_NHWC8;
    if (strcmp(e, "linear") == 0) return MODE_LINEAR;
    trt__log(TRT_LOG_WARNING,
             "TRT_LAYOUT='%s' is not one of auto, nhwc8, linear; using auto (NHWC8 only for "
             "tensor-core convolutions)",
             e);
    return MODE_AUTO;
}

/* Ops other than Conv that have NHWC8 kernels for their data input (input 0) and output 0:
 * they run NHWC8 when that input is NHWC8 (the caller checks it is a float rank-4 activation
 * written by an NHWC8 node). The one place to extend when an op gains them.
 *   pools (pool.c, kernels/pool_nhwc.cl): 2-D MaxPool and AveragePool, GlobalAveragePool,
 *   GlobalMaxPool, float32 or float16 storage; not a MaxPool whose Indices output is used
 *   (indices count NCHW elements). */
static int runs_nhwc8(const trt_graph *g, const trt_node *node) {
    (void)g;
    switch (node->op) {
    case TRT_OP_MAX_POOL:
    case TRT_OP_AVERAGE_POOL:
    case TRT_OP_GLOBAL_AVERAGE_POOL:
    case TRT_OP_GLOBAL_MAX_POOL:
        for (int o = 1; o < node->n_outputs; o++)
            if (node->outputs[o] >= 0) return 0;
        return 1;
    default: return 0;
    }
}

/* A float32 rank-4 activation (device data: no host values, not a constant). */
static int is_activation4(const trt_graph *g, int t) {
    if (t < 0) return 0;
    const trt_tensor *tt = &g->tensors[t];
    return tt->dtype == TRT_DTYPE_FLOAT32 && tt->shape.nb_dims == 4 && !tt->has_host &&
           !(tt->flags & TRT_TENSOR_CONST);
}

/* Why Conv node n runs NHWC8, or NULL if it stays LINEAR. */
static const char *conv_choice(const trt_graph *g, const trt_node *node, int mode, int tc) {
    if (node->op != TRT_OP_CONV || node->is_host || node->n_outputs != 1 || node->n_inputs < 2)
        return NULL;
    const int x = node->inputs[0], w = node->inputs[1], y = node->outputs[0];
    const int b = node->n_inputs > 2 ? node->inputs[2] : -1;
    if (!is_activation4(g, x) || !is_activation4(g, y) || !trt__tensor_is_const(g, w) ||
        g->tensors[w].shape.nb_dims != 4 || g->tensors[w].layout != TRT_LAYOUT_LINEAR ||
        (b >= 0 && !trt__tensor_is_const(g, b)))
        return NULL;
    const trt_epilogue *e = trt__conv_epilogue((trt_node *)node);
    if (e->residual && !is_activation4(g, node->inputs[e->residual])) return NULL;
    const int64_t group = TRT_CPARAMS(node, conv_params)->group;
    const int64_t c = g->tensors[x].shape.d[1], k = g->tensors[w].shape.d[0];
    if (mode == MODE_NHWC8 && (group == 1 || (group == c && group == k)))
        return "forced by TRT_LAYOUT";
    if (tc && group == 1 && k % 8 == 0 && trt_tensor_is_half(&g->tensors[x]) &&
        trt_tensor_is_half(&g->tensors[y]))
        return "tensor cores";
    return NULL;
}

/* Whether input slot k of node n is read in NHWC8: the data input of an NHWC8 node, or its
 * fused residual (a Conv). W is repacked separately; other inputs stay LINEAR. */
static int nhwc_slot(const trt_graph *g, const uint8_t *nhwc, int n, int k) {
    if (n >= 0 && !nhwc[n]) return 0;
    if (k == 0) return 1;
    const trt_node *node = &g->nodes[n];
    return node->op == TRT_OP_CONV && k == trt__conv_epilogue((trt_node *)node)->residual;
}

/* A new tensor like t (dtype, storage, shape) named "<t's name> (nhwc8)", NHWC8. */
static int add_nhwc8_twin(trt_graph *g, int t) {
    char name[512];
    snprintf(name, sizeof name, "%s (nhwc8)", g->tensors[t].name);
    trt_dims shape = g->tensors[t].shape;
    int u = trt_graph_add_tensor(g, name, g->tensors[t].dtype, &shape);
    if (u < 0) return -1;
    g->tensors[u].storage = g->tensors[t].storage;
    g->tensors[u].layout = TRT_LAYOUT_NHWC8;
    g->tensors[u].capacity = trt_tensor_bytes(&g->tensors[u]);
    return u;
}

/* Appends Reformat src -> dst (to `layout`; pairs_w: as pairs of pixels, see W-pairs below),
 * to be placed before node `before`. */
static trt_status add_reformat(trt_graph *g, int src, int dst, int layout, int pairs_w,
                               int before, int **pos, int *npos) {
    char name[600];
    snprintf(name, sizeof name, "Reformat %s to %s", g->tensors[src].name,
             layout == TRT_LAYOUT_NHWC8 ? "NHWC8" : "LINEAR");
    int n = trt_graph_add_node(g, TRT_OP_REFORMAT, name, &src, 1, &dst, 1);
    int *p = realloc(*pos, sizeof(int) * (size_t)(*npos + 1));
    if (p) *pos = p;
    if (n < 0 || !p) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory adding a Reformat");
    p[(*npos)++] = before;
    const int32_t params[2] = {layout, pairs_w}; /* reformat_params (ops/reformat.c) */
    memcpy(g->nodes[n].params, params, sizeof params);
    return TRT_OK;
}

/* W [K, Cg, R, S] (dense, its storage type) into [K][R][S][round_up(Cg, 8)], zero padded. */
static trt_status repack_weights(trt_tensor *w) {
    const int64_t K = w->shape.d[0], CG = w->shape.d[1], RS = w->shape.d[2] * w->shape.d[3];
    const int64_t CP = trt_nhwc8_channels(CG);
    const size_t es = trt_dtype_size(w->storage);
    if (w->data_size != (size_t)(K * CG * RS) * es)
        return trt__error(TRT_ERR_INTERNAL,
                          "weights '%s': %zu bytes of data for %lld elements of %zu bytes",
                          w->name, w->data_size, (long long)(K * CG * RS), es);
    size_t bytes = (size_t)(K * RS * CP) * es;
    uint8_t *dst = calloc(bytes ? bytes : 1, 1);
    if (!dst) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory repacking weights");
    const uint8_t *src = w->data;
    for (int64_t k = 0; k < K; k++)
        for (int64_t c = 0; c < CG; c++)
            for (int64_t rs = 0; rs < RS; rs++)
                memcpy(dst + (size_t)((k * RS + rs) * CP + c) * es,
                       src + (size_t)((k * CG + c) * RS + rs) * es, es);
    free(w->data);
    w->data = dst;
    w->data_size = bytes;
    w->layout = TRT_LAYOUT_NHWC8;
    return TRT_OK;
}

/* A new constant "<t's name> <suffix>" of the given shape, with t's dtype and storage, holding
 * `bytes` of `data` (malloc'ed; the graph owns it from here, also when this fails). Returns
 * its index, or -1 when out of memory. */
static int add_const_like(trt_graph *g, int t, const char *suffix, const trt_dims *shape,
                          void *data, size_t bytes) {
    char name[512];
    snprintf(name, sizeof name, "%s %s", g->tensors[t].name, suffix);
    int u = data ? trt_graph_add_tensor(g, name, g->tensors[t].dtype, shape) : -1;
    if (u < 0) {
        free(data);
        return -1;
    }
    trt_tensor *dst = &g->tensors[u];
    dst->data = data;
    dst->data_size = bytes;
    dst->storage = g->tensors[t].storage;
    dst->flags = TRT_TENSOR_CONST;
    dst->has_host = 1;
    return u;
}

/* A copy of constant t (data in its storage type), for the nodes that keep it LINEAR. */
static int copy_const(trt_graph *g, int t) {
    const trt_tensor *src = &g->tensors[t];
    void *data = malloc(src->data_size ? src->data_size : 1);
    if (data) memcpy(data, src->data, src->data_size);
    const trt_dims shape = src->shape;
    return add_const_like(g, t, "(nhwc8)", &shape, data, src->data_size);
}

/* Whether every use of constant w is as W (input 1) of an NHWC8 Conv. */
static int only_nhwc_weights(const trt_graph *g, const uint8_t *nhwc, int nn, int w) {
    if (trt__tensor_is_output(g, w)) return 0;
    for (int n = 0; n < nn; n++)
        for (int k = 0; k < g->nodes[n].n_inputs; k++)
            if (g->nodes[n].inputs[k] == w && !(nhwc[n] && g->nodes[n].op == TRT_OP_CONV && k == 1))
                return 0;
    return 1;
}

/* W-pairs: a Conv on few channels (C <= 4: a network's first layer, its image) with stride
 * 2 along W reads its input as pairs of pixels. The Reformat writes pixel w' of the NHWC8
 * input as [X(.., 2w') channels, X(.., 2w'+1) channels, zeros] (2C of 8 channels real,
 * instead of C), and the Conv becomes a stride-1 Conv along W over W' = ceil(W/2) pixel pairs
 * with ceil-half as many taps: its products shrink from R*S*8 to R*S'*8 per output (ResNet-50's
 * 7x7: S 7 -> S' 4, 392 -> 224). Output shapes are the same for every W exactly when
 * pad_begin + pad_end - S is odd (7x7 pad 3, 3x3 pad 1); other Convs are left alone.
 * Original tap kx of pair tap j, half e: kx = 2 (j - pl') + pad_begin + e. */
typedef struct {
    int c, s, pl, pr, s2, pl2, pr2; /* C; S and pads along W; the pairs' S', pads */
} pairs_plan;

static int pairs_applicable(const trt_graph *g, const trt_node *node, int x, pairs_plan *pp) {
    const char *e = getenv("TRT_CONV_PAIRS");
    if (e && strcmp(e, "0") == 0) return 0;
    if (node->op != TRT_OP_CONV || x < 0 || trt__tensor_uses(g, x) != 1 ||
        trt__tensor_is_output(g, x))
        return 0;
    const conv_params *p = TRT_CPARAMS(node, conv_params);
    const trt_tensor *xt = &g->tensors[x], *wt = &g->tensors[node->inputs[1]];
    if (xt->shape.nb_dims != 4 || xt->layout != TRT_LAYOUT_LINEAR || wt->shape.nb_dims != 4 ||
        !(wt->flags & TRT_TENSOR_CONST) || !wt->data || p->group != 1 ||
        p->auto_pad != PAD_NOTSET || trt__conv_epilogue((trt_node *)node)->residual > 0)
        return 0;
    const int64_t c = xt->shape.d[1], S = wt->shape.d[3];
    if (c < 1 || c > 4 || wt->shape.d[1] != c || p->n_strides != 2 || p->strides[1] != 2 ||
        (p->n_dilations && p->dilations[1] != 1))
        return 0;
    const int pl = p->n_pads ? p->pads[1] : 0, pr = p->n_pads ? p->pads[3] : 0;
    const int P = pl + pr - (int)S;
    if ((P & 1) == 0) return 0;
    pp->c = (int)c, pp->s = (int)S, pp->pl = pl, pp->pr = pr;
    pp->pl2 = (pl + 1) / 2;
    /* the last tap, kx = S - 1: j = floor((S - 1 - pl) / 2) + pl' */
    const int d = (int)S - 1 - pl;
    pp->s2 = (d >= 0 ? d / 2 : -((-d + 1) / 2)) + pp->pl2 + 1;
    pp->pr2 = (P + 1) / 2 - pp->pl2 + pp->s2 - 1;
    return pp->s2 >= 1 && pp->pr2 >= 0;
}

/* W [K, C, R, S] (LINEAR, its storage type) -> W' [K, 2C, R, S'] of the pairs, zeros where a
 * pair tap has no original tap; a new constant, repacked to NHWC8. Returns it, or -1. */
static int pairs_weights(trt_graph *g, int w, const pairs_plan *pp) {
    const trt_tensor *src = &g->tensors[w];
    const int64_t K = src->shape.d[0], R = src->shape.d[2], C = pp->c, C2 = 2 * C;
    const size_t es = trt_dtype_size(src->storage), bytes = (size_t)(K * C2 * R * pp->s2) * es;
    if (src->data_size != (size_t)(K * C * R * pp->s) * es) return -1;
    uint8_t *dst = calloc(bytes, 1);
    if (!dst) return -1;
    for (int64_t k = 0; k < K; k++)
        for (int64_t e = 0; e < 2; e++)
            for (int64_t c = 0; c < C; c++)
                for (int64_t r = 0; r < R; r++)
                    for (int64_t j = 0; j < pp->s2; j++) {
                        const int64_t kx = 2 * (j - pp->pl2) + pp->pl + e;
                        if (kx < 0 || kx >= pp->s) continue;
                        const size_t to = (size_t)(((k * C2 + e * C + c) * R + r) * pp->s2 + j);
                        const size_t from = (size_t)(((k * C + c) * R + r) * pp->s + kx);
                        memcpy(dst + to * es, (const uint8_t *)src->data + from * es, es);
                    }
    const int64_t d[4] = {K, C2, R, pp->s2};
    const trt_dims shape = trt_dims_make(4, d);
    const int u = add_const_like(g, w, "(pairs)", &shape, dst, bytes);
    return u >= 0 && repack_weights(&g->tensors[u]) == TRT_OK ? u : -1;
}

/* The Conv of plan pp reads its pairs: new weights, stride 1, S' taps and pads along W. */
static trt_status pairs_rewrite_conv(trt_graph *g, trt_node *node, const pairs_plan *pp) {
    const int w2 = pairs_weights(g, node->inputs[1], pp);
    if (w2 < 0) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory making pair weights");
    conv_params *p = TRT_PARAMS(node, conv_params);
    if (!p->n_pads) {
        p->n_pads = 4;
        memset(p->pads, 0, sizeof p->pads);
    }
    if (p->n_kernel) p->kernel[1] = pp->s2;
    p->strides[1] = 1;
    p->pads[1] = pp->pl2;
    p->pads[3] = pp->pr2;
    node->inputs[1] = w2;
    return TRT_OK;
}

/* A Reformat to NHWC8 of a Cast's float16 copy of a float32 tensor, the Cast's only reader
 * (an FP16 engine's input: "input" -> Cast -> "input (fp16)" -> Reformat), reads the float32
 * tensor itself and converts while it reformats (ops/reformat.c): one pass over the data
 * instead of two. The Cast, left unread, goes with the next removal of dead nodes. */
static void fold_casts_into_reformats(trt_graph *g) {
    for (int n = 0; n < g->n_nodes; n++) {
        trt_node *r = &g->nodes[n];
        if (r->op != TRT_OP_REFORMAT) continue;
        int32_t to;
        memcpy(&to, r->params, sizeof to); /* reformat_params: the target layout */
        if (to != TRT_LAYOUT_NHWC8) continue;
        const int t = r->inputs[0], p = g->tensors[t].producer;
        if (p < 0 || g->nodes[p].op != TRT_OP_CAST || g->nodes[p].is_host) continue;
        const int src = g->nodes[p].inputs[0];
        const trt_tensor *a = &g->tensors[src], *b = &g->tensors[t];
        if (a->dtype != TRT_DTYPE_FLOAT32 || b->dtype != TRT_DTYPE_FLOAT32 ||
            a->storage != TRT_DTYPE_FLOAT32 || b->storage != TRT_DTYPE_FLOAT16 ||
            a->shape.nb_dims != 4 || a->layout != TRT_LAYOUT_LINEAR ||
            trt__tensor_uses(g, t) != 1 || trt__tensor_is_output(g, t))
            continue;
        r->inputs[0] = src;
        trt__log(TRT_LOG_VERBOSE,
                 "Layout: %s reads '%s' and converts it to float16 (instead of %s)", r->name,
                 a->name, g->nodes[p].name);
    }
}

trt_status trt__pass_layout(trt_device *dev, trt_graph *g) {
    const int mode = env_mode();
    if (mode == MODE_LINEAR) {
        trt__log(TRT_LOG_VERBOSE, "Layout: TRT_LAYOUT=linear, every tensor stays LINEAR");
        return TRT_OK;
    }
    const int tc = dev && trt_caps_tensor_core_f16(&dev->caps);
    const int nn = g->n_nodes, nt = g->n_tensors;
    uint8_t *nhwc = calloc((size_t)nn + 1, 1);
    uint8_t *is8 = calloc((size_t)nt + 1, 1); /* written NHWC8 by its producer */
    uint8_t *alone = calloc((size_t)nn + 1, 1); /* its data input needs a Reformat */
    int *map = malloc(sizeof(int) * (size_t)(nt + 1)); /* LINEAR t -> its NHWC8 twin */
    int *pos = NULL, npos = 0, n_nhwc = 0;
    trt_status s = TRT_OK;
    if (!nhwc || !is8 || !alone || !map) {
        s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory in the layout pass");
        goto done;
    }
    /* Decide, in order: a node following NHWC8 data sees its producer's decision. */
    for (int n = 0; n < nn; n++) {
        const trt_node *node = &g->nodes[n];
        const char *why = conv_choice(g, node, mode, tc);
        if (!why && !node->is_host && node->n_inputs >= 1 && node->n_outputs >= 1 &&
            node->inputs[0] >= 0 && is8[node->inputs[0]] && is_activation4(g, node->outputs[0]) &&
            runs_nhwc8(g, node))
            why = "its input is NHWC8";
        if (!why) continue;
        nhwc[n] = 1;
        n_nhwc++;
        is8[node->outputs[0]] = 1;
        trt__log(TRT_LOG_VERBOSE, "Layout: %s runs NHWC8 (%s)", node->name, why);
    }
    if (!n_nhwc) goto done;

    /* Tensors NHWC8 nodes write: the producer writes the NHWC8 twin; LINEAR readers and
     * graph outputs get the original back through one Reformat. */
    for (int t = 0; t < nt; t++) {
        if (!is8[t]) continue;
        int t8 = add_nhwc8_twin(g, t);
        if (t8 < 0) {
            s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory in the layout pass");
            goto done;
        }
        const int p = g->tensors[t].producer;
        for (int o = 0; o < g->nodes[p].n_outputs; o++)
            if (g->nodes[p].outputs[o] == t) g->nodes[p].outputs[o] = t8;
        g->tensors[t8].producer = p;
        int first_linear = -1;
        for (int n = 0; n < nn; n++)
            for (int k = 0; k < g->nodes[n].n_inputs; k++) {
                if (g->nodes[n].inputs[k] != t) continue;
                if (nhwc_slot(g, nhwc, n, k)) g->nodes[n].inputs[k] = t8;
                else if (first_linear < 0) first_linear = n;
            }
        const int is_out = trt__tensor_is_output(g, t);
        if (first_linear < 0 && !is_out) continue; /* t is no longer used */
        const int before = first_linear >= 0 ? first_linear : p + 1;
        if ((s = add_reformat(g, t8, t, TRT_LAYOUT_LINEAR, 0, before, &pos, &npos)) != TRT_OK)
            goto done;
        trt__log(TRT_LOG_VERBOSE, "Reformat: '%s' to LINEAR for %s", g->tensors[t].name,
                 first_linear >= 0 ? g->nodes[first_linear].name : "the graph output");
    }

    /* LINEAR data read by NHWC8 nodes: one Reformat per tensor, before its first reader. */
    for (int t = 0; t < nt; t++) map[t] = -1;
    for (int n = 0; n < nn; n++) {
        if (!nhwc[n]) continue;
        for (int k = 0; k < g->nodes[n].n_inputs; k++) {
            int t = g->nodes[n].inputs[k];
            if (t < 0 || t >= nt || !nhwc_slot(g, nhwc, n, k)) continue; /* twins are >= nt */
            if (map[t] < 0) {
                pairs_plan pp;
                const int pairs = k == 0 && pairs_applicable(g, &g->nodes[n], t, &pp);
                int t8 = add_nhwc8_twin(g, t);
                if (t8 < 0) {
                    s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory in the layout pass");
                    goto done;
                }
                if (pairs) { /* [N, 2C, H, ceil(W/2)], as ops/reformat.c infers it */
                    trt_tensor *tw = &g->tensors[t8];
                    tw->shape.d[1] = 2 * pp.c;
                    tw->shape.d[3] = (tw->shape.d[3] + 1) / 2;
                    tw->capacity = trt_tensor_bytes(tw);
                }
                if ((s = add_reformat(g, t, t8, TRT_LAYOUT_NHWC8, pairs, n, &pos, &npos)) !=
                        TRT_OK ||
                    (pairs && (s = pairs_rewrite_conv(g, &g->nodes[n], &pp)) != TRT_OK))
                    goto done;
                map[t] = t8;
                if (pairs) {
                    const int r = (int)g->tensors[g->nodes[n].inputs[1]].shape.d[2];
                    trt__log(TRT_LOG_VERBOSE,
                             "Layout: %s reads '%s' as pairs of pixels: %d of 8 channels real "
                             "instead of %d, %dx%d taps instead of %dx%d",
                             g->nodes[n].name, g->tensors[t].name, 2 * pp.c, pp.c, r, pp.s2, r,
                             pp.s);
                } else {
                    trt__log(TRT_LOG_VERBOSE, "Reformat: '%s' to NHWC8 for %s",
                             g->tensors[t].name, g->nodes[n].name);
                }
            }
            g->nodes[n].inputs[k] = map[t];
            if (k == 0) alone[n] = 1;
        }
    }

    /* Weights: repacked in place, or a repacked copy when other nodes read them LINEAR. */
    for (int t = 0; t < nt; t++) map[t] = -1;
    for (int n = 0; n < nn; n++) {
        if (!nhwc[n] || g->nodes[n].op != TRT_OP_CONV) continue;
        const int w = g->nodes[n].inputs[1];
        if (w < nt && map[w] < 0) {
            int w8 = w;
            if (!only_nhwc_weights(g, nhwc, nn, w) && (w8 = copy_const(g, w)) < 0) {
                s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory copying weights");
                goto done;
            }
            if ((s = repack_weights(&g->tensors[w8])) != TRT_OK) goto done;
            map[w] = w8;
            const trt_dims *d = &g->tensors[w8].shape;
            trt__log(TRT_LOG_VERBOSE, "Layout: weights '%s' of %s repacked to NHWC8 [%lld][%lld][%lld][%lld]%s",
                     g->tensors[w].name, g->nodes[n].name, (long long)d->d[0], (long long)d->d[2],
                     (long long)d->d[3], (long long)trt_nhwc8_channels(d->d[1]),
                     w8 != w ? " (a copy: other nodes read them LINEAR)" : "");
        }
        if (w < nt) g->nodes[n].inputs[1] = map[w];
    }

    /* A region of one node converts twice for it: worth knowing (no cost model here). */
    for (int n = 0; n < nn; n++) {
        if (!nhwc[n] || !alone[n]) continue;
        const int t8 = g->nodes[n].outputs[0];
        int nhwc_reader = 0;
        for (int m = 0; m < nn; m++)
            for (int k = 0; k < g->nodes[m].n_inputs; k++)
                nhwc_reader |= g->nodes[m].inputs[k] == t8 && nhwc[m];
        if (!nhwc_reader)
            trt__log(TRT_LOG_VERBOSE,
                     "Layout: %s is an NHWC8 region alone: its input and output are both "
                     "reformatted",
                     g->nodes[n].name);
    }
    if ((s = trt__graph_place_new_nodes(g, nn, pos)) != TRT_OK) goto done;
    /* Only NHWC8 nodes' data slots and Reformats may read NHWC8 tensors: a view would alias
     * the padded channels-last bytes as NCHW, any other kernel index them wrongly. */
    for (int n = 0; n < g->n_nodes; n++) {
        const trt_node *node = &g->nodes[n];
        const int nhwc_node = node->n_inputs > 0 && node->inputs[0] >= 0 &&
                              g->tensors[node->inputs[0]].layout == TRT_LAYOUT_NHWC8;
        const trt_epilogue *e =
            node->op == TRT_OP_CONV ? trt__conv_epilogue((trt_node *)node) : NULL;
        for (int k = 0; k < node->n_inputs; k++) {
            const int t = node->inputs[k];
            if (t < 0 || g->tensors[t].layout != TRT_LAYOUT_NHWC8 || node->op == TRT_OP_REFORMAT)
                continue;
            if (!nhwc_node || (k != 0 && !(e && (k == 1 || k == e->residual)))) {
                s = trt__error(TRT_ERR_INTERNAL,
                               "layout pass: node '%s' (%s) reads NHWC8 tensor '%s' as input %d, "
                               "which it reads LINEAR; build with TRT_LAYOUT=linear and report "
                               "the model",
                               node->name, trt_op_name(node->op), g->tensors[t].name, k);
                goto done;
            }
        }
    }
    fold_casts_into_reformats(g);
    trt__log(TRT_LOG_INFO, "Layout: %d of %d layers run NHWC8, %d reformats", n_nhwc, nn, npos);
done:
    free(nhwc);
    free(is8);
    free(alone);
    free(map);
    free(pos);
    return s;
}
