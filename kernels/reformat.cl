/* reformat.cl — layout conversion of rank-4 tensors (engine/ops/reformat.c).
 *
 * LINEAR is [N][C][H][W]; NHWC8 is [N][H][W][CP], CP = C rounded up to 8, the channels past
 * C zero. T is an unsigned type of the stored element's size (uint for float32, ushort for
 * float16): only bits move, so both storages use the same kernels and zero bits are 0.0.
 * One work-item per element of the NHWC8 side, i = ((n * HW) + p) * CP + c, so NHWC8
 * accesses are contiguous across a work-group.
 */
#ifndef T
#define T uint
#endif

kernel void to_nhwc8(global const T *src, global T *dst, long total, int C, int CP, long HW) {
    long i = get_global_id(0);
    if (i >= total) return;
    int c = (int)(i % CP);
    long np = i / CP; /* n * HW + p */
    long n = np / HW, p = np - n * HW;
    dst[i] = c < C ? src[(n * C + c) * HW + p] : (T)0;
}

kernel void to_linear(global const T *src, global T *dst, long total, int C, int CP, long HW) {
    long i = get_global_id(0);
    if (i >= total) return;
    int c = (int)(i % CP);
    if (c >= C) return;
    long np = i / CP;
    long n = np / HW, p = np - n * HW;
    dst[(n * C + c) * HW + p] = src[i];
}
