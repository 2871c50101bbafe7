/* test_layout.c — the NHWC8 layout pass (engine/passes/layout.c) and the Reformat op.
 *
 *   graph     a hand-made graph through trt__pass_layout with TRT_LAYOUT=nhwc8: which Convs
 *             run NHWC8 (group 1, depthwise; not group 2), how many Reformats and where,
 *             graph outputs keep their names and LINEAR, the node list stays topologically
 *             sorted and infers, W repacked to [K][R][S][Cp] (compared with a host
 *             re-computation, float32 and float16 data), a W shared with a LINEAR Conv
 *             duplicated; TRT_LAYOUT=linear and auto without tensor cores change nothing
 *   tc        the tensor-core rule, on a device whose caps claim tensor cores: only Convs
 *             with float16 storage, group 1 and K % 8 == 0
 *   pairs     W-pairs: the 7x7 and 3x3 stride-2 Convs on 3 and 2 channels (odd and even W)
 *             read pairs of pixels, with [K][2C][R][S'] weights and unchanged output shapes;
 *             a 4x4 one (pad sum - S even) does not; TRT_CONV_PAIRS=0 turns it off; the
 *             engines (portable NHWC8 kernels) give the LINEAR engines' outputs
 *   cast      an FP16 engine's input Cast folds into the Reformat to NHWC8 (which then reads
 *             float32 and writes float16), not when the float16 copy has another reader
 *   import    a model naming Reformat or TrtReformat is refused as an unsupported operator
 *   reformat  Reformat round trips on the device, LINEAR -> NHWC8 -> LINEAR, with awkward
 *             shapes (C = 3, 13, 64; H, W = 1, 7, 93), float32 and float16 storage; the
 *             NHWC8 tensor (an engine output) holds the values at [n][h][w][c], zeros past C
 *   pools     global pools after NHWC8 data join the region, one of LINEAR data does not
 *   engine    the graphs of "graph" and "pools" built by the builder with TRT_LAYOUT=nhwc8
 *             (portable NHWC8 conv and pools) give the TRT_LAYOUT=linear engines' outputs,
 *             and have their Reformats
 *
 * usage: test_layout
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder/builder.h"
#include "onnx/onnx_import.h"
#include "ops/conv.h"
#include "passes/passes.h"
#include "runtime/runtime.h"

#include "../common/check.h"

/* ---------------------------------------------------------------- graph building */

static trt_dims dims4(int64_t a, int64_t b, int64_t c, int64_t d) {
    const int64_t v[4] = {a, b, c, d};
    return trt_dims_make(4, v);
}

/* A float32 graph input of shape d. */
static int add_input(trt_graph *g, const char *name, trt_dims d) {
    int t = trt_graph_add_tensor(g, name, TRT_DTYPE_FLOAT32, &d);
    if (t >= 0) trt_graph_add_input(g, t);
    return t;
}

static float value_at(size_t i, int salt) {
    return (float)((int)((i * 7919u + 13u * (unsigned)salt) % 61u) - 30) / 32.0f;
}

static int add_weights(trt_graph *g, const char *name, trt_dims d, int salt) {
    size_t n = (size_t)trt_dims_volume(&d);
    float *v = malloc(n * sizeof *v);
    for (size_t i = 0; v && i < n; i++) v[i] = value_at(i, salt);
    int t = v ? trt_graph_add_const(g, name, TRT_DTYPE_FLOAT32, &d, v) : -1;
    free(v);
    return t;
}

/* A constant vector of n values (a bias). */
static int add_bias(trt_graph *g, const char *name, int64_t n, int salt) {
    return add_weights(g, name, trt_dims_make(1, &n), salt);
}

/* Conv y = conv(x, w, b) with padding `pad` on every side, `group`; `residual` (or -1) fused
 * as input 3 of the epilogue. */
static void add_conv(trt_graph *g, const char *name, int x, int w, int b, int y, int group,
                     int pad, int residual) {
    int in[4] = {x, w, b, residual};
    int n = trt_graph_add_node(g, TRT_OP_CONV, name, in, residual >= 0 ? 4 : 3, &y, 1);
    conv_params *p = TRT_PARAMS(&g->nodes[n], conv_params);
    p->group = group;
    p->n_pads = 4;
    for (int i = 0; i < 4; i++) p->pads[i] = pad;
    if (residual >= 0) p->epi.residual = 3;
}

/* Graph inputs x [2,3,9,11] and r [2,16,9,11];
 *   Conv_0  x, W0 [8,3,3,3], b0        -> t0      NHWC8 (x reformatted in)
 *   Conv_1  t0, W1 [16,8,3,3]          -> t1      NHWC8, reads t0 directly
 *   Flatten t0                         -> flat    graph output (a view: t0 reformatted out)
 *   Conv_2  t1, W1, group 2            -> t2      LINEAR (group 2 != C): t1 reformatted
 *                                                 out, W1 duplicated for Conv_1
 *   Conv_3  t1, Wd [16,1,3,3], group 16, residual r -> y3  NHWC8 depthwise; r reformatted
 *                                                 in; y3 a graph output (reformatted out)
 *   Conv_4  t2, W4 [5,16,1,1]          -> y4      NHWC8 (t2 in, y4 out) */
static trt_graph *make_graph(void) {
    trt_graph *g = trt_graph_new();
    int x = add_input(g, "x", dims4(2, 3, 9, 11)), r = add_input(g, "r", dims4(2, 16, 9, 11));
    int w0 = add_weights(g, "W0", dims4(8, 3, 3, 3), 1);
    int b0 = add_bias(g, "b0", 8, 2);
    int w1 = add_weights(g, "W1", dims4(16, 8, 3, 3), 3);
    int wd = add_weights(g, "Wd", dims4(16, 1, 3, 3), 4);
    int w4 = add_weights(g, "W4", dims4(5, 16, 1, 1), 5);
    int t0 = trt_graph_add_tensor(g, "t0", TRT_DTYPE_FLOAT32, NULL);
    int t1 = trt_graph_add_tensor(g, "t1", TRT_DTYPE_FLOAT32, NULL);
    int t2 = trt_graph_add_tensor(g, "t2", TRT_DTYPE_FLOAT32, NULL);
    int flat = trt_graph_add_tensor(g, "flat", TRT_DTYPE_FLOAT32, NULL);
    int y3 = trt_graph_add_tensor(g, "y3", TRT_DTYPE_FLOAT32, NULL);
    int y4 = trt_graph_add_tensor(g, "y4", TRT_DTYPE_FLOAT32, NULL);
    add_conv(g, "Conv_0", x, w0, b0, t0, 1, 1, -1);
    add_conv(g, "Conv_1", t0, w1, -1, t1, 1, 1, -1);
    int fl = trt_graph_add_node(g, TRT_OP_FLATTEN, "Flatten_0", &t0, 1, &flat, 1);
    int32_t axis = 1; /* Flatten's params (shape.c) start with the axis */
    memcpy(g->nodes[fl].params, &axis, sizeof axis);
    add_conv(g, "Conv_2", t1, w1, -1, t2, 2, 1, -1);
    add_conv(g, "Conv_3", t1, wd, -1, y3, 16, 1, r);
    add_conv(g, "Conv_4", t2, w4, -1, y4, 1, 0, -1);
    trt_graph_add_output(g, flat);
    trt_graph_add_output(g, y3);
    trt_graph_add_output(g, y4);
    return g;
}

static const trt_node *find_node(const trt_graph *g, const char *name) {
    for (int n = 0; n < g->n_nodes; n++)
        if (strcmp(g->nodes[n].name, name) == 0) return &g->nodes[n];
    return NULL;
}

static int count_op(const trt_graph *g, trt_op op) {
    int k = 0;
    for (int n = 0; n < g->n_nodes; n++) k += g->nodes[n].op == op;
    return k;
}

static int node_layout(const trt_graph *g, const char *name) {
    const trt_node *n = find_node(g, name);
    return n ? (int)g->tensors[n->inputs[0]].layout : -1;
}

/* Every node input is a graph input, a constant or produced by an earlier node. */
static int topo_sorted(const trt_graph *g) {
    for (int n = 0; n < g->n_nodes; n++)
        for (int k = 0; k < g->nodes[n].n_inputs; k++) {
            int t = g->nodes[n].inputs[k];
            if (t < 0 || (g->tensors[t].flags & (TRT_TENSOR_INPUT | TRT_TENSOR_CONST))) continue;
            if (g->tensors[t].producer < 0 || g->tensors[t].producer >= n) return 0;
        }
    return 1;
}

/* The repacked W (NHWC8, [K][R][S][Cp]) against the LINEAR original `orig` (floats). */
static int repacked_ok(const trt_tensor *w, const float *orig, int half) {
    const int64_t K = w->shape.d[0], C = w->shape.d[1], R = w->shape.d[2], S = w->shape.d[3];
    const int64_t CP = trt_nhwc8_channels(C);
    const size_t es = half ? 2 : 4;
    if (w->layout != TRT_LAYOUT_NHWC8 || w->data_size != (size_t)(K * R * S * CP) * es ||
        trt_tensor_bytes(w) != w->data_size)
        return 0;
    for (int64_t k = 0; k < K; k++)
        for (int64_t r = 0; r < R; r++)
            for (int64_t s = 0; s < S; s++)
                for (int64_t c = 0; c < CP; c++) {
                    size_t i = (size_t)(((k * R + r) * S + s) * CP + c);
                    float want = c < C ? orig[((k * C + c) * R + r) * S + s] : 0.0f;
                    float got = half ? trt_f16_to_f32(((const uint16_t *)w->data)[i])
                                     : ((const float *)w->data)[i];
                    if (half) want = trt_f16_to_f32(trt_f32_to_f16(want));
                    if (got != want || (c >= C && signbit(got))) return 0;
                }
    return 1;
}

/* ---------------------------------------------------------------- graph checks */

static void test_graph(void) {
    /* Forced: every eligible Conv. */
    setenv("TRT_LAYOUT", "nhwc8", 1);
    trt_graph *g = make_graph();
    CHECK(trt_graph_infer(g, 1) == TRT_OK, "graph infers");
    float *w0 = malloc(g->tensors[trt_graph_find_tensor(g, "W0")].data_size);
    float *w1 = malloc(g->tensors[trt_graph_find_tensor(g, "W1")].data_size);
    memcpy(w0, g->tensors[trt_graph_find_tensor(g, "W0")].data,
           g->tensors[trt_graph_find_tensor(g, "W0")].data_size);
    memcpy(w1, g->tensors[trt_graph_find_tensor(g, "W1")].data,
           g->tensors[trt_graph_find_tensor(g, "W1")].data_size);
    const int nt_before = g->n_tensors, nn_before = g->n_nodes;
    CHECK(trt__pass_layout(NULL, g) == TRT_OK, "layout pass");
    const char *nhwc[] = {"Conv_0", "Conv_1", "Conv_3", "Conv_4"};
    for (int i = 0; i < 4; i++)
        CHECK(node_layout(g, nhwc[i]) == TRT_LAYOUT_NHWC8, "%s runs NHWC8", nhwc[i]);
    CHECK(node_layout(g, "Conv_2") == TRT_LAYOUT_LINEAR, "Conv_2 (group 2) stays LINEAR");
    CHECK(node_layout(g, "Flatten_0") == TRT_LAYOUT_LINEAR, "the view reads LINEAR");
    /* In: x, r (residual), t2. Out: t0 (Flatten), t1 (Conv_2), y3, y4. */
    CHECK(count_op(g, TRT_OP_REFORMAT) == 7, "7 Reformats, got %d",
          count_op(g, TRT_OP_REFORMAT));
    CHECK(g->n_nodes == nn_before + 7, "only Reformats added");
    CHECK(topo_sorted(g), "nodes topologically sorted");
    const char *outs[] = {"flat", "y3", "y4"};
    for (int i = 0; i < 3; i++) {
        int t = g->outputs[i];
        CHECK(strcmp(g->tensors[t].name, outs[i]) == 0 &&
                  g->tensors[t].layout == TRT_LAYOUT_LINEAR,
              "graph output %d is '%s', LINEAR", i, outs[i]);
        int p = g->tensors[t].producer;
        CHECK(p >= 0 && g->nodes[p].op == (i == 0 ? TRT_OP_FLATTEN : TRT_OP_REFORMAT),
              "output '%s' written by %s", outs[i], i == 0 ? "Flatten" : "a Reformat");
    }
    /* Every NHWC8 tensor is read only by NHWC8 data slots or Reformats to LINEAR. */
    int bad = 0;
    for (int n = 0; n < g->n_nodes; n++) {
        const trt_node *node = &g->nodes[n];
        for (int k = 0; k < node->n_inputs; k++) {
            int t = node->inputs[k];
            if (t < 0 || g->tensors[t].layout != TRT_LAYOUT_NHWC8) continue;
            int ok = node->op == TRT_OP_REFORMAT ||
                     (node->op == TRT_OP_CONV && (k == 0 || k == 1 || k == 3) &&
                      g->tensors[node->inputs[0]].layout == TRT_LAYOUT_NHWC8);
            if (!ok) {
                printf("  %s reads NHWC8 '%s' in slot %d\n", node->name, g->tensors[t].name, k);
                bad++;
            }
        }
    }
    CHECK(bad == 0, "NHWC8 tensors only reach NHWC8 slots");
    const trt_node *c3 = find_node(g, "Conv_3");
    CHECK(c3 && g->tensors[c3->inputs[3]].layout == TRT_LAYOUT_NHWC8, "residual is NHWC8");
    const trt_node *c0 = find_node(g, "Conv_0");
    CHECK(c0 && g->tensors[c0->inputs[2]].layout == TRT_LAYOUT_LINEAR, "bias stays LINEAR");
    /* Weights: W0 repacked in place; W1 shared with Conv_2: a repacked copy for Conv_1. */
    CHECK(c0 && c0->inputs[1] == trt_graph_find_tensor(g, "W0") &&
              repacked_ok(&g->tensors[c0->inputs[1]], w0, 0),
          "W0 repacked in place to [K][R][S][Cp]");
    const trt_node *c1 = find_node(g, "Conv_1"), *c2 = find_node(g, "Conv_2");
    const trt_tensor *w1o = &g->tensors[trt_graph_find_tensor(g, "W1")];
    CHECK(c1 && c2 && c1->inputs[1] != c2->inputs[1] && c2->inputs[1] == (int)(w1o - g->tensors),
          "shared W1 duplicated");
    CHECK(c1 && repacked_ok(&g->tensors[c1->inputs[1]], w1, 0), "W1 copy repacked");
    CHECK(w1o->layout == TRT_LAYOUT_LINEAR && w1o->data_size == 16 * 8 * 9 * 4 &&
              memcmp(w1o->data, w1, w1o->data_size) == 0,
          "W1 stays LINEAR for Conv_2");
    const trt_node *c3w = find_node(g, "Conv_3");
    CHECK(c3w && g->tensors[c3w->inputs[1]].data_size == 16 * 9 * 8 * 4,
          "depthwise W padded to 8 channels");
    CHECK(trt_graph_infer(g, 1) == TRT_OK, "graph infers after the pass");
    CHECK(g->n_tensors > nt_before, "twins added");
    trt_graph_free(g);

    /* Off, and auto without tensor cores: nothing changes. */
    const char *modes[] = {"linear", "auto", NULL};
    for (int i = 0; i < 3; i++) {
        if (modes[i]) setenv("TRT_LAYOUT", modes[i], 1);
        else unsetenv("TRT_LAYOUT");
        g = make_graph();
        trt_graph_infer(g, 1);
        int nn = g->n_nodes;
        CHECK(trt__pass_layout(NULL, g) == TRT_OK && g->n_nodes == nn &&
                  count_op(g, TRT_OP_REFORMAT) == 0 &&
                  node_layout(g, "Conv_0") == TRT_LAYOUT_LINEAR,
              "TRT_LAYOUT=%s: no change", modes[i] ? modes[i] : "(unset)");
        trt_graph_free(g);
    }

    /* Float16 weights (as the precision pass leaves them) repack as float16. */
    setenv("TRT_LAYOUT", "nhwc8", 1);
    g = make_graph();
    trt_graph_infer(g, 1);
    trt_tensor *w = &g->tensors[trt_graph_find_tensor(g, "W0")];
    size_t n = w->data_size / 4;
    uint16_t *h = malloc(n * 2);
    for (size_t i = 0; i < n; i++) h[i] = trt_f32_to_f16(w0[i]);
    free(w->data);
    w->data = h;
    w->data_size = n * 2;
    w->storage = TRT_DTYPE_FLOAT16;
    CHECK(trt__pass_layout(NULL, g) == TRT_OK, "layout pass, float16 W");
    c0 = find_node(g, "Conv_0");
    CHECK(c0 && repacked_ok(&g->tensors[c0->inputs[1]], w0, 1), "float16 W0 repacked");
    trt_graph_free(g);
    unsetenv("TRT_LAYOUT");
    free(w0);
    free(w1);
}

/* x [1,16,6,6] float16 storage -> Conv_a (K 16) -> Conv_b (K 12) ; x -> Conv_c (float32). */
static void test_tensor_core_rule(void) {
    unsetenv("TRT_LAYOUT");
    trt_graph *g = trt_graph_new();
    int x = add_input(g, "x", dims4(1, 16, 6, 6)), xf = add_input(g, "xf", dims4(1, 16, 6, 6));
    int wa = add_weights(g, "Wa", dims4(16, 16, 3, 3), 1);
    int wb = add_weights(g, "Wb", dims4(12, 16, 3, 3), 2);
    int wc = add_weights(g, "Wc", dims4(16, 16, 3, 3), 3);
    int a = trt_graph_add_tensor(g, "a", TRT_DTYPE_FLOAT32, NULL);
    int b = trt_graph_add_tensor(g, "b", TRT_DTYPE_FLOAT32, NULL);
    int c = trt_graph_add_tensor(g, "c", TRT_DTYPE_FLOAT32, NULL);
    add_conv(g, "Conv_a", x, wa, -1, a, 1, 1, -1);
    add_conv(g, "Conv_b", a, wb, -1, b, 1, 1, -1);
    add_conv(g, "Conv_c", xf, wc, -1, c, 1, 1, -1);
    trt_graph_add_output(g, b);
    trt_graph_add_output(g, c);
    trt_graph_infer(g, 1);
    int halfs[] = {x, a, b};
    for (int i = 0; i < 3; i++) g->tensors[halfs[i]].storage = TRT_DTYPE_FLOAT16;
    trt_device fake;
    memset(&fake, 0, sizeof fake);
    fake.caps.mma_f16 = fake.caps.ldmatrix = fake.caps.cp_async = 1;
    CHECK(trt__pass_layout(&fake, g) == TRT_OK, "layout pass, tensor cores");
    CHECK(node_layout(g, "Conv_a") == TRT_LAYOUT_NHWC8, "Conv_a (FP16, K 16) on tensor cores");
    CHECK(node_layout(g, "Conv_b") == TRT_LAYOUT_LINEAR, "Conv_b (K 12) stays LINEAR");
    CHECK(node_layout(g, "Conv_c") == TRT_LAYOUT_LINEAR, "Conv_c (float32) stays LINEAR");
    CHECK(count_op(g, TRT_OP_REFORMAT) == 2 && topo_sorted(g), "x in, a out: 2 Reformats");
    const trt_node *na = find_node(g, "Conv_a");
    CHECK(na && g->tensors[na->inputs[0]].storage == TRT_DTYPE_FLOAT16 &&
              g->tensors[na->outputs[0]].storage == TRT_DTYPE_FLOAT16,
          "twins keep float16 storage");
    trt_graph_free(g);
}

/* W-pairs (layout.c): few-channel Convs with stride 2 along W read their input as pairs of
 * pixels when pad_begin + pad_end - S is odd.
 *   Conv_p  x [2,3,9,11] (odd W), 7x7, stride 2, pad 3, W [16,3,7,7], bias -> yp  pairs
 *   Conv_q  u [1,2,10,12] (even W), 3x3, stride 2, pad 1, W [8,2,3,3]      -> yq  pairs
 *   Conv_r  v [1,3,8,8], 4x4, stride 2, pad 1 (pad sum - S even), W [8,3,4,4] -> yr  not */
static int add_strided_conv(trt_graph *g, const char *name, int x, int w, int b, int y, int pad) {
    add_conv(g, name, x, w, b, y, 1, pad, -1);
    conv_params *p = TRT_PARAMS(&g->nodes[g->n_nodes - 1], conv_params);
    p->n_strides = 2;
    p->strides[0] = p->strides[1] = 2;
    return g->n_nodes - 1;
}

static trt_graph *make_pairs_graph(void) {
    trt_graph *g = trt_graph_new();
    int x = add_input(g, "x", dims4(2, 3, 9, 11)), u = add_input(g, "u", dims4(1, 2, 10, 12));
    int v = add_input(g, "v", dims4(1, 3, 8, 8));
    int wp = add_weights(g, "Wp", dims4(16, 3, 7, 7), 1);
    int bp = add_bias(g, "bp", 16, 2);
    int wq = add_weights(g, "Wq", dims4(8, 2, 3, 3), 3);
    int wr = add_weights(g, "Wr", dims4(8, 3, 4, 4), 4);
    int yp = trt_graph_add_tensor(g, "yp", TRT_DTYPE_FLOAT32, NULL);
    int yq = trt_graph_add_tensor(g, "yq", TRT_DTYPE_FLOAT32, NULL);
    int yr = trt_graph_add_tensor(g, "yr", TRT_DTYPE_FLOAT32, NULL);
    add_strided_conv(g, "Conv_p", x, wp, bp, yp, 3);
    add_strided_conv(g, "Conv_q", u, wq, -1, yq, 1);
    add_strided_conv(g, "Conv_r", v, wr, -1, yr, 1);
    trt_graph_add_output(g, yp);
    trt_graph_add_output(g, yq);
    trt_graph_add_output(g, yr);
    return g;
}

static int pair_reformats(const trt_graph *g) {
    int n = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        int32_t pairs;
        memcpy(&pairs, g->nodes[i].params + sizeof(int32_t), sizeof pairs);
        n += g->nodes[i].op == TRT_OP_REFORMAT && pairs == 1;
    }
    return n;
}

static void test_pairs(void) {
    setenv("TRT_LAYOUT", "nhwc8", 1);
    trt_graph *g = make_pairs_graph();
    CHECK(trt_graph_infer(g, 1) == TRT_OK, "pairs graph infers");
    trt_dims before[3];
    for (int i = 0; i < 3; i++) before[i] = g->tensors[g->outputs[i]].shape;
    CHECK(trt__pass_layout(NULL, g) == TRT_OK, "layout pass, pairs");
    const trt_node *p = find_node(g, "Conv_p"), *q = find_node(g, "Conv_q"),
                   *r = find_node(g, "Conv_r");
    const trt_dims *wp = &g->tensors[p->inputs[1]].shape, *wq = &g->tensors[q->inputs[1]].shape,
                   *wr = &g->tensors[r->inputs[1]].shape;
    CHECK(wp->d[1] == 6 && wp->d[2] == 7 && wp->d[3] == 4, "Conv_p: weights [16, 6, 7, 4]");
    CHECK(wq->d[1] == 4 && wq->d[2] == 3 && wq->d[3] == 2, "Conv_q: weights [8, 4, 3, 2]");
    CHECK(wr->d[1] == 3 && wr->d[3] == 4, "Conv_r (pad sum - S even) keeps its weights");
    CHECK(pair_reformats(g) == 2, "two Reformats to pairs, found %d", pair_reformats(g));
    const trt_dims *xp = &g->tensors[p->inputs[0]].shape;
    CHECK(xp->d[1] == 6 && xp->d[3] == 6, "Conv_p reads [2, 6, 9, 6]");
    CHECK(topo_sorted(g) && trt_graph_infer(g, 1) == TRT_OK, "sorted, and infers");
    for (int i = 0; i < 3; i++) {
        const trt_dims *a = &before[i], *b = &g->tensors[g->outputs[i]].shape;
        CHECK(a->nb_dims == b->nb_dims && memcmp(a->d, b->d, sizeof(int64_t) * 4) == 0,
              "output %d keeps its shape", i);
    }
    trt_graph_free(g);
    setenv("TRT_CONV_PAIRS", "0", 1);
    g = make_pairs_graph();
    trt_graph_infer(g, 1);
    CHECK(trt__pass_layout(NULL, g) == TRT_OK && pair_reformats(g) == 0,
          "TRT_CONV_PAIRS=0: no pairs");
    trt_graph_free(g);
    unsetenv("TRT_CONV_PAIRS");
    unsetenv("TRT_LAYOUT");
}

/* An FP16 engine's input: x (float32) -> Cast -> "x (fp16)" -> Reformat -> Conv. The Reformat
 * reads x itself and converts (ops/reformat.c), the Cast is left unread for the dead-node
 * removal; not when the float16 copy has another reader (here a Relu). */
static void test_cast_fold(int extra_reader) {
    unsetenv("TRT_LAYOUT");
    trt_graph *g = trt_graph_new();
    int x = add_input(g, "x", dims4(2, 3, 9, 8));
    int w = add_weights(g, "W", dims4(16, 3, 3, 3), 1);
    int y = trt_graph_add_tensor(g, "y", TRT_DTYPE_FLOAT32, NULL);
    add_conv(g, "Conv_0", x, w, -1, y, 1, 1, -1);
    trt_graph_add_output(g, y);
    trt_graph_infer(g, 1);
    CHECK(trt__pass_precision(g, TRT_PRECISION_FP16) == TRT_OK, "precision pass");
    const trt_node *conv = find_node(g, "Conv_0");
    const int xh = conv ? conv->inputs[0] : -1;
    CHECK(xh >= 0 && xh != x && g->tensors[xh].storage == TRT_DTYPE_FLOAT16 &&
              g->nodes[g->tensors[xh].producer].op == TRT_OP_CAST,
          "the precision pass gives the Conv a Cast of x");
    if (extra_reader && xh >= 0) { /* a Relu of the float16 copy, the graph's second output */
        int z = trt_graph_add_tensor(g, "z", TRT_DTYPE_FLOAT32, NULL);
        trt_graph_add_node(g, TRT_OP_RELU, "Relu_0", &xh, 1, &z, 1);
        trt_graph_add_output(g, z);
        trt_graph_infer(g, 1);
    }
    trt_device fake;
    memset(&fake, 0, sizeof fake);
    fake.caps.mma_f16 = fake.caps.ldmatrix = fake.caps.cp_async = 1;
    CHECK(trt__pass_layout(&fake, g) == TRT_OK, "layout pass, tensor cores");
    const trt_node *r = NULL;
    for (int n = 0; n < g->n_nodes; n++)
        if (g->nodes[n].op == TRT_OP_REFORMAT &&
            g->tensors[g->nodes[n].outputs[0]].layout == TRT_LAYOUT_NHWC8)
            r = &g->nodes[n];
    CHECK(r != NULL, "a Reformat to NHWC8 for Conv_0");
    if (!r) {
        trt_graph_free(g);
        return;
    }
    const trt_tensor *in = &g->tensors[r->inputs[0]], *out = &g->tensors[r->outputs[0]];
    if (extra_reader) {
        CHECK(r->inputs[0] == xh && in->storage == TRT_DTYPE_FLOAT16,
              "with another reader of the float16 copy, the Reformat reads the copy");
    } else {
        CHECK(r->inputs[0] == x && in->storage == TRT_DTYPE_FLOAT32 &&
                  out->storage == TRT_DTYPE_FLOAT16,
              "the Reformat reads x (float32) and writes float16");
        int cast_of_x = 0;
        CHECK(trt__pass_dead(g) == TRT_OK, "dead-node removal");
        for (int n = 0; n < g->n_nodes; n++)
            cast_of_x += g->nodes[n].op == TRT_OP_CAST && g->nodes[n].inputs[0] == x;
        CHECK(cast_of_x == 0 && count_op(g, TRT_OP_CAST) == 1,
              "the input's Cast goes with the dead nodes (the output's stays)");
    }
    CHECK(topo_sorted(g) && trt_graph_infer(g, 1) == TRT_OK, "sorted, and infers");
    trt_graph_free(g);
}

/* x [2,13,7,5] -> Conv_a (K 16) -> GlobalMaxPool_0 -> gmp [2,16,1,1]
 *                                 -> GlobalAveragePool_0 (reads x: LINEAR input) -> gap
 *   gmp -> Conv_b (1x1, K 8) -> cb -> GlobalAveragePool_1 -> Flatten_1 -> out
 * The pools after NHWC8 data join the region; the one on x stays LINEAR. */
static trt_graph *make_pool_graph(void) {
    trt_graph *g = trt_graph_new();
    int x = add_input(g, "x", dims4(2, 13, 7, 5));
    int wa = add_weights(g, "Wa", dims4(16, 13, 3, 3), 1);
    int wb = add_weights(g, "Wb", dims4(8, 16, 1, 1), 2);
    const char *names[] = {"a", "gmp", "gap", "cb", "gap1", "out"};
    int t[6];
    for (int i = 0; i < 6; i++) t[i] = trt_graph_add_tensor(g, names[i], TRT_DTYPE_FLOAT32, NULL);
    add_conv(g, "Conv_a", x, wa, -1, t[0], 1, 1, -1);
    trt_graph_add_node(g, TRT_OP_GLOBAL_MAX_POOL, "GlobalMaxPool_0", &t[0], 1, &t[1], 1);
    trt_graph_add_node(g, TRT_OP_GLOBAL_AVERAGE_POOL, "GlobalAveragePool_0", &x, 1, &t[2], 1);
    add_conv(g, "Conv_b", t[1], wb, -1, t[3], 1, 0, -1);
    trt_graph_add_node(g, TRT_OP_GLOBAL_AVERAGE_POOL, "GlobalAveragePool_1", &t[3], 1, &t[4], 1);
    int fl = trt_graph_add_node(g, TRT_OP_FLATTEN, "Flatten_1", &t[4], 1, &t[5], 1);
    int32_t axis = 1;
    memcpy(g->nodes[fl].params, &axis, sizeof axis);
    trt_graph_add_output(g, t[2]);
    trt_graph_add_output(g, t[5]);
    return g;
}

static void test_pools(void) {
    setenv("TRT_LAYOUT", "nhwc8", 1);
    trt_graph *g = make_pool_graph();
    CHECK(trt_graph_infer(g, 1) == TRT_OK, "pool graph infers");
    CHECK(trt__pass_layout(NULL, g) == TRT_OK, "layout pass, pools");
    const char *nhwc[] = {"Conv_a", "GlobalMaxPool_0", "Conv_b", "GlobalAveragePool_1"};
    for (int i = 0; i < 4; i++)
        CHECK(node_layout(g, nhwc[i]) == TRT_LAYOUT_NHWC8, "%s runs NHWC8", nhwc[i]);
    CHECK(node_layout(g, "GlobalAveragePool_0") == TRT_LAYOUT_LINEAR,
          "a pool of LINEAR data stays LINEAR");
    const trt_node *p1 = find_node(g, "GlobalAveragePool_1");
    CHECK(p1 && g->tensors[p1->outputs[0]].layout == TRT_LAYOUT_NHWC8, "pool writes NHWC8");
    CHECK(count_op(g, TRT_OP_REFORMAT) == 2 && topo_sorted(g),
          "2 Reformats (x in, gap1 out), got %d", count_op(g, TRT_OP_REFORMAT));
    CHECK(trt_graph_infer(g, 1) == TRT_OK, "pool graph infers after the pass");
    trt_graph_free(g);
    unsetenv("TRT_LAYOUT");
}

/* ---------------------------------------------------------------- import */

typedef struct {
    uint8_t b[512];
    size_t n;
} pbuf;

static void pb_varint(pbuf *p, uint64_t v) {
    do {
        p->b[p->n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
}
static void pb_int(pbuf *p, int field, uint64_t v) {
    pb_varint(p, (uint64_t)field << 3);
    pb_varint(p, v);
}
static void pb_bytes(pbuf *p, int field, const void *d, size_t n) {
    pb_varint(p, (uint64_t)field << 3 | 2);
    pb_varint(p, n);
    memcpy(p->b + p->n, d, n);
    p->n += n;
}
static void pb_str(pbuf *p, int field, const char *s) { pb_bytes(p, field, s, strlen(s)); }
static void pb_msg(pbuf *p, int field, const pbuf *m) { pb_bytes(p, field, m->b, m->n); }

/* ValueInfoProto: name, float tensor [1, 8, 2, 2]. */
static void value_info(pbuf *out, const char *name) {
    pbuf shape = {0}, tensor = {0}, type = {0}, vi = {0};
    const int d[4] = {1, 8, 2, 2};
    for (int i = 0; i < 4; i++) {
        pbuf dim = {0};
        pb_int(&dim, 1, (uint64_t)d[i]);
        pb_msg(&shape, 1, &dim);
    }
    pb_int(&tensor, 1, 1);
    pb_msg(&tensor, 2, &shape);
    pb_msg(&type, 1, &tensor);
    pb_str(&vi, 1, name);
    pb_msg(&vi, 2, &type);
    *out = vi;
}

static void test_import(void) {
    const char *types[] = {"Reformat", "TrtReformat"};
    for (int i = 0; i < 2; i++) {
        pbuf node = {0}, graph = {0}, opset = {0}, model = {0}, vi;
        pb_str(&node, 1, "x");
        pb_str(&node, 2, "y");
        pb_str(&node, 3, "r0");
        pb_str(&node, 4, types[i]);
        pb_msg(&graph, 1, &node);
        pb_str(&graph, 2, "g");
        value_info(&vi, "x");
        pb_msg(&graph, 11, &vi);
        value_info(&vi, "y");
        pb_msg(&graph, 12, &vi);
        pb_int(&opset, 2, 17);
        pb_int(&model, 1, 8);
        pb_msg(&model, 7, &graph);
        pb_msg(&model, 8, &opset);
        trt_graph *g = NULL;
        trt_status s = trt__onnx_import(model.b, model.n, &g);
        const char *e = trt_get_last_error();
        CHECK(s == TRT_ERR_UNSUPPORTED && strstr(e, "unsupported operator") && strstr(e, types[i]),
              "a model node of type %s is an unsupported operator (%s)", types[i],
              trt_status_name(s));
        trt_graph_free(g);
    }
    CHECK(trt_op_from_onnx("Reformat") == TRT_OP_COUNT_ && trt_op_from_onnx("Conv") == TRT_OP_CONV,
          "trt_op_from_onnx skips internal ops only");
    CHECK(strcmp(trt_op_name(TRT_OP_REFORMAT), "Reformat") == 0, "layer name Reformat");
}

/* ---------------------------------------------------------------- device */

/* x -> [Cast to float16 storage] -> Reformat to NHWC8 (x8, an output) -> Reformat to LINEAR
 * -> [Cast to float32] -> y. */
static void test_reformat(trt_device *dev, int64_t N, int64_t C, int64_t H, int64_t W, int half) {
    trt_graph *g = trt_graph_new();
    trt_dims d = dims4(N, C, H, W);
    int x = trt_graph_add_tensor(g, "x", TRT_DTYPE_FLOAT32, &d);
    trt_graph_add_input(g, x);
    int src = x;
    if (half) {
        src = trt_graph_add_tensor(g, "xh", TRT_DTYPE_FLOAT32, &d);
        g->tensors[src].storage = TRT_DTYPE_FLOAT16;
        int n = trt_graph_add_node(g, TRT_OP_CAST, "to_half", &x, 1, &src, 1);
        int32_t to = TRT_DTYPE_FLOAT32;
        memcpy(g->nodes[n].params, &to, sizeof to);
    }
    int x8 = trt_graph_add_tensor(g, "x8", TRT_DTYPE_FLOAT32, &d);
    int yl = trt_graph_add_tensor(g, half ? "yh" : "y", TRT_DTYPE_FLOAT32, &d);
    g->tensors[x8].layout = TRT_LAYOUT_NHWC8;
    if (half) g->tensors[x8].storage = g->tensors[yl].storage = TRT_DTYPE_FLOAT16;
    int n1 = trt_graph_add_node(g, TRT_OP_REFORMAT, "to_nhwc8", &src, 1, &x8, 1);
    int32_t l = TRT_LAYOUT_NHWC8;
    memcpy(g->nodes[n1].params, &l, sizeof l);
    int n2 = trt_graph_add_node(g, TRT_OP_REFORMAT, "to_linear", &x8, 1, &yl, 1);
    l = TRT_LAYOUT_LINEAR;
    memcpy(g->nodes[n2].params, &l, sizeof l);
    int y = yl;
    if (half) {
        y = trt_graph_add_tensor(g, "y", TRT_DTYPE_FLOAT32, &d);
        int n = trt_graph_add_node(g, TRT_OP_CAST, "to_float", &yl, 1, &y, 1);
        int32_t to = TRT_DTYPE_FLOAT32;
        memcpy(g->nodes[n].params, &to, sizeof to);
    }
    trt_graph_add_output(g, y);
    if (!half) trt_graph_add_output(g, x8); /* outputs keep their dtype as storage */
    char what[128];
    snprintf(what, sizeof what, "Reformat %s [%lld,%lld,%lld,%lld]", half ? "half" : "float",
             (long long)N, (long long)C, (long long)H, (long long)W);
    trt_engine *e = NULL;
    trt_status s = trt__build_graph(dev, g, NULL, &e);
    CHECK(s == TRT_OK, "%s: build", what);
    if (s != TRT_OK) return;
    const size_t n = (size_t)(N * C * H * W), CP = (size_t)trt_nhwc8_channels(C);
    const size_t n8 = (size_t)(N * H * W) * CP;
    float *in = malloc(n * 4), *out = malloc(n * 4), *raw = malloc(n8 * 4 + 4);
    for (size_t i = 0; i < n; i++) in[i] = value_at(i, 7) + (float)(i % 1000);
    for (size_t i = 0; i < n8; i++) raw[i] = -1.0f; /* the padding must be overwritten */
    trt_context *ctx = NULL;
    int ok = trt_context_new(e, &ctx) == TRT_OK &&
             trt_context_write_input(ctx, "x", in, n * 4) == TRT_OK &&
             trt_context_enqueue(ctx) == TRT_OK &&
             trt_context_read_output(ctx, "y", out, n * 4) == TRT_OK &&
             (half || trt_context_read_output(ctx, "x8", raw, n8 * 4) == TRT_OK) &&
             trt_context_wait(ctx) == TRT_OK;
    CHECK(ok, "%s: run", what);
    size_t wrong = 0, wrong8 = 0;
    for (size_t i = 0; ok && i < n; i++)
        wrong += out[i] != (half ? trt_f16_to_f32(trt_f32_to_f16(in[i])) : in[i]);
    for (size_t i = 0; ok && !half && i < n8; i++) {
        size_t c = i % CP, p = i / CP, hw = p % (size_t)(H * W), b = p / (size_t)(H * W);
        float want = c < (size_t)C ? in[(b * (size_t)C + c) * (size_t)(H * W) + hw] : 0.0f;
        wrong8 += raw[i] != want;
    }
    CHECK(ok && wrong == 0, "%s: round trip, %zu of %zu values differ", what, wrong, n);
    CHECK(ok && wrong8 == 0, "%s: NHWC8 data, %zu of %zu values differ", what, wrong8, n8);
    trt_context_free(ctx);
    trt_engine_free(e);
    free(in);
    free(out);
    free(raw);
}

/* The builder's engine of make() with TRT_LAYOUT=mode. */
static trt_engine *build_mode(trt_device *dev, trt_graph *(*make)(void), const char *mode) {
    setenv("TRT_LAYOUT", mode, 1);
    trt_engine *e = NULL;
    trt_status s = trt__build_graph(dev, make(), NULL, &e);
    unsetenv("TRT_LAYOUT");
    CHECK(s == TRT_OK, "building with TRT_LAYOUT=%s", mode);
    return e;
}

#define MAX_IO 4

/* Runs e with deterministic inputs; its outputs (as floats) into out[], sizes into counts[]. */
static int run(trt_engine *e, float **out, size_t *counts) {
    const trt_graph *g = e->graph;
    float *in[MAX_IO] = {NULL};
    trt_context *ctx = NULL;
    int ok = g->n_inputs <= MAX_IO && g->n_outputs <= MAX_IO && trt_context_new(e, &ctx) == TRT_OK;
    for (int i = 0; ok && i < g->n_inputs; i++) {
        const trt_tensor *t = &g->tensors[g->inputs[i]];
        size_t n = (size_t)trt_dims_volume(&t->shape);
        in[i] = malloc(n * 4);
        for (size_t k = 0; k < n; k++) in[i][k] = value_at(k, 11 + i);
        ok = trt_context_write_input(ctx, t->name, in[i], n * 4) == TRT_OK;
    }
    ok = ok && trt_context_enqueue(ctx) == TRT_OK;
    for (int i = 0; ok && i < g->n_outputs; i++) {
        const trt_tensor *t = &g->tensors[g->outputs[i]];
        counts[i] = (size_t)trt_dims_volume(&t->shape);
        out[i] = malloc(counts[i] * 4);
        ok = trt_context_read_output(ctx, t->name, out[i], counts[i] * 4) == TRT_OK;
    }
    ok = ok && trt_context_wait(ctx) == TRT_OK;
    trt_context_free(ctx);
    for (int i = 0; i < MAX_IO; i++) free(in[i]);
    return ok;
}

/* The graph of make() built with TRT_LAYOUT=nhwc8 (n_reformat Reformats, NHWC8 Conv `conv`)
 * gives the outputs of the TRT_LAYOUT=linear engine. */
static void test_engine(trt_device *dev, const char *what, trt_graph *(*make)(void),
                        int n_reformat, const char *conv) {
    trt_engine *e8 = build_mode(dev, make, "nhwc8"), *el = build_mode(dev, make, "linear");
    if (!e8 || !el) goto done;
    CHECK(count_op(e8->graph, TRT_OP_REFORMAT) == n_reformat &&
              count_op(el->graph, TRT_OP_REFORMAT) == 0,
          "%s: the builder ran the layout pass (%d Reformats with nhwc8, %d with linear)", what,
          count_op(e8->graph, TRT_OP_REFORMAT), count_op(el->graph, TRT_OP_REFORMAT));
    CHECK(node_layout(e8->graph, conv) == TRT_LAYOUT_NHWC8,
          "%s: the loaded engine keeps %s's NHWC8 input", what, conv);
    float *a[MAX_IO] = {NULL}, *b[MAX_IO] = {NULL};
    size_t ca[MAX_IO] = {0}, cb[MAX_IO] = {0};
    int ok = run(e8, a, ca) && run(el, b, cb);
    CHECK(ok, "%s: running both engines", what);
    for (int i = 0; ok && i < e8->graph->n_outputs; i++) {
        double num = 0, den = 0;
        for (size_t k = 0; k < ca[i] && ca[i] == cb[i]; k++) {
            num += (a[i][k] - b[i][k]) * (double)(a[i][k] - b[i][k]);
            den += (double)b[i][k] * b[i][k];
        }
        double rel = ca[i] == cb[i] ? sqrt(num / (den > 0 ? den : 1)) : INFINITY;
        CHECK(rel <= 1e-5 && den > 0, "%s: output %d, NHWC8 vs LINEAR engine, relative L2 %g",
              what, i, rel);
    }
    for (int i = 0; i < MAX_IO; i++) {
        free(a[i]);
        free(b[i]);
    }
done:
    trt_engine_free(e8);
    trt_engine_free(el);
}

int main(void) {
    test_graph();
    test_tensor_core_rule();
    test_cast_fold(0);
    test_cast_fold(1);
    test_pairs();
    test_pools();
    test_import();
    trt_device *dev = check_open_device();
    if (!dev) return 1;
    static const int64_t cs[3] = {3, 13, 64}, hw[3] = {1, 7, 93};
    for (int c = 0; c < 3; c++)
        for (int h = 0; h < 3; h++)
            for (int w = 0; w < 3; w++) test_reformat(dev, c == 1 ? 1 : 2, cs[c], hw[h], hw[w], 0);
    test_reformat(dev, 2, 13, 7, 93, 1);
    test_reformat(dev, 1, 3, 93, 1, 1);
    test_engine(dev, "convs", make_graph, 7, "Conv_0");
    test_engine(dev, "pools", make_pool_graph, 2, "Conv_b");
    test_engine(dev, "pairs", make_pairs_graph, 6, "Conv_p");
    trt_device_free(dev);
    return check_summary();
}
