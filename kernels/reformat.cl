/* reformat.cl — layout conversion of rank-4 tensors (engine/ops/reformat.c).
 *
 * LINEAR is [N][C][H][W]; NHWC8 is [N][H][W][CP], CP = C rounded up to 8, the channels past
 * C zero. T is an unsigned type of the stored element's size (uint for float32, ushort for
 * float16): only bits move, so both storages use the same kernels and zero bits are 0.0.
 * One work-item per pixel and block of 8 channels, i = (n * CB + cb) * HW + p (CB = CP / 8):
 * adjacent work-items read (to_nhwc8) or write (to_linear) adjacent LINEAR elements of a
 * channel, and each moves one 8-channel NHWC8 row with a single vector access (aligned:
 * rows start at multiples of 8 elements, and device buffers at multiples of 256 bytes).
 * TO_HALF=1 (to_nhwc8 only, T uint): the source is float32, the destination float16 (an FP16
 * engine's input, converted as it is reformatted: common.cl's trt_st8a, nearest even).
 */
#ifndef TO_HALF
#define TO_HALF 0
#endif
#ifndef T
#define T uint
#endif
#define T8 TRT_CAT(T, 8)

#if TO_HALF
kernel void to_nhwc8(global const float *src, global half *dst, long total, int C, int CP,
                     long HW) {
#else
kernel void to_nhwc8(global const T *src, global T *dst, long total, int C, int CP, long HW) {
#endif
    long i = get_global_id(0);
    if (i >= total) return;
    const int CB = CP / 8;
    long ncb = i / HW, p = i - ncb * HW;
    long n = ncb / CB;
    int c0 = (int)(ncb - n * CB) * 8;
#if TO_HALF
    global const float *s = src + (n * C + c0) * HW + p;
    float v[8];
    for (int j = 0; j < 8; j++) v[j] = c0 + j < C ? s[j * HW] : 0.0f;
    trt_st8a(dst + (n * HW + p) * CP + c0,
             (float8)(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]));
#else
    global const T *s = src + (n * C + c0) * HW + p;
    T v[8];
    for (int j = 0; j < 8; j++) v[j] = c0 + j < C ? s[j * HW] : (T)0;
    ((global T8 *)dst)[((n * HW + p) * CP + c0) / 8] =
        (T8)(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
#endif
}

/* to NHWC8 as pairs of pixels along W (ops/reformat.c pairs_w): output pixel w' holds input
 * pixels 2w' and 2w'+1, channels e*C + c (C <= 4), zeros past 2C and past the input's width
 * W. One work-item per output pixel, i = (n * H + h) * W2 + w'. */
#if TO_HALF
kernel void to_nhwc8_pairs(global const float *src, global half *dst, long total, int C, int H,
                           int W, int W2) {
#define PAIRS_T float
#else
kernel void to_nhwc8_pairs(global const T *src, global T *dst, long total, int C, int H, int W,
                           int W2) {
#define PAIRS_T T
#endif
    long i = get_global_id(0);
    if (i >= total) return;
    const long HW2 = (long)H * W2, n = i / HW2;
    const int r = (int)(i - n * HW2), h = r / W2, w2 = r - h * W2;
    PAIRS_T v[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int e = 0; e < 2; e++) {
        const int iw = 2 * w2 + e;
        if (iw >= W) continue;
        for (int c = 0; c < C; c++) v[e * C + c] = src[((n * C + c) * H + h) * W + iw];
    }
#if TO_HALF
    trt_st8a(dst + i * 8, (float8)(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]));
#else
    ((global T8 *)dst)[i] = (T8)(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
#endif
#undef PAIRS_T
}

kernel void to_linear(global const T *src, global T *dst, long total, int C, int CP, long HW) {
    long i = get_global_id(0);
    if (i >= total) return;
    const int CB = CP / 8;
    long ncb = i / HW, p = i - ncb * HW;
    long n = ncb / CB;
    int c0 = (int)(ncb - n * CB) * 8;
    T8 r = ((global const T8 *)src)[((n * HW + p) * CP + c0) / 8];
    T v[8] = {r.s0, r.s1, r.s2, r.s3, r.s4, r.s5, r.s6, r.s7};
    global T *d = dst + (n * C + c0) * HW + p;
    for (int j = 0; j < 8 && c0 + j < C; j++) d[j * HW] = v[j];
}
