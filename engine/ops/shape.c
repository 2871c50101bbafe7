/* shape.c — STUB: not implemented yet. */
#include "ops/op.h"

static trt_status stub_import(trt_node *node, const trt_attrs *attrs) {
    (void)attrs;
    return trt__error(TRT_ERR_UNSUPPORTED, "op %s is not implemented yet", trt_op_name(node->op));
}
static trt_status stub_infer(const trt_node *node, trt_tensor *t) {
    (void)t;
    return trt__error(TRT_ERR_UNSUPPORTED, "op %s is not implemented yet", trt_op_name(node->op));
}

const trt_op_impl trt_op_impl_FLATTEN = {"Flatten", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_RESHAPE = {"Reshape", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_TRANSPOSE = {"Transpose", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_CONCAT = {"Concat", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_SPLIT = {"Split", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_SLICE = {"Slice", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_SQUEEZE = {"Squeeze", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_UNSQUEEZE = {"Unsqueeze", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_GATHER = {"Gather", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_SHAPE = {"Shape", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_CAST = {"Cast", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_CONSTANT_OF_SHAPE = {"ConstantOfShape", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_IDENTITY = {"Identity", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_EXPAND = {"Expand", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_RANGE = {"Range", stub_import, stub_infer, NULL, NULL};
