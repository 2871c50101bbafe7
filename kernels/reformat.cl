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

/* What to_nhwc8 and to_nhwc8_pairs read (SRC_T) and write (DST_T), and the store of one
 * 8-channel NHWC8 row from 8 values read. */
#if TO_HALF
#define SRC_T float
#define DST_T half
inline void store_row8(global half *row, const float v[8]) {
    trt_st8a(row, (float8)(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]));
}
#else
#define SRC_T T
#define DST_T T
inline void store_row8(global T *row, const T v[8]) {
    *(global T8 *)row = (T8)(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
}
#endif

kernel void to_nhwc8(global const SRC_T *src, global DST_T *dst, long total, int C, int CP,
                     long HW) {
    long i = get_global_id(0);
    if (i >= total) return;
    const int CB = CP / 8;
    long ncb = i / HW, p = i - ncb * HW;
    long n = ncb / CB;
    int c0 = (int)(ncb - n * CB) * 8;
    global const SRC_T *s = src + (n * C + c0) * HW + p;
    SRC_T v[8];
    for (int j = 0; j < 8; j++) v[j] = c0 + j < C ? s[j * HW] : (SRC_T)0;
    store_row8(dst + (n * HW + p) * CP + c0, v);
}

/* to NHWC8 as pairs of pixels along W (ops/reformat.c pairs_w): output pixel w' holds input
 * pixels 2w' and 2w'+1, channels e*C + c (C <= 4), zeros past 2C and past the input's width
 * W. One work-item per output pixel, i = (n * H + h) * W2 + w'. */
kernel void to_nhwc8_pairs(global const SRC_T *src, global DST_T *dst, long total, int C, int H,
                           int W, int W2) {
    long i = get_global_id(0);
    if (i >= total) return;
    const long HW2 = (long)H * W2, n = i / HW2;
    const int r = (int)(i - n * HW2), h = r / W2, w2 = r - h * W2;
    SRC_T v[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int e = 0; e < 2; e++) {
        const int iw = 2 * w2 + e;
        if (iw >= W) continue;
        for (int c = 0; c < C; c++) v[e * C + c] = src[((n * C + c) * H + h) * W + iw];
    }
    store_row8(dst + i * 8, v);
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
