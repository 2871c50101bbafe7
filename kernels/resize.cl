/* resize.cl — Resize (see engine/ops/resize.c), following onnxruntime's CPU arithmetic in
 * float so that nearest picks the same pixels.
 *
 * resize_nearest  any rank: shapes right-aligned in int8 (leading slots 1), per-axis scales
 *                 in a float8; only bits move, so T is an unsigned type of the element's size.
 * resize_linear   float data viewed as [B, H, W] -> [B, OH, OW]: bilinear over the last two
 *                 axes (H = 1 for 1-D linear), leading axes unchanged.
 * Source coordinates are clamped into the input; an axis with scale 1 maps identically.
 */
#pragma OPENCL FP_CONTRACT OFF
#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

#ifndef COORD
#define COORD 0 // 0 half_pixel, 1 asymmetric, 2 align_corners, 3 pytorch_half_pixel,
                // 4 tf_half_pixel_for_nn, 5 half_pixel_symmetric
#endif
#ifndef NEAREST
#define NEAREST 0 // 0 round_prefer_floor, 1 round_prefer_ceil, 2 floor, 3 ceil,
                  // 4 opset-10 rule (ceil when downsampling, else truncate)
#endif

/* Input coordinate of output coordinate x on an axis: out_len = resized length, in_len =
 * original length, scale = out / in as given or derived from sizes. */
inline float src_coord(float x, float scale, float out_len, float in_len) {
#if COORD == 0
    return (x + 0.5f) / scale - 0.5f;
#elif COORD == 1
    return x / scale;
#elif COORD == 2
    return out_len == 1.0f ? 0.0f : x * (in_len - 1.0f) / (out_len - 1.0f);
#elif COORD == 3
    return out_len > 1.0f ? (x + 0.5f) / scale - 0.5f : 0.0f;
#elif COORD == 4
    return (x + 0.5f) / scale;
#else
    /* onnxruntime finishes this one in double */
    float adjustment = out_len / (scale * in_len);
    float offset = in_len / 2.0f * (1.0f - adjustment);
#ifdef cl_khr_fp64
    return (float)((double)offset + ((double)x + 0.5) / (double)scale - 0.5);
#else
    return offset + (x + 0.5f) / scale - 0.5f;
#endif
#endif
}

inline long nearest_index(float x, float scale, long in_len) {
#if NEAREST == 0
    long i = x == (float)(long)x + 0.5f ? (long)floor(x) : (long)round(x);
#elif NEAREST == 1
    long i = (long)round(x);
#elif NEAREST == 2
    long i = (long)floor(x);
#elif NEAREST == 3
    long i = (long)ceil(x);
#else
    long i = scale < 1.0f ? (long)ceil(x) : (long)x;
#endif
    return i < 0 ? 0 : i >= in_len ? in_len - 1 : i;
}

kernel void resize_nearest(global const T *src, global T *dst, long n, int8 odims, int8 idims,
                           float8 scales) {
    long i = get_global_id(0);
    if (i >= n) return;
    int od[8] = {odims.s0, odims.s1, odims.s2, odims.s3, odims.s4, odims.s5, odims.s6, odims.s7};
    int id[8] = {idims.s0, idims.s1, idims.s2, idims.s3, idims.s4, idims.s5, idims.s6, idims.s7};
    float sc[8] = {scales.s0, scales.s1, scales.s2, scales.s3,
                   scales.s4, scales.s5, scales.s6, scales.s7};
    long r = i, so = 0, stride = 1;
    for (int k = 7; k >= 0; k--) {
        long q = r / od[k];
        long c = r - q * od[k];
        r = q;
        long x = c;
        if (sc[k] != 1.0f)
            x = nearest_index(src_coord((float)c, sc[k], (float)od[k], (float)id[k]), sc[k], id[k]);
        so += x * stride;
        stride *= id[k];
    }
    dst[i] = src[so];
}

/* Lower and upper source index and their weights along one axis, as onnxruntime computes
 * them: w1 weighs the lower index, w2 the upper. */
inline void linear_taps(long c, float scale, int out_len, int in_len, long *i1, long *i2,
                        float *w1, float *w2) {
    float x = scale == 1.0f ? (float)c : src_coord((float)c, scale, (float)out_len, (float)in_len);
    x = fmax(0.0f, fmin(x, (float)(in_len - 1)));
    long a = min((long)x, (long)in_len - 1);
    long b = min(a + 1, (long)in_len - 1);
    float d1 = fabs(x - (float)a), d2 = fabs(x - (float)b);
    if (a == b) d1 = d2 = 0.5f;
    *i1 = a;
    *i2 = b;
    *w1 = d2;
    *w2 = d1;
}

kernel void resize_linear(global const float *src, global float *dst, long n, int ih, int iw,
                          int oh, int ow, float sh, float sw) {
    long i = get_global_id(0);
    if (i >= n) return;
    long x = i % ow;
    long t = i / ow;
    long y = t % oh;
    long b = t / oh;
    long y1, y2, x1, x2;
    float wy1, wy2, wx1, wx2;
    linear_taps(y, sh, oh, ih, &y1, &y2, &wy1, &wy2);
    linear_taps(x, sw, ow, iw, &x1, &x2, &wx1, &wx2);
    global const float *p = src + b * ih * iw;
    dst[i] = wx1 * wy1 * p[y1 * iw + x1] + wx2 * wy1 * p[y1 * iw + x2] +
             wx1 * wy2 * p[y2 * iw + x1] + wx2 * wy2 * p[y2 * iw + x2];
}
