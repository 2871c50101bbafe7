/* ir.h — the engine's intermediate representation.
 *
 * A graph is an array of tensors and a topologically sorted array of nodes (as in ggml's
 * cgraph). Nodes refer to tensors by index. Nothing here knows ONNX or OpenCL: the ONNX
 * importer fills a graph, passes rewrite it, the serializer writes it into the engine file,
 * and the runtime executes it.
 *
 * Tensor kinds (flags):
 *   INPUT   a graph input; device memory bound by the context.
 *   OUTPUT  a graph output (may also be any other kind).
 *   CONST   a constant: `data` holds its values (owned by the graph); uploaded to the device
 *           if a device node reads it.
 *   (none)  an activation produced by a node.
 * Host values: during shape inference a tensor may also get its values on the host
 * (`has_host`, values read through trt_tensor_host): constants always, and small integer tensors computed from shapes
 * (Shape -> Gather -> Concat -> Reshape). A node whose outputs all have host values after
 * shape inference is a *host node*: it is evaluated by shape inference and never launched.
 *
 * Ownership: a trt_graph owns its tensors' names and data and its nodes' names;
 * trt_graph_free releases everything. Pointers into a graph are borrowed.
 */
#ifndef TRT_CORE_IR_H
#define TRT_CORE_IR_H

#include <stddef.h>
#include <stdint.h>

#include "trt/trt.h"

/* ---------------------------------------------------------------- ops */

typedef enum {
#define TRT_OP(id, onnx_name, family) TRT_OP_##id,
#include "ops/ops.def"
#undef TRT_OP
    TRT_OP_COUNT_
} trt_op;

/* ---------------------------------------------------------------- tensors */

enum {
    TRT_TENSOR_INPUT = 1u << 0,
    TRT_TENSOR_OUTPUT = 1u << 1,
    TRT_TENSOR_CONST = 1u << 2,
};

/* Data layout of a tensor in device memory (the logical shape is always the ONNX one).
 *   LINEAR  dense row-major.
 *   NHWC8   a 4-D tensor [d0, d1, d2, d3] (activations N,C,H,W; conv weights K,C,R,S) stored
 *           as [d0][d2][d3][round_up(d1, 8)], channels last and padded with zeros to a
 *           multiple of 8 (16-byte rows in FP16): the layout of the tensor-core convolution.
 *           Chosen by passes/layout.c, which converts at the region's edges (Reformat). */
typedef enum { TRT_LAYOUT_LINEAR = 0, TRT_LAYOUT_NHWC8 = 1, TRT_LAYOUT_COUNT_ } trt_layout;

/* Channels of an NHWC8 tensor as stored (d1 rounded up to 8). */
static inline int64_t trt_nhwc8_channels(int64_t c) { return (c + 7) / 8 * 8; }

/* Host values are kept for integer/float tensors up to this many elements. */
#define TRT_HOST_MAX 64

typedef struct trt_tensor {
    char *name;           /* owned by the graph */
    trt_dtype dtype;      /* element type in the model */
    trt_dtype storage;    /* element type on the device (precision; = dtype in FP32) */
    trt_layout layout;
    uint32_t flags;       /* TRT_TENSOR_* */
    trt_dims shape;       /* current shape (set by import for inputs/consts, by inference) */
    void *data;           /* CONST: its values, dense, `dtype`; owned by the graph */
    size_t data_size;     /* bytes in data */
    int has_host;         /* values known on the host: CONST (in data) or computed (hostbuf) */
    int64_t hostbuf[TRT_HOST_MAX]; /* storage for computed host values, dense, `dtype` */
    int producer;         /* index of the producing node, -1 for inputs and constants */
    /* Memory plan (set by the builder): byte offset in the activation arena and capacity
     * in bytes (max over the optimization profile). Unused for inputs/outputs/consts. */
    uint64_t offset;
    uint64_t capacity;
} trt_tensor;

/* ---------------------------------------------------------------- nodes */

#define TRT_MAX_NODE_INPUTS 16
#define TRT_MAX_NODE_OUTPUTS 8
#define TRT_MAX_PARAMS 256 /* bytes of op parameters */
#define TRT_MAX_TACTIC_PARAMS 8

typedef struct trt_node {
    trt_op op;
    char *name; /* owned by the graph; the ONNX node name, or "<OpType>_<index>" */
    int n_inputs;
    int n_outputs;
    int inputs[TRT_MAX_NODE_INPUTS];   /* tensor indices; -1 = optional input not given */
    int outputs[TRT_MAX_NODE_OUTPUTS]; /* tensor indices */
    /* Op parameters: a POD struct defined by the op's family file, written by its import()
     * and stored verbatim (little-endian) in the engine file. Zero-filled otherwise. */
    uint8_t params[TRT_MAX_PARAMS];
    /* Kernel choice, written by the builder: which candidate kernel (0 = the portable
     * default) and its tunable parameters (work-group sizes, tile sizes...). */
    int32_t tactic;
    int32_t tactic_params[TRT_MAX_TACTIC_PARAMS];
    int is_host; /* evaluated during shape inference, never launched */
} trt_node;

/* ---------------------------------------------------------------- graph */

typedef struct trt_graph {
    trt_tensor *tensors;
    int n_tensors, cap_tensors;
    trt_node *nodes;
    int n_nodes, cap_nodes;
    int *inputs;  /* tensor indices of graph inputs, model order */
    int n_inputs;
    int *outputs; /* tensor indices of graph outputs, model order */
    int n_outputs;
    int opset;    /* default-domain opset the model was imported with */
} trt_graph;

trt_graph *trt_graph_new(void); /* NULL when out of memory */
void trt_graph_free(trt_graph *g);
/* Deep copy (names, data). NULL when out of memory. */
trt_graph *trt_graph_clone(const trt_graph *g);

/* Adds a tensor (name copied; may be NULL for an anonymous one, which gets a generated
 * name). Returns its index, or -1 when out of memory. */
int trt_graph_add_tensor(trt_graph *g, const char *name, trt_dtype dtype, const trt_dims *shape);
/* Adds a CONST tensor; `data` (volume x dtype size bytes) is copied. Returns index or -1. */
int trt_graph_add_const(trt_graph *g, const char *name, trt_dtype dtype, const trt_dims *shape,
                        const void *data);
/* Appends a node and sets the producer of its outputs. Returns its index or -1. */
int trt_graph_add_node(trt_graph *g, trt_op op, const char *name, const int *inputs,
                       int n_inputs, const int *outputs, int n_outputs);
int trt_graph_add_input(trt_graph *g, int tensor);
int trt_graph_add_output(trt_graph *g, int tensor);
/* Tensor index by name, or -1. Linear search. */
int trt_graph_find_tensor(const trt_graph *g, const char *name);

/* Runs every op's shape inference in order with the current input shapes, filling each
 * tensor's shape, dtype and (where computable) host values. Marks host nodes when
 * `mark_host` is set. On failure the message names the node and op. */
trt_status trt_graph_infer(trt_graph *g, int mark_host);

/* Host values of a tensor (data for CONST, hostbuf if computed), or NULL if unknown. */
static inline const void *trt_tensor_host(const trt_tensor *t) {
    if (!t->has_host) return NULL;
    return (t->flags & TRT_TENSOR_CONST) ? (const void *)t->data : (const void *)t->hostbuf;
}

/* Bytes of a tensor at its current shape, as stored on the device (and, for a CONST, in
 * `data`): float32 tensors given float16 storage by the precision pass take 2 bytes an
 * element. Graph inputs and outputs always keep their dtype as storage. */
static inline uint64_t trt_tensor_bytes(const trt_tensor *t) {
    uint64_t v = (uint64_t)trt_dims_volume(&t->shape);
    if (t->layout == TRT_LAYOUT_NHWC8 && t->shape.nb_dims == 4 && t->shape.d[1] > 0)
        v = v / (uint64_t)t->shape.d[1] * (uint64_t)trt_nhwc8_channels(t->shape.d[1]);
    return v * trt_dtype_size(t->storage);
}

/* Whether the precision pass gave this float32 tensor float16 storage. */
static inline int trt_tensor_is_half(const trt_tensor *t) {
    return t->dtype == TRT_DTYPE_FLOAT32 && t->storage == TRT_DTYPE_FLOAT16;
}

/* Kernel build option for a kernel whose float buffers all have t's storage:
 * " -DSTORAGE_HALF" (kernels/common.cl: LD/ST through vload_half/vstore_half) or "". */
static inline const char *trt_tensor_storage_opts(const trt_tensor *t) {
    return trt_tensor_is_half(t) ? " -DSTORAGE_HALF" : "";
}

/* Shape helpers. */
int trt_dims_equal(const trt_dims *a, const trt_dims *b);
trt_dims trt_dims_make(int n, const int64_t *d);
/* Numpy-style broadcast of a and b into out; TRT_ERR_SHAPE if incompatible. */
trt_status trt_dims_broadcast(const trt_dims *a, const trt_dims *b, trt_dims *out);
/* Normalises a possibly negative axis into [0, rank); -1 if out of range. */
int trt_axis_norm(int64_t axis, int rank);
/* Reads element i of a host tensor as int64 / double (any integer or float dtype). */
int64_t trt_host_i64(const trt_tensor *t, int64_t i);
double trt_host_f64(const trt_tensor *t, int64_t i);
/* Stores element i of a computed host value, converting to t->dtype (after trt_host_begin). */
void trt_host_set_i64(trt_tensor *t, int64_t i, int64_t v);
void trt_host_set_f64(trt_tensor *t, int64_t i, double v);
/* Call in an op's infer once t's shape and dtype are set: if the tensor fits TRT_HOST_MAX
 * elements, marks it as having computed host values (to be written with trt_host_set_*)
 * and returns 1; otherwise returns 0 and the op runs on the device. */
int trt_host_begin(trt_tensor *t);

/* IEEE binary16 <-> binary32, round to nearest even (as vstore_half), with infinities, NaN
 * and subnormals. */
uint16_t trt_f32_to_f16(float f);
float trt_f16_to_f32(uint16_t h);

/* Name of an op ("Conv"). */
const char *trt_op_name(trt_op op);

#endif /* TRT_CORE_IR_H */
