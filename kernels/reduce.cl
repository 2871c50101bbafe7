/* reduce.cl — kernels of the reduce op family (engine/ops/reduce.c): ReduceSum, ReduceMean,
 * ReduceMax over any set of axes, Softmax, ArgMax, TopK.
 *
 * Data layout: dense row-major.
 *
 * Reductions: the host collapses the input shape into groups of kept and of reduced
 * dimensions. Output element o starts at input offset trt_bcast_offset(o, kdims, kstrides)
 * (kept groups, right-aligned as in common.cl); its reduced elements are r_outer x rn: the
 * outer part decomposed over rdims/rstrides, then the innermost reduced group, rn elements
 * at stride rs.
 *   reduce_rows  one work-item per output element (many outputs, short reductions)
 *   reduce_wg    one work-group of WG per output element (long reductions)
 *
 * Row ops: the input is viewed as [outer, n, inner]; a row is the n elements at stride
 * `inner` of one (outer, inner) pair, row r = o * inner + i.
 *   softmax_rows  one work-item per row
 *   softmax_wg    one work-group per row, inner == 1 (long contiguous rows)
 *   argmax_rows   one work-item per row; int64 index per row
 *   topk_wg       one work-group per row: k rounds of a group-wide selection of the best
 *                 element after the previous pick (ties: lower index first)
 * The host launches the work-group kernels with the sizes it passes as WG and TOPK_WG.
 */

#ifndef OP
#define OP OP_SUM // reduction: OP_SUM, OP_MEAN or OP_MAX
#endif
#ifndef ACC
#define ACC T // accumulator type of the reductions
#endif
#ifndef T_LOWEST
#define T_LOWEST (-INFINITY) // identity of max over T (integers: INT_MIN, LONG_MIN)
#endif
#ifndef T_INT
#define T_INT 0 // 1 when T is an integer type (no NaN)
#endif
#ifndef WG
#define WG 64 // work-group size of reduce_wg and softmax_wg, a power of two
#endif
#ifndef TOPK_WG
#define TOPK_WG 256 // work-group size of topk_wg, a power of two
#endif

#define OP_SUM 1
#define OP_MEAN 2
#define OP_MAX 3

/* ---------------------------------------------------------------- ReduceSum/Mean/Max */

inline ACC red_init(void) {
#if OP == OP_MAX
    return T_LOWEST;
#else
    return 0;
#endif
}

inline ACC red_comb(ACC a, ACC b) {
#if OP == OP_MAX && T_INT
    return b > a ? b : a;
#elif OP == OP_MAX
    return (b > a || isnan(b)) ? b : a; /* NaN propagates */
#else
    return a + b;
#endif
}

inline T red_final(ACC a, long count) {
#if OP == OP_MEAN
    return (T)(a / (ACC)count);
#else
    return (T)a;
#endif
}

__kernel void reduce_rows(__global const T *x, __global T *y, long n_out, int8 kdims,
                          int8 kstrides, long r_outer, int8 rdims, int8 rstrides, long rn,
                          long rs) {
    long o = get_global_id(0);
    if (o >= n_out) return;
    long base = trt_bcast_offset(o, kdims, kstrides);
    ACC acc = red_init();
    for (long q = 0; q < r_outer; q++) {
        __global const T *p = x + base + trt_bcast_offset(q, rdims, rstrides);
        for (long j = 0; j < rn; j++) acc = red_comb(acc, (ACC)p[j * rs]);
    }
    y[o] = red_final(acc, r_outer * rn);
}

__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void
reduce_wg(__global const T *x, __global T *y, long n_out, int8 kdims, int8 kstrides,
          long r_outer, int8 rdims, int8 rstrides, long rn, long rs) {
    __local ACC part[WG];
    long o = get_group_id(0);
    int l = get_local_id(0);
    if (o >= n_out) return; /* uniform over the group */
    __global const T *p = x + trt_bcast_offset(o, kdims, kstrides);
    long total = r_outer * rn;
    ACC acc = red_init();
    if (r_outer == 1) {
        for (long j = l; j < total; j += WG) acc = red_comb(acc, (ACC)p[j * rs]);
    } else {
        for (long j = l; j < total; j += WG) {
            long q = j / rn;
            acc = red_comb(acc, (ACC)p[trt_bcast_offset(q, rdims, rstrides) + (j - q * rn) * rs]);
        }
    }
    part[l] = acc;
    for (int s = WG / 2; s > 0; s >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (l < s) part[l] = red_comb(part[l], part[l + s]);
    }
    if (l == 0) y[o] = red_final(part[0], total);
}

/* ---------------------------------------------------------------- Softmax (float) */

__kernel void softmax_rows(__global const float *x, __global float *y, long n_rows, long n,
                           long inner) {
    long r = get_global_id(0);
    if (r >= n_rows) return;
    long o = r / inner;
    long base = o * n * inner + (r - o * inner);
    float m = -INFINITY;
    for (long j = 0; j < n; j++) m = fmax(m, x[base + j * inner]);
    float s = 0.0f;
    for (long j = 0; j < n; j++) s += exp(x[base + j * inner] - m);
    for (long j = 0; j < n; j++) y[base + j * inner] = exp(x[base + j * inner] - m) / s;
}

__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void
softmax_wg(__global const float *x, __global float *y, long n_rows, long n) {
    __local float part[WG];
    long r = get_group_id(0);
    int l = get_local_id(0);
    if (r >= n_rows) return; /* uniform over the group */
    __global const float *px = x + r * n;
    __global float *py = y + r * n;
    float m = -INFINITY;
    for (long j = l; j < n; j += WG) m = fmax(m, px[j]);
    part[l] = m;
    for (int s = WG / 2; s > 0; s >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (l < s) part[l] = fmax(part[l], part[l + s]);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    m = part[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    float sum = 0.0f;
    for (long j = l; j < n; j += WG) sum += exp(px[j] - m);
    part[l] = sum;
    for (int s = WG / 2; s > 0; s >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (l < s) part[l] += part[l + s];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    sum = part[0];
    for (long j = l; j < n; j += WG) py[j] = exp(px[j] - m) / sum;
}

/* ---------------------------------------------------------------- ArgMax */

__kernel void argmax_rows(__global const T *x, __global long *y, long n_rows, long n,
                          long inner, int select_last) {
    long r = get_global_id(0);
    if (r >= n_rows) return;
    long o = r / inner;
    __global const T *p = x + o * n * inner + (r - o * inner);
    T best = p[0];
    long bi = 0;
    for (long j = 1; j < n; j++) {
        T v = p[j * inner];
        if (v > best || (select_last && v == best)) {
            best = v;
            bi = j;
        }
    }
    y[r] = bi;
}

/* ---------------------------------------------------------------- TopK */

/* Whether (a, ia) comes before (b, ib) in the output order. */
inline int topk_before(T a, long ia, T b, long ib, int largest) {
    if (a == b) return ia < ib;
    return largest ? a > b : a < b;
}

__kernel __attribute__((reqd_work_group_size(TOPK_WG, 1, 1))) void
topk_wg(__global const T *x, __global T *vals, __global long *idx, long n_rows, long n,
        long inner, long k, int largest) {
    __local T pv[TOPK_WG];
    __local long pi[TOPK_WG];
    long r = get_group_id(0);
    int l = get_local_id(0);
    if (r >= n_rows) return; /* uniform over the group */
    long o = r / inner, i = r - o * inner;
    __global const T *p = x + o * n * inner + i;
    long out = o * k * inner + i;
    /* Each work-item keeps the best of its elements after the last pick; only the one
     * whose candidate was picked scans again (every other candidate stays valid). */
    T prev_v = 0, bv = 0;
    long prev_i = -1, bi = -1; /* -1: nothing picked yet / no candidate */
    int rescan = 1;
    for (long s = 0; s < k; s++) {
        if (rescan) {
            bi = -1;
            for (long j = l; j < n; j += TOPK_WG) {
                T v = p[j * inner];
                if (prev_i >= 0 && !topk_before(prev_v, prev_i, v, j, largest)) continue;
                if (bi < 0 || topk_before(v, j, bv, bi, largest)) {
                    bv = v;
                    bi = j;
                }
            }
        }
        pv[l] = bv;
        pi[l] = bi;
        for (int w = TOPK_WG / 2; w > 0; w >>= 1) {
            barrier(CLK_LOCAL_MEM_FENCE);
            if (l < w && pi[l + w] >= 0 &&
                (pi[l] < 0 || topk_before(pv[l + w], pi[l + w], pv[l], pi[l], largest))) {
                pv[l] = pv[l + w];
                pi[l] = pi[l + w];
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        prev_v = pv[0];
        prev_i = pi[0];
        rescan = bi == prev_i;
        if (l == 0) {
            vals[out + s * inner] = prev_v;
            idx[out + s * inner] = prev_i;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}
