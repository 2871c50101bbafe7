/* trt_opencl.h — OpenCL interop for code that shares the engine's device (the GStreamer
 * element's preprocessing kernel writes straight into an engine input this way).
 *
 * Every handle returned here is borrowed: it lives as long as its owner (device or context)
 * and must not be released by the caller (call clRetain* to keep one longer).
 */
#ifndef TRT_TRT_OPENCL_H
#define TRT_TRT_OPENCL_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#include "trt.h"

#ifdef __cplusplus
extern "C" {
#endif

cl_context trt_device_get_cl_context(const trt_device *dev);
cl_device_id trt_device_get_cl_device(const trt_device *dev);

/* The context's in-order queue: work queued on it runs in order with enqueue. */
cl_command_queue trt_context_get_cl_queue(const trt_context *ctx);

/* The device buffer bound to an input or output (the context's own unless replaced).
 * Its size covers the tensor at the profile's max shape; data is dense, row-major. */
trt_status trt_context_get_tensor_mem(trt_context *ctx, const char *name, cl_mem *out);
/* Binds a caller-owned buffer to an input or output instead of the context's own; it must
 * hold the tensor at its current shape and stay alive while work that uses it is queued.
 * Pass NULL to go back to the context's own buffer. */
trt_status trt_context_set_tensor_mem(trt_context *ctx, const char *name, cl_mem mem);

#ifdef __cplusplus
}
#endif
#endif /* TRT_TRT_OPENCL_H */
