/* tune.h — tactic selection: times each layer's candidate kernels on the device at the
 * profile's opt shapes and records the fastest in node->tactic / tactic_params. */
#ifndef TRT_TUNE_TUNE_H
#define TRT_TUNE_TUNE_H

#include "runtime/runtime.h"

/* Chooses a tactic for every device node of `g` whose op lists candidates (trt_op_impl
 * .tactics); others keep tactic 0. `meta` holds the profiles and memory plan. */
trt_status trt__tune(trt_device *dev, trt_graph *g, const trt_engine_meta *meta);

#endif /* TRT_TUNE_TUNE_H */
