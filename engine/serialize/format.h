/* format.h — the .engine file: what it holds, byte by byte, and its reader and writer.
 *
 * All integers are little-endian; offsets count from the start of the file.
 * str = u32 byte length + bytes (no terminator). dims = i32 rank + rank x i64.
 *
 * Header, 64 bytes:
 *    0  8  magic "TRTINFER"
 *    8  4  u32 format version (TRT_FORMAT_VERSION)
 *   12  4  u32 header size (64)
 *   16  8  u64 file size in bytes (a shorter file is truncated)
 *   24  8  u64 checksum: 64-bit FNV-1a of bytes [32, file size)
 *   32  8  u64 offset of the description section (64)
 *   40  8  u64 offset of the weight blob (multiple of 64)
 *   48  8  u64 size of the weight blob
 *   56  8  reserved, 0
 *
 * Description section:
 *   str engine version ("0.1.0") | str device name | str device vendor | str driver version
 *   u32 precision (trt_precision) | u64 memory alignment used by the plan | u64 activation
 *   arena bytes | i32 opset of the source model
 *   u32 tensor count, then per tensor:
 *     str name | u32 dtype | u32 storage dtype (= dtype, or float16 for a float32 tensor of
 *     an FP16 engine) | u32 layout (trt_layout: 0 LINEAR, dense row-major; 1 NHWC8, rank 4
 *     only: [d0, d1, d2, d3] stored [d0][d2][d3][round_up(d1, 8)], zeros in the padding
 *     channels) | u32 flags (TRT_TENSOR_*)
 *     dims shape (at the profile's opt) | u64 arena offset | u64 capacity (bytes, max over
 *     the profile) | u64 data offset in the blob (UINT64_MAX: no data) | u64 data size
 *   u32 input count + i32 tensor index each | u32 output count + i32 tensor index each
 *   u32 profile count, then per profile: i32 input tensor | dims min | dims opt | dims max
 *   u32 node count, then per node (topological order):
 *     u32 op (position in ops/ops.def) | str name | u32 input count + i32 tensor each (-1 =
 *     absent optional input) | u32 output count + i32 tensor each | u32 params size (256) +
 *     params bytes (the op's POD parameter struct) | i32 tactic | 8 x i32 tactic parameters |
 *     u32 flags (bit 0: evaluated on the host during shape inference)
 *
 * Weight blob: each constant's data in its storage dtype and layout (NHWC8 conv weights
 * [K][R][S][round_up(C/group, 8)]), at a multiple of 64; its size is trt_tensor_bytes.
 * Capacities count bytes of the storage dtype and layout too.
 * Version 4 added NHWC8 tensors and the internal op Reformat (ops.def).
 */
#ifndef TRT_SERIALIZE_FORMAT_H
#define TRT_SERIALIZE_FORMAT_H

#include <stdint.h>

#include "core/ir.h"

#define TRT_FORMAT_MAGIC "TRTINFER"   /* 8 bytes, no terminator in the file */
#define TRT_FORMAT_VERSION 4u         /* bump on any layout or parameter-meaning change */

/* One input's optimization profile. */
typedef struct {
    int tensor; /* index into the graph's tensors */
    trt_dims min, opt, max;
} trt_profile_entry;

/* Everything in an engine file besides the graph. Owned by whoever fills it. */
typedef struct {
    char engine_version[32];       /* TRT_VERSION_STRING of the writer */
    char device_name[256];         /* trt_device_info.name */
    char device_vendor[256];
    char driver_version[128];
    uint32_t precision;            /* trt_precision the engine was built with */
    uint64_t mem_align;            /* device alignment the memory plan used (bytes) */
    uint64_t activation_bytes;     /* activation arena size */
    int n_profiles;                /* one entry per graph input */
    trt_profile_entry profiles[64];
} trt_engine_meta;

/* Serialises graph + meta. *buf is malloc'd, owned by the caller. */
trt_status trt__engine_write(const trt_graph *g, const trt_engine_meta *meta, void **buf,
                             size_t *len);
/* Parses and validates a file image: magic, format version, checksum, every count and offset
 * against the file size. Does not compare the device (the runtime does, with trt__engine_check
 * below). On success *g is a new graph owned by the caller. Errors say what is wrong and how
 * to rebuild. */
trt_status trt__engine_read(const void *buf, size_t len, trt_graph **g, trt_engine_meta *meta);
/* The checksum of a file image of len >= 32 bytes (FNV-1a of bytes [32, len)), and storing
 * it in the image's header: the writer does, and so do tests that edit an image. */
uint64_t trt__engine_checksum(const uint8_t *image, size_t len);
void trt__engine_seal(uint8_t *image, size_t len);
/* Refuses an engine built by another engine version or for another device/driver, with a
 * message naming both values and how to rebuild. */
trt_status trt__engine_check(const trt_engine_meta *meta, const trt_device_info *dev);

#endif /* TRT_SERIALIZE_FORMAT_H */
