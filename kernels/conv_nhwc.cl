/* conv_nhwc.cl — 2-D convolution over NHWC8 tensors, portable (engine/ops/conv_nhwc.c).
 *
 * Layout (engine/core/ir.h, TRT_LAYOUT_NHWC8): X is [N][IH][IW][Cp] and Y [N][OH][OW][Kp],
 * Cp = round_up(C, 8), Kp = round_up(K, 8), the padding channels zero. Weights are
 * [K][KH][KW][Cgp], Cgp = round_up(C/group, 8), zero padded. bias (K values, plain) is added
 * when has_bias != 0 (pass any buffer otherwise). Per-axis geometry comes as int2 in
 * (x, y) = (H, W) order: stride, dil (dilation), pad (padding at the beginning).
 * Buffers hold TS (T, or float16 with -DSTORAGE_HALF: common.cl's LD/ST); accumulation is in
 * float whatever they hold.
 * Epilogue, as in conv.cl: y = act(conv + bias + res), res (read when has_res != 0) being
 * NHWC8 of Y's shape. Output channels K..Kp-1 are written as 0 (an activation of 0 may not
 * be 0, and the next NHWC8 consumer relies on zero padding).
 *
 * Kernels (VACC: see the macro below):
 *   conv_nhwc          PIX adjacent output pixels of a row and OCB output channels (a multiple
 *                      of 8) per work-item, the reduction over input channels 8 at a time
 *                      (vload8 / vload_half8 of X and W; the zero padding of both makes a
 *                      partial last vector harmless). For group == 1, or for groups whose C/group
 *                      is a multiple of 8 and K/group a multiple of OCB (a block of OCB output
 *                      channels then reads one group's aligned input channels).
 *                      Global (OH * ceil(OW/PIX), ceil(Kp/OCB), N).
 *   conv_nhwc_grouped  any group (depthwise included): one pixel and 8 output channels per
 *                      work-item, each channel reading its own group's C/group inputs; the
 *                      depthwise case (C/group = K/group = 1) loads 8 channels of X as one
 *                      vector. Global (OH * OW, Kp / 8, N).
 */
#ifndef OCB
#define OCB 16 // output channels per work-item (conv_nhwc); a multiple of 8
#endif
#ifndef PIX
#define PIX 1 // adjacent output pixels of a row per work-item (conv_nhwc)
#endif
#ifndef VACC
#define VACC 0 // conv_nhwc: 1 = float8 accumulators, summed across once at the end (SIMD
               // CPUs); 0 = a dot product per step into scalar accumulators (fewer registers)
#endif

/* Range [lo, hi) of kernel taps k whose input index o0 + k*dil lies in [0, I). */
inline int2 nhwc_taps(int o0, int K, int dil, int I) {
    int lo = o0 < 0 ? (-o0 + dil - 1) / dil : 0;
    int hi = I - o0 <= 0 ? 0 : min(K, (I - o0 + dil - 1) / dil);
    return (int2)(lo, hi);
}

/* Stores 8 output channels oc0..oc0+7 of one pixel at Y + o: acc plus bias and residual,
 * activated; channels >= K get 0. */
inline void nhwc_store8(__global TS *Y, long o, const float *acc, int oc0, int K,
                        __global const TS *bias, int has_bias, __global const TS *res,
                        int has_res, int act, float act_a, float act_b) {
    float r[8], v[8];
    if (has_res)
        vstore8(LD8(res + o, 0), 0, r);
    for (int i = 0; i < 8; i++) {
        const int oc = oc0 + i;
        float a = acc[i];
        if (has_bias && oc < K) a += LD(bias, oc);
        if (has_res) a += r[i];
        v[i] = oc < K ? trt_act(a, act, act_a, act_b) : 0.0f;
    }
    ST8(Y + o, 0, vload8(0, v));
}

__kernel void conv_nhwc(__global const TS *X, __global const TS *W, __global const TS *bias,
                        const int has_bias, __global TS *Y, const int Cp, const int IH,
                        const int IW, const int K, const int Kp, const int OH, const int OW,
                        const int KH, const int KW, const int2 stride, const int2 dil,
                        const int2 pad, const int Cg, const int Cgp, const int Kg,
                        const int act, const float act_a, const float act_b,
                        __global const TS *res, const int has_res) {
    const int seg = get_global_id(0), blk = get_global_id(1), n = get_global_id(2);
    const int OWS = (OW + PIX - 1) / PIX;
    const int oc0 = blk * OCB;
    if (seg >= OH * OWS || oc0 >= Kp) return;
    const int oh = seg / OWS, ow0 = (seg - oh * OWS) * PIX;
    /* With group == 1 the block may lie past K (padding channels): group 0 then. */
    const int g = min(oc0, K - 1) / Kg;

    const int h0 = oh * stride.x - pad.x, w0 = ow0 * stride.y - pad.y;
    const int2 th = nhwc_taps(h0, KH, dil.x, IH);
    const int KVOL = KH * KW * Cgp;
    /* Channels past K reuse channel K-1's weights; their sums are never stored. */
    int woff[OCB];
    for (int j = 0; j < OCB; j++) woff[j] = min(oc0 + j, K - 1) * KVOL;
#if VACC
    float8 acc[OCB][PIX];
    for (int j = 0; j < OCB; j++)
        for (int p = 0; p < PIX; p++) acc[j][p] = (float8)(0.0f);
#else
    float acc[OCB][PIX];
    for (int j = 0; j < OCB; j++)
        for (int p = 0; p < PIX; p++) acc[j][p] = 0.0f;
#endif

    const int nv = Cgp / 8;
    __global const TS *xn = X + (long)n * IH * IW * Cp + g * Cg;
    for (int kh = th.x; kh < th.y; kh++) {
        __global const TS *xr = xn + (long)(h0 + kh * dil.x) * IW * Cp;
        for (int kw = 0; kw < KW; kw++) {
            int xoff[PIX];
            int any = 0;
            for (int p = 0; p < PIX; p++) {
                const int iw = w0 + p * stride.y + kw * dil.y;
                xoff[p] = iw >= 0 && iw < IW && ow0 + p < OW ? iw * Cp : -1;
                any |= xoff[p] >= 0;
            }
            if (!any) continue;
            __global const TS *wk = W + (kh * KW + kw) * Cgp;
            for (int v = 0; v < nv; v++) {
                float8 xv[PIX];
                for (int p = 0; p < PIX; p++)
                    xv[p] = xoff[p] >= 0 ? LD8(xr + xoff[p] + v * 8, 0) : (float8)(0.0f);
                for (int j = 0; j < OCB; j++) {
                    const float8 wv = LD8(wk + woff[j] + v * 8, 0);
                    for (int p = 0; p < PIX; p++)
#if VACC
                        acc[j][p] = fma(xv[p], wv, acc[j][p]);
#else
                        acc[j][p] += dot(xv[p].lo, wv.lo) + dot(xv[p].hi, wv.hi);
#endif
                }
            }
        }
    }

    for (int p = 0; p < PIX; p++) {
        if (ow0 + p >= OW) break;
        const long o = (((long)n * OH + oh) * OW + ow0 + p) * Kp + oc0;
        for (int j8 = 0; j8 < OCB; j8 += 8) {
            if (oc0 + j8 >= Kp) break;
            float a[8];
#if VACC
            for (int i = 0; i < 8; i++) {
                const float8 v = acc[j8 + i][p];
                const float4 h = v.lo + v.hi;
                a[i] = (h.x + h.y) + (h.z + h.w);
            }
#else
            for (int i = 0; i < 8; i++) a[i] = acc[j8 + i][p];
#endif
            nhwc_store8(Y, o + j8, a, oc0 + j8, K, bias, has_bias, res, has_res, act, act_a,
                        act_b);
        }
    }
}

__kernel void conv_nhwc_grouped(__global const TS *X, __global const TS *W,
                                __global const TS *bias, const int has_bias, __global TS *Y,
                                const int Cp, const int IH, const int IW, const int K,
                                const int Kp, const int OH, const int OW, const int KH,
                                const int KW, const int2 stride, const int2 dil, const int2 pad,
                                const int Cg, const int Cgp, const int Kg, const int act,
                                const float act_a, const float act_b, __global const TS *res,
                                const int has_res) {
    const int sp = get_global_id(0), blk = get_global_id(1), n = get_global_id(2);
    const int oc0 = blk * 8;
    if (sp >= OH * OW || oc0 >= Kp) return;
    const int oh = sp / OW, ow = sp - oh * OW;
    const int h0 = oh * stride.x - pad.x, w0 = ow * stride.y - pad.y;
    const int2 th = nhwc_taps(h0, KH, dil.x, IH);
    const int2 tw = nhwc_taps(w0, KW, dil.y, IW);
    const int KVOL = KH * KW * Cgp;
    /* Per channel: the first input channel of its group and its weights (past K: K-1's). */
    int xo[8], wo[8];
    for (int j = 0; j < 8; j++) {
        const int oc = min(oc0 + j, K - 1);
        xo[j] = oc / Kg * Cg;
        wo[j] = oc * KVOL;
    }
    float acc[8];
    for (int j = 0; j < 8; j++) acc[j] = 0.0f;
    /* Depthwise: output channel oc reads input channel oc, so 8 channels are one vector
     * (K == C, hence Kp == Cp, and oc0 + 8 <= Cp). */
    const int dw = Cg == 1 && Kg == 1;
    float8 acc8 = (float8)(0.0f);

    __global const TS *xn = X + (long)n * IH * IW * Cp;
    for (int kh = th.x; kh < th.y; kh++) {
        const int ih = h0 + kh * dil.x;
        for (int kw = tw.x; kw < tw.y; kw++) {
            __global const TS *xp = xn + ((long)ih * IW + w0 + kw * dil.y) * Cp;
            const int wk = (kh * KW + kw) * Cgp;
            if (dw) {
                float w8[8];
                for (int j = 0; j < 8; j++) w8[j] = LD(W, wo[j] + wk);
                acc8 += LD8(xp + oc0, 0) * vload8(0, w8);
            } else {
                for (int j = 0; j < 8; j++)
                    for (int ic = 0; ic < Cg; ic++)
                        acc[j] += LD(xp, xo[j] + ic) * LD(W, wo[j] + wk + ic);
            }
        }
    }
    if (dw) vstore8(acc8, 0, acc);
    const long o = (((long)n * OH + oh) * OW + ow) * Kp + oc0;
    nhwc_store8(Y, o, acc, oc0, K, bias, has_bias, res, has_res, act, act_a, act_b);
}
