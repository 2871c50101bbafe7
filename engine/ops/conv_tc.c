/* conv_tc.c — Conv on tensor cores (kernels/tc_gemm.cl, implicit GEMM over NHWC8). */
#include "ops/conv.h"

trt_status trt__conv_tc_prepare(trt_exec *ex, const trt_node *node, const conv_geom *g,
                                trt_node_rt *rt) {
    (void)ex, (void)g, (void)rt;
    return trt__error(TRT_ERR_UNSUPPORTED, "node '%s' (Conv): tensor-core tactic not built yet",
                      node->name);
}
trt_status trt__conv_tc_launch(trt_exec *ex, const trt_node *node, const conv_geom *g,
                               trt_node_rt *rt) {
    return trt__conv_tc_prepare(ex, node, g, rt);
}
int trt__conv_tc_tactics(const trt_node *node, const conv_geom *g, const trt_tensor *t,
                         const trt_device_caps *caps, trt_tactic *out, int max) {
    (void)node, (void)g, (void)t, (void)caps, (void)out, (void)max;
    return 0;
}
