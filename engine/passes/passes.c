/* passes.c — the pass pipeline (order and reasons in passes.h). */
#include "core/core.h"
#include "passes/passes.h"

trt_status trt__passes_run_dev(trt_device *dev, trt_graph *g) {
    TRT_TRY(trt__pass_dead(g));
    TRT_TRY(trt__pass_fold(dev, g));
    TRT_TRY(trt__pass_bn_fold(g));
    TRT_TRY(trt__pass_fuse_act(g));
    TRT_TRY(trt__pass_fuse_eltwise(g));
    return TRT_OK;
}
