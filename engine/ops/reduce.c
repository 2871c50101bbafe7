/* reduce.c — STUB: not implemented yet. */
#include "ops/op.h"

static trt_status stub_import(trt_node *node, const trt_attrs *attrs) {
    (void)attrs;
    return trt__error(TRT_ERR_UNSUPPORTED, "op %s is not implemented yet", trt_op_name(node->op));
}
static trt_status stub_infer(const trt_node *node, trt_tensor *t) {
    (void)t;
    return trt__error(TRT_ERR_UNSUPPORTED, "op %s is not implemented yet", trt_op_name(node->op));
}

const trt_op_impl trt_op_impl_SOFTMAX = {"Softmax", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_REDUCE_MEAN = {"ReduceMean", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_REDUCE_MAX = {"ReduceMax", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_REDUCE_SUM = {"ReduceSum", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_ARGMAX = {"ArgMax", stub_import, stub_infer, NULL, NULL};
const trt_op_impl trt_op_impl_TOPK = {"TopK", stub_import, stub_infer, NULL, NULL};
