/* bn_fold.c — BatchNormalization folded into the Conv, ConvTranspose or Gemm before it.
 *
 * y = s * (conv(x) + b - mean) + B with s = scale / sqrt(var + eps) per output channel is
 * conv(x) with weights W * s and bias (b - mean) * s + B. Folded when the producer's output
 * feeds only the BatchNormalization and every weight and statistic is a constant; the new
 * weights and bias are computed in double and added as new constants (the old ones may be
 * shared). The node is renamed "Conv_1 + BatchNormalization_2".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "ops/norm.h"
#include "ops/op.h"
#include "passes/fusion.h"
#include "passes/passes.h"

static float bn_epsilon(const trt_node *bn) { return TRT_CPARAMS(bn, trt_norm_params)->epsilon; }

static int add_const(trt_graph *g, const char *base, const char *what, const trt_dims *shape,
                     const float *data) {
    char name[512];
    snprintf(name, sizeof name, "%s/%s", base, what);
    return trt_graph_add_const(g, name, TRT_DTYPE_FLOAT32, shape, data);
}

static const float *const_f32(const trt_graph *g, int t) {
    if (!trt__tensor_is_const(g, t) || g->tensors[t].dtype != TRT_DTYPE_FLOAT32) return NULL;
    return g->tensors[t].data;
}

/* Per-channel factor s and shift (B - mean * s) of a BatchNormalization of `c` channels, or
 * 0 when its inputs are not all float constants of c values. */
static int bn_affine(const trt_graph *g, const trt_node *bn, int64_t c, double *s, double *shift) {
    const float *v[4];
    for (int i = 0; i < 4; i++) {
        int t = bn->inputs[1 + i];
        if (!(v[i] = const_f32(g, t)) || trt_dims_volume(&g->tensors[t].shape) != c) return 0;
    }
    double eps = bn_epsilon(bn);
    for (int64_t k = 0; k < c; k++) {
        s[k] = (double)v[0][k] / sqrt((double)v[3][k] + eps);
        shift[k] = (double)v[1][k] - (double)v[2][k] * s[k];
    }
    return 1;
}

/* Conv: W (OC, C/group, k...); ConvTranspose: W (C, OC/group, k...). */
static trt_status fold_conv(trt_graph *g, int pn, const trt_node *bn, int *done) {
    const trt_node *conv = &g->nodes[pn];
    int wi = conv->inputs[1], bi = conv->n_inputs > 2 ? conv->inputs[2] : -1;
    const float *w = const_f32(g, wi), *b = bi >= 0 ? const_f32(g, bi) : NULL;
    const trt_epilogue *epi = trt__conv_epilogue(&g->nodes[pn]);
    if (!w || (bi >= 0 && !b) || epi->act || epi->residual) return TRT_OK;
    const trt_dims ws = g->tensors[wi].shape;
    const int64_t oc = g->tensors[conv->outputs[0]].shape.d[1];
    if (ws.nb_dims < 3) return TRT_OK;
    int64_t kvol = 1;
    for (int i = 2; i < ws.nb_dims; i++) kvol *= ws.d[i];
    const int transpose = conv->op == TRT_OP_CONV_TRANSPOSE;
    const int64_t group = transpose ? oc / ws.d[1] : 1;
    double *s = malloc(sizeof(double) * (size_t)oc), *shift = malloc(sizeof(double) * (size_t)oc);
    const int64_t nw = trt_dims_volume(&ws);
    float *nwv = malloc(sizeof(float) * (size_t)nw), *nbv = malloc(sizeof(float) * (size_t)oc);
    trt_status st = TRT_OK;
    if (!s || !shift || !nwv || !nbv) {
        st = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory folding '%s'", bn->name);
        goto done;
    }
    if (!bn_affine(g, bn, oc, s, shift)) goto done;
    for (int64_t i = 0; i < nw; i++) {
        int64_t r = i / kvol, ch; /* r = row * ws.d[1] + column of W's two leading dims */
        if (!transpose) ch = r / ws.d[1];
        else { /* r = c * OCg + j, c in group c / (C / group) */
            int64_t ocg = ws.d[1], cg = ws.d[0] / group, c = r / ocg, j = r % ocg;
            ch = c / cg * ocg + j;
        }
        nwv[i] = (float)((double)w[i] * s[ch]);
    }
    for (int64_t k = 0; k < oc; k++) nbv[k] = (float)(((b ? (double)b[k] : 0.0) * s[k]) + shift[k]);
    int64_t bd[1] = {oc};
    trt_dims bs = trt_dims_make(1, bd);
    char base[256];
    snprintf(base, sizeof base, "%s", bn->name);
    int nw_t = add_const(g, base, "folded_W", &ws, nwv);
    int nb_t = nw_t < 0 ? -1 : add_const(g, base, "folded_B", &bs, nbv);
    if (nb_t < 0) {
        st = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory folding '%s'", base);
        goto done;
    }
    trt_node *c = &g->nodes[pn];
    c->inputs[1] = nw_t;
    c->inputs[2] = nb_t;
    if (c->n_inputs < 3) c->n_inputs = 3;
    *done = 1;
done:
    free(s);
    free(shift);
    free(nwv);
    free(nbv);
    return st;
}

/* Gemm: Y (M, N) = alpha * A B + beta * C, channels along N. C must be absent or hold one
 * or N values along N; the new C is N values with beta 1. */
static trt_status fold_gemm(trt_graph *g, int pn, const trt_node *bn, int *done) {
    const trt_node *gm = &g->nodes[pn];
    const trt_gemm_attrs h = *trt__gemm_attrs(&g->nodes[pn]);
    const trt_epilogue *epi = trt__gemm_epilogue(&g->nodes[pn]);
    int bi = gm->inputs[1], ci = gm->n_inputs > 2 ? gm->inputs[2] : -1;
    const float *bv = const_f32(g, bi), *cv = ci >= 0 ? const_f32(g, ci) : NULL;
    if (!bv || (ci >= 0 && !cv) || epi->act) return TRT_OK;
    const trt_dims bsh = g->tensors[bi].shape;
    if (bsh.nb_dims != 2) return TRT_OK;
    const int64_t n = bsh.d[h.trans_b ? 0 : 1];
    if (ci >= 0) {
        const trt_dims *cs = &g->tensors[ci].shape;
        int64_t cvol = trt_dims_volume(cs);
        if (!(cvol == 1 || (cvol == n && cs->d[cs->nb_dims - 1] == n))) return TRT_OK;
    }
    double *s = malloc(sizeof(double) * (size_t)n), *shift = malloc(sizeof(double) * (size_t)n);
    const int64_t nb = trt_dims_volume(&bsh);
    float *nbv = malloc(sizeof(float) * (size_t)nb), *ncv = malloc(sizeof(float) * (size_t)n);
    trt_status st = TRT_OK;
    if (!s || !shift || !nbv || !ncv) {
        st = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory folding '%s'", bn->name);
        goto done;
    }
    if (!bn_affine(g, bn, n, s, shift)) goto done;
    for (int64_t i = 0; i < nb; i++) {
        int64_t ch = h.trans_b ? i / bsh.d[1] : i % bsh.d[1];
        nbv[i] = (float)((double)bv[i] * s[ch]);
    }
    const int64_t cvol = ci >= 0 ? trt_dims_volume(&g->tensors[ci].shape) : 0;
    for (int64_t k = 0; k < n; k++) {
        double c = ci < 0 ? 0.0 : (double)h.beta * (double)cv[cvol == 1 ? 0 : k];
        ncv[k] = (float)(c * s[k] + shift[k]);
    }
    int64_t cd[1] = {n};
    trt_dims csh = trt_dims_make(1, cd);
    char base[256];
    snprintf(base, sizeof base, "%s", bn->name);
    int nb_t = add_const(g, base, "folded_B", &bsh, nbv);
    int nc_t = nb_t < 0 ? -1 : add_const(g, base, "folded_C", &csh, ncv);
    if (nc_t < 0) {
        st = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory folding '%s'", base);
        goto done;
    }
    trt_node *gn = &g->nodes[pn];
    gn->inputs[1] = nb_t;
    gn->inputs[2] = nc_t;
    gn->n_inputs = 3;
    trt__gemm_attrs(gn)->beta = 1.0f;
    *done = 1;
done:
    free(s);
    free(shift);
    free(nbv);
    free(ncv);
    return st;
}

trt_status trt__pass_bn_fold(trt_graph *g) {
    int folded = 0;
    for (int n = 0; n < g->n_nodes; n++) {
        const trt_node *bn = &g->nodes[n];
        if (bn->op != TRT_OP_BATCH_NORM || bn->is_host || bn->n_inputs != 5) continue;
        int x = bn->inputs[0], pn = g->tensors[x].producer;
        if (pn < 0 || trt__sole_consumer(g, x) != n) continue;
        trt_op pop = g->nodes[pn].op;
        int done = 0;
        if (pop == TRT_OP_CONV || pop == TRT_OP_CONV_TRANSPOSE)
            TRT_TRY(fold_conv(g, pn, bn, &done));
        else if (pop == TRT_OP_GEMM)
            TRT_TRY(fold_gemm(g, pn, bn, &done));
        if (!done) continue;
        bn = &g->nodes[n];
        trt__log(TRT_LOG_VERBOSE, "Folding %s into %s", bn->name, g->nodes[pn].name);
        g->nodes[pn].outputs[0] = bn->outputs[0];
        g->tensors[bn->outputs[0]].producer = pn;
        TRT_TRY(trt__node_append_name(g, pn, bn->name));
        trt__node_kill(g, n);
        folded++;
    }
    if (folded) trt__graph_compact(g);
    return TRT_OK;
}
