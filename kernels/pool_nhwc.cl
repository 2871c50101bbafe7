/* pool_nhwc.cl — 2-D pooling over NHWC8 tensors (engine/ops/pool.c).
 *
 * Layout (engine/core/ir.h, TRT_LAYOUT_NHWC8): X is [N][IH][IW][Cp] and Y [N][OH][OW][Cp],
 * Cp = round_up(C, 8); channels C..Cp-1 of Y are written as 0 (NHWC8 consumers rely on it).
 * Every work-item handles 8 adjacent channels as one aligned vector (common.cl's LD8A/ST8A:
 * one 16-byte access in FP16; float arithmetic, exact for the 8-bit integers MaxPool also takes).
 * Per-axis geometry as int2 in (x, y) = (H, W) order: stride, dil, pad (begin), pad_end
 * (end; only the averaging divisor uses it). The windows and divisors are pool.cl's.
 *
 * Kernels:
 *   pool_nhwc_max, pool_nhwc_avg      one output pixel and 8 channels per work-item;
 *                                     global (Cp/8, OH*OW, N): channel blocks fastest, so
 *                                     a warp's accesses are adjacent 16-byte blocks.
 *   global_nhwc_max, global_nhwc_avg  one work-group of GP_WG work-items per 8 channels of an
 *                                     image: strided partial results over the H*W pixels, then
 *                                     a tree in local memory. Y is [N][1][1][Cp].
 *                                     Global (Cp/8 * GP_WG, N); work-group (GP_WG, 1).
 */
#ifndef GP_WG
#define GP_WG 64 // work-items per 8 channels in global_nhwc_*; a power of two
#endif
#ifndef POOL_LOWEST
#define POOL_LOWEST (-FLT_MAX) // start of a maximum: the lowest value of T
#endif

/* Range [lo, hi) of taps k whose input index o0 + k*dil lies in [0, I). */
inline int2 pool_nhwc_taps(int o0, int K, int dil, int I) {
    int lo = o0 < 0 ? (-o0 + dil - 1) / dil : 0;
    int hi = I - o0 <= 0 ? 0 : min(K, (I - o0 + dil - 1) / dil);
    return (int2)(lo, hi);
}

/* Stores v at channels c0..c0+7, 0 in the padding channels from C on. */
inline void pool_nhwc_store(__global TS *Y, long o, float8 v, int c0, int C) {
    const int8 c = (int8)(c0) + (int8)(0, 1, 2, 3, 4, 5, 6, 7);
    ST8A(Y + o, select(v, (float8)(0.0f), c >= C));
}

__kernel void pool_nhwc_max(__global const TS *X, __global TS *Y, const int C, const int Cp,
                            const int IH, const int IW, const int OH, const int OW,
                            const int KH, const int KW, const int2 stride, const int2 dil,
                            const int2 pad) {
    const int cv = get_global_id(0), sp = get_global_id(1), n = get_global_id(2);
    const int c0 = cv * 8;
    if (sp >= OH * OW || c0 >= Cp) return;
    const int oh = sp / OW, ow = sp - oh * OW;
    const int h0 = oh * stride.x - pad.x, w0 = ow * stride.y - pad.y;
    const int2 th = pool_nhwc_taps(h0, KH, dil.x, IH);
    const int2 tw = pool_nhwc_taps(w0, KW, dil.y, IW);
    __global const TS *x = X + (long)n * IH * IW * Cp + c0;
    float8 m = (float8)(POOL_LOWEST);
    for (int kh = th.x; kh < th.y; kh++) {
        const long r = (long)(h0 + kh * dil.x) * IW;
        for (int kw = tw.x; kw < tw.y; kw++)
            m = fmax(m, LD8A(x + (r + w0 + kw * dil.y) * Cp));
    }
    pool_nhwc_store(Y, (((long)n * OH + oh) * OW + ow) * Cp + c0, m, c0, C);
}

__kernel void pool_nhwc_avg(__global const TS *X, __global TS *Y, const int C, const int Cp,
                            const int IH, const int IW, const int OH, const int OW,
                            const int KH, const int KW, const int2 stride, const int2 dil,
                            const int2 pad, const int2 pad_end, const int count_include_pad) {
    const int cv = get_global_id(0), sp = get_global_id(1), n = get_global_id(2);
    const int c0 = cv * 8;
    if (sp >= OH * OW || c0 >= Cp) return;
    const int oh = sp / OW, ow = sp - oh * OW;
    const int h0 = oh * stride.x - pad.x, w0 = ow * stride.y - pad.y;
    const int2 th = pool_nhwc_taps(h0, KH, dil.x, IH);
    const int2 tw = pool_nhwc_taps(w0, KW, dil.y, IW);
    __global const TS *x = X + (long)n * IH * IW * Cp + c0;
    float8 s = (float8)(0.0f);
    for (int kh = th.x; kh < th.y; kh++) {
        const long r = (long)(h0 + kh * dil.x) * IW;
        for (int kw = tw.x; kw < tw.y; kw++) s += LD8A(x + (r + w0 + kw * dil.y) * Cp);
    }
    int cnt;
    if (count_include_pad) {
        const int2 ph = pool_nhwc_taps(h0 + pad.x, KH, dil.x, IH + pad.x + pad_end.x);
        const int2 pw = pool_nhwc_taps(w0 + pad.y, KW, dil.y, IW + pad.y + pad_end.y);
        cnt = max(ph.y - ph.x, 0) * max(pw.y - pw.x, 0);
    } else {
        cnt = max(th.y - th.x, 0) * max(tw.y - tw.x, 0);
    }
    pool_nhwc_store(Y, (((long)n * OH + oh) * OW + ow) * Cp + c0, s / (float)cnt, c0, C);
}

__kernel __attribute__((reqd_work_group_size(GP_WG, 1, 1)))
void global_nhwc_max(__global const TS *X, __global TS *Y, const int C, const int Cp,
                     const int S) {
    __local float8 red[GP_WG];
    const int cv = get_group_id(0), lid = get_local_id(0), n = get_global_id(1);
    const int c0 = cv * 8;
    float8 m = (float8)(-FLT_MAX);
    if (c0 < Cp) {
        __global const TS *x = X + (long)n * S * Cp + c0;
        for (int i = lid; i < S; i += GP_WG) m = fmax(m, LD8A(x + (long)i * Cp));
    }
    red[lid] = m;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = GP_WG / 2; h > 0; h >>= 1) {
        if (lid < h) red[lid] = fmax(red[lid], red[lid + h]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0 && c0 < Cp) pool_nhwc_store(Y, (long)n * Cp + c0, red[0], c0, C);
}

__kernel __attribute__((reqd_work_group_size(GP_WG, 1, 1)))
void global_nhwc_avg(__global const TS *X, __global TS *Y, const int C, const int Cp,
                     const int S) {
    __local float8 red[GP_WG];
    const int cv = get_group_id(0), lid = get_local_id(0), n = get_global_id(1);
    const int c0 = cv * 8;
    float8 s = (float8)(0.0f);
    if (c0 < Cp) {
        __global const TS *x = X + (long)n * S * Cp + c0;
        for (int i = lid; i < S; i += GP_WG) s += LD8A(x + (long)i * Cp);
    }
    red[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = GP_WG / 2; h > 0; h >>= 1) {
        if (lid < h) red[lid] += red[lid + h];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0 && c0 < Cp) pool_nhwc_store(Y, (long)n * Cp + c0, red[0] / (float)S, c0, C);
}
