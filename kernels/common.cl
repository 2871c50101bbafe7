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
