/* trt.h — the public C API of the trtinfer engine.
 *
 * A TensorRT-style inference engine on OpenCL:
 *
 *   trt_device_open()      pick an OpenCL device (index, name, TRT_DEVICE, or default)
 *   trt_engine_build()     ONNX model (+ build config: profiles, precision) -> engine
 *   trt_engine_save/load   the device-specific .engine file (format: engine/serialize/format.h)
 *   trt_context_new()      an execution context: its own queue, activations and bindings
 *   trt_context_set_input_shape / write_input / enqueue / wait / read_output
 *
 * Rules that hold for every function here:
 *   - Functions return trt_status: 0 (TRT_OK) on success, a negative code on failure.
 *     trt_get_last_error() then holds a message for this thread that says what went wrong
 *     and what to do about it.
 *   - Ownership is in the name: *_new / *_open / *_load / *_build return an object the caller
 *     owns and releases with the matching *_free; *_free(NULL) is a no-op. *_get_* returns a
 *     pointer borrowed from its owner, valid as long as the owner lives.
 *   - Lifetimes nest: a device outlives the engines built or loaded on it; an engine outlives
 *     its contexts. Free in reverse order.
 *   - Nothing here aborts or exits on bad input. One context is used by one thread at a time;
 *     devices and engines may be shared between threads once made.
 *
 * This header includes no OpenCL or GStreamer header; OpenCL interop is in trt_opencl.h.
 */
#ifndef TRT_TRT_H
#define TRT_TRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TRT_VERSION_MAJOR 0
#define TRT_VERSION_MINOR 1
#define TRT_VERSION_PATCH 0
#define TRT_VERSION_STRING "0.1.0"

/* ---------------------------------------------------------------- status codes */

/* XX(name, value, message). One list; it expands into the enum and the string tables. */
#define TRT_STATUS_MAP(XX)                                                                \
    XX(OK, 0, "success")                                                                  \
    XX(ERR_INVALID_ARG, -1, "invalid argument")                                           \
    XX(ERR_OUT_OF_MEMORY, -2, "out of memory")                                            \
    XX(ERR_IO, -3, "file could not be read or written")                                   \
    XX(ERR_PARSE, -4, "model could not be parsed")                                        \
    XX(ERR_UNSUPPORTED, -5, "unsupported operator, attribute, type or feature")            \
    XX(ERR_SHAPE, -6, "shape mismatch or shape outside the optimization profile")          \
    XX(ERR_NO_DEVICE, -7, "no matching OpenCL device")                                     \
    XX(ERR_OPENCL, -8, "OpenCL driver call failed")                                       \
    XX(ERR_KERNEL_BUILD, -9, "OpenCL kernel failed to compile")                            \
    XX(ERR_BAD_ENGINE, -10, "engine file is truncated, corrupted or not an engine file")   \
    XX(ERR_VERSION, -11, "engine file was written by another format or engine version")    \
    XX(ERR_DEVICE_MISMATCH, -12, "engine file was built for another device or driver")     \
    XX(ERR_NOT_FOUND, -13, "no tensor or input of that name")                              \
    XX(ERR_STATE, -14, "call made in the wrong state")                                    \
    XX(ERR_INTERNAL, -15, "internal error")

typedef enum {
#define TRT_STATUS_ENUM_(name, value, msg) TRT_##name = value,
    TRT_STATUS_MAP(TRT_STATUS_ENUM_)
#undef TRT_STATUS_ENUM_
} trt_status;

/* Short fixed text for a status ("invalid argument"); never NULL. */
const char *trt_status_str(trt_status s);
/* The enum's name without prefix ("ERR_INVALID_ARG"); never NULL. */
const char *trt_status_name(trt_status s);
/* The detailed message of the last failing call on this thread ("" if none). Borrowed;
 * valid until the next failing call on this thread. */
const char *trt_get_last_error(void);

/* ---------------------------------------------------------------- logging */

typedef enum {
    TRT_LOG_ERROR = 0,
    TRT_LOG_WARNING = 1,
    TRT_LOG_INFO = 2,
    TRT_LOG_VERBOSE = 3,
} trt_log_level;

/* Messages at or below `level` are delivered. Default: TRT_LOG_WARNING, or the value of
 * TRT_LOG_LEVEL (0..3) in the environment. */
void trt_set_log_level(trt_log_level level);
/* Receive log messages instead of stderr. `msg` is borrowed for the call only.
 * Pass NULL to go back to stderr. The callback may be called from any thread. */
typedef void (*trt_log_fn)(trt_log_level level, const char *msg, void *user);
void trt_set_log_callback(trt_log_fn fn, void *user);

/* ---------------------------------------------------------------- types */

typedef enum {
    TRT_DTYPE_FLOAT32 = 0,
    TRT_DTYPE_FLOAT16 = 1,
    TRT_DTYPE_INT64 = 2,
    TRT_DTYPE_INT32 = 3,
    TRT_DTYPE_INT8 = 4,
    TRT_DTYPE_UINT8 = 5,
    TRT_DTYPE_BOOL = 6, /* one byte per element, 0 or 1 */
    TRT_DTYPE_COUNT_
} trt_dtype;

/* Bytes per element; 0 for an unknown dtype. */
size_t trt_dtype_size(trt_dtype t);
/* "float32", "int64", ...; never NULL. */
const char *trt_dtype_name(trt_dtype t);

#define TRT_MAX_DIMS 8

/* A shape. In an engine's I/O description a dimension of -1 is dynamic (decided by the
 * optimization profile and trt_context_set_input_shape). */
typedef struct {
    int32_t nb_dims;
    int64_t d[TRT_MAX_DIMS];
} trt_dims;

/* Number of elements (1 for a scalar, 0 if a dimension is 0 or negative). */
int64_t trt_dims_volume(const trt_dims *dims);
/* Writes "1x3x224x224" (or "scalar") into buf; returns buf. */
char *trt_dims_str(const trt_dims *dims, char *buf, size_t len);
/* Parses "1x3x224x224" ("scalar" or "" for rank 0). */
trt_status trt_dims_parse(const char *text, trt_dims *out);

typedef enum {
    TRT_PRECISION_FP32 = 0,
    TRT_PRECISION_FP16 = 1,
    TRT_PRECISION_INT8 = 2,
} trt_precision;

/* ---------------------------------------------------------------- devices */

typedef struct trt_device trt_device;

typedef struct {
    int index; /* position in trt_device_enumerate's list */
    char name[256];
    char vendor[256];
    char platform[256];
    char driver_version[128];
    char device_version[128]; /* "OpenCL 3.0 CUDA" */
    int is_gpu;
    int is_cpu;
    uint64_t global_mem_bytes;
    uint32_t compute_units;
} trt_device_info;

/* Lists every OpenCL device of every platform. Writes up to `max` entries to `infos`
 * (may be NULL when max is 0) and the total count to `*count`. */
trt_status trt_device_enumerate(trt_device_info *infos, int max, int *count);

/* Opens a device. `spec` chooses it:
 *   NULL or ""     the TRT_DEVICE environment variable if set, else the first GPU, else the
 *                  first device of any kind (PoCL's CPU device on a machine without a GPU);
 *   "3"            the device at that index of trt_device_enumerate;
 *   "gpu", "cpu"   the first device of that kind;
 *   anything else  the first device whose name, vendor or platform contains it
 *                  (case-insensitive), e.g. "H100", "pthread", "NVIDIA".
 * The device owns an OpenCL context and a default queue. Free with trt_device_free after
 * every engine on it. */
trt_status trt_device_open(const char *spec, trt_device **out);
void trt_device_free(trt_device *dev);
/* Borrowed; lives as long as the device. */
const trt_device_info *trt_device_get_info(const trt_device *dev);

/* ---------------------------------------------------------------- build config */

typedef struct trt_build_config trt_build_config;

trt_build_config *trt_build_config_new(void); /* NULL only when out of memory */
void trt_build_config_free(trt_build_config *cfg);

/* An optimization profile for one input: any shape with min <= shape <= max (per dimension)
 * is accepted at run time; `opt` is the shape kernels are tuned for. Inputs with dynamic
 * dimensions and no profile get every dynamic dimension set to 1 (with a warning).
 * The arrays are copied. */
trt_status trt_build_config_set_profile(trt_build_config *cfg, const char *input,
                                        const trt_dims *min, const trt_dims *opt,
                                        const trt_dims *max);
/* TRT_PRECISION_FP32 (default) or TRT_PRECISION_FP16: float16 storage for the weights and
 * activations of ops with half kernels (conv, gemm, pools, eltwise), float32 accumulation;
 * engine inputs and outputs stay float32. INT8 answers TRT_ERR_UNSUPPORTED. */
trt_status trt_build_config_set_precision(trt_build_config *cfg, trt_precision p);
/* Freezes an input's values at build time: the input becomes a constant of the engine.
 * For shape-like inputs (a Reshape's target, a Slice's starts), as TensorRT's shape tensors
 * with min = opt = max. `values` (trt_dims_volume(dims) elements of `dtype`) is copied. */
trt_status trt_build_config_set_input_values(trt_build_config *cfg, const char *input,
                                             trt_dtype dtype, const trt_dims *dims,
                                             const void *values);

/* ---------------------------------------------------------------- engines */

typedef struct trt_engine trt_engine;

/* Builds an engine for `dev` from an ONNX model in memory (`onnx`, `len` bytes, borrowed for
 * the call). `cfg` may be NULL (defaults). */
trt_status trt_engine_build(trt_device *dev, const void *onnx, size_t len,
                            const trt_build_config *cfg, trt_engine **out);
/* The same from an .onnx file. */
trt_status trt_engine_build_file(trt_device *dev, const char *onnx_path,
                                 const trt_build_config *cfg, trt_engine **out);

/* One process's part of a parallel build: compiles the kernels that trt_engine_build would
 * time for this model and config -- share `share` (0 to shares - 1) of them -- into the
 * device's program cache on disk, and builds no engine. Several processes, each of which
 * opened its own device after they were forked (a driver's state does not survive fork()),
 * run one share each; the build that follows finds their programs compiled. Worth it where
 * compiling is slow and serial within a process (NVIDIA: trtinfer-exec --buildWorkers,
 * docs/cli.md); each process holds the model's weights and activations on the device while
 * it runs. Does nothing where the program cache is off (TRT_CACHE_DIR empty; PoCL unless
 * TRT_CACHE_DIR is set) or cfg sets optimization level 0; candidates that cfg's timing
 * cache knows are skipped (the build does not time them). Every process of one build must
 * pass the same model and config, on the same device, driver and environment (TRT_HALF_MATH,
 * ...): the shares are dealt from the candidate list each computes. `onnx` is borrowed for
 * the call.
 * *prepared (may be NULL): the candidates prepared, 0 where there was nothing to do. */
trt_status trt_engine_precompile(trt_device *dev, const void *onnx, size_t len,
                                 const trt_build_config *cfg, int share, int shares,
                                 int *prepared);

/* Serialises the engine; *buf is malloc'd, owned by the caller (free()). */
trt_status trt_engine_serialize(const trt_engine *engine, void **buf, size_t *len);
trt_status trt_engine_save(const trt_engine *engine, const char *path);
/* Loads an engine for `dev`. A file built for another device, driver, format or engine
 * version, or one that is truncated or corrupted, is refused with a message saying what
 * differs and how to rebuild. `buf` is borrowed for the call. */
trt_status trt_engine_deserialize(trt_device *dev, const void *buf, size_t len,
                                  trt_engine **out);
trt_status trt_engine_load(trt_device *dev, const char *path, trt_engine **out);
void trt_engine_free(trt_engine *engine);

/* The engine's inputs and outputs, inputs first, in the model's order. */
typedef struct {
    const char *name; /* borrowed from the engine */
    int is_input;
    trt_dtype dtype;
    trt_dims dims;             /* -1 where dynamic */
    trt_dims min, opt, max;    /* inputs: the profile; outputs: shape at min/opt/max */
} trt_io_info;

int trt_engine_get_num_io(const trt_engine *engine);
trt_status trt_engine_get_io(const trt_engine *engine, int index, trt_io_info *info);
/* Index of the input or output called `name`, or -1. */
int trt_engine_find_io(const trt_engine *engine, const char *name);
/* Number of layers (kernel launches per enqueue, before host-evaluated shape layers). */
int trt_engine_get_num_layers(const trt_engine *engine);
/* Bytes of device memory for weights and for activations (at the profile's max shapes). */
uint64_t trt_engine_get_weight_bytes(const trt_engine *engine);
uint64_t trt_engine_get_activation_bytes(const trt_engine *engine);
/* Borrowed; the device the engine was loaded on. */
trt_device *trt_engine_get_device(const trt_engine *engine);
/* The precision the engine was built with (the build config's; stored in the file). */
trt_precision trt_engine_get_precision(const trt_engine *engine);

/* ---------------------------------------------------------------- execution contexts */

typedef struct trt_context trt_context;

/* A context owns an in-order OpenCL queue, device memory for activations and for every
 * input and output (sized for the profile's max shapes), and the per-layer kernels. */
trt_status trt_context_new(trt_engine *engine, trt_context **out);
void trt_context_free(trt_context *ctx);

/* Sets the shape of a dynamic input; must lie inside its profile, else TRT_ERR_SHAPE with a
 * message naming the input, the shape and the allowed range. Inputs never set run at the
 * profile's opt shape. */
trt_status trt_context_set_input_shape(trt_context *ctx, const char *name,
                                       const trt_dims *dims);
/* The current shape of an input or output (outputs follow from the input shapes). */
trt_status trt_context_get_tensor_shape(trt_context *ctx, const char *name, trt_dims *out);

/* Copies host data into an input / out of an output. `bytes` must equal the tensor's current
 * size (volume x dtype size). The copies are queued in order with enqueue; the host memory
 * must stay valid until trt_context_wait returns. */
trt_status trt_context_write_input(trt_context *ctx, const char *name, const void *src,
                                   size_t bytes);
trt_status trt_context_read_output(trt_context *ctx, const char *name, void *dst,
                                   size_t bytes);
/* Queues one inference on the context's queue. Allocates nothing. */
trt_status trt_context_enqueue(trt_context *ctx);
/* Waits for everything queued on the context. */
trt_status trt_context_wait(trt_context *ctx);

/* Timing of the last enqueue + copies, from OpenCL profiling events, once the context has
 * waited. Enable with trt_context_set_profiling (off by default: it adds events). */
typedef struct {
    double h2d_ms;     /* input copies queued since the previous enqueue */
    double compute_ms; /* first layer start to last layer end */
    double d2h_ms;     /* output copies queued after the enqueue */
} trt_timing;
trt_status trt_context_set_profiling(trt_context *ctx, int level); /* trt_profiling, below */
trt_status trt_context_get_timing(trt_context *ctx, trt_timing *out);

/* ---------------------------------------------------------------- per-layer profiling */

/* Levels of trt_context_set_profiling. */
typedef enum {
    TRT_PROFILING_OFF = 0,
    TRT_PROFILING_SPANS = 1,  /* trt_context_get_timing: one OpenCL event per command */
    /* Also per-layer times (trt_context_get_layer_profile). Keeps each layer's first and last
     * event until the enqueue is read: by trt_context_wait, or else by the next enqueue,
     * which then waits for the previous one first. Setting it (from a lower level) starts
     * a new profile. */
    TRT_PROFILING_LAYERS = 2,
} trt_profiling;

/* Layers are the engine's device nodes in execution order, indices 0 to
 * trt_engine_get_num_layers() - 1, the same in the profile and in the layer info. */

/* Device time of one layer: from the start of its first command to the end of its last
 * command, in milliseconds, over the enqueues read since the profile started or was reset. */
typedef struct {
    const char *name; /* borrowed from the engine ("Total" for TRT_LAYER_TOTAL) */
    const char *op;   /* ONNX op type ("Conv"); static storage ("" for the total) */
    long runs;        /* enqueues measured */
    double total_ms;  /* sum over those runs */
    double average_ms;
    double median_ms; /* over the last 1024 runs */
} trt_layer_profile;

/* Pass as `index` for the sum of every layer per enqueue. */
#define TRT_LAYER_TOTAL (-1)

/* TRT_ERR_STATE if per-layer profiling was never enabled on this context. Waits for an
 * enqueue not yet read. */
trt_status trt_context_get_layer_profile(trt_context *ctx, int index, trt_layer_profile *out);
/* Starts a new per-layer profile (no-op when profiling was never enabled). */
trt_status trt_context_reset_layer_profile(trt_context *ctx);

#define TRT_LAYER_TACTIC_PARAMS 8

/* What the builder chose for a layer. */
typedef struct {
    const char *name; /* borrowed from the engine: the ONNX node name, or "<Op>_<index>";
                       * fused layers carry the names of what they fused */
    const char *op;   /* ONNX op type ("Conv"); static storage */
    /* The kernel the builder chose (timed on the device when the op lists candidates):
     * 0 = the op's portable default; other values and the parameters are the op's, listed
     * at the top of its family file (engine/ops/conv.c ...). */
    int32_t tactic;
    int32_t tactic_params[TRT_LAYER_TACTIC_PARAMS];
    int n_inputs;  /* including absent optional inputs */
    int n_outputs;
} trt_layer_info;

trt_status trt_engine_get_layer_info(const trt_engine *engine, int index, trt_layer_info *info);

/* One input (is_output = 0) or output of a layer. */
typedef struct {
    const char *name; /* borrowed from the engine; NULL for an absent optional input */
    trt_dtype dtype;
    trt_dims dims;    /* at the profile's opt shapes */
    int is_constant;  /* weights and other constants of the engine */
    trt_dtype storage; /* as stored on the device: float16 for float32 tensors of FP16 layers */
} trt_layer_tensor;

trt_status trt_engine_get_layer_tensor(const trt_engine *engine, int index, int is_output,
                                       int k, trt_layer_tensor *out);

/* ---------------------------------------------------------------- tactic timing */

/* Timing cache for the builder's tactic timing (trtexec's --timingCacheFile): the build
 * reads the median time of every (device, driver, layer shape and parameters, tactic)
 * already timed in `path` instead of timing it again, and writes the file back with what
 * it timed. A missing file is created; an unreadable, damaged or foreign one is ignored
 * with a warning (a foreign one is also left as it is). NULL turns it off (the default).
 * `path` is copied. */
trt_status trt_build_config_set_timing_cache(trt_build_config *cfg, const char *path);
/* trtexec's builder optimization level, 0 to 5 (default 3). 0: no tactic timing, every layer
 * keeps its op's default kernel (the fastest build); 1 to 5 time every candidate (the same
 * for now). */
trt_status trt_build_config_set_optimization_level(trt_build_config *cfg, int level);

/* Tactic sources (trtexec's --tacticSources): which kinds of kernels the tactic timing may
 * choose from. PORTABLE: the OpenCL C kernels every device runs; TENSOR_CORE: kernels that
 * use NVIDIA tensor cores through inline PTX (listed only on devices that have them). */
#define TRT_TACTIC_SOURCE_PORTABLE (1u << 0)
#define TRT_TACTIC_SOURCE_TENSOR_CORE (1u << 1)
#define TRT_TACTIC_SOURCE_ALL (TRT_TACTIC_SOURCE_PORTABLE | TRT_TACTIC_SOURCE_TENSOR_CORE)
/* Restricts every layer's candidate kernels to those of the sources in `mask` (default: all).
 * A layer with no candidate from an allowed source keeps all of its candidates (it must run
 * something; logged at VERBOSE); a layer left with one candidate gets it without timing, also
 * at optimization level 0. TRT_ERR_INVALID_ARG for an empty mask or unknown bits. */
trt_status trt_build_config_set_tactic_sources(trt_build_config *cfg, unsigned mask);

#ifdef __cplusplus
}
#endif
#endif /* TRT_TRT_H */
