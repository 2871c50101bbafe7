/* caps.h — internals of the inline-PTX capability probe (runtime/caps.c), exposed for its
 * unit test (tests/unit/test_caps.c): the probe kernels' inputs, the host-side checks of
 * their answers, the cache file format and a probe run without any cache.
 *
 * Every check returns 1 when the device's answer is right, else 0 with the first wrong
 * value described in why[] (for the VERBOSE log line that says why a cap is off).
 */
#ifndef TRT_RUNTIME_CAPS_H
#define TRT_RUNTIME_CAPS_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/runtime.h"

/* The probed features, in the order of the cache file and of the INFO line. */
enum {
    TRT_CAP_F_MMA_F16,
    TRT_CAP_F_MMA_S8,
    TRT_CAP_F_LDMATRIX,
    TRT_CAP_F_CP_ASYNC,
    TRT_CAP_F_WGMMA,
    TRT_CAP_F_COUNT
};

/* The fp16 bit pattern of `v`, exact for the small integers the probe uses (|v| < 2048). */
uint16_t trt__caps_half_bits(float v);

/* mma.sync m16n8k16 f32 += f16 * f16: D (16x8, row-major) = A (16x16, row-major) *
 * B (16x8, stored transposed as bt[n][k], the ".col" operand) + C. */
typedef struct {
    uint16_t a[16 * 16], bt[8 * 16]; /* fp16 bit patterns */
    float c[16 * 8], d[16 * 8];
} trt_caps_mma_f16_io;
void trt__caps_mma_f16_fill(trt_caps_mma_f16_io *io); /* inputs; d poisoned (NaN) */
int trt__caps_mma_f16_check(const trt_caps_mma_f16_io *io, char *why, size_t n);

/* mma.sync m16n8k32 s32 += s8 * s8, laid out as above (k = 32). */
typedef struct {
    int8_t a[16 * 32], bt[8 * 32];
    int32_t c[16 * 8], d[16 * 8];
} trt_caps_mma_s8_io;
void trt__caps_mma_s8_fill(trt_caps_mma_s8_io *io);
int trt__caps_mma_s8_check(const trt_caps_mma_s8_io *io, char *why, size_t n);

/* ldmatrix m8n8.x4 b16: four 8x8 matrices m[4][8][8] in shared memory; out[lane][reg] from
 * the plain load, out_t[lane][reg] from the .trans one. */
typedef struct {
    uint16_t m[4 * 8 * 8];
    uint32_t out[32 * 4], out_t[32 * 4];
} trt_caps_ldmatrix_io;
void trt__caps_ldmatrix_fill(trt_caps_ldmatrix_io *io);
int trt__caps_ldmatrix_check(const trt_caps_ldmatrix_io *io, char *why, size_t n);

/* cp.async 16-byte copies of src (64 chunks of 16 bytes) to shared memory and back to dst.
 * Chunks 0..31 are copied whole; chunk 32 + i with src-size trt__caps_cp_async_size(i)
 * (16, 0 or 8), the rest of it zero-filled. */
typedef struct {
    uint32_t src[64 * 4], dst[64 * 4];
} trt_caps_cp_async_io;
int trt__caps_cp_async_size(int lane);
void trt__caps_cp_async_fill(trt_caps_cp_async_io *io);
int trt__caps_cp_async_check(const trt_caps_cp_async_io *io, char *why, size_t n);

/* Two wgmma.mma_async m64n8k16 f32 += f16 * f16 (k 0..15, 16..31) by one warpgroup: D (64x8,
 * row-major) = A (64x32, row-major) * B (stored transposed as bt[n][k]) + C, A and B read from
 * local memory through matrix descriptors in kernels/tc_gemm.cl's swizzled K-major layout. */
typedef struct {
    uint16_t a[64 * 32], bt[8 * 32]; /* fp16 bit patterns */
    float c[64 * 8], d[64 * 8];
} trt_caps_wgmma_io;
void trt__caps_wgmma_fill(trt_caps_wgmma_io *io); /* inputs; d poisoned (NaN) */
int trt__caps_wgmma_check(const trt_caps_wgmma_io *io, char *why, size_t n);

/* The probe kernels (one OpenCL C source; -DPROBE_MMA_F16, -DPROBE_MMA_S8, -DPROBE_LDMATRIX,
 * -DPROBE_CP_ASYNC or -DPROBE_WGMMA selects the kernel; -DTRT_PROBE_EMULATE replaces the
 * inline PTX by an OpenCL C emulation of each instruction, from the PTX ISA's fragment
 * layouts and, for wgmma, its descriptors and 64-byte swizzle, so that the kernels' fragment
 * packing, local-memory layout and the host checks can run on any device). */
const char *trt__caps_probe_source(void);

/* Compiles and runs every probe on `dev` in a context of its own (a faulting kernel must not
 * poison the device's context) with `extra_opts` added to the build options; no cache,
 * no TRT_DISABLE_PTX. Fills mma_f16, mma_s8, ldmatrix, cp_async and wgmma of *caps (wgmma
 * is probed only when mma_f16, ldmatrix and cp_async passed). */
void trt__caps_probe_run(trt_device *dev, const char *extra_opts, trt_device_caps *caps);

/* Cache file text for `caps` under `key` (hash of platform, device, driver, trtinfer version
 * and probe source). Returns the length, or 0 if n is too small. */
size_t trt__caps_format(const trt_device_caps *caps, uint64_t key, char *buf, size_t n);
/* Parses cache file text; 1 and the five caps on success, 0 for anything damaged, foreign,
 * of another key or of an older format. */
int trt__caps_parse(const char *text, uint64_t key, trt_device_caps *caps);
/* The cache key of a device. */
uint64_t trt__caps_key(const trt_device *dev);
/* Empties the in-process cache (tests). */
void trt__caps_cache_clear(void);

#endif /* TRT_RUNTIME_CAPS_H */
