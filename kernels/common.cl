/* common.cl — helpers shared by kernels; prepended to every program by the runtime.
 *
 * T     element type of the kernel's main data (float by default; the host injects -DT=...).
 * Tensors are dense row-major. Shapes and strides come as int8 vectors, right-aligned into
 * the 8 slots: a rank-r shape fills s(8-r)..s7, leading unused slots have dim 1, stride 0.
 */
#ifndef T
#define T float
#endif

/* Offset of element `i` (linear index into `dims`) in a tensor with `strides`
 * (strides may be 0 along broadcast dimensions). */
inline long trt_bcast_offset(long i, int8 dims, int8 strides) {
    int d[8] = {dims.s0, dims.s1, dims.s2, dims.s3, dims.s4, dims.s5, dims.s6, dims.s7};
    int s[8] = {strides.s0, strides.s1, strides.s2, strides.s3,
                strides.s4, strides.s5, strides.s6, strides.s7};
    long off = 0;
    for (int k = 7; k >= 0; k--) {
        long q = i / d[k];
        off += (i - q * d[k]) * s[k];
        i = q;
    }
    return off;
}

/* Storage precision (engine/passes/precision.c). Kernels declare float-tensor buffers as TS
 * (the stored element type) and move data through LD/ST, doing their arithmetic in float (T
 * for the eltwise kernels). With -DSTORAGE_HALF the buffers hold float16, read and written
 * with vload_half/vstore_half, which every OpenCL device has (no cl_khr_fp16 needed: half is
 * only ever a pointer target). Without it TS is T and LD/ST are plain accesses.
 *   LD(p, i)      element i of p as float        LD8(p, i)     elements 8i..8i+7 as float8
 *   ST(p, i, v)   p[i] = v (float v)             ST8(p, i, v)  elements 8i..8i+7 = v
 *   LDT(p, i)     element i of p as T (eltwise kernels; T is float when STORAGE_HALF)
 *   LD8A(p), ST8A(p, v)  as LD8/ST8 at element 0 of p, for p aligned to 8 elements (NHWC8
 *                 channel blocks): one vector access, where vload_half8 on a pointer of
 *                 unknown alignment may become 8 two-byte accesses on GPUs
 */
#define TRT_CAT_(a, b) a##b
#define TRT_CAT(a, b) TRT_CAT_(a, b)
/* 8 halves (the bits of a uint4) to float8 and back. With TRT_NV_PTX (the host's, for NVIDIA
 * devices of sm_80 or newer: runtime/program.c) two values per cvt instruction of inline PTX,
 * in registers; elsewhere vload_half8/vstore_half8 through a private copy. Both round to
 * nearest even. */
#ifdef TRT_NV_PTX
inline uint trt_pack_h2(float lo, float hi) {
    uint r;
    asm("cvt.rn.f16x2.f32 %0, %1, %2;\n" : "=r"(r) : "f"(hi), "f"(lo));
    return r;
}
inline float2 trt_unpack_h2(uint v) {
    float lo, hi;
    asm("{ .reg .f16 l, h; mov.b32 {l, h}, %2; cvt.f32.f16 %0, l; cvt.f32.f16 %1, h; }\n"
        : "=f"(lo), "=f"(hi)
        : "r"(v));
    return (float2)(lo, hi);
}
inline float8 trt_h8_float(uint4 r) {
    return (float8)(trt_unpack_h2(r.x), trt_unpack_h2(r.y), trt_unpack_h2(r.z),
                    trt_unpack_h2(r.w));
}
inline uint4 trt_float_h8(float8 v) {
    return (uint4)(trt_pack_h2(v.s0, v.s1), trt_pack_h2(v.s2, v.s3), trt_pack_h2(v.s4, v.s5),
                   trt_pack_h2(v.s6, v.s7));
}
#else
inline float8 trt_h8_float(uint4 r) { return vload_half8(0, (const half *)&r); }
inline uint4 trt_float_h8(float8 v) {
    uint4 raw;
    vstore_half8(v, 0, (half *)&raw);
    return raw;
}
#endif
/* 8 halves at a 16-byte aligned address as one 16-byte access, as float8 (LD8A/ST8A below;
 * also tc_gemm.cl's FP16 output). */
inline float8 trt_ld8a(__global const half *p) { return trt_h8_float(*(__global const uint4 *)p); }
inline void trt_st8a(__global half *p, float8 v) { *(__global uint4 *)p = trt_float_h8(v); }
#ifdef STORAGE_HALF
#define TS half
#define LD(p, i) vload_half((i), (p))
#define LDT(p, i) vload_half((i), (p))
#define ST(p, i, v) vstore_half((float)(v), (i), (p))
#define LD8(p, i) vload_half8((i), (p))
#define ST8(p, i, v) vstore_half8((v), (i), (p))
#define LD8A(p) trt_ld8a(p)
#define ST8A(p, v) trt_st8a((p), (v))
#else
#define TS T
#define LD(p, i) ((float)(p)[i])
#define LDT(p, i) ((p)[i])
#define ST(p, i, v) ((p)[i] = (T)(v))
#define LD8(p, i) convert_float8(vload8((i), (p)))
#define ST8(p, i, v) vstore8(TRT_CAT(convert_, TRT_CAT(T, 8))(v), (i), (p))
#define LD8A(p) convert_float8(*(__global const TRT_CAT(T, 8) *)(p))
#define ST8A(p, v) (*(__global TRT_CAT(T, 8) *)(p) = TRT_CAT(convert_, TRT_CAT(T, 8))(v))
#endif

/* Compute type (half arithmetic). Kernels that may compute in float16 do their arithmetic in
 * CT and move data through LDC/STC; the host adds -DHALF_MATH (engine/ops/op.h,
 * trt_exec_half_math_opts) only together with STORAGE_HALF and only where the device compiles
 * cl_khr_fp16 kernels (caps.fp16, probed when it opens: NVIDIA's driver compiles them without
 * advertising the extension). Without HALF_MATH, CT is T and everything below is the plain
 * float (or T) arithmetic, so one kernel source serves both.
 *   CT, CT8         compute type and its 8-vector (half, half8 with HALF_MATH; else T, float8)
 *   LDC(p, i)       element i of a TS buffer as CT     LDC8(p, i)  elements 8i..8i+7 as CT8
 *   STC(p, i, v)    p[i] = v (CT v)                    STC8(p, i, v)
 *   CTK(f)          a float value (constant, kernel argument, float result) as CT
 *   CT_R(v)         marks the result of one CT operation (CT_R8 for CT8): the identity, except
 *                   under HALF_MATH_EMULATE
 *   CTF(v)          a CT value as float (for steps kept in float: exp, tanh, pow, ...)
 * With -DHALF_MATH -DHALF_MATH_EMULATE (tests only, any device) CT is float and CT_R rounds
 * every result to float16's precision and range (round to nearest even, subnormals, overflow
 * to infinity) through vstore_half: half arithmetic's accuracy on devices without
 * cl_khr_fp16 (PoCL), not its code path. It rounds float results, so where a float16 result
 * is a tie it may differ from true half arithmetic by one unit in the last place. */
#if defined(HALF_MATH) && !defined(STORAGE_HALF)
#error "HALF_MATH needs STORAGE_HALF: half arithmetic is only for float16-stored buffers"
#endif
#if defined(HALF_MATH) && !defined(HALF_MATH_EMULATE)
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
#define CT half
#define CT8 half8
#define LDC(p, i) ((p)[i])
#define STC(p, i, v) ((p)[i] = (v))
#define LDC8(p, i) vload8((i), (p))
#define STC8(p, i, v) vstore8((v), (i), (p))
#define CTK(f) ((half)(f))
#define CT_R(v) (v)
#define CT_R8(v) (v)
/* NVIDIA's driver compiles half arithmetic without advertising cl_khr_fp16, and its headers
 * then have no half overloads of the math builtins (fmin(half, half) is ambiguous there):
 * minimum and maximum as comparisons, with fmin/fmax's rule that a NaN operand loses. */
#define CT_MIN(a, b) (((b) != (b) || (a) < (b)) ? (a) : (b))
#define CT_MAX(a, b) (((b) != (b) || (a) > (b)) ? (a) : (b))
#elif defined(HALF_MATH)
inline float trt_round_half(float v) {
    ushort h;
    vstore_half(v, 0, (__private half *)&h);
    return vload_half(0, (__private const half *)&h);
}
inline float8 trt_round_half8(float8 v) {
    ushort8 h;
    vstore_half8(v, 0, (__private half *)&h);
    return vload_half8(0, (__private const half *)&h);
}
#define CT float
#define CT8 float8
#define LDC(p, i) LD(p, i)
#define STC(p, i, v) ST(p, i, v)
#define LDC8(p, i) LD8(p, i)
#define STC8(p, i, v) ST8(p, i, v)
#define CTK(f) trt_round_half(f)
#define CT_R(v) trt_round_half(v)
#define CT_R8(v) trt_round_half8(v)
#define CT_MIN(a, b) fmin((a), (b))
#define CT_MAX(a, b) fmax((a), (b))
#else
#define CT T
#define CT8 float8
#define LDC(p, i) LDT(p, i)
#define STC(p, i, v) ST(p, i, v)
#define LDC8(p, i) LD8(p, i)
#define STC8(p, i, v) ST8(p, i, v)
#define CTK(f) ((CT)(f))
#define CT_R(v) (v)
#define CT_R8(v) (v)
#define CT_MIN(a, b) fmin((a), (b))
#define CT_MAX(a, b) fmax((a), (b))
#endif
#define CTF(v) ((float)(v))

/* Fused activations (engine/passes/fusion.h, trt_act, gives the same numbers). */
#define ACT_NONE 0
#define ACT_RELU 1             // max(v, 0)
#define ACT_CLIP 2             // min(max(v, a), b)
#define ACT_LEAKY_RELU 3       // v >= 0 ? v : a * v
#define ACT_SIGMOID 4          // 1 / (1 + exp(-v))
#define ACT_SILU 5             // v * sigmoid(v)
#define ACT_HARD_SWISH 6       // v * clamp(v / 6 + 1/2, 0, 1)
#define ACT_HARD_SIGMOID 7     // clamp(a * v + b, 0, 1)
#define ACT_HARD_SIGMOID_MUL 8 // v * clamp(a * v + b, 0, 1)
#define ACT_TANH 9             // tanh(v)

/* The activation for scalars and float8 rows (the fused epilogues of conv.cl and gemm.cl),
 * spelled as eltwise.cl computes each op so a fused layer gives the unfused graph's values. */
#define DEFINE_ACT(name, VT)                                                               \
    inline VT name(VT v, int act, float a, float b) {                                     \
        switch (act) {                                                                     \
        case ACT_RELU: return select((VT)(0.0f), v, v > 0.0f);                             \
        case ACT_CLIP: v = select(v, (VT)(a), v < a); return select(v, (VT)(b), v > b);    \
        case ACT_LEAKY_RELU: return select(a * v, v, v >= 0.0f);                           \
        case ACT_SIGMOID: return 1.0f / (1.0f + exp(-v));                                  \
        case ACT_SILU: return v * (1.0f / (1.0f + exp(-v)));                               \
        case ACT_HARD_SWISH: return v * fmax(0.0f, fmin(1.0f, v * (1.0f / 6.0f) + 0.5f));  \
        case ACT_HARD_SIGMOID: return fmax(0.0f, fmin(1.0f, a * v + b));                   \
        case ACT_HARD_SIGMOID_MUL: return v * fmax(0.0f, fmin(1.0f, a * v + b));           \
        case ACT_TANH: return tanh(v);                                                     \
        default: return v;                                                                 \
        }                                                                                  \
    }
DEFINE_ACT(trt_act, float)
DEFINE_ACT(trt_act8, float8)
