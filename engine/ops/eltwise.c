/* eltwise.c — STUB: not implemented yet. */
#include "ops/op.h"

static trt_status stub_import(trt_node *node, const trt_attrs *attrs) {
    (void)attrs;
    return trt__error(TRT_ERR_UNSUPPORTED, "op %s is not implemented yet", trt_op_name(node->op));
}
static trt_status stub_infer(const trt_node *node, trt_tensor *t) {
    (void)t;
    return trt__error(TRT_ERR_UNSUPPORTED, "op %s is not implemented yet", trt_op_name(node->op));
}

const trt_op_impl trt_op_impl_RELU = {"Relu", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_LEAKY_RELU = {"LeakyRelu", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_CLIP = {"Clip", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_SIGMOID = {"Sigmoid", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_HARD_SIGMOID = {"HardSigmoid", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_HARD_SWISH = {"HardSwish", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_TANH = {"Tanh", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_ERF = {"Erf", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_EXP = {"Exp", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_LOG = {"Log", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_SQRT = {"Sqrt", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_NEG = {"Neg", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_ABS = {"Abs", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_RECIPROCAL = {"Reciprocal", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_FLOOR = {"Floor", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_CEIL = {"Ceil", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_ADD = {"Add", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_SUB = {"Sub", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_MUL = {"Mul", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_DIV = {"Div", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_POW = {"Pow", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_MIN = {"Min", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_MAX = {"Max", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_EQUAL = {"Equal", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_LESS = {"Less", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_GREATER = {"Greater", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_WHERE = {"Where", stub_import, stub_infer, NULL, NULL};
