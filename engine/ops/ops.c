/* ops.c — the op table built from ops.def, and small helpers shared by op families. */
#include <stdint.h>
#include <string.h>

#include "ops/op.h"

#define TRT_OP(id, onnx_name, family) extern const trt_op_impl trt_op_impl_##id;
#include "ops/ops.def"
#undef TRT_OP

/* Ops only passes insert (TRT_OP_INTERNAL): never mapped from an ONNX op type. */
static const unsigned char op_internal[TRT_OP_COUNT_] = {
#define TRT_OP(id, onnx_name, family) 0,
#define TRT_OP_INTERNAL(id, name, family) 1,
#include "ops/ops.def"
#undef TRT_OP_INTERNAL
#undef TRT_OP
};

static const trt_op_impl *const op_table[TRT_OP_COUNT_] = {
#define TRT_OP(id, onnx_name, family) &trt_op_impl_##id,
#include "ops/ops.def"
#undef TRT_OP
};

static const char *const op_onnx_names[TRT_OP_COUNT_] = {
#define TRT_OP(id, onnx_name, family) onnx_name,
#include "ops/ops.def"
#undef TRT_OP
};

const trt_op_impl *trt_op_get(trt_op op) {
    if ((int)op < 0 || op >= TRT_OP_COUNT_) return NULL;
    return op_table[op];
}

const char *trt_op_name(trt_op op) {
    if ((int)op < 0 || op >= TRT_OP_COUNT_) return "?";
    return op_onnx_names[op];
}

trt_op trt_op_from_onnx(const char *op_type) {
    for (int i = 0; i < TRT_OP_COUNT_; i++)
        if (!op_internal[i] && strcmp(op_onnx_names[i], op_type) == 0) return (trt_op)i;
    return TRT_OP_COUNT_;
}

int trt_tactic_add(trt_tactic *out, int n, int max, int32_t tactic, const int *params, int np,
                   uint32_t flags) {
    if (n >= max) return n;
    memset(&out[n], 0, sizeof out[n]);
    out[n].tactic = tactic;
    out[n].flags = flags;
    for (int i = 0; i < np && i < TRT_MAX_TACTIC_PARAMS; i++)
        out[n].params[i] = params[i];
    return n + 1;
}

trt_status trt_op_check_io(const trt_node *node, int min_in, int max_in, int min_out,
                           int max_out) {
    if (node->n_inputs < min_in || node->n_inputs > max_in)
        return trt__error(TRT_ERR_PARSE, "node '%s' (%s): has %d inputs, expected %d to %d",
                          node->name, trt_op_name(node->op), node->n_inputs, min_in, max_in);
    if (node->n_outputs < min_out || node->n_outputs > max_out)
        return trt__error(TRT_ERR_PARSE, "node '%s' (%s): has %d outputs, expected %d to %d",
                          node->name, trt_op_name(node->op), node->n_outputs, min_out, max_out);
    return TRT_OK;
}

trt_status trt_attrs_auto_pad(const trt_node *node, const trt_attrs *a, int32_t *out) {
    static const char *const names[] = {"NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"};
    const char *ap = trt_attrs_string(a, "auto_pad", "NOTSET");
    for (int i = 0; i < 4; i++)
        if (strcmp(ap, names[i]) == 0) {
            *out = i;
            return TRT_OK;
        }
    return trt__error(TRT_ERR_PARSE,
                      "node '%s' (%s): auto_pad '%s' is not one of NOTSET, SAME_UPPER, "
                      "SAME_LOWER, VALID",
                      node->name, trt_op_name(node->op), ap);
}

trt_status trt_attrs_spatial_ints(const trt_node *node, const trt_attrs *a, const char *name,
                                  int max, int min_value, int32_t *out, int32_t *count) {
    int64_t v[2 * TRT_MAX_DIMS + 2];
    int n = trt_attrs_ints(a, name, v, (int)(sizeof v / sizeof v[0]));
    *count = n < 0 ? 0 : n;
    if (n < 0) return TRT_OK;
    if (n > max)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "node '%s' (%s): attribute %s has %d values; only 1-D, 2-D and 3-D "
                          "windows are supported",
                          node->name, trt_op_name(node->op), name, n);
    for (int i = 0; i < n; i++) {
        if (v[i] < min_value || v[i] > INT32_MAX)
            return trt__error(TRT_ERR_PARSE, "node '%s' (%s): attribute %s[%d] = %lld is invalid",
                              node->name, trt_op_name(node->op), name, i, (long long)v[i]);
        out[i] = (int32_t)v[i];
    }
    return TRT_OK;
}

const char *trt_dtype_cl_name(trt_dtype t) {
    switch (t) {
    case TRT_DTYPE_FLOAT32: return "float";
    case TRT_DTYPE_FLOAT16: return "half";
    case TRT_DTYPE_INT64: return "long";
    case TRT_DTYPE_INT32: return "int";
    case TRT_DTYPE_INT8: return "char";
    case TRT_DTYPE_UINT8: return "uchar";
    case TRT_DTYPE_BOOL: return "uchar";
    default: return "float";
    }
}
