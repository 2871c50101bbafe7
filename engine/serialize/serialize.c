/* serialize.c — writer and validating reader of the .engine file (format in format.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "serialize/format.h"

#define HEADER_SIZE 64
#define BLOB_ALIGN 64

/* ---------------------------------------------------------------- writer */

typedef struct {
    uint8_t *buf;
    size_t len, cap;
    int oom;
} wbuf;

static void put(wbuf *w, const void *p, size_t n) {
    if (w->oom) return;
    if (w->len + n > w->cap) {
        size_t c = w->cap ? w->cap * 2 : 4096;
        while (c < w->len + n) c *= 2;
        uint8_t *b = realloc(w->buf, c);
        if (!b) {
            w->oom = 1;
            return;
        }
        w->buf = b;
        w->cap = c;
    }
    if (n) memcpy(w->buf + w->len, p, n);
    w->len += n;
}
static void put_u32(wbuf *w, uint32_t v) { put(w, &v, 4); }
static void put_i32(wbuf *w, int32_t v) { put(w, &v, 4); }
static void put_u64(wbuf *w, uint64_t v) { put(w, &v, 8); }
static void put_str(wbuf *w, const char *s) {
    uint32_t n = s ? (uint32_t)strlen(s) : 0;
    put_u32(w, n);
    put(w, s, n);
}
static void put_dims(wbuf *w, const trt_dims *d) {
    put_i32(w, d->nb_dims);
    for (int i = 0; i < d->nb_dims; i++) put(w, &d->d[i], 8);
}
static void pad_to(wbuf *w, size_t align) {
    static const uint8_t zeros[BLOB_ALIGN];
    size_t n = trt__align_up(w->len, align) - w->len;
    put(w, zeros, n);
}

trt_status trt__engine_write(const trt_graph *g, const trt_engine_meta *meta, void **out,
                             size_t *out_len) {
    wbuf w = {0};
    uint8_t header[HEADER_SIZE] = {0};
    put(&w, header, HEADER_SIZE);
    put_str(&w, meta->engine_version);
    put_str(&w, meta->device_name);
    put_str(&w, meta->device_vendor);
    put_str(&w, meta->driver_version);
    put_u32(&w, meta->precision);
    put_u64(&w, meta->mem_align);
    put_u64(&w, meta->activation_bytes);
    put_i32(&w, g->opset);
    put_u32(&w, (uint32_t)g->n_tensors);
    uint64_t blob = 0;
    for (int i = 0; i < g->n_tensors; i++) {
        const trt_tensor *t = &g->tensors[i];
        put_str(&w, t->name);
        put_u32(&w, t->dtype);
        put_u32(&w, t->storage);
        put_u32(&w, t->layout);
        put_u32(&w, t->flags);
        put_dims(&w, &t->shape);
        put_u64(&w, t->offset);
        put_u64(&w, t->capacity);
        int has = (t->flags & TRT_TENSOR_CONST) && t->data;
        put_u64(&w, has ? blob : UINT64_MAX);
        put_u64(&w, has ? t->data_size : 0);
        if (has) blob = trt__align_up(blob + t->data_size, BLOB_ALIGN);
    }
    put_u32(&w, (uint32_t)g->n_inputs);
    for (int i = 0; i < g->n_inputs; i++) put_i32(&w, g->inputs[i]);
    put_u32(&w, (uint32_t)g->n_outputs);
    for (int i = 0; i < g->n_outputs; i++) put_i32(&w, g->outputs[i]);
    put_u32(&w, (uint32_t)meta->n_profiles);
    for (int i = 0; i < meta->n_profiles; i++) {
        put_i32(&w, meta->profiles[i].tensor);
        put_dims(&w, &meta->profiles[i].min);
        put_dims(&w, &meta->profiles[i].opt);
        put_dims(&w, &meta->profiles[i].max);
    }
    put_u32(&w, (uint32_t)g->n_nodes);
    for (int i = 0; i < g->n_nodes; i++) {
        const trt_node *n = &g->nodes[i];
        put_u32(&w, (uint32_t)n->op);
        put_str(&w, n->name);
        put_u32(&w, (uint32_t)n->n_inputs);
        for (int k = 0; k < n->n_inputs; k++) put_i32(&w, n->inputs[k]);
        put_u32(&w, (uint32_t)n->n_outputs);
        for (int k = 0; k < n->n_outputs; k++) put_i32(&w, n->outputs[k]);
        put_u32(&w, TRT_MAX_PARAMS);
        put(&w, n->params, TRT_MAX_PARAMS);
        put_i32(&w, n->tactic);
        for (int k = 0; k < TRT_MAX_TACTIC_PARAMS; k++) put_i32(&w, n->tactic_params[k]);
        put_u32(&w, n->is_host ? 1u : 0u);
    }
    pad_to(&w, BLOB_ALIGN);
    uint64_t blob_off = w.len;
    for (int i = 0; i < g->n_tensors; i++) {
        const trt_tensor *t = &g->tensors[i];
        if (!((t->flags & TRT_TENSOR_CONST) && t->data)) continue;
        put(&w, t->data, t->data_size);
        pad_to(&w, BLOB_ALIGN);
    }
    if (w.oom) {
        free(w.buf);
        return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory serialising the engine");
    }
    uint8_t *h = w.buf;
    uint32_t version = TRT_FORMAT_VERSION, hsize = HEADER_SIZE;
    uint64_t fsize = w.len, meta_off = HEADER_SIZE, blob_size = w.len - blob_off;
    memcpy(h, TRT_FORMAT_MAGIC, 8);
    memcpy(h + 8, &version, 4);
    memcpy(h + 12, &hsize, 4);
    memcpy(h + 16, &fsize, 8);
    memcpy(h + 32, &meta_off, 8);
    memcpy(h + 40, &blob_off, 8);
    memcpy(h + 48, &blob_size, 8);
    trt__engine_seal(h, w.len);
    *out = w.buf;
    *out_len = w.len;
    return TRT_OK;
}

uint64_t trt__engine_checksum(const uint8_t *image, size_t len) {
    return trt__fnv1a(TRT_FNV_INIT, image + 32, len - 32);
}

void trt__engine_seal(uint8_t *image, size_t len) {
    const uint64_t sum = trt__engine_checksum(image, len);
    memcpy(image + 24, &sum, 8);
}

/* ---------------------------------------------------------------- reader */

typedef struct {
    const uint8_t *p;
    size_t len, pos;
    int bad;
} rbuf;

static int get(rbuf *r, void *dst, size_t n) {
    if (r->bad || n > r->len - r->pos) {
        r->bad = 1;
        memset(dst, 0, n);
        return 0;
    }
    memcpy(dst, r->p + r->pos, n);
    r->pos += n;
    return 1;
}
static uint32_t get_u32(rbuf *r) { uint32_t v; get(r, &v, 4); return v; }
static int32_t get_i32(rbuf *r) { int32_t v; get(r, &v, 4); return v; }
static uint64_t get_u64(rbuf *r) { uint64_t v; get(r, &v, 8); return v; }
/* Copies a string into dst (cap bytes, truncated) and returns 1, or fails the reader. */
static char *get_str_dup(rbuf *r) {
    uint32_t n = get_u32(r);
    if (r->bad || n > r->len - r->pos || n > (1u << 20)) {
        r->bad = 1;
        return NULL;
    }
    char *s = malloc(n + 1);
    if (!s) {
        r->bad = 1;
        return NULL;
    }
    memcpy(s, r->p + r->pos, n);
    s[n] = 0;
    r->pos += n;
    return s;
}
static void get_str(rbuf *r, char *dst, size_t cap) {
    char *s = get_str_dup(r);
    snprintf(dst, cap, "%s", s ? s : "");
    free(s);
}
static void get_dims(rbuf *r, trt_dims *d) {
    memset(d, 0, sizeof *d);
    d->nb_dims = get_i32(r);
    if (d->nb_dims < 0 || d->nb_dims > TRT_MAX_DIMS) {
        r->bad = 1;
        d->nb_dims = 0;
        return;
    }
    for (int i = 0; i < d->nb_dims; i++) get(r, &d->d[i], 8);
}

static trt_status corrupt(const char *what) {
    return trt__error(TRT_ERR_BAD_ENGINE,
                      "engine file is corrupted (%s); rebuild it from the ONNX model "
                      "(trtinfer-exec --onnx=model.onnx --saveEngine=model.engine)",
                      what);
}

trt_status trt__engine_read(const void *data, size_t len, trt_graph **out, trt_engine_meta *meta) {
    *out = NULL;
    memset(meta, 0, sizeof *meta);
    const uint8_t *h = data;
    if (len < 8 || memcmp(h, TRT_FORMAT_MAGIC, 8) != 0) {
        int onnx_like = len > 2 && h[0] == 0x08; /* protobuf field 1 varint: ir_version */
        return trt__error(TRT_ERR_BAD_ENGINE,
                          "not a trtinfer engine file (%zu bytes, no '%s' magic)%s", len,
                          TRT_FORMAT_MAGIC,
                          onnx_like ? "; it looks like an ONNX model: build an engine from it "
                                      "(trtinfer-exec --onnx=FILE --saveEngine=model.engine) or "
                                      "use the element's 'model' property"
                                    : "");
    }
    if (len < HEADER_SIZE)
        return trt__error(TRT_ERR_BAD_ENGINE,
                          "engine file is truncated: %zu bytes, shorter than its 64-byte header; "
                          "rebuild it (trtinfer-exec --onnx=model.onnx --saveEngine=model.engine)",
                          len);
    uint32_t version, hsize;
    uint64_t fsize, sum, meta_off, blob_off, blob_size;
    memcpy(&version, h + 8, 4);
    memcpy(&hsize, h + 12, 4);
    memcpy(&fsize, h + 16, 8);
    memcpy(&sum, h + 24, 8);
    memcpy(&meta_off, h + 32, 8);
    memcpy(&blob_off, h + 40, 8);
    memcpy(&blob_size, h + 48, 8);
    if (version != TRT_FORMAT_VERSION)
        return trt__error(TRT_ERR_VERSION,
                          "engine file has format version %u, this trtinfer (%s) reads version "
                          "%u; rebuild the engine with this version (trtinfer-exec "
                          "--onnx=model.onnx --saveEngine=model.engine)",
                          version, TRT_VERSION_STRING, TRT_FORMAT_VERSION);
    if (fsize != len)
        return trt__error(TRT_ERR_BAD_ENGINE,
                          "engine file is %s: it has %zu bytes, its header says %llu; rebuild "
                          "it (trtinfer-exec --onnx=model.onnx --saveEngine=model.engine)",
                          len < fsize ? "truncated" : "longer than written", len,
                          (unsigned long long)fsize);
    if (hsize != HEADER_SIZE || meta_off != HEADER_SIZE || blob_off > len || blob_size > len - blob_off)
        return corrupt("header offsets out of range");
    if (trt__engine_checksum(h, len) != sum) return corrupt("checksum mismatch");

    rbuf r = {h, (size_t)blob_off, HEADER_SIZE, 0};
    const uint8_t *blob = h + blob_off;
    trt_graph *g = trt_graph_new();
    if (!g) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory reading an engine");
    trt_status s = TRT_OK;
    get_str(&r, meta->engine_version, sizeof meta->engine_version);
    get_str(&r, meta->device_name, sizeof meta->device_name);
    get_str(&r, meta->device_vendor, sizeof meta->device_vendor);
    get_str(&r, meta->driver_version, sizeof meta->driver_version);
    meta->precision = get_u32(&r);
    meta->mem_align = get_u64(&r);
    meta->activation_bytes = get_u64(&r);
    g->opset = get_i32(&r);
    uint32_t nt = get_u32(&r);
    if (r.bad || nt > len / 16) {
        s = corrupt("tensor count");
        goto fail;
    }
    for (uint32_t i = 0; i < nt; i++) {
        char *name = get_str_dup(&r);
        trt_dims shape;
        uint32_t dtype = get_u32(&r), storage = get_u32(&r), layout = get_u32(&r), flags = get_u32(&r);
        get_dims(&r, &shape);
        uint64_t off = get_u64(&r), cap = get_u64(&r), doff = get_u64(&r), dsize = get_u64(&r);
        int storage_ok = storage == dtype ||
                         (dtype == TRT_DTYPE_FLOAT32 && storage == TRT_DTYPE_FLOAT16);
        /* NHWC8 describes rank-4 tensors only (core/ir.h). */
        int layout_ok = layout == TRT_LAYOUT_LINEAR ||
                        (layout < TRT_LAYOUT_COUNT_ && shape.nb_dims == 4);
        if (r.bad || dtype >= TRT_DTYPE_COUNT_ || !storage_ok || !layout_ok) {
            free(name);
            s = corrupt("tensor record");
            goto fail;
        }
        int t = trt_graph_add_tensor(g, name, (trt_dtype)dtype, &shape);
        free(name);
        if (t < 0) {
            s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory reading an engine");
            goto fail;
        }
        trt_tensor *tt = &g->tensors[t];
        tt->storage = (trt_dtype)storage;
        tt->layout = (trt_layout)layout;
        tt->flags = flags & (TRT_TENSOR_INPUT | TRT_TENSOR_OUTPUT | TRT_TENSOR_CONST);
        tt->offset = off;
        tt->capacity = cap;
        if (doff != UINT64_MAX) {
            if (!(flags & TRT_TENSOR_CONST) || doff > blob_size || dsize > blob_size - doff ||
                dsize != trt_tensor_bytes(tt)) {
                s = corrupt("constant data out of range");
                goto fail;
            }
            tt->data = malloc(dsize ? dsize : 1);
            if (!tt->data) {
                s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory reading weights");
                goto fail;
            }
            memcpy(tt->data, blob + doff, dsize);
            tt->data_size = dsize;
            tt->has_host = 1;
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        uint32_t n = get_u32(&r);
        if (r.bad || n > nt) {
            s = corrupt("input/output list");
            goto fail;
        }
        for (uint32_t i = 0; i < n; i++) {
            int32_t t = get_i32(&r);
            if (r.bad || t < 0 || (uint32_t)t >= nt) {
                s = corrupt("input/output index");
                goto fail;
            }
            if ((pass == 0 ? trt_graph_add_input(g, t) : trt_graph_add_output(g, t)) < 0) {
                s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory reading an engine");
                goto fail;
            }
        }
    }
    uint32_t np = get_u32(&r);
    if (r.bad || np > (uint32_t)(sizeof meta->profiles / sizeof meta->profiles[0])) {
        s = corrupt("profile count");
        goto fail;
    }
    meta->n_profiles = (int)np;
    for (uint32_t i = 0; i < np; i++) {
        trt_profile_entry *p = &meta->profiles[i];
        p->tensor = get_i32(&r);
        get_dims(&r, &p->min);
        get_dims(&r, &p->opt);
        get_dims(&r, &p->max);
        if (r.bad || p->tensor < 0 || (uint32_t)p->tensor >= nt) {
            s = corrupt("profile");
            goto fail;
        }
    }
    uint32_t nn = get_u32(&r);
    if (r.bad || nn > len / 16) {
        s = corrupt("node count");
        goto fail;
    }
    for (uint32_t i = 0; i < nn; i++) {
        uint32_t op = get_u32(&r);
        char *name = get_str_dup(&r);
        int ins[TRT_MAX_NODE_INPUTS], outs[TRT_MAX_NODE_OUTPUTS];
        uint32_t ni = get_u32(&r);
        int ok = !r.bad && op < TRT_OP_COUNT_ && ni <= TRT_MAX_NODE_INPUTS;
        for (uint32_t k = 0; ok && k < ni; k++) {
            ins[k] = get_i32(&r);
            ok = ins[k] >= -1 && ins[k] < (int)nt;
        }
        uint32_t no = ok ? get_u32(&r) : 0;
        ok = ok && !r.bad && no <= TRT_MAX_NODE_OUTPUTS;
        for (uint32_t k = 0; ok && k < no; k++) {
            outs[k] = get_i32(&r);
            ok = outs[k] >= 0 && outs[k] < (int)nt;
        }
        uint32_t psize = ok ? get_u32(&r) : 0;
        ok = ok && !r.bad && psize == TRT_MAX_PARAMS;
        if (!ok) {
            free(name);
            s = corrupt("node record");
            goto fail;
        }
        int n = trt_graph_add_node(g, (trt_op)op, name, ins, (int)ni, outs, (int)no);
        free(name);
        if (n < 0) {
            s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory reading an engine");
            goto fail;
        }
        trt_node *node = &g->nodes[n];
        get(&r, node->params, TRT_MAX_PARAMS);
        node->tactic = get_i32(&r);
        for (int k = 0; k < TRT_MAX_TACTIC_PARAMS; k++) node->tactic_params[k] = get_i32(&r);
        node->is_host = (get_u32(&r) & 1u) != 0;
        if (r.bad) {
            s = corrupt("node record");
            goto fail;
        }
    }
    *out = g;
    return TRT_OK;
fail:
    trt_graph_free(g);
    return s;
}

trt_status trt__engine_check(const trt_engine_meta *meta, const trt_device_info *dev) {
    static const char *rebuild =
        "rebuild the engine on this machine (trtinfer-exec --onnx=model.onnx "
        "--saveEngine=model.engine), or give the element the .onnx as 'model' to rebuild and "
        "cache it automatically";
    if (strcmp(meta->engine_version, TRT_VERSION_STRING) != 0)
        return trt__error(TRT_ERR_VERSION, "engine was built by trtinfer %s, this is trtinfer %s; %s",
                          meta->engine_version, TRT_VERSION_STRING, rebuild);
    if (strcmp(meta->device_name, dev->name) != 0 || strcmp(meta->device_vendor, dev->vendor) != 0)
        return trt__error(TRT_ERR_DEVICE_MISMATCH,
                          "engine was built for device '%s' (%s), this device is '%s' (%s); %s",
                          meta->device_name, meta->device_vendor, dev->name, dev->vendor, rebuild);
    if (strcmp(meta->driver_version, dev->driver_version) != 0)
        return trt__error(TRT_ERR_DEVICE_MISMATCH,
                          "engine was built with driver %s of '%s', this machine has driver %s; "
                          "kernels chosen for one driver may be wrong or slow on another; %s",
                          meta->driver_version, dev->name, dev->driver_version, rebuild);
    return TRT_OK;
}
