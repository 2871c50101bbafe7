/* eltwise.cl — elementwise kernels of the eltwise op family (engine/ops/eltwise.c).
 *
 * Data layout: dense row-major tensors, one work-item per output element (1-D range).
 * Broadcasting: the host collapses the output shape to at most 8 dimensions (adjacent
 * dimensions merged where every input broadcasts the same way) and passes them right-aligned
 * in an int8 (`dims`, leading slots 1) with one int8 of element strides per input, 0 along
 * the dimensions that input broadcasts; `rank` is the number of slots in use.
 *
 * Kernels:
 * A program holds the kernels of its OP:
 *   unary OP_*     eltwise_unary        y = f(x)
 *   OP_CLIP        eltwise_clip         y = min(max(x, lo), hi), bounds read from buffers
 *   binary OP_*    eltwise_binary_flat  y = a (op) b, a, b and y of one shape
 *                  eltwise_binary       y = a (op) b, numpy broadcasting
 *   OP_WHERE       eltwise_where        y = c ? a : b, numpy broadcasting of all three
 *   OP_CHAIN       eltwise_chain        a fused chain of float ops (engine/passes/fusion.h):
 *                  v = x; v = step_0(v); ... v = step_{NSTEP-1}(v); y = v, per element.
 *                  Step k is op SOP<k> (an OP_* code) with operand kind SK<k>: 0 none
 *                  (unary; constants c0.s<k>, c1.s<k>), 1 the constant c0.s<k>, 2 x itself,
 *                  3..6 buffer b0..b3 (broadcast by its strides, or read at the element's
 *                  index when its flag is set); SS<k> = 1 puts the operand on the left.
 * With -DSTORAGE_HALF (FP16 engines; float ops only, T = float) the unary, binary and chain
 * kernels' buffers hold float16, read and written through common.cl's LDC/STC.
 * Arithmetic is in common.cl's compute type CT: float16 with -DHALF_MATH (the host adds it on
 * devices with half arithmetic, for chains only when chain_half_ok in engine/ops/eltwise.c
 * allows), else T. Steps whose float16 evaluation loses accuracy (Sigmoid, Tanh, Erf, Exp,
 * Log, Sqrt, Reciprocal, Pow; Floor and Ceil, exact either way) compute in float and round
 * their result to CT; the rest (Relu, LeakyRelu, HardSigmoid, HardSwish, Neg, Abs, Clip, Add,
 * Sub, Mul, Div, Min, Max) compute in CT, each result marked by CT_R (see common.cl).
 */

#ifndef OP
#define OP OP_RELU // the operation: one of the OP_* names below
#endif
#ifndef T_INT
#define T_INT 0 // 1 when T is an integer type (Div truncates, Pow by squaring, Abs)
#endif
#ifndef TB
#define TB T // element type of the second operand (Pow's exponent may differ)
#endif
#ifndef TB_INT
#define TB_INT T_INT // 1 when TB is an integer type
#endif

#define OP_RELU 1
#define OP_LEAKY_RELU 2
#define OP_SIGMOID 3
#define OP_HARD_SIGMOID 4
#define OP_HARD_SWISH 5
#define OP_TANH 6
#define OP_ERF 7
#define OP_EXP 8
#define OP_LOG 9
#define OP_SQRT 10
#define OP_NEG 11
#define OP_ABS 12
#define OP_RECIPROCAL 13
#define OP_FLOOR 14
#define OP_CEIL 15
#define OP_CLIP 16
#define OP_ADD 20
#define OP_SUB 21
#define OP_MUL 22
#define OP_DIV 23
#define OP_POW 24
#define OP_MIN 25
#define OP_MAX 26
#define OP_EQUAL 27
#define OP_LESS 28
#define OP_GREATER 29
#define OP_WHERE 30
#define OP_CHAIN 40

#if T_INT
#define IS_NAN(v) 0
#else
#define IS_NAN(v) ((v) != (v)) /* isnan has no half overload on NVIDIA (see CT_MIN) */
#endif

#if OP == OP_EQUAL || OP == OP_LESS || OP == OP_GREATER
#define TO uchar
#else
#define TO T
#endif
/* Stored types of the second operand and the output: float16 with STORAGE_HALF, which the
 * host only sets for float ops whose operands and output are all float (T = float). */
#ifdef STORAGE_HALF
#define TBS half
#define TOS half
#else
#define TBS TB
#define TOS TO
#endif
/* Compute types of the operands and the result: CT for float16 storage (T = TB = TO = float
 * there, so CT is float unless HALF_MATH), else the element types. */
#ifdef STORAGE_HALF
#define CB CT
#define CO CT
#else
#define CB TB
#define CO TO
#endif

/* Offsets of output element i in up to three broadcast inputs (see the banner). 32-bit
 * index arithmetic: the host refuses broadcasts over 2^31 elements. */
inline void bcast_offsets(uint i, int rank, int8 dims, int8 sa, int8 sb, int8 sc, uint *oa,
                          uint *ob, uint *oc) {
    uint d[8] = {dims.s0, dims.s1, dims.s2, dims.s3, dims.s4, dims.s5, dims.s6, dims.s7};
    uint a[8] = {sa.s0, sa.s1, sa.s2, sa.s3, sa.s4, sa.s5, sa.s6, sa.s7};
    uint b[8] = {sb.s0, sb.s1, sb.s2, sb.s3, sb.s4, sb.s5, sb.s6, sb.s7};
    uint c[8] = {sc.s0, sc.s1, sc.s2, sc.s3, sc.s4, sc.s5, sc.s6, sc.s7};
    uint ra = 0, rb = 0, rc = 0;
    for (int k = 7; k >= 8 - rank; k--) {
        uint q = i / d[k];
        uint r = i - q * d[k];
        ra += r * a[k];
        rb += r * b[k];
        rc += r * c[k];
        i = q;
    }
    *oa = ra;
    *ob = rb;
    *oc = rc;
}

#if OP == OP_CLIP

/* Bounds are lo[lo_at] and hi[hi_at]; an index of -1 means that bound is absent. */
__kernel void eltwise_clip(__global const T *x, __global T *y, long n, __global const T *lo,
                           __global const T *hi, int lo_at, int hi_at) {
    long i = get_global_id(0);
    if (i >= n) return;
    T v = x[i];
    if (lo_at >= 0 && v < lo[lo_at]) v = lo[lo_at];
    if (hi_at >= 0 && v > hi[hi_at]) v = hi[hi_at];
    y[i] = v;
}

#elif OP == OP_WHERE

__kernel void eltwise_where(__global const uchar *c, __global const T *a, __global const T *b,
                            __global T *y, long n, int rank, int8 dims, int8 sc, int8 sa,
                            int8 sb) {
    long i = get_global_id(0);
    if (i >= n) return;
    uint oc, oa, ob;
    bcast_offsets((uint)i, rank, dims, sc, sa, sb, &oc, &oa, &ob);
    y[i] = c[oc] ? a[oa] : b[ob];
}

#elif OP == OP_CHAIN

#ifndef NSTEP
#define NSTEP 0 // steps of the chain; SOP<k>, SK<k>, SS<k> describe step k (see the banner)
#endif

/* The unary ops as eltwise_unary computes them (Clip: min a, max b), in CT (see the banner
 * for which steps compute in float). */
inline CT chain_unary(const int op, CT x, float p0, float p1) {
    switch (op) {
    case OP_RELU: return x > CTK(0.0f) ? x : CTK(0.0f);
    case OP_LEAKY_RELU: return x >= CTK(0.0f) ? x : CT_R(CTK(p0) * x);
    case OP_SIGMOID: return CTK(1.0f / (1.0f + exp(-CTF(x))));
    case OP_HARD_SIGMOID:
        return CT_MAX(CTK(0.0f), CT_MIN(CTK(1.0f), CT_R(CT_R(CTK(p0) * x) + CTK(p1))));
    case OP_HARD_SWISH:
        return CT_R(x * CT_MAX(CTK(0.0f),
                             CT_MIN(CTK(1.0f), CT_R(CT_R(x * CTK(1.0f / 6.0f)) + CTK(0.5f)))));
    case OP_TANH: return CTK(tanh(CTF(x)));
    case OP_ERF: return CTK(erf(CTF(x)));
    case OP_EXP: return CTK(exp(CTF(x)));
    case OP_LOG: return CTK(log(CTF(x)));
    case OP_SQRT: return CTK(sqrt(CTF(x)));
    case OP_NEG: return -x;
    case OP_ABS: return x < CTK(0.0f) ? -x : x;
    case OP_RECIPROCAL: return CTK(1.0f / CTF(x));
    case OP_FLOOR: return CTK(floor(CTF(x)));
    case OP_CEIL: return CTK(ceil(CTF(x)));
    case OP_CLIP: return x < CTK(p0) ? CTK(p0) : x > CTK(p1) ? CTK(p1) : x;
    default: return x;
    }
}

inline CT chain_binary(const int op, CT a, CT b) {
    switch (op) {
    case OP_ADD: return CT_R(a + b);
    case OP_SUB: return CT_R(a - b);
    case OP_MUL: return CT_R(a * b);
    case OP_DIV: return CT_R(a / b);
    case OP_POW: return CTK(pow(CTF(a), CTF(b)));
    case OP_MIN: return (a < b || a != a) ? a : b; /* a != a: NaN (isnan has no half overload on NVIDIA) */
    case OP_MAX: return (a > b || a != a) ? a : b;
    default: return a;
    }
}

/* Offset of output element i in a broadcast operand with strides s (see the banner). */
inline uint chain_offset(uint i, int rank, int8 dims, int8 s) {
    uint d[8] = {dims.s0, dims.s1, dims.s2, dims.s3, dims.s4, dims.s5, dims.s6, dims.s7};
    uint st[8] = {s.s0, s.s1, s.s2, s.s3, s.s4, s.s5, s.s6, s.s7};
    uint r = 0;
    for (int k = 7; k >= 8 - rank; k--) {
        uint q = i / d[k];
        r += (i - q * d[k]) * st[k];
        i = q;
    }
    return r;
}

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define LOAD(j)                                                                            \
    (CAT(f, j) ? LDC(CAT(b, j), i)                                                         \
               : LDC(CAT(b, j), chain_offset((uint)i, rank, dims, CAT(s, j))))
/* The operand of step k (only the selected branch is evaluated). */
#define OPERAND(k)                                                                         \
    (CAT(SK, k) == 1 ? CTK(CAT(c0.s, k)) : CAT(SK, k) == 2 ? xv : CAT(SK, k) == 3 ? LOAD(0) \
     : CAT(SK, k) == 4 ? LOAD(1) : CAT(SK, k) == 5 ? LOAD(2) : LOAD(3))
#define STEP(k)                                                                            \
    if (CAT(SK, k) == 0) {                                                                 \
        v = chain_unary(CAT(SOP, k), v, CAT(c0.s, k), CAT(c1.s, k));                       \
    } else {                                                                               \
        const CT o = OPERAND(k);                                                           \
        v = CAT(SS, k) ? chain_binary(CAT(SOP, k), o, v) : chain_binary(CAT(SOP, k), v, o); \
    }

__kernel void eltwise_chain(__global const TS *x, __global TS *y, long n, float8 c0,
                            float8 c1, int rank, int8 dims, __global const TS *b0, int8 s0,
                            int f0, __global const TS *b1, int8 s1, int f1,
                            __global const TS *b2, int8 s2, int f2, __global const TS *b3,
                            int8 s3, int f3) {
    long i = get_global_id(0);
    if (i >= n) return;
    const CT xv = LDC(x, i);
    CT v = xv;
#if NSTEP > 0
    STEP(0)
#endif
#if NSTEP > 1
    STEP(1)
#endif
#if NSTEP > 2
    STEP(2)
#endif
#if NSTEP > 3
    STEP(3)
#endif
#if NSTEP > 4
    STEP(4)
#endif
#if NSTEP > 5
    STEP(5)
#endif
#if NSTEP > 6
    STEP(6)
#endif
#if NSTEP > 7
    STEP(7)
#endif
    STC(y, i, v);
}

#elif OP < OP_ADD

/* p0, p1: LeakyRelu alpha; HardSigmoid alpha, beta. In CT (T for integer types; see the
 * banner for which ops compute in float). */
inline CT unary_op(CT x, float p0, float p1) {
#if OP == OP_RELU
    return x > CTK(0) ? x : CTK(0);
#elif OP == OP_LEAKY_RELU
    return x >= CTK(0.0f) ? x : CT_R(CTK(p0) * x);
#elif OP == OP_SIGMOID
    return CTK(1.0f / (1.0f + exp(-CTF(x))));
#elif OP == OP_HARD_SIGMOID
    return CT_MAX(CTK(0.0f), CT_MIN(CTK(1.0f), CT_R(CT_R(CTK(p0) * x) + CTK(p1))));
#elif OP == OP_HARD_SWISH
    return CT_R(x * CT_MAX(CTK(0.0f),
                         CT_MIN(CTK(1.0f), CT_R(CT_R(x * CTK(1.0f / 6.0f)) + CTK(0.5f)))));
#elif OP == OP_TANH
    return CTK(tanh(CTF(x)));
#elif OP == OP_ERF
    return CTK(erf(CTF(x)));
#elif OP == OP_EXP
    return CTK(exp(CTF(x)));
#elif OP == OP_LOG
    return CTK(log(CTF(x)));
#elif OP == OP_SQRT
    return CTK(sqrt(CTF(x)));
#elif OP == OP_NEG
    return -x;
#elif OP == OP_ABS
    return x < CTK(0) ? -x : x;
#elif OP == OP_RECIPROCAL
    return CTK(1.0f / CTF(x));
#elif OP == OP_FLOOR
    return CTK(floor(CTF(x)));
#elif OP == OP_CEIL
    return CTK(ceil(CTF(x)));
#else
#error "OP is not a unary operation"
#endif
}

__kernel void eltwise_unary(__global const TS *x, __global TS *y, long n, float p0, float p1) {
    long i = get_global_id(0);
    if (i >= n) return;
    STC(y, i, unary_op(LDC(x, i), p0, p1));
}

#else

#if OP == OP_POW && T_INT && TB_INT
/* Integer power as the C cast of the real power: negative exponents give 0 unless |a| = 1. */
inline T int_pow(T a, TB e) {
    if (e < 0) return a == 1 ? (T)1 : a == -1 ? ((e & 1) ? (T)-1 : (T)1) : (T)0;
    T r = 1;
    while (e) {
        if (e & 1) r *= a;
        a *= a;
        e >>= 1;
    }
    return r;
}
#endif

inline CO binary_op(CT a, CB b) {
#if OP == OP_ADD
    return CT_R(a + b);
#elif OP == OP_SUB
    return CT_R(a - b);
#elif OP == OP_MUL
    return CT_R(a * b);
#elif OP == OP_DIV && T_INT
    /* Truncates toward zero; division by zero gives 0 and MIN / -1 wraps instead of trapping. */
    return b == 0 ? (T)0 : b == (T)-1 ? -a : a / b;
#elif OP == OP_DIV
    return CT_R(a / b);
#elif OP == OP_POW && T_INT && TB_INT
    return int_pow(a, b);
#elif OP == OP_POW && T_INT
    return (T)pow((float)a, b); /* integer base, float exponent: computed in float32 */
#elif OP == OP_POW
    return CTK(pow(CTF(a), CTF(b)));
#elif OP == OP_MIN
    return (a < b || IS_NAN(a)) ? a : b; /* a NaN operand propagates */
#elif OP == OP_MAX
    return (a > b || IS_NAN(a)) ? a : b;
#elif OP == OP_EQUAL
    return a == b;
#elif OP == OP_LESS
    return a < b;
#elif OP == OP_GREATER
    return a > b;
#else
#error "OP is not a binary operation"
#endif
}

__kernel void eltwise_binary_flat(__global const TS *a, __global const TBS *b, __global TOS *y,
                                  long n) {
    long i = get_global_id(0);
    if (i >= n) return;
    STC(y, i, binary_op(LDC(a, i), LDC(b, i)));
}

__kernel void eltwise_binary(__global const TS *a, __global const TBS *b, __global TOS *y, long n,
                             int rank, int8 dims, int8 sa, int8 sb) {
    long i = get_global_id(0);
    if (i >= n) return;
    uint oa, ob, oc;
    bcast_offsets((uint)i, rank, dims, sa, sb, (int8)(0), &oa, &ob, &oc);
    STC(y, i, binary_op(LDC(a, oa), LDC(b, ob)));
}

#endif
