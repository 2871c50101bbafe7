/* norm.h — BatchNormalization's parameter block, shared with the pass that folds it into
 * the layer before it (engine/passes/bn_fold.c). */
#ifndef TRT_OPS_NORM_H
#define TRT_OPS_NORM_H

#include "core/ir.h"

typedef struct {
    float epsilon;
} trt_norm_params;
_Static_assert(sizeof(trt_norm_params) <= TRT_MAX_PARAMS, "trt_norm_params exceeds TRT_MAX_PARAMS");

#endif /* TRT_OPS_NORM_H */
