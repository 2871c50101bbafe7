/* import.c — ONNX ModelProto -> IR graph, and the trt_attrs getters over ONNX nodes.
 *
 * Everything the ops see (params, tensor attributes) is converted or copied out of the
 * protobuf message here; the unpacked model is freed before trt__onnx_import returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "onnx.pb-c.h"
#include "onnx/onnx_import.h"
#include "ops/op.h"

typedef Onnx__AttributeProto__AttributeType attr_type;
#define ATTR(x) ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__##x
#define DT(x) ONNX__TENSOR_PROTO__DATA_TYPE__##x

static const char *str_or_empty(const char *s) { return s ? s : ""; }

static int is_default_domain(const char *d) { return !d || !*d || strcmp(d, "ai.onnx") == 0; }

static const char *onnx_dtype_name(int32_t t) {
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&onnx__tensor_proto__data_type__descriptor, t);
    return v ? v->name : "UNKNOWN";
}

static int dtype_from_onnx(int32_t t, trt_dtype *out) {
    switch (t) {
    case DT(FLOAT): *out = TRT_DTYPE_FLOAT32; return 1;
    case DT(FLOAT16): *out = TRT_DTYPE_FLOAT16; return 1;
    case DT(INT64): *out = TRT_DTYPE_INT64; return 1;
    case DT(INT32): *out = TRT_DTYPE_INT32; return 1;
    case DT(INT8): *out = TRT_DTYPE_INT8; return 1;
    case DT(UINT8): *out = TRT_DTYPE_UINT8; return 1;
    case DT(BOOL): *out = TRT_DTYPE_BOOL; return 1;
    default: return 0;
    }
}

static trt_status unsupported_dtype(const char *label, int32_t t) {
    if (t == DT(DOUBLE))
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "%s has dtype DOUBLE: trtinfer has no float64 and does not narrow it "
                          "silently; convert it to float32 in the model",
                          label);
    return trt__error(TRT_ERR_UNSUPPORTED,
                      "%s has dtype %s (%d); trtinfer supports float32, float16, int64, int32, "
                      "int8, uint8 and bool",
                      label, onnx_dtype_name(t), (int)t);
}

/* ---------------------------------------------------------------- tensor decoding */

/* A decoded TensorProto: dense little-endian values, either borrowed from the message
 * (`owned` NULL) or in a malloc'd buffer (`owned` == data). */
typedef struct {
    trt_dtype dtype;
    trt_dims dims;
    const void *data;
    void *owned;
    size_t bytes;
} decoded;

static trt_status count_mismatch(const char *label, const char *field, size_t have,
                                 int64_t want) {
    return trt__error(TRT_ERR_PARSE, "%s: %s holds %zu values, expected %lld from its dims",
                      label, field, have, (long long)want);
}

/* Decodes `t`; `label` ("initializer 'w'") starts every error message. */
static trt_status decode_tensor(const Onnx__TensorProto *t, const char *label, decoded *out) {
    memset(out, 0, sizeof *out);
    if ((t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) ||
        t->n_external_data > 0)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "%s stores its data outside the model file (ONNX external data), which "
                          "trtinfer does not read; save a self-contained model with "
                          "onnx.save_model(onnx.load(path), out, save_as_external_data=False) "
                          "(possible below 2 GiB)",
                          label);
    if (t->segment)
        return trt__error(TRT_ERR_UNSUPPORTED, "%s is a segmented tensor, which trtinfer does not read",
                          label);
    int32_t onnx_type = t->has_data_type ? t->data_type : DT(UNDEFINED);
    if (onnx_type == DT(UNDEFINED))
        return trt__error(TRT_ERR_PARSE, "%s has no data type", label);
    if (!dtype_from_onnx(onnx_type, &out->dtype)) return unsupported_dtype(label, onnx_type);
    if (t->n_dims > TRT_MAX_DIMS)
        return trt__error(TRT_ERR_UNSUPPORTED, "%s has %zu dimensions; trtinfer supports at most %d",
                          label, t->n_dims, TRT_MAX_DIMS);
    int64_t vol = 1;
    out->dims.nb_dims = (int32_t)t->n_dims;
    for (size_t i = 0; i < t->n_dims; i++) {
        int64_t d = t->dims[i];
        if (d < 0)
            return trt__error(TRT_ERR_PARSE, "%s has a negative dimension (%lld)", label,
                              (long long)d);
        if (d > 0 && vol > INT64_MAX / 16 / d)
            return trt__error(TRT_ERR_PARSE, "%s has an impossibly large shape", label);
        vol *= d;
        out->dims.d[i] = d;
    }
    size_t esize = trt_dtype_size(out->dtype);
    size_t bytes = (size_t)vol * esize;
    out->bytes = bytes;

    if (t->has_raw_data) {
        if (t->raw_data.len != bytes)
            return trt__error(TRT_ERR_PARSE,
                              "%s: raw_data has %zu bytes, expected %zu (%lld elements of %s)",
                              label, t->raw_data.len, bytes, (long long)vol,
                              trt_dtype_name(out->dtype));
        out->data = t->raw_data.data;
        if (out->dtype == TRT_DTYPE_BOOL) {
            /* Keep the IR's 0/1 invariant for bool. */
            const uint8_t *b = t->raw_data.data;
            size_t i = 0;
            while (i < bytes && b[i] <= 1) i++;
            if (i < bytes) {
                uint8_t *c = malloc(bytes);
                if (!c) return trt__error(TRT_ERR_OUT_OF_MEMORY, "%s: out of memory", label);
                for (i = 0; i < bytes; i++) c[i] = b[i] != 0;
                out->data = out->owned = c;
            }
        }
        return TRT_OK;
    }

    switch (onnx_type) {
    case DT(FLOAT):
        if (t->n_float_data != (size_t)vol)
            return count_mismatch(label, "float_data", t->n_float_data, vol);
        out->data = t->float_data;
        return TRT_OK;
    case DT(INT64):
        if (t->n_int64_data != (size_t)vol)
            return count_mismatch(label, "int64_data", t->n_int64_data, vol);
        out->data = t->int64_data;
        return TRT_OK;
    case DT(INT32):
        if (t->n_int32_data != (size_t)vol)
            return count_mismatch(label, "int32_data", t->n_int32_data, vol);
        out->data = t->int32_data;
        return TRT_OK;
    default:
        break;
    }
    /* float16, int8, uint8 and bool travel widened in int32_data. */
    if (t->n_int32_data != (size_t)vol)
        return count_mismatch(label, "int32_data", t->n_int32_data, vol);
    void *buf = malloc(bytes ? bytes : 1);
    if (!buf) return trt__error(TRT_ERR_OUT_OF_MEMORY, "%s: out of memory", label);
    for (size_t i = 0; i < (size_t)vol; i++) {
        int32_t v = t->int32_data[i];
        switch (out->dtype) {
        case TRT_DTYPE_FLOAT16: ((uint16_t *)buf)[i] = (uint16_t)v; break;
        case TRT_DTYPE_INT8: ((int8_t *)buf)[i] = (int8_t)v; break;
        case TRT_DTYPE_UINT8: ((uint8_t *)buf)[i] = (uint8_t)v; break;
        default: ((uint8_t *)buf)[i] = v != 0; break;
        }
    }
    out->data = out->owned = buf;
    return TRT_OK;
}

/* ---------------------------------------------------------------- import session */

/* Tensor names -> graph tensor index: open addressing over g's name strings. */
typedef struct {
    int *slots; /* tensor index + 1; 0 = empty */
    size_t cap; /* power of two */
    size_t n;
} name_map;

typedef struct {
    trt_graph *g;
    int opset;
    name_map names;
    void **pool; /* allocations handed to ops through trt_attrs; freed at the end */
    size_t n_pool, cap_pool;
} session;

struct trt_attrs {
    const Onnx__NodeProto *node;
    session *s;
    const char *node_name; /* the graph node's name (generated for unnamed nodes) */
    /* NUL-terminated copies of STRING attributes (ONNX bytes are not), parallel to
     * node->attribute, NULL for others; made before import() so getters cannot fail. */
    char **strings;
};

static size_t name_hash(const char *name) {
    return (size_t)trt__fnv1a(TRT_FNV_INIT, name, strlen(name));
}

static int map_find(const session *s, const char *name) {
    if (!s->names.cap) return -1;
    size_t mask = s->names.cap - 1;
    for (size_t h = name_hash(name) & mask;; h = (h + 1) & mask) {
        int v = s->names.slots[h];
        if (!v) return -1;
        if (strcmp(s->g->tensors[v - 1].name, name) == 0) return v - 1;
    }
}

static void map_put_slot(int *slots, size_t cap, const char *name, int idx) {
    size_t mask = cap - 1, h = name_hash(name) & mask;
    while (slots[h]) h = (h + 1) & mask;
    slots[h] = idx + 1;
}

/* Inserts tensor `idx` (by its name); 0, or -1 when out of memory. */
static int map_put(session *s, int idx) {
    name_map *m = &s->names;
    if ((m->n + 1) * 2 > m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 256;
        int *ns = calloc(nc, sizeof(int));
        if (!ns) return -1;
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i])
                map_put_slot(ns, nc, s->g->tensors[m->slots[i] - 1].name, m->slots[i] - 1);
        free(m->slots);
        m->slots = ns;
        m->cap = nc;
    }
    map_put_slot(m->slots, m->cap, s->g->tensors[idx].name, idx);
    m->n++;
    return 0;
}

/* Takes ownership of p (freed now if it cannot be recorded). Returns p or NULL. */
static void *pool_keep(session *s, void *p) {
    if (!p) return NULL;
    if (s->n_pool == s->cap_pool) {
        size_t nc = s->cap_pool ? s->cap_pool * 2 : 16;
        void **np = realloc(s->pool, nc * sizeof *np);
        if (!np) {
            free(p);
            return NULL;
        }
        s->pool = np;
        s->cap_pool = nc;
    }
    s->pool[s->n_pool++] = p;
    return p;
}

static void session_free(session *s) {
    for (size_t i = 0; i < s->n_pool; i++) free(s->pool[i]);
    free(s->pool);
    free(s->names.slots);
}

static trt_status oom(const char *what) {
    return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory while importing %s", what);
}

/* ---------------------------------------------------------------- attributes */

/* The attribute's type; old exporters leave `type` unset, so infer it from the fields. */
static attr_type attr_kind(const Onnx__AttributeProto *at) {
    if (at->has_type) return at->type;
    if (at->has_f) return ATTR(FLOAT);
    if (at->has_i) return ATTR(INT);
    if (at->has_s) return ATTR(STRING);
    if (at->t) return ATTR(TENSOR);
    if (at->g) return ATTR(GRAPH);
    if (at->n_floats) return ATTR(FLOATS);
    if (at->n_ints) return ATTR(INTS);
    if (at->n_strings) return ATTR(STRINGS);
    if (at->n_tensors) return ATTR(TENSORS);
    if (at->n_graphs) return ATTR(GRAPHS);
    return ATTR(UNDEFINED);
}

static const char *attr_kind_name(attr_type t) {
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
        &onnx__attribute_proto__attribute_type__descriptor, (int)t);
    return v ? v->name : "UNKNOWN";
}

static const Onnx__AttributeProto *attr_find(const trt_attrs *a, const char *name) {
    if (!a || !a->node || !name) return NULL;
    for (size_t i = 0; i < a->node->n_attribute; i++) {
        const Onnx__AttributeProto *at = a->node->attribute[i];
        if (at->name && strcmp(at->name, name) == 0) return at;
    }
    return NULL;
}

/* The attribute if it has type `want` (an empty list of unknown type passes as `want`);
 * NULL with a warning if it has another type. */
static const Onnx__AttributeProto *attr_typed(const trt_attrs *a, const char *name,
                                              attr_type want) {
    const Onnx__AttributeProto *at = attr_find(a, name);
    if (!at) return NULL;
    attr_type k = attr_kind(at);
    if (k == want) return at;
    if (k == ATTR(UNDEFINED) && (want == ATTR(INTS) || want == ATTR(FLOATS))) return at;
    trt__log(TRT_LOG_WARNING, "node '%s' (%s): attribute '%s' is %s, expected %s; ignoring it",
             a->node_name, str_or_empty(a->node->op_type), name, attr_kind_name(k),
             attr_kind_name(want));
    return NULL;
}

int trt_attrs_has(const trt_attrs *a, const char *name) { return attr_find(a, name) != NULL; }

int64_t trt_attrs_int(const trt_attrs *a, const char *name, int64_t def) {
    const Onnx__AttributeProto *at = attr_typed(a, name, ATTR(INT));
    return at ? at->i : def;
}

float trt_attrs_float(const trt_attrs *a, const char *name, float def) {
    const Onnx__AttributeProto *at = attr_find(a, name);
    if (at && attr_kind(at) == ATTR(INT)) return (float)at->i;
    at = attr_typed(a, name, ATTR(FLOAT));
    return at ? at->f : def;
}

int trt_attrs_ints(const trt_attrs *a, const char *name, int64_t *out, int max) {
    const Onnx__AttributeProto *at = attr_typed(a, name, ATTR(INTS));
    if (!at) return -1;
    for (size_t i = 0; i < at->n_ints && (int)i < max; i++) out[i] = at->ints[i];
    return at->n_ints > (size_t)INT32_MAX ? INT32_MAX : (int)at->n_ints;
}

int trt_attrs_floats(const trt_attrs *a, const char *name, float *out, int max) {
    const Onnx__AttributeProto *at = attr_typed(a, name, ATTR(FLOATS));
    if (!at) return -1;
    for (size_t i = 0; i < at->n_floats && (int)i < max; i++) out[i] = at->floats[i];
    return at->n_floats > (size_t)INT32_MAX ? INT32_MAX : (int)at->n_floats;
}

const char *trt_attrs_string(const trt_attrs *a, const char *name, const char *def) {
    const Onnx__AttributeProto *at = attr_typed(a, name, ATTR(STRING));
    if (!at) return def;
    for (size_t i = 0; i < a->node->n_attribute; i++)
        if (a->node->attribute[i] == at) return a->strings[i];
    return def;
}

trt_status trt_attrs_tensor(const trt_attrs *a, const char *name, trt_dtype *dtype,
                            trt_dims *dims, const void **data) {
    const Onnx__AttributeProto *at = attr_find(a, name);
    if (!at) return TRT_ERR_NOT_FOUND;
    attr_type k = attr_kind(at);
    if (k != ATTR(TENSOR) || !at->t)
        return trt__error(TRT_ERR_PARSE, "node '%s' (%s): attribute '%s' is %s, expected TENSOR",
                          a->node_name, str_or_empty(a->node->op_type), name, attr_kind_name(k));
    char label[512];
    snprintf(label, sizeof label, "node '%s' (%s): attribute '%s'", a->node_name,
             str_or_empty(a->node->op_type), name);
    decoded d;
    TRT_TRY(decode_tensor(at->t, label, &d));
    /* Ops read the values as typed arrays: hand out an aligned copy that lives until the
     * end of the import. */
    void *c = d.owned;
    if (!c) {
        c = malloc(d.bytes ? d.bytes : 1);
        if (c && d.bytes) memcpy(c, d.data, d.bytes);
    }
    if (!pool_keep(a->s, c)) return trt__error(TRT_ERR_OUT_OF_MEMORY, "%s: out of memory", label);
    *dtype = d.dtype;
    *dims = d.dims;
    *data = c;
    return TRT_OK;
}

int trt_attrs_opset(const trt_attrs *a) { return a && a->s ? a->s->opset : 0; }

const char *trt_attrs_node_name(const trt_attrs *a) { return a ? a->node_name : ""; }

/* ---------------------------------------------------------------- graph import */

static trt_status add_const(session *s, const char *name, const decoded *d) {
    if (map_find(s, name) >= 0)
        return trt__error(TRT_ERR_PARSE,
                          "tensor '%s' is defined twice (ONNX tensor names must be unique)", name);
    int idx = trt_graph_add_const(s->g, name, d->dtype, &d->dims, d->data);
    if (idx < 0 || map_put(s, idx) < 0) return oom(name);
    return TRT_OK;
}

static trt_status import_initializer(session *s, const Onnx__TensorProto *t, size_t i) {
    if (!t->name || !*t->name)
        return trt__error(TRT_ERR_PARSE, "initializer %zu has no name", i);
    char label[512];
    snprintf(label, sizeof label, "initializer '%s'", t->name);
    decoded d;
    TRT_TRY(decode_tensor(t, label, &d));
    trt_status st = add_const(s, t->name, &d);
    free(d.owned);
    return st;
}

static trt_status import_input(session *s, const Onnx__ValueInfoProto *vi, size_t i) {
    const char *name = vi->name;
    if (!name || !*name) return trt__error(TRT_ERR_PARSE, "graph input %zu has no name", i);
    int prev = map_find(s, name);
    if (prev >= 0) {
        if (s->g->tensors[prev].flags & TRT_TENSOR_CONST) return TRT_OK; /* an initializer */
        return trt__error(TRT_ERR_PARSE, "graph input '%s' is listed twice", name);
    }
    const Onnx__TypeProto *tp = vi->type;
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "graph input '%s' is not a tensor (sequences, maps, optionals and "
                          "sparse tensors are not supported)",
                          name);
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    char label[512];
    snprintf(label, sizeof label, "graph input '%s'", name);
    trt_dtype dt;
    int32_t et = tt->has_elem_type ? tt->elem_type : DT(UNDEFINED);
    if (et == DT(UNDEFINED)) return trt__error(TRT_ERR_PARSE, "%s has no element type", label);
    if (!dtype_from_onnx(et, &dt)) return unsupported_dtype(label, et);
    if (!tt->shape)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "%s has no shape in the model; trtinfer needs the rank of every input: "
                          "re-export the model with input shapes",
                          label);
    if (tt->shape->n_dim > TRT_MAX_DIMS)
        return trt__error(TRT_ERR_UNSUPPORTED, "%s has %zu dimensions; trtinfer supports at most %d",
                          label, tt->shape->n_dim, TRT_MAX_DIMS);
    trt_dims dims;
    memset(&dims, 0, sizeof dims);
    dims.nb_dims = (int32_t)tt->shape->n_dim;
    for (size_t k = 0; k < tt->shape->n_dim; k++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[k];
        int known = d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
                    d->dim_value >= 0;
        dims.d[k] = known ? d->dim_value : -1;
    }
    int idx = trt_graph_add_tensor(s->g, name, dt, &dims);
    if (idx < 0 || map_put(s, idx) < 0 || trt_graph_add_input(s->g, idx) < 0) return oom(name);
    return TRT_OK;
}

/* The single value attribute of a Constant node, decoded. */
static trt_status constant_value(const Onnx__NodeProto *n, const char *node_name, decoded *d) {
    memset(d, 0, sizeof *d);
    if (n->n_attribute != 1)
        return trt__error(TRT_ERR_PARSE, "Constant node '%s' has %zu attributes, expected exactly one",
                          node_name, n->n_attribute);
    const Onnx__AttributeProto *at = n->attribute[0];
    const char *an = str_or_empty(at->name);
    attr_type k = attr_kind(at);
    char label[512];
    snprintf(label, sizeof label, "Constant node '%s' (attribute '%s')", node_name, an);
    if (strcmp(an, "value") == 0 && k == ATTR(TENSOR) && at->t) return decode_tensor(at->t, label, d);
    if (strcmp(an, "value_float") == 0 && k == ATTR(FLOAT)) {
        d->dtype = TRT_DTYPE_FLOAT32;
        d->data = &at->f;
        d->bytes = sizeof(float);
        return TRT_OK;
    }
    if (strcmp(an, "value_int") == 0 && k == ATTR(INT)) {
        d->dtype = TRT_DTYPE_INT64;
        d->data = &at->i;
        d->bytes = sizeof(int64_t);
        return TRT_OK;
    }
    if (strcmp(an, "value_floats") == 0 && (k == ATTR(FLOATS) || k == ATTR(UNDEFINED))) {
        d->dtype = TRT_DTYPE_FLOAT32;
        d->dims.nb_dims = 1;
        d->dims.d[0] = (int64_t)at->n_floats;
        d->data = at->floats;
        d->bytes = at->n_floats * sizeof(float);
        return TRT_OK;
    }
    if (strcmp(an, "value_ints") == 0 && (k == ATTR(INTS) || k == ATTR(UNDEFINED))) {
        d->dtype = TRT_DTYPE_INT64;
        d->dims.nb_dims = 1;
        d->dims.d[0] = (int64_t)at->n_ints;
        d->data = at->ints;
        d->bytes = at->n_ints * sizeof(int64_t);
        return TRT_OK;
    }
    return trt__error(TRT_ERR_UNSUPPORTED,
                      "%s of type %s is not supported; trtinfer reads Constant's value, "
                      "value_float, value_floats, value_int and value_ints",
                      label, attr_kind_name(k));
}

static trt_status import_constant(session *s, const Onnx__NodeProto *n, size_t i) {
    char gen[64];
    const char *node_name = n->name && *n->name ? n->name : gen;
    snprintf(gen, sizeof gen, "Constant_%zu", i);
    if (n->n_input != 0 || n->n_output != 1 || !n->output[0] || !*n->output[0])
        return trt__error(TRT_ERR_PARSE,
                          "Constant node '%s' has %zu inputs and %zu outputs, expected none and "
                          "one named output",
                          node_name, n->n_input, n->n_output);
    decoded d;
    TRT_TRY(constant_value(n, node_name, &d));
    trt_status st = add_const(s, n->output[0], &d);
    free(d.owned);
    return st;
}

static trt_status domain_error(const Onnx__NodeProto *n, const char *shown) {
    return trt__error(TRT_ERR_UNSUPPORTED,
                      "node '%s' uses operator '%s' of domain '%s': trtinfer supports only the "
                      "default ONNX domain (ai.onnx)",
                      shown, str_or_empty(n->op_type), n->domain);
}

static trt_status import_node(session *s, const Onnx__NodeProto *n, size_t i) {
    trt_graph *g = s->g;
    const char *type = n->op_type;
    if (!type || !*type) return trt__error(TRT_ERR_PARSE, "node %zu has no op_type", i);
    char gen[128];
    snprintf(gen, sizeof gen, "%s_%d", type, g->n_nodes); /* what trt_graph_add_node makes */
    const char *shown = n->name && *n->name ? n->name : gen;
    if (!is_default_domain(n->domain)) return domain_error(n, shown);
    if (strcmp(type, "Constant") == 0) return import_constant(s, n, i);

    trt_op op = trt_op_from_onnx(type);
    if (op == TRT_OP_COUNT_)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "unsupported operator '%s' (node '%s', opset %d): trtinfer does not "
                          "implement it; supported operators are listed in docs/ops.md",
                          type, shown, s->opset);

    /* Trailing empty outputs are optional outputs nobody reads. */
    size_t n_out = n->n_output;
    while (n_out > 0 && (!n->output[n_out - 1] || !*n->output[n_out - 1])) n_out--;
    if (n->n_input > TRT_MAX_NODE_INPUTS || n_out > TRT_MAX_NODE_OUTPUTS)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "node '%s' (%s) has %zu inputs and %zu outputs; trtinfer supports at "
                          "most %d inputs and %d outputs per node",
                          shown, type, n->n_input, n_out, TRT_MAX_NODE_INPUTS,
                          TRT_MAX_NODE_OUTPUTS);

    int ins[TRT_MAX_NODE_INPUTS], outs[TRT_MAX_NODE_OUTPUTS];
    for (size_t k = 0; k < n->n_input; k++) {
        const char *in = n->input[k];
        if (!in || !*in) {
            ins[k] = -1;
            continue;
        }
        ins[k] = map_find(s, in);
        if (ins[k] < 0)
            return trt__error(TRT_ERR_PARSE,
                              "node '%s' (%s): input '%s' is neither a graph input, an initializer "
                              "nor the output of an earlier node (ONNX requires nodes in "
                              "topological order)",
                              shown, type, in);
    }
    for (size_t k = 0; k < n_out; k++) {
        const char *on = n->output[k];
        char anon[192];
        if (!on || !*on) {
            /* An unused optional output between used ones: it still needs a tensor. */
            snprintf(anon, sizeof anon, "%s:unused_output_%zu", shown, k);
            on = anon;
        }
        if (map_find(s, on) >= 0)
            return trt__error(TRT_ERR_PARSE,
                              "node '%s' (%s): output '%s' is already defined (ONNX tensor names "
                              "must be unique)",
                              shown, type, on);
        int idx = trt_graph_add_tensor(g, on, TRT_DTYPE_FLOAT32, NULL);
        if (idx < 0 || map_put(s, idx) < 0) return oom(on);
        outs[k] = idx;
    }
    int ni = trt_graph_add_node(g, op, n->name, ins, (int)n->n_input, outs, (int)n_out);
    if (ni < 0) return oom(shown);
    trt_attrs attrs = {n, s, g->nodes[ni].name, NULL};
    if (n->n_attribute) {
        attrs.strings = pool_keep(s, calloc(n->n_attribute, sizeof(char *)));
        if (!attrs.strings) return oom(shown);
        for (size_t k = 0; k < n->n_attribute; k++) {
            const Onnx__AttributeProto *at = n->attribute[k];
            if (attr_kind(at) != ATTR(STRING)) continue;
            char *c = pool_keep(s, malloc(at->s.len + 1));
            if (!c) return oom(shown);
            if (at->s.len) memcpy(c, at->s.data, at->s.len);
            c[at->s.len] = 0;
            attrs.strings[k] = c;
        }
    }
    return trt_op_get(op)->import(&g->nodes[ni], &attrs);
}

static trt_status import_graph(session *s, const Onnx__GraphProto *gp) {
    if (gp->n_sparse_initializer)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "the model has sparse initializers ('%s' ...), which trtinfer does not "
                          "read; store them as dense initializers",
                          gp->sparse_initializer[0]->values && gp->sparse_initializer[0]->values->name
                              ? gp->sparse_initializer[0]->values->name
                              : "?");
    for (size_t i = 0; i < gp->n_initializer; i++)
        TRT_TRY(import_initializer(s, gp->initializer[i], i));
    for (size_t i = 0; i < gp->n_input; i++) TRT_TRY(import_input(s, gp->input[i], i));
    for (size_t i = 0; i < gp->n_node; i++) TRT_TRY(import_node(s, gp->node[i], i));
    if (!gp->n_output) return trt__error(TRT_ERR_PARSE, "the model's graph has no outputs");
    for (size_t i = 0; i < gp->n_output; i++) {
        const char *name = gp->output[i]->name;
        if (!name || !*name) return trt__error(TRT_ERR_PARSE, "graph output %zu has no name", i);
        int idx = map_find(s, name);
        if (idx < 0)
            return trt__error(TRT_ERR_PARSE,
                              "graph output '%s' is not produced by any node, input or initializer",
                              name);
        if (s->g->tensors[idx].flags & TRT_TENSOR_OUTPUT)
            return trt__error(TRT_ERR_PARSE, "graph output '%s' is listed twice", name);
        if (trt_graph_add_output(s->g, idx) < 0) return oom(name);
    }
    return TRT_OK;
}

static Onnx__ModelProto *unpack_model(const void *buf, size_t len) {
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    if (!m)
        trt__error(TRT_ERR_PARSE,
                   "not a valid ONNX model (protobuf parse failed): the data is truncated, "
                   "corrupted or not an ONNX file");
    else if (!m->graph) {
        onnx__model_proto__free_unpacked(m, NULL);
        m = NULL;
        trt__error(TRT_ERR_PARSE, "not a valid ONNX model: it has no graph");
    }
    return m;
}

static trt_status model_opset(const Onnx__ModelProto *m, int *opset) {
    int64_t v = -1;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = m->opset_import[i];
        if (is_default_domain(o->domain) && o->has_version) {
            v = o->version;
            break;
        }
    }
    if (v < 0) {
        /* Models made only of other domains' ops (ai.onnx.ml...): name the first such op. */
        for (size_t i = 0; i < m->graph->n_node; i++) {
            const Onnx__NodeProto *n = m->graph->node[i];
            if (is_default_domain(n->domain)) continue;
            char gen[128];
            snprintf(gen, sizeof gen, "%s_%zu", str_or_empty(n->op_type), i);
            return domain_error(n, n->name && *n->name ? n->name : gen);
        }
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "the model declares no opset for the default ONNX domain; trtinfer "
                          "supports opsets %d to %d",
                          TRT_ONNX_MIN_OPSET, TRT_ONNX_MAX_OPSET);
    }
    if (v < TRT_ONNX_MIN_OPSET || v > TRT_ONNX_MAX_OPSET)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "the model uses ONNX opset %lld; trtinfer supports opsets %d to %d "
                          "(convert it with onnx.version_converter.convert_version)",
                          (long long)v, TRT_ONNX_MIN_OPSET, TRT_ONNX_MAX_OPSET);
    *opset = (int)v;
    return TRT_OK;
}

trt_status trt__onnx_import(const void *buf, size_t len, trt_graph **out) {
    if (!out) return trt__error(TRT_ERR_INVALID_ARG, "trt__onnx_import: NULL output");
    *out = NULL;
    if (!buf && len) return trt__error(TRT_ERR_INVALID_ARG, "trt__onnx_import: NULL buffer");
    Onnx__ModelProto *m = unpack_model(buf, len);
    if (!m) return TRT_ERR_PARSE;
    session s;
    memset(&s, 0, sizeof s);
    trt_status st = model_opset(m, &s.opset);
    if (st == TRT_OK) {
        s.g = trt_graph_new();
        if (!s.g) st = oom("the model");
    }
    if (st == TRT_OK) {
        s.g->opset = s.opset;
        st = import_graph(&s, m->graph);
    }
    session_free(&s);
    onnx__model_proto__free_unpacked(m, NULL);
    if (st != TRT_OK) {
        trt_graph_free(s.g);
        return st;
    }
    *out = s.g;
    return TRT_OK;
}

/* ---------------------------------------------------------------- test-data helpers */

trt_status trt__onnx_read_tensor(const void *buf, size_t len, char **name, trt_dtype *dtype,
                                 trt_dims *dims, void **data) {
    if (!name || !dtype || !dims || !data || (!buf && len))
        return trt__error(TRT_ERR_INVALID_ARG, "trt__onnx_read_tensor: NULL argument");
    *name = NULL;
    *data = NULL;
    Onnx__TensorProto *t = onnx__tensor_proto__unpack(NULL, len, buf);
    if (!t)
        return trt__error(TRT_ERR_PARSE,
                          "not a valid ONNX TensorProto (protobuf parse failed): the data is "
                          "truncated, corrupted or not a tensor file");
    char label[512];
    snprintf(label, sizeof label, "tensor '%s'", str_or_empty(t->name));
    decoded d;
    trt_status st = decode_tensor(t, label, &d);
    if (st == TRT_OK) {
        void *c = d.owned;
        if (!c) {
            c = malloc(d.bytes ? d.bytes : 1);
            if (c && d.bytes) memcpy(c, d.data, d.bytes);
        }
        char *nm = NULL;
        if (t->name && *t->name) nm = trt__strdup(t->name);
        if (!c || (t->name && *t->name && !nm)) {
            free(c);
            free(nm);
            st = trt__error(TRT_ERR_OUT_OF_MEMORY, "%s: out of memory", label);
        } else {
            *name = nm;
            *dtype = d.dtype;
            *dims = d.dims;
            *data = c;
        }
    }
    onnx__tensor_proto__free_unpacked(t, NULL);
    return st;
}

void trt__onnx_free_strings(char **strings, int n) {
    if (!strings) return;
    for (int i = 0; i < n; i++) free(strings[i]);
    free(strings);
}

trt_status trt__onnx_op_types(const void *buf, size_t len, char ***types, int *n) {
    if (!types || !n || (!buf && len))
        return trt__error(TRT_ERR_INVALID_ARG, "trt__onnx_op_types: NULL argument");
    *types = NULL;
    *n = 0;
    Onnx__ModelProto *m = unpack_model(buf, len);
    if (!m) return TRT_ERR_PARSE;
    const Onnx__GraphProto *gp = m->graph;
    char **list = calloc(gp->n_node + 1, sizeof(char *));
    int count = 0;
    trt_status st = list ? TRT_OK : oom("op types");
    for (size_t i = 0; st == TRT_OK && i < gp->n_node; i++) {
        const Onnx__NodeProto *nd = gp->node[i];
        if (!nd->op_type || !*nd->op_type) {
            st = trt__error(TRT_ERR_PARSE, "node %zu has no op_type", i);
            break;
        }
        int dflt = is_default_domain(nd->domain);
        size_t sz = strlen(nd->op_type) + (dflt ? 0 : strlen(nd->domain) + 1) + 1;
        char *t = malloc(sz);
        if (!t) {
            st = oom("op types");
            break;
        }
        if (dflt) snprintf(t, sz, "%s", nd->op_type);
        else snprintf(t, sz, "%s:%s", nd->domain, nd->op_type);
        int seen = 0;
        for (int k = 0; k < count && !seen; k++) seen = strcmp(list[k], t) == 0;
        if (seen) free(t);
        else list[count++] = t;
    }
    onnx__model_proto__free_unpacked(m, NULL);
    if (st != TRT_OK) {
        trt__onnx_free_strings(list, count);
        return st;
    }
    *types = list;
    *n = count;
    return TRT_OK;
}
