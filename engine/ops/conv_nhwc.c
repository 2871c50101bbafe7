/* conv_nhwc.c — Conv over NHWC8 tensors with a portable kernel (kernels/conv_nhwc.cl). */
#include "ops/conv.h"

trt_status trt__conv_nhwc_prepare(trt_exec *ex, const trt_node *node, const conv_geom *g,
                                  trt_node_rt *rt) {
    (void)ex, (void)g, (void)rt;
    return trt__error(TRT_ERR_UNSUPPORTED, "node '%s' (Conv): NHWC8 tactic not built yet",
                      node->name);
}
trt_status trt__conv_nhwc_launch(trt_exec *ex, const trt_node *node, const conv_geom *g,
                                 trt_node_rt *rt) {
    return trt__conv_nhwc_prepare(ex, node, g, rt);
}
