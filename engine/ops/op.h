/* op.h — the interface every op family implements, and what an op may use to launch kernels.
 *
 * One table (ops.def) lists every op: TRT_OP(ID, "OnnxName", family). Each family file
 * (conv.c, eltwise.c, ...) defines, for each of its ops, a `const trt_op_impl
 * trt_op_impl_<ID>` (e.g. trt_op_impl_CONV). Adding an op touches ops.def, its family file,
 * its .cl kernel and its test; nothing else.
 *
 * Life of a node:
 *   import   (build time)   ONNX attributes -> node->params; checks the input count.
 *   infer    (build + every shape change at run time) output dtypes and shapes from the
 *            input shapes, and output host values when the inputs' host values are known
 *            and the result is small (trt_host_begin).
 *   prepare  (once per execution context) create the node's kernels from programs.
 *   launch   (every enqueue) set kernel arguments for the current shapes and enqueue.
 *            Allocates nothing.
 * Ops never see ONNX protobuf types (attributes come through trt_attrs) or GStreamer.
 */
#ifndef TRT_OPS_OP_H
#define TRT_OPS_OP_H

#define CL_TARGET_OPENCL_VERSION 120
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>

#include "core/core.h"
#include "core/ir.h"

/* ---------------------------------------------------------------- attributes */

/* The attributes of one model node, whatever format it came from (implemented by the ONNX
 * importer). Getters return the default when the attribute is absent. */
typedef struct trt_attrs trt_attrs;

int trt_attrs_has(const trt_attrs *a, const char *name);
int64_t trt_attrs_int(const trt_attrs *a, const char *name, int64_t def);
float trt_attrs_float(const trt_attrs *a, const char *name, float def);
/* Copies up to `max` ints; returns how many the attribute has (may exceed max), -1 if absent. */
int trt_attrs_ints(const trt_attrs *a, const char *name, int64_t *out, int max);
int trt_attrs_floats(const trt_attrs *a, const char *name, float *out, int max);
/* Borrowed string, or `def`. */
const char *trt_attrs_string(const trt_attrs *a, const char *name, const char *def);
/* A tensor attribute (ConstantOfShape's value): its dtype, shape and borrowed raw data
 * (dense little-endian). Returns TRT_ERR_NOT_FOUND if absent. */
trt_status trt_attrs_tensor(const trt_attrs *a, const char *name, trt_dtype *dtype,
                            trt_dims *dims, const void **data);
/* The default-domain opset of the model, the node's name and op type (for messages). */
int trt_attrs_opset(const trt_attrs *a);
const char *trt_attrs_node_name(const trt_attrs *a);

/* ---------------------------------------------------------------- execution */

/* What the device accepts beyond OpenCL 1.2, probed when it opens (for tactics). */
typedef struct trt_device_caps {
    int fp16;       /* half arithmetic compiles (cl_khr_fp16, advertised or not) */
    int nvidia_ptx; /* NVIDIA driver: inline PTX possible */
    /* Inline-PTX features, each probed by compiling and running a small kernel when the
     * device opens (runtime/caps.c; cached per device and driver). Kernels see them as the
     * macros TRT_CAP_MMA_F16, TRT_CAP_MMA_S8, TRT_CAP_LDMATRIX, TRT_CAP_CP_ASYNC (defined
     * to 1 only when the probe passed), injected into every program's build options. */
    int mma_f16;  /* mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 */
    int mma_s8;   /* mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 */
    int ldmatrix; /* ldmatrix.sync.aligned.m8n8.x4(.trans).shared.b16 */
    int cp_async; /* cp.async.cg.shared.global 16 bytes, commit_group / wait_group */
    /* wgmma.mma_async m64nNk16 f32.f16.f16 from local memory (Hopper, sm_90a; macro
     * TRT_CAP_WGMMA): written behind runtime/ptx_arch.h's marker and lifted to sm_90a. */
    int wgmma;
} trt_device_caps;

/* Whether the tensor-core FP16 kernels (kernels/tc_gemm.cl) can run on a device. */
static inline int trt_caps_tensor_core_f16(const trt_device_caps *c) {
    return c->mma_f16 && c->ldmatrix && c->cp_async;
}
/* Whether the warpgroup (wgmma) variants of those kernels can run too. */
static inline int trt_caps_tensor_core_wgmma(const trt_device_caps *c) {
    return trt_caps_tensor_core_f16(c) && c->wgmma;
}
/* The execution state an op launches into (defined in runtime/). */
typedef struct trt_exec trt_exec;
/* The device caps of the executing context. */
const trt_device_caps *trt_exec_caps(trt_exec *ex);
/* The executing device's compute units (CL_DEVICE_MAX_COMPUTE_UNITS: SMs on NVIDIA). */
unsigned trt_exec_compute_units(trt_exec *ex);
/* Build options for half arithmetic (kernels/common.cl: compute type CT, LDC/STC) in a kernel
 * whose float buffers all have t's storage: " -DHALF_MATH" when t is stored as float16 and
 * the device compiles cl_khr_fp16 kernels (caps.fp16), else "". Append it after
 * trt_tensor_storage_opts(t). The environment variable TRT_HALF_MATH overrides: "0" keeps
 * float arithmetic (to compare), "emulate" gives " -DHALF_MATH -DHALF_MATH_EMULATE" on any
 * device (float arithmetic rounded to float16 after every operation: half arithmetic's
 * accuracy where the device has none, for tests). */
const char *trt_exec_half_math_opts(trt_exec *ex, const trt_tensor *t);

#define TRT_MAX_NODE_KERNELS 5

/* Per-node, per-context runtime state, zeroed before prepare. */
typedef struct trt_node_rt {
    cl_kernel kernels[TRT_MAX_NODE_KERNELS]; /* released by the context */
    cl_mem scratch; /* optional per-node scratch buffer made in prepare; released by the context */
    void *extra;    /* (optional) freed with free() by the context */
} trt_node_rt;

/* Creates kernel `kernel_name` of kernels/<file> compiled with `options` (e.g.
 * "-DT=float"), from the device's program cache. Owned by the caller (the node_rt). */
trt_status trt_exec_kernel(trt_exec *ex, const char *file, const char *options,
                           const char *kernel_name, cl_kernel *out);
/* The device buffer of tensor `t` (inputs, outputs, activations, constants). Borrowed. */
cl_mem trt_exec_mem(trt_exec *ex, int t);
/* The tensor array of the running graph (current shapes). */
trt_tensor *trt_exec_tensors(trt_exec *ex);
cl_command_queue trt_exec_queue(trt_exec *ex);
cl_context trt_exec_cl_context(trt_exec *ex);
cl_device_id trt_exec_cl_device(trt_exec *ex);

/* Kernel arguments: an array of {size, pointer} pairs. */
typedef struct {
    size_t size;
    const void *ptr;
} trt_karg;
#define TRT_KARG(x) ((trt_karg){sizeof(x), &(x)})
#define TRT_KARG_LOCAL(bytes) ((trt_karg){(bytes), NULL})

/* Sets `n` arguments and enqueues `k` over `gws` (rounded up to a multiple of `lws` when
 * lws is given; kernels must bounds-check). lws may be NULL. A zero-sized range is a no-op. */
trt_status trt_exec_launch(trt_exec *ex, cl_kernel k, int work_dim, const size_t *gws,
                           const size_t *lws, int n, const trt_karg *args);
/* Device-to-device copy of `bytes` between tensors (used by reshape-like ops). */
trt_status trt_exec_copy(trt_exec *ex, int dst, size_t dst_off, int src, size_t src_off,
                         size_t bytes);

/* OpenCL C type name for a dtype as kernels see it ("float", "long", "int", "uchar", "char",
 * "half"), for -DT=... options. */
const char *trt_dtype_cl_name(trt_dtype t);

/* ---------------------------------------------------------------- op table */

/* One candidate kernel for a node: a tactic id (0 = the portable default) and its tunable
 * parameters, stored in node->tactic / node->tactic_params when chosen. */
typedef struct {
    int32_t tactic;
    int32_t params[TRT_MAX_TACTIC_PARAMS];
    uint32_t flags; /* TRT_TACTIC_* (not stored in the engine) */
} trt_tactic;
/* A tactic that runs on tensor cores (inline PTX); the builder's tactic sources filter on it. */
#define TRT_TACTIC_TENSOR_CORE 1u
/* Writes candidate {tactic, params[0..np) (rest 0), flags} at out[n] when n < max; returns the
 * new count (n unchanged when full). For the ops' tactics callbacks. */
int trt_tactic_add(trt_tactic *out, int n, int max, int32_t tactic, const int *params, int np,
                   uint32_t flags);

typedef struct trt_op_impl {
    const char *onnx_name; /* "Conv" */
    /* Parses attributes into node->params and checks the input/output counts (inputs,
     * outputs and n_* are already set; tensors' shapes are not known yet). Errors name the
     * node, the op and what is wrong (trt__error). */
    trt_status (*import)(trt_node *node, const trt_attrs *attrs);
    /* Output dtypes and shapes from inputs; host values where possible (see file comment). */
    trt_status (*infer)(const trt_node *node, trt_tensor *tensors);
    /* Creates the node's kernels into rt (optional: ops with nothing to launch). */
    trt_status (*prepare)(trt_exec *ex, const trt_node *node, trt_node_rt *rt);
    /* Enqueues the node's work for the current shapes (optional, as prepare). */
    trt_status (*launch)(trt_exec *ex, const trt_node *node, trt_node_rt *rt);
    /* (optional) Candidate kernels for the node at the current (opt) shapes, at most `max`,
     * most promising first; `caps` says what the device accepts. Returns how many. The
     * builder times each on the device and keeps the fastest. Without it: tactic 0. */
    int (*tactics)(const trt_node *node, const trt_tensor *tensors, const trt_device_caps *caps,
                   trt_tactic *out, int max);
} trt_op_impl;

/* The implementation of `op`. Never NULL for a valid op. */
const trt_op_impl *trt_op_get(trt_op op);
/* The op for an ONNX op type in the default domain, or TRT_OP_COUNT_ if unsupported (internal
 * ops of ops.def, TRT_OP_INTERNAL, included). */
trt_op trt_op_from_onnx(const char *op_type);

/* Helpers for import/infer. */
#define TRT_PARAMS(node, type) ((type *)(void *)(node)->params)
#define TRT_CPARAMS(node, type) ((const type *)(const void *)(node)->params)
/* auto_pad of Conv, ConvTranspose and the pools (values stored in engine files). */
enum { PAD_NOTSET = 0, PAD_SAME_UPPER = 1, PAD_SAME_LOWER = 2, PAD_VALID = 3 };
/* Reads the auto_pad attribute into *out (PAD_*); an unknown value is TRT_ERR_PARSE naming
 * node, op and value. */
trt_status trt_attrs_auto_pad(const trt_node *node, const trt_attrs *a, int32_t *out);
/* Reads int attribute `name` into out[] as int32 (*count = how many; 0 if absent): more than
 * `max` values is TRT_ERR_UNSUPPORTED (only 1-D to 3-D windows), a value below `min_value`
 * TRT_ERR_PARSE, both naming node, op and attribute. For conv/pool kernel_shape, strides... */
trt_status trt_attrs_spatial_ints(const trt_node *node, const trt_attrs *a, const char *name,
                                  int max, int min_value, int32_t *out, int32_t *count);
/* Fails with a message naming node and op unless min <= n_inputs <= max. */
trt_status trt_op_check_io(const trt_node *node, int min_in, int max_in, int min_out,
                           int max_out);

#endif /* TRT_OPS_OP_H */
