/* ir.c — graph construction, shape helpers and the shape-inference driver. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/ir.h"
#include "ops/op.h"

/* ---------------------------------------------------------------- dtypes and dims */

size_t trt_dtype_size(trt_dtype t) {
    switch (t) {
    case TRT_DTYPE_FLOAT32: return 4;
    case TRT_DTYPE_FLOAT16: return 2;
    case TRT_DTYPE_INT64: return 8;
    case TRT_DTYPE_INT32: return 4;
    case TRT_DTYPE_INT8:
    case TRT_DTYPE_UINT8:
    case TRT_DTYPE_BOOL: return 1;
    default: return 0;
    }
}

const char *trt_dtype_name(trt_dtype t) {
    static const char *const names[] = {"float32", "float16", "int64", "int32",
                                        "int8",    "uint8",   "bool"};
    return ((unsigned)t < TRT_DTYPE_COUNT_) ? names[t] : "unknown";
}

int64_t trt_dims_volume(const trt_dims *dims) {
    int64_t v = 1;
    for (int i = 0; i < dims->nb_dims; i++) {
        if (dims->d[i] <= 0) return 0;
        v *= dims->d[i];
    }
    return v;
}

char *trt_dims_str(const trt_dims *dims, char *buf, size_t len) {
    if (!len) return buf;
    buf[0] = 0;
    if (dims->nb_dims == 0) {
        snprintf(buf, len, "scalar");
        return buf;
    }
    size_t o = 0;
    for (int i = 0; i < dims->nb_dims && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, i ? "x%lld" : "%lld", (long long)dims->d[i]);
    return buf;
}

trt_status trt_dims_parse(const char *text, trt_dims *out) {
    memset(out, 0, sizeof *out);
    if (!text || !*text || strcmp(text, "scalar") == 0) return TRT_OK;
    const char *p = text;
    while (*p) {
        if (out->nb_dims == TRT_MAX_DIMS)
            return trt__error(TRT_ERR_INVALID_ARG, "shape '%s' has more than %d dimensions", text,
                              TRT_MAX_DIMS);
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 0)
            return trt__error(TRT_ERR_INVALID_ARG,
                              "cannot parse shape '%s': expected dimensions like 1x3x224x224", text);
        out->d[out->nb_dims++] = v;
        p = end;
        if (*p == 'x' || *p == 'X' || *p == ',') p++;
        else if (*p)
            return trt__error(TRT_ERR_INVALID_ARG,
                              "cannot parse shape '%s': expected dimensions like 1x3x224x224", text);
    }
    return TRT_OK;
}

int trt_dims_equal(const trt_dims *a, const trt_dims *b) {
    if (a->nb_dims != b->nb_dims) return 0;
    for (int i = 0; i < a->nb_dims; i++)
        if (a->d[i] != b->d[i]) return 0;
    return 1;
}

trt_dims trt_dims_make(int n, const int64_t *d) {
    trt_dims r;
    memset(&r, 0, sizeof r);
    r.nb_dims = n;
    for (int i = 0; i < n && i < TRT_MAX_DIMS; i++) r.d[i] = d[i];
    return r;
}

trt_status trt_dims_broadcast(const trt_dims *a, const trt_dims *b, trt_dims *out) {
    trt_dims r;
    memset(&r, 0, sizeof r);
    r.nb_dims = a->nb_dims > b->nb_dims ? a->nb_dims : b->nb_dims;
    for (int i = 0; i < r.nb_dims; i++) {
        int ia = a->nb_dims - r.nb_dims + i, ib = b->nb_dims - r.nb_dims + i;
        int64_t da = ia >= 0 ? a->d[ia] : 1, db = ib >= 0 ? b->d[ib] : 1;
        if (da == db || db == 1) r.d[i] = da;
        else if (da == 1) r.d[i] = db;
        else {
            char sa[128], sb[128];
            return trt__error(TRT_ERR_SHAPE, "shapes %s and %s cannot be broadcast together",
                              trt_dims_str(a, sa, sizeof sa), trt_dims_str(b, sb, sizeof sb));
        }
    }
    *out = r;
    return TRT_OK;
}

int trt_axis_norm(int64_t axis, int rank) {
    if (axis < 0) axis += rank;
    return (axis >= 0 && axis < rank) ? (int)axis : -1;
}

/* ---------------------------------------------------------------- host values */

int64_t trt_host_i64(const trt_tensor *t, int64_t i) {
    const void *h = trt_tensor_host(t);
    if (!h) return 0;
    switch (t->dtype) {
    case TRT_DTYPE_INT64: return ((const int64_t *)h)[i];
    case TRT_DTYPE_INT32: return ((const int32_t *)h)[i];
    case TRT_DTYPE_INT8: return ((const int8_t *)h)[i];
    case TRT_DTYPE_UINT8:
    case TRT_DTYPE_BOOL: return ((const uint8_t *)h)[i];
    case TRT_DTYPE_FLOAT32:
        return trt_tensor_is_half(t) ? (int64_t)trt_f16_to_f32(((const uint16_t *)h)[i])
                                     : (int64_t)((const float *)h)[i];
    default: return 0;
    }
}

uint16_t trt_f32_to_f16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u, e = (x >> 23) & 0xffu, m = x & 0x7fffffu;
    if (e == 0xff) return (uint16_t)(sign | 0x7c00u | (m ? 0x200u : 0)); /* inf, NaN */
    int ex = (int)e - 127 + 15;
    if (ex >= 31) return (uint16_t)(sign | 0x7c00u); /* overflow: inf, as vstore_half */
    if (ex <= 0) {                                   /* subnormal or zero */
        if (ex < -10) return (uint16_t)sign;
        m |= 0x800000u;
        int shift = 14 - ex;
        uint32_t h = m >> shift, rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1))) h++;
        return (uint16_t)(sign | h);
    }
    uint32_t h = ((uint32_t)ex << 10) | (m >> 13), rem = m & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) h++; /* may carry into inf: right */
    return (uint16_t)(sign | h);
}

float trt_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu, x;
    if (e == 0x1f) x = sign | 0x7f800000u | (m << 13);
    else if (e) x = sign | ((e + 112) << 23) | (m << 13);
    else if (!m) x = sign;
    else {
        int k = 0;
        while (!(m & 0x400u)) m <<= 1, k++;
        x = sign | ((uint32_t)(113 - k) << 23) | ((m & 0x3ffu) << 13);
    }
    float f;
    memcpy(&f, &x, 4);
    return f;
}

double trt_host_f64(const trt_tensor *t, int64_t i) {
    if (trt_tensor_is_half(t)) {
        const uint16_t *h = trt_tensor_host(t);
        return h ? trt_f16_to_f32(h[i]) : 0.0;
    }
    if (t->dtype == TRT_DTYPE_FLOAT32) {
        const float *h = trt_tensor_host(t);
        return h ? h[i] : 0.0;
    }
    return (double)trt_host_i64(t, i);
}

void trt_host_set_i64(trt_tensor *t, int64_t i, int64_t v) {
    if (i < 0 || i >= TRT_HOST_MAX) return;
    void *h = t->hostbuf;
    switch (t->dtype) {
    case TRT_DTYPE_INT64: ((int64_t *)h)[i] = v; break;
    case TRT_DTYPE_INT32: ((int32_t *)h)[i] = (int32_t)v; break;
    case TRT_DTYPE_INT8: ((int8_t *)h)[i] = (int8_t)v; break;
    case TRT_DTYPE_UINT8: ((uint8_t *)h)[i] = (uint8_t)v; break;
    case TRT_DTYPE_BOOL: ((uint8_t *)h)[i] = v != 0; break;
    case TRT_DTYPE_FLOAT32: ((float *)h)[i] = (float)v; break;
    default: break;
    }
}

void trt_host_set_f64(trt_tensor *t, int64_t i, double v) {
    if (t->dtype == TRT_DTYPE_FLOAT32) {
        if (i >= 0 && i < TRT_HOST_MAX) ((float *)(void *)t->hostbuf)[i] = (float)v;
        return;
    }
    if (t->dtype == TRT_DTYPE_BOOL) {
        trt_host_set_i64(t, i, v != 0.0);
        return;
    }
    trt_host_set_i64(t, i, (int64_t)v);
}

int trt_host_begin(trt_tensor *t) {
    if (t->flags & TRT_TENSOR_CONST) return 0;
    int64_t n = trt_dims_volume(&t->shape);
    if (n > TRT_HOST_MAX || t->dtype == TRT_DTYPE_FLOAT16) {
        t->has_host = 0;
        return 0;
    }
    memset(t->hostbuf, 0, sizeof t->hostbuf);
    t->has_host = 1;
    return 1;
}

/* ---------------------------------------------------------------- graph */

trt_graph *trt_graph_new(void) { return calloc(1, sizeof(trt_graph)); }

void trt_graph_free(trt_graph *g) {
    if (!g) return;
    for (int i = 0; i < g->n_tensors; i++) {
        free(g->tensors[i].name);
        free(g->tensors[i].data);
    }
    for (int i = 0; i < g->n_nodes; i++) free(g->nodes[i].name);
    free(g->tensors);
    free(g->nodes);
    free(g->inputs);
    free(g->outputs);
    free(g);
}

trt_graph *trt_graph_clone(const trt_graph *g) {
    trt_graph *c = trt_graph_new();
    if (!c) return NULL;
    c->opset = g->opset;
    c->tensors = calloc((size_t)g->n_tensors + 1, sizeof(trt_tensor));
    c->nodes = calloc((size_t)g->n_nodes + 1, sizeof(trt_node));
    c->inputs = calloc((size_t)g->n_inputs + 1, sizeof(int));
    c->outputs = calloc((size_t)g->n_outputs + 1, sizeof(int));
    if (!c->tensors || !c->nodes || !c->inputs || !c->outputs) goto fail;
    c->cap_tensors = g->n_tensors + 1;
    c->cap_nodes = g->n_nodes + 1;
    for (int i = 0; i < g->n_tensors; i++) {
        c->tensors[i] = g->tensors[i];
        c->tensors[i].name = NULL;
        c->tensors[i].data = NULL;
        c->n_tensors = i + 1;
        if (!(c->tensors[i].name = trt__strdup(g->tensors[i].name))) goto fail;
        if (g->tensors[i].data) {
            c->tensors[i].data = malloc(g->tensors[i].data_size ? g->tensors[i].data_size : 1);
            if (!c->tensors[i].data) goto fail;
            memcpy(c->tensors[i].data, g->tensors[i].data, g->tensors[i].data_size);
        }
    }
    for (int i = 0; i < g->n_nodes; i++) {
        c->nodes[i] = g->nodes[i];
        c->nodes[i].name = NULL;
        c->n_nodes = i + 1;
        if (!(c->nodes[i].name = trt__strdup(g->nodes[i].name))) goto fail;
    }
    if (g->n_inputs) memcpy(c->inputs, g->inputs, sizeof(int) * (size_t)g->n_inputs);
    c->n_inputs = g->n_inputs;
    if (g->n_outputs) memcpy(c->outputs, g->outputs, sizeof(int) * (size_t)g->n_outputs);
    c->n_outputs = g->n_outputs;
    return c;
fail:
    trt_graph_free(c);
    return NULL;
}

static int grow(void **arr, int *cap, int need, size_t elem) {
    if (need <= *cap) return 1;
    int nc = *cap ? *cap * 2 : 16;
    while (nc < need) nc *= 2;
    void *p = realloc(*arr, (size_t)nc * elem);
    if (!p) return 0;
    memset((char *)p + (size_t)*cap * elem, 0, (size_t)(nc - *cap) * elem);
    *arr = p;
    *cap = nc;
    return 1;
}

int trt_graph_add_tensor(trt_graph *g, const char *name, trt_dtype dtype, const trt_dims *shape) {
    if (!grow((void **)&g->tensors, &g->cap_tensors, g->n_tensors + 1, sizeof(trt_tensor)))
        return -1;
    trt_tensor *t = &g->tensors[g->n_tensors];
    memset(t, 0, sizeof *t);
    char gen[32];
    if (!name || !*name) {
        snprintf(gen, sizeof gen, "tensor_%d", g->n_tensors);
        name = gen;
    }
    if (!(t->name = trt__strdup(name))) return -1;
    t->dtype = dtype;
    t->storage = dtype;
    if (shape) t->shape = *shape;
    t->producer = -1;
    return g->n_tensors++;
}

int trt_graph_add_const(trt_graph *g, const char *name, trt_dtype dtype, const trt_dims *shape,
                        const void *data) {
    int i = trt_graph_add_tensor(g, name, dtype, shape);
    if (i < 0) return -1;
    trt_tensor *t = &g->tensors[i];
    size_t bytes = (size_t)trt_dims_volume(shape) * trt_dtype_size(dtype);
    t->data = malloc(bytes ? bytes : 1);
    if (!t->data) return -1;
    if (bytes) memcpy(t->data, data, bytes);
    t->data_size = bytes;
    t->flags |= TRT_TENSOR_CONST;
    t->has_host = 1;
    return i;
}

int trt_graph_add_node(trt_graph *g, trt_op op, const char *name, const int *inputs,
                       int n_inputs, const int *outputs, int n_outputs) {
    if (n_inputs > TRT_MAX_NODE_INPUTS || n_outputs > TRT_MAX_NODE_OUTPUTS) return -1;
    if (!grow((void **)&g->nodes, &g->cap_nodes, g->n_nodes + 1, sizeof(trt_node))) return -1;
    trt_node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    char gen[64];
    if (!name || !*name) {
        snprintf(gen, sizeof gen, "%s_%d", trt_op_name(op), g->n_nodes);
        name = gen;
    }
    if (!(n->name = trt__strdup(name))) return -1;
    n->op = op;
    n->n_inputs = n_inputs;
    n->n_outputs = n_outputs;
    for (int i = 0; i < n_inputs; i++) n->inputs[i] = inputs[i];
    for (int i = 0; i < n_outputs; i++) {
        n->outputs[i] = outputs[i];
        if (outputs[i] >= 0) g->tensors[outputs[i]].producer = g->n_nodes;
    }
    return g->n_nodes++;
}

static int add_index(int **arr, int *n, int v) {
    int *p = realloc(*arr, sizeof(int) * (size_t)(*n + 1));
    if (!p) return -1;
    p[*n] = v;
    *arr = p;
    return (*n)++;
}

int trt_graph_add_input(trt_graph *g, int tensor) {
    g->tensors[tensor].flags |= TRT_TENSOR_INPUT;
    return add_index(&g->inputs, &g->n_inputs, tensor);
}

int trt_graph_add_output(trt_graph *g, int tensor) {
    g->tensors[tensor].flags |= TRT_TENSOR_OUTPUT;
    return add_index(&g->outputs, &g->n_outputs, tensor);
}

int trt_graph_find_tensor(const trt_graph *g, const char *name) {
    for (int i = 0; i < g->n_tensors; i++)
        if (strcmp(g->tensors[i].name, name) == 0) return i;
    return -1;
}

trt_status trt_graph_infer(trt_graph *g, int mark_host) {
    for (int i = 0; i < g->n_nodes; i++) {
        trt_node *n = &g->nodes[i];
        const trt_op_impl *impl = trt_op_get(n->op);
        /* Storage follows the inferred dtype, except float16 storage chosen by the precision
         * pass, which stays while the tensor is float32. */
        int half_out = 0;
        for (int o = 0; o < n->n_outputs; o++) {
            g->tensors[n->outputs[o]].has_host = 0;
            if (trt_tensor_is_half(&g->tensors[n->outputs[o]])) half_out |= 1 << o;
        }
        trt_status s = impl->infer(n, g->tensors);
        for (int o = 0; o < n->n_outputs; o++) {
            trt_tensor *t = &g->tensors[n->outputs[o]];
            int keep = (half_out >> o & 1) && t->dtype == TRT_DTYPE_FLOAT32;
            t->storage = keep ? TRT_DTYPE_FLOAT16 : t->dtype;
        }
        if (s != TRT_OK) {
            char shapes[512] = "";
            size_t off = 0;
            for (int k = 0; k < n->n_inputs && off < sizeof shapes; k++) {
                char d[96] = "-";
                if (n->inputs[k] >= 0) trt_dims_str(&g->tensors[n->inputs[k]].shape, d, sizeof d);
                off += (size_t)snprintf(shapes + off, sizeof shapes - off, "%s%s", k ? ", " : "", d);
            }
            return trt__error_prefix(s, "node '%s' (%s), input shapes [%s]", n->name,
                                     trt_op_name(n->op), shapes);
        }
        int all_host = n->n_outputs > 0;
        for (int o = 0; o < n->n_outputs; o++)
            if (!g->tensors[n->outputs[o]].has_host) all_host = 0;
        if (mark_host) n->is_host = all_host;
        else if (n->is_host && !all_host)
            return trt__error(TRT_ERR_SHAPE,
                              "node '%s' (%s): evaluated on the host at build time but its "
                              "result is too large at these input shapes; rebuild the engine "
                              "with a profile that covers them",
                              n->name, trt_op_name(n->op));
    }
    return TRT_OK;
}
