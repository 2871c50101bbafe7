/* pool.cl — pooling (engine/ops/pool.c).
 *
 * Layout: X is NC(D)(H)W, dense row-major, seen as rows = N*C planes of D*H*W. As in conv.cl,
 * 1-D and 2-D pooling run as 3-D with unit leading dimensions; per-dimension geometry comes
 * as int4 in (x, y, z) = (D, H, W) order: stride, dil (dilation), pad (padding at the
 * beginning), pad_end (padding at the end; only the averaging divisor uses it).
 * Buffers hold TS (T, or float16 with -DSTORAGE_HALF: common.cl's LD/ST). Accumulation is
 * in float whatever they hold (exact for the 8-bit integers MaxPool also takes).
 *
 * Kernels:
 *   pool_max, pool_avg       one work-item per output element; global (OD*OH*OW, rows).
 *                            pool_max of a window wholly in the padding is POOL_LOWEST.
 *                            pool_avg divides by the taps inside the input, or with
 *                            count_include_pad by the taps inside the padded input.
 *   global_max, global_avg   one work-group of GP_WG work-items per row of S elements:
 *                            strided partial results, then a tree in local memory.
 *                            Global (rows * GP_WG); work-group (GP_WG).
 */
#ifndef GP_WG
#define GP_WG 64 // work-items per row in global_max / global_avg; a power of two
#endif
#ifndef POOL_LOWEST
#define POOL_LOWEST (-FLT_MAX) // start of a maximum: the lowest value of T
#endif

/* Range [lo, hi) of taps k whose input index o0 + k*dil lies in [0, I). */
inline int2 pool_taps(int o0, int K, int dil, int I) {
    int lo = o0 < 0 ? (-o0 + dil - 1) / dil : 0;
    int hi = I - o0 <= 0 ? 0 : min(K, (I - o0 + dil - 1) / dil);
    return (int2)(lo, hi);
}

__kernel void pool_max(__global const TS *X, __global TS *Y, const int rows, const int ID,
                       const int IH, const int IW, const int OD, const int OH, const int OW,
                       const int KD, const int KH, const int KW, const int4 stride,
                       const int4 dil, const int4 pad) {
    const int sp = get_global_id(0), row = get_global_id(1);
    const int OHW = OH * OW, OSP = OD * OHW;
    if (sp >= OSP || row >= rows) return;
    const int ow = sp % OW, oh = (sp / OW) % OH, od = sp / OHW;
    const int d0 = od * stride.x - pad.x, h0 = oh * stride.y - pad.y, w0 = ow * stride.z - pad.z;
    const int2 td = pool_taps(d0, KD, dil.x, ID);
    const int2 th = pool_taps(h0, KH, dil.y, IH);
    const int2 tw = pool_taps(w0, KW, dil.z, IW);
    __global const TS *x = X + (long)row * ID * IH * IW;
    float m = POOL_LOWEST;
    for (int kd = td.x; kd < td.y; kd++)
        for (int kh = th.x; kh < th.y; kh++) {
            const int xo = ((d0 + kd * dil.x) * IH + h0 + kh * dil.y) * IW + w0;
            for (int kw = tw.x; kw < tw.y; kw++) m = fmax(m, LD(x, xo + kw * dil.z));
        }
    ST(Y, (long)row * OSP + sp, m);
}

__kernel void pool_avg(__global const TS *X, __global TS *Y, const int rows, const int ID,
                       const int IH, const int IW, const int OD, const int OH, const int OW,
                       const int KD, const int KH, const int KW, const int4 stride,
                       const int4 dil, const int4 pad, const int4 pad_end,
                       const int count_include_pad) {
    const int sp = get_global_id(0), row = get_global_id(1);
    const int OHW = OH * OW, OSP = OD * OHW;
    if (sp >= OSP || row >= rows) return;
    const int ow = sp % OW, oh = (sp / OW) % OH, od = sp / OHW;
    const int d0 = od * stride.x - pad.x, h0 = oh * stride.y - pad.y, w0 = ow * stride.z - pad.z;
    const int2 td = pool_taps(d0, KD, dil.x, ID);
    const int2 th = pool_taps(h0, KH, dil.y, IH);
    const int2 tw = pool_taps(w0, KW, dil.z, IW);
    __global const TS *x = X + (long)row * ID * IH * IW;
    float s = 0.0f;
    for (int kd = td.x; kd < td.y; kd++)
        for (int kh = th.x; kh < th.y; kh++) {
            const int xo = ((d0 + kd * dil.x) * IH + h0 + kh * dil.y) * IW + w0;
            for (int kw = tw.x; kw < tw.y; kw++) s += LD(x, xo + kw * dil.z);
        }
    int n;
    if (count_include_pad) {
        const int2 pd = pool_taps(d0 + pad.x, KD, dil.x, ID + pad.x + pad_end.x);
        const int2 ph = pool_taps(h0 + pad.y, KH, dil.y, IH + pad.y + pad_end.y);
        const int2 pw = pool_taps(w0 + pad.z, KW, dil.z, IW + pad.z + pad_end.z);
        n = max(pd.y - pd.x, 0) * max(ph.y - ph.x, 0) * max(pw.y - pw.x, 0);
    } else {
        n = max(td.y - td.x, 0) * max(th.y - th.x, 0) * max(tw.y - tw.x, 0);
    }
    ST(Y, (long)row * OSP + sp, (s / (float)n));
}

__kernel __attribute__((reqd_work_group_size(GP_WG, 1, 1)))
void global_max(__global const TS *X, __global TS *Y, const int rows, const int S) {
    __local float red[GP_WG];
    const int row = get_group_id(0), lid = get_local_id(0);
    float m = -FLT_MAX;
    if (row < rows) {
        __global const TS *x = X + (long)row * S;
        for (int i = lid; i < S; i += GP_WG) m = fmax(m, LD(x, i));
    }
    red[lid] = m;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = GP_WG / 2; h > 0; h >>= 1) {
        if (lid < h) red[lid] = fmax(red[lid], red[lid + h]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0 && row < rows) ST(Y, row, red[0]);
}

__kernel __attribute__((reqd_work_group_size(GP_WG, 1, 1)))
void global_avg(__global const TS *X, __global TS *Y, const int rows, const int S) {
    __local float red[GP_WG];
    const int row = get_group_id(0), lid = get_local_id(0);
    float s = 0.0f;
    if (row < rows) {
        __global const TS *x = X + (long)row * S;
        for (int i = lid; i < S; i += GP_WG) s += LD(x, i);
    }
    red[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = GP_WG / 2; h > 0; h >>= 1) {
        if (lid < h) red[lid] += red[lid + h];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0 && row < rows) ST(Y, row, (red[0] / (float)S));
}
