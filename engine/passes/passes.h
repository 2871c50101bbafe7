/* passes.h — graph rewrites run by the builder between import and memory planning.
 *
 * Each pass is its own file in engine/passes/ and rewrites the graph in place; it keeps the
 * graph's numerics (checked against onnxruntime by the model tests) and logs each decision
 * at TRT_LOG_VERBOSE ("Fusing Conv_3 + Relu_4"). The tensors' shapes are those of the
 * profile's opt point when a pass runs; passes must stay valid for every shape of the
 * profile (shape-dependent decisions use the node's infer at run time).
 */
#ifndef TRT_PASSES_PASSES_H
#define TRT_PASSES_PASSES_H

#include "core/ir.h"

/* Runs every pass in order. */
trt_status trt__passes_run(trt_graph *g);

#endif /* TRT_PASSES_PASSES_H */
