/* tune.c — tactic timing (not yet: every layer keeps tactic 0 or the one its op set). */
#include "tune/tune.h"

trt_status trt__tune(trt_device *dev, trt_graph *g, const trt_engine_meta *meta) {
    (void)dev;
    (void)g;
    (void)meta;
    return TRT_OK;
}
