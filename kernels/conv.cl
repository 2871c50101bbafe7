/* conv.cl — convolution and transposed convolution (engine/ops/conv.c).
 *
 * Layout: X is NC(D)(H)W, dense row-major; 1-D and 2-D convolutions run as 3-D ones with
 * unit leading spatial dimensions, so every kernel sees (D, H, W). Per-dimension geometry
 * comes as int4 in (x, y, z) = (D, H, W) order: stride, dil (dilation), pad (padding at
 * the beginning; the end padding only shows in the output size).
 * Weights: Conv OIDHW = (OC, C/group, KD, KH, KW); ConvTranspose IODHW = (C, OC/group, KD,
 * KH, KW). bias (OC) is added in the epilogue when has_bias != 0 (pass any buffer otherwise).
 * Buffers hold TS (T, or float16 with -DSTORAGE_HALF: common.cl's LD/ST); accumulation is
 * in float whatever they hold.
 * Epilogue (fused by the graph passes), in every kernel: y = act(conv + bias + res), where
 * res (read when has_res != 0) has Y's layout and act is an ACT_* below with its constants
 * act_a, act_b (engine/passes/fusion.h, trt_act, gives the same numbers).
 *
 * Kernels:
 *   conv_direct     one work-item per output position and OCB output channels of one group:
 *                   each input value is loaded once for OCB multiply-adds. The window is
 *                   clipped to the input once per work-item, so the inner loops carry no
 *                   bounds checks. Global (OD*OH*OW, group * ceil(OCg/OCB), N).
 *   conv_direct_vec as conv_direct, but each work-item computes 8 adjacent outputs of a row
 *                   as float8 vectors (one vector load per tap where the 8 inputs are
 *                   contiguous and inside the row): for CPUs, whose SIMD units take the
 *                   explicit vectors. Global (OD*OH*ceil(OW/8), group * ceil(OCg/OCB), N).
 *   conv_1x1        1x1, stride 1, no padding: per image and group a product
 *                   Y(OCg x P) = W(OCg x Cg) * X(Cg x P) over P = D*H*W positions, with
 *                   local-memory tiles of TILE_M (channels) x TILE_N (positions) x TILE_K and
 *                   WPT_M x WPT_N accumulators per work-item. Work-group (TILE_N/WPT_N,
 *                   TILE_M/WPT_M, 1); global dimension 2 runs over N * group.
 *   conv_transpose  one work-item per output position and OCB output channels, gathering
 *                   the inputs whose scattered windows cover it. Global as conv_direct.
 */
#ifndef OCB
#define OCB 4 // output channels per work-item (conv_direct, conv_direct_vec, conv_transpose)
#endif
#ifndef TILE_M
#define TILE_M 32 // output channels per work-group (conv_1x1)
#endif
#ifndef TILE_N
#define TILE_N 32 // output positions per work-group (conv_1x1)
#endif
#ifndef TILE_K
#define TILE_K 16 // input channels per local-memory tile (conv_1x1)
#endif
#ifndef WPT_M
#define WPT_M 4 // output channels per work-item (conv_1x1); divides TILE_M
#endif
#ifndef WPT_N
#define WPT_N 4 // output positions per work-item (conv_1x1); divides TILE_N
#endif


/* Range [lo, hi) of kernel taps k whose input index o0 + k*dil lies in [0, I). */
inline int2 conv_taps(int o0, int K, int dil, int I) {
    int lo = o0 < 0 ? (-o0 + dil - 1) / dil : 0;
    int hi = I - o0 <= 0 ? 0 : min(K, (I - o0 + dil - 1) / dil);
    return (int2)(lo, hi);
}

__kernel void conv_direct(__global const TS *X, __global const TS *W, __global const TS *bias,
                          const int has_bias, __global TS *Y, const int C, const int ID,
                          const int IH, const int IW, const int OC, const int OD, const int OH,
                          const int OW, const int KD, const int KH, const int KW,
                          const int4 stride, const int4 dil, const int4 pad, const int Cg,
                          const int OCg, const int nblk, const int act, const float act_a,
                          const float act_b, __global const TS *res, const int has_res) {
    const int sp = get_global_id(0), ob = get_global_id(1), n = get_global_id(2);
    const int OHW = OH * OW;
    if (sp >= OD * OHW || ob >= (C / Cg) * nblk) return;
    const int ow = sp % OW, oh = (sp / OW) % OH, od = sp / OHW;
    const int g = ob / nblk, ocg0 = (ob - g * nblk) * OCB;
    const int oc0 = g * OCg + ocg0, nvalid = min(OCB, OCg - ocg0);

    const int d0 = od * stride.x - pad.x, h0 = oh * stride.y - pad.y, w0 = ow * stride.z - pad.z;
    const int2 td = conv_taps(d0, KD, dil.x, ID);
    const int2 th = conv_taps(h0, KH, dil.y, IH);
    const int2 tw = conv_taps(w0, KW, dil.z, IW);

    const int KVOL = KD * KH * KW, IHW = IH * IW, IDHW = ID * IHW;
    /* Channels past the group's end reuse the last valid one's weights; never stored. */
    int woff[OCB];
    for (int j = 0; j < OCB; j++) woff[j] = min(j, nvalid - 1) * Cg * KVOL;
    float acc[OCB];
    for (int j = 0; j < OCB; j++) acc[j] = 0.0f;

    __global const TS *xc = X + ((long)n * C + (long)g * Cg) * IDHW;
    __global const TS *wc = W + (long)oc0 * Cg * KVOL;
    for (int ic = 0; ic < Cg; ic++, xc += IDHW, wc += KVOL) {
        for (int kd = td.x; kd < td.y; kd++) {
            const int id = d0 + kd * dil.x;
            for (int kh = th.x; kh < th.y; kh++) {
                /* xo may be negative (left padding); xo + kw*dil.z never is. */
                const int xo = id * IHW + (h0 + kh * dil.y) * IW + w0;
                __global const TS *wr = wc + (kd * KH + kh) * KW;
                for (int kw = tw.x; kw < tw.y; kw++) {
                    const float xv = LD(xc, xo + kw * dil.z);
                    for (int j = 0; j < OCB; j++) acc[j] += xv * LD(wr, woff[j] + kw);
                }
            }
        }
    }

    const int OSP = OD * OHW;
    const long o = ((long)n * OC + oc0) * OSP + sp;
    for (int j = 0; j < OCB; j++) {
        if (j >= nvalid) break;
        float v = acc[j];
        if (has_bias) v += LD(bias, oc0 + j);
        if (has_res) v += LD(res, o + (long)j * OSP);
        ST(Y, o + (long)j * OSP, trt_act(v, act, act_a, act_b));
    }
}


/* Eight inputs x[i0 + j*s], j = 0..7, zero where outside [0, I). */
inline float8 conv_row8(__global const TS *x, int i0, int s, int I) {
    if (i0 >= 0 && i0 + 7 * s < I) {
        if (s == 1) return LD8(x + i0, 0);
        return (float8)(LD(x, i0), LD(x, i0 + s), LD(x, i0 + 2 * s),
                        LD(x, i0 + 3 * s), LD(x, i0 + 4 * s), LD(x, i0 + 5 * s),
                        LD(x, i0 + 6 * s), LD(x, i0 + 7 * s));
    }
    float v[8];
    for (int j = 0; j < 8; j++) {
        const int i = i0 + j * s;
        v[j] = i >= 0 && i < I ? LD(x, i) : 0.0f;
    }
    return vload8(0, v);
}

__kernel void conv_direct_vec(__global const TS *X, __global const TS *W, __global const TS *bias,
                              const int has_bias, __global TS *Y, const int C, const int ID,
                              const int IH, const int IW, const int OC, const int OD,
                              const int OH, const int OW, const int KD, const int KH,
                              const int KW, const int4 stride, const int4 dil, const int4 pad,
                              const int Cg, const int OCg, const int nblk, const int act,
                              const float act_a, const float act_b, __global const TS *res,
                              const int has_res) {
    const int seg = get_global_id(0), ob = get_global_id(1), n = get_global_id(2);
    const int OWS = (OW + 7) / 8;
    if (seg >= OD * OH * OWS || ob >= (C / Cg) * nblk) return;
    const int ow0 = (seg % OWS) * 8, oh = (seg / OWS) % OH, od = seg / (OWS * OH);
    const int g = ob / nblk, ocg0 = (ob - g * nblk) * OCB;
    const int oc0 = g * OCg + ocg0, nvalid = min(OCB, OCg - ocg0);

    const int d0 = od * stride.x - pad.x, h0 = oh * stride.y - pad.y;
    const int w0 = ow0 * stride.z - pad.z;
    const int2 td = conv_taps(d0, KD, dil.x, ID);
    const int2 th = conv_taps(h0, KH, dil.y, IH);

    const int KVOL = KD * KH * KW, IHW = IH * IW, IDHW = ID * IHW;
    int woff[OCB];
    for (int j = 0; j < OCB; j++) woff[j] = min(j, nvalid - 1) * Cg * KVOL;
    float8 acc[OCB];
    for (int j = 0; j < OCB; j++) acc[j] = (float8)(0.0f);

    __global const TS *xc = X + ((long)n * C + (long)g * Cg) * IDHW;
    __global const TS *wc = W + (long)oc0 * Cg * KVOL;
    for (int ic = 0; ic < Cg; ic++, xc += IDHW, wc += KVOL) {
        for (int kd = td.x; kd < td.y; kd++) {
            const int id = d0 + kd * dil.x;
            for (int kh = th.x; kh < th.y; kh++) {
                __global const TS *xr = xc + id * IHW + (h0 + kh * dil.y) * IW;
                __global const TS *wr = wc + (kd * KH + kh) * KW;
                for (int kw = 0; kw < KW; kw++) {
                    const float8 xv = conv_row8(xr, w0 + kw * dil.z, stride.z, IW);
                    for (int j = 0; j < OCB; j++) acc[j] += xv * LD(wr, woff[j] + kw);
                }
            }
        }
    }

    const int OSP = OD * OH * OW;
    const long o = ((long)n * OC + oc0) * OSP + (od * OH + oh) * OW + ow0;
    for (int j = 0; j < OCB; j++) {
        if (j >= nvalid) break;
        float8 v = acc[j];
        if (has_bias) v += LD(bias, oc0 + j);
        const long oj = o + (long)j * OSP;
        if (ow0 + 8 <= OW) {
            if (has_res) v += LD8(res + oj, 0);
            ST8(Y + oj, 0, trt_act8(v, act, act_a, act_b));
        } else {
            float t[8];
            vstore8(v, 0, t);
            for (int k = 0; k < OW - ow0; k++) {
                float u = t[k];
                if (has_res) u += LD(res, oj + k);
                ST(Y, oj + k, trt_act(u, act, act_a, act_b));
            }
        }
    }
}

#define WG_M (TILE_M / WPT_M)
#define WG_N (TILE_N / WPT_N)

__kernel __attribute__((reqd_work_group_size(WG_N, WG_M, 1)))
void conv_1x1(__global const TS *X, __global const TS *W, __global const TS *bias,
              const int has_bias, __global TS *Y, const int C, const int OC, const int P,
              const int Cg, const int OCg, const int G, const int act, const float act_a,
              const float act_b, __global const TS *res, const int has_res) {
    __local float Ws[TILE_K][TILE_M];
    __local float Xs[TILE_K][TILE_N];
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int tid = ty * WG_N + tx;
    const int m0 = get_group_id(1) * TILE_M, p0 = get_group_id(0) * TILE_N;
    const int ng = get_global_id(2), n = ng / G, g = ng - n * G;
    __global const TS *x = X + ((long)n * C + (long)g * Cg) * P;
    __global const TS *w = W + (long)g * OCg * Cg;

    float acc[WPT_M][WPT_N];
    for (int i = 0; i < WPT_M; i++)
        for (int j = 0; j < WPT_N; j++) acc[i][j] = 0.0f;

    for (int k0 = 0; k0 < Cg; k0 += TILE_K) {
        /* Weights are rows of Cg: walk k fast. Images are rows of P: walk positions fast. */
        for (int i = tid; i < TILE_M * TILE_K; i += WG_M * WG_N) {
            const int kk = i % TILE_K, mm = i / TILE_K;
            const int m = m0 + mm, k = k0 + kk;
            Ws[kk][mm] = (m < OCg && k < Cg) ? LD(w, m * Cg + k) : 0.0f;
        }
        for (int i = tid; i < TILE_N * TILE_K; i += WG_M * WG_N) {
            const int nn = i % TILE_N, kk = i / TILE_N;
            const int p = p0 + nn, k = k0 + kk;
            Xs[kk][nn] = (p < P && k < Cg) ? LD(x, (long)k * P + p) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TILE_K; kk++) {
            float wv[WPT_M], xv[WPT_N];
            for (int i = 0; i < WPT_M; i++) wv[i] = Ws[kk][ty + i * WG_M];
            for (int j = 0; j < WPT_N; j++) xv[j] = Xs[kk][tx + j * WG_N];
            for (int i = 0; i < WPT_M; i++)
                for (int j = 0; j < WPT_N; j++) acc[i][j] += wv[i] * xv[j];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    const long o = ((long)n * OC + (long)g * OCg) * P;
    for (int i = 0; i < WPT_M; i++) {
        const int m = m0 + ty + i * WG_M;
        if (m >= OCg) break;
        const float b = has_bias ? LD(bias, g * OCg + m) : 0.0f;
        for (int j = 0; j < WPT_N; j++) {
            const int p = p0 + tx + j * WG_N;
            if (p >= P) break;
            const long k = o + (long)m * P + p;
            float v = acc[i][j] + b;
            if (has_res) v += LD(res, k);
            ST(Y, k, trt_act(v, act, act_a, act_b));
        }
    }
}

__kernel void conv_transpose(__global const TS *X, __global const TS *W, __global const TS *bias,
                             const int has_bias, __global TS *Y, const int C, const int ID,
                             const int IH, const int IW, const int OC, const int OD,
                             const int OH, const int OW, const int KD, const int KH,
                             const int KW, const int4 stride, const int4 dil, const int4 pad,
                             const int Cg, const int OCg, const int nblk, const int act,
                             const float act_a, const float act_b, __global const TS *res,
                             const int has_res) {
    const int sp = get_global_id(0), ob = get_global_id(1), n = get_global_id(2);
    const int OHW = OH * OW;
    if (sp >= OD * OHW || ob >= (C / Cg) * nblk) return;
    const int ow = sp % OW, oh = (sp / OW) % OH, od = sp / OHW;
    const int g = ob / nblk, ocg0 = (ob - g * nblk) * OCB;
    const int oc0 = g * OCg + ocg0, nvalid = min(OCB, OCg - ocg0);

    const int KVOL = KD * KH * KW, IHW = IH * IW, IDHW = ID * IHW;
    int woff[OCB];
    for (int j = 0; j < OCB; j++) woff[j] = (ocg0 + min(j, nvalid - 1)) * KVOL;
    float acc[OCB];
    for (int j = 0; j < OCB; j++) acc[j] = 0.0f;

    __global const TS *xg = X + ((long)n * C + (long)g * Cg) * IDHW;
    __global const TS *wg = W + (long)g * Cg * OCg * KVOL;
    /* Output o receives input i through tap k when o + pad - k*dil == i*stride. */
    for (int kd = 0; kd < KD; kd++) {
        const int td = od + pad.x - kd * dil.x;
        if (td < 0 || td % stride.x) continue;
        const int id = td / stride.x;
        if (id >= ID) continue;
        for (int kh = 0; kh < KH; kh++) {
            const int th = oh + pad.y - kh * dil.y;
            if (th < 0 || th % stride.y) continue;
            const int ih = th / stride.y;
            if (ih >= IH) continue;
            for (int kw = 0; kw < KW; kw++) {
                const int tw = ow + pad.z - kw * dil.z;
                if (tw < 0 || tw % stride.z) continue;
                const int iw = tw / stride.z;
                if (iw >= IW) continue;
                __global const TS *x = xg + id * IHW + ih * IW + iw;
                __global const TS *w = wg + (kd * KH + kh) * KW + kw;
                for (int ic = 0; ic < Cg; ic++) {
                    const float xv = LD(x, (long)ic * IDHW);
                    __global const TS *wi = w + (long)ic * OCg * KVOL;
                    for (int j = 0; j < OCB; j++) acc[j] += xv * LD(wi, woff[j]);
                }
            }
        }
    }

    const int OSP = OD * OHW;
    const long o = ((long)n * OC + oc0) * OSP + sp;
    for (int j = 0; j < OCB; j++) {
        if (j >= nvalid) break;
        float v = acc[j];
        if (has_bias) v += LD(bias, oc0 + j);
        if (has_res) v += LD(res, o + (long)j * OSP);
        ST(Y, o + (long)j * OSP, trt_act(v, act, act_a, act_b));
    }
}
