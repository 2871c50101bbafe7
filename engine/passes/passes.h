/* passes.h — graph rewrites run by the builder between import and memory planning.
 *
 * Each pass is its own file in engine/passes/ and rewrites the graph in place; it keeps the
 * graph's numerics (checked against onnxruntime by the model tests) and logs each decision
 * at TRT_LOG_VERBOSE ("Fusing Conv_3 + Relu_4"). The tensors' shapes are those of the
 * profile's opt point when a pass runs, and each tensor's `capacity` holds its largest size
 * over the profile's min, opt and max; passes must stay valid for every shape of the profile
 * (shape-dependent decisions use the node's infer at run time). The builder infers shapes
 * again after the passes, at min, opt and max, and plans memory.
 *
 * Passes, in order (trt__passes_run_dev):
 *   dead.c       unused nodes and Identity nodes removed
 *   fold.c       device nodes whose inputs are all constants evaluated on the device once
 *   bn_fold.c    BatchNormalization folded into the Conv or Gemm before it
 *   fuse_act.c   Conv/ConvTranspose + bias + residual Add + activation, Gemm/MatMul + bias
 *                + activation fused into the producer's epilogue (fusion.h)
 *   fuse_eltwise.c chains of elementwise ops fused into one node
 * Then, called by the builder with the config's precision (trt__pass_precision):
 *   precision.c  FP16: float16 storage for the tensors of ops with half kernels, Casts at
 *                the float32 edges (graph inputs/outputs, other ops)
 * and last, on the device's caps (trt__pass_layout):
 *   layout.c     Convs in the NHWC8 layout (tensor cores; TRT_LAYOUT=nhwc8 forces it,
 *                TRT_LAYOUT=linear turns it off), Reformats at the region's edges, weights
 *                repacked
 * Reshape-like nodes (Reshape, Flatten, Squeeze, Unsqueeze, Identity) alias their input's
 * memory: memplan.c puts both in one slot and their launch copies nothing.
 */
#ifndef TRT_PASSES_PASSES_H
#define TRT_PASSES_PASSES_H

#include "core/ir.h"
#include "trt/trt.h"

/* Runs every pass in order; constant folding runs its nodes on `dev`. */
trt_status trt__passes_run_dev(trt_device *dev, trt_graph *g);

/* ---------------------------------------------------------------- the passes */

trt_status trt__pass_dead(trt_graph *g);
trt_status trt__pass_fold(trt_device *dev, trt_graph *g);
trt_status trt__pass_bn_fold(trt_graph *g);
trt_status trt__pass_fuse_act(trt_graph *g);
trt_status trt__pass_fuse_eltwise(trt_graph *g);
/* No-op unless `precision` is TRT_PRECISION_FP16; runs after the other passes. */
trt_status trt__pass_precision(trt_graph *g, trt_precision precision);
/* Runs after precision (its choice needs the storage types) and before memory planning;
 * `dev` (may be NULL: no tensor cores) gives the caps. Environment TRT_LAYOUT: unset or
 * "auto" (NHWC8 for tensor-core Convs), "nhwc8" (every eligible Conv), "linear" (off). */
trt_status trt__pass_layout(trt_device *dev, trt_graph *g);

/* Whether node n of a planned graph only views its input under another shape, so that its
 * output may share its input's memory (memplan.c; the op's launch then copies nothing). */
int trt__node_is_view(const trt_graph *g, int n);

/* ---------------------------------------------------------------- graph editing (edit.c) */

/* Number of uses of tensor t: node inputs, plus one if it is a graph output. */
int trt__tensor_uses(const trt_graph *g, int t);
int trt__tensor_is_output(const trt_graph *g, int t);
/* The only node reading t when t has exactly one use and is no graph output, else -1. */
int trt__sole_consumer(const trt_graph *g, int t);
/* Makes every node input reading `from` read `to` instead. */
void trt__replace_uses(trt_graph *g, int from, int to);
/* Constant tensor (CONST flag, data present). */
int trt__tensor_is_const(const trt_graph *g, int t);
/* Appends " + <suffix>" to node n's name ("Conv_3" -> "Conv_3 + Relu_4"). */
trt_status trt__node_append_name(trt_graph *g, int n, const char *suffix);
/* Marks node n removed: compacted away by trt__graph_compact. */
void trt__node_kill(trt_graph *g, int n);
/* Drops killed nodes, keeping the order of the others, and recomputes producers. */
void trt__graph_compact(trt_graph *g);
/* Moves node `from` to position `to` (> from), shifting the nodes between one place back;
 * for fusing a node into a later one whose inputs come after it. Producers recomputed. */
void trt__node_move_later(trt_graph *g, int from, int to);
/* Nodes [n_old, n_nodes) were appended by a pass: puts each right before the node that was at
 * position before[i - n_old] (n_old: after every node), appended order among those sharing a
 * place; the others keep their order. before[i] lies in [0, n_old]. Producers recomputed. */
trt_status trt__graph_place_new_nodes(trt_graph *g, int n_old, const int *before);

#endif /* TRT_PASSES_PASSES_H */
