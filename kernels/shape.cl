/* shape.cl — kernels of the shape op family (see engine/ops/shape.c).
 *
 * Tensors are dense row-major. Index spaces of up to 8 dimensions come right-aligned in an
 * int8 `dims` (leading slots 1); strides are in elements, right-aligned in a long8 (leading
 * slots 0) and may be negative (Slice with negative steps) or 0 (Expand).
 *
 *   copy_nd  dst[doff + sum c_k*dstr_k] = src[soff + sum c_k*sstr_k] for every coordinate c of
 *            `dims`: Transpose, Slice, Concat (one launch per input), Split (one per output),
 *            Expand. Only bits move, so T is an unsigned type of the element's size.
 *   gather   Gather along one axis, data viewed as [outer, axis, inner], indices of type IDX.
 *   cast     element type conversion TI -> TO (half through vload_half/vstore_half, so no
 *            cl_khr_fp16 is needed; bool is uchar 0/1).
 *   fill     every element = value (ConstantOfShape); T by element size.
 *   range    dst[i] = start + i * delta (Range); T the arithmetic type. onnxruntime accumulates
 *            (v += delta), so float results may differ from it in the last bits.
 */
#ifndef IDX
#define IDX long // index type of gather: long (int64 indices) or int (int32)
#endif
#ifndef TI
#define TI float // cast: source type as stored (ushort for half, with SRC_HALF)
#endif
#ifndef TO
#define TO float // cast: destination type as stored (ushort for half, with DST_HALF)
#endif
#ifndef SRC_HALF
#define SRC_HALF 0 // cast: source is float16, read with vload_half
#endif
#ifndef DST_HALF
#define DST_HALF 0 // cast: destination is float16, written with vstore_half
#endif
#ifndef DST_BOOL
#define DST_BOOL 0 // cast: destination is bool (uchar 0/1)
#endif

kernel void copy_nd(global const T *src, global T *dst, long n, int8 dims, long8 sstr,
                    long8 dstr, long soff, long doff) {
    long i = get_global_id(0);
    if (i >= n) return;
    int d[8] = {dims.s0, dims.s1, dims.s2, dims.s3, dims.s4, dims.s5, dims.s6, dims.s7};
    long ss[8] = {sstr.s0, sstr.s1, sstr.s2, sstr.s3, sstr.s4, sstr.s5, sstr.s6, sstr.s7};
    long ds[8] = {dstr.s0, dstr.s1, dstr.s2, dstr.s3, dstr.s4, dstr.s5, dstr.s6, dstr.s7};
    long so = soff, dof = doff, r = i;
    for (int k = 7; k >= 0 && r; k--) {
        long q = r / d[k];
        long c = r - q * d[k];
        so += c * ss[k];
        dof += c * ds[k];
        r = q;
    }
    dst[dof] = src[so];
}

/* out[(o * nidx + j) * inner + k] = data[(o * axis_dim + idx[j]) * inner + k]; indices out of
 * [-axis_dim, axis_dim) write 0 instead of reading outside the buffer. */
kernel void gather(global const T *data, global const IDX *idx, global T *dst, long n,
                   long nidx, long axis_dim, long inner) {
    long i = get_global_id(0);
    if (i >= n) return;
    long k = i % inner;
    long oj = i / inner;
    long j = oj % nidx;
    long o = oj / nidx;
    long x = (long)idx[j];
    if (x < 0) x += axis_dim;
    if (x < 0 || x >= axis_dim) {
        dst[i] = (T)0;
        return;
    }
    dst[i] = data[(o * axis_dim + x) * inner + k];
}

kernel void cast(global const TI *src, global TO *dst, long n) {
    long i = get_global_id(0);
    if (i >= n) return;
#if SRC_HALF
    float v = vload_half(i, (global const half *)src);
#else
    TI v = src[i];
#endif
#if DST_BOOL
    dst[i] = v != 0 ? (TO)1 : (TO)0;
#elif DST_HALF
    vstore_half((float)v, i, (global half *)dst);
#else
    dst[i] = (TO)v;
#endif
}

kernel void fill(global T *dst, long n, T value) {
    long i = get_global_id(0);
    if (i >= n) return;
    dst[i] = value;
}

kernel void range(global T *dst, long n, T start, T delta) {
    long i = get_global_id(0);
    if (i >= n) return;
    dst[i] = start + (T)i * delta;
}
