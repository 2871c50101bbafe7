/* ops.c — the op table built from ops.def, and small helpers shared by op families. */
#include <string.h>

#include "ops/op.h"

#define TRT_OP(id, onnx_name, family) extern const trt_op_impl trt_op_impl_##id;
#include "ops/ops.def"
#undef TRT_OP

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
        if (strcmp(op_onnx_names[i], op_type) == 0) return (trt_op)i;
    return TRT_OP_COUNT_;
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
