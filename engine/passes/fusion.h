/* fusion.h — what the fusion passes write into the params of the nodes they fuse into, and
 * the accessors the op families that execute fused nodes export for it.
 *
 * A fused node keeps its op (Conv, Gemm, MatMul, or an eltwise op heading a chain) and ONNX
 * name ("Conv_3 + Relu_4"); what it does beyond the op lives in its params blob, so it is
 * stored in engine files like any other parameter. All fields are zero in a node nobody
 * fused (imported nodes are zero-filled), which means "nothing fused".
 */
#ifndef TRT_PASSES_FUSION_H
#define TRT_PASSES_FUSION_H

#include <stdint.h>

#include "core/ir.h"

/* ---------------------------------------------------------------- epilogues */

/* Activation applied to each output value v of a Conv, Gemm or MatMul after its bias and
 * residual addend. The numbers are stored in engine files and passed to kernels as they are
 * (conv.cl and gemm.cl define the same ACT_* values). */
typedef enum {
    TRT_ACT_NONE = 0,
    TRT_ACT_RELU = 1,              /* max(v, 0) */
    TRT_ACT_CLIP = 2,              /* min(max(v, alpha), beta): Relu6 is alpha 0, beta 6 */
    TRT_ACT_LEAKY_RELU = 3,        /* v >= 0 ? v : alpha * v */
    TRT_ACT_SIGMOID = 4,           /* 1 / (1 + exp(-v)) */
    TRT_ACT_SILU = 5,              /* v * sigmoid(v) */
    TRT_ACT_HARD_SWISH = 6,        /* v * clamp(v / 6 + 1/2, 0, 1) */
    TRT_ACT_HARD_SIGMOID = 7,      /* clamp(alpha * v + beta, 0, 1) */
    TRT_ACT_HARD_SIGMOID_MUL = 8,  /* v * clamp(alpha * v + beta, 0, 1) */
    TRT_ACT_TANH = 9,              /* tanh(v) */
    TRT_ACT_COUNT_
} trt_act;

/* y = act(conv_or_product + bias + residual). 16 bytes, inside the op's params. */
typedef struct {
    int32_t act;      /* trt_act */
    float alpha, beta;
    int32_t residual; /* input slot (>= 3) of a tensor of the output's shape added before the
                       * activation; 0 = none (Conv only) */
} trt_epilogue;

/* The epilogue inside a Conv or ConvTranspose node's params (conv.c). */
trt_epilogue *trt__conv_epilogue(trt_node *node);
/* Gemm's attributes (a MatMul's are unused: alpha 1, and beta 1 for its fused bias). */
typedef struct {
    float alpha, beta;
    int32_t trans_a, trans_b;
} trt_gemm_attrs;
trt_gemm_attrs *trt__gemm_attrs(trt_node *node);

/* The epilogue inside a Gemm or MatMul node's params (gemm.c). A MatMul's optional third
 * input is a bias of the product's last dimension (N values, or one), added before act. */
trt_epilogue *trt__gemm_epilogue(trt_node *node);

/* ---------------------------------------------------------------- eltwise chains */

#define TRT_CHAIN_MAX 8

enum {
    TRT_CHAIN_NONE = 0, /* unary step */
    TRT_CHAIN_IMM = -1, /* binary step with the constant c0 */
    TRT_CHAIN_X = -2,   /* binary step with the chain's own input (x * f(x)) */
    /* >= 1: binary step with node input slot `operand`, broadcast to the output shape */
};

/* One step v = f(v) of a chain of float32 elementwise ops evaluated per element. */
typedef struct {
    int32_t op;      /* trt_op: a unary op, Clip, or Add/Sub/Mul/Div/Pow/Min/Max */
    int32_t operand; /* TRT_CHAIN_* or an input slot */
    int32_t swap;    /* binary: the operand is the left side (operand - v) */
    float c0, c1;    /* LeakyRelu/HardSigmoid alpha; HardSigmoid beta; Clip min, max;
                      * the TRT_CHAIN_IMM operand */
} trt_chain_step;

typedef struct {
    int32_t n; /* steps; 0 = the node is its op alone */
    trt_chain_step step[TRT_CHAIN_MAX];
} trt_chain;

/* If `node` is a float32 unary elementwise op of g (Clip with constant or absent bounds
 * included; not yet part of a chain), describes it as a unary step (operand NONE; Clip's
 * absent bounds are -inf/+inf) and returns 1; else 0 (eltwise.c). */
int trt__eltwise_unary_step(const trt_graph *g, const trt_node *node, trt_chain_step *step);
/* The same for Add/Sub/Mul/Div/Pow and two-input Min/Max of float32 (eltwise.c). */
int trt__eltwise_is_binary(const trt_graph *g, const trt_node *node);

/* The chain inside an eltwise node's params (eltwise.c). A node with a chain reads input 0
 * as x, the operands from its other inputs, and writes one float32 output of x's shape. */
trt_chain *trt__eltwise_chain(trt_node *node);

#endif /* TRT_PASSES_FUSION_H */
