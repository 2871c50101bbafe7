/* gemm.cl — batched matrix multiplication for Gemm and MatMul (engine/ops/gemm.c).
 *
 *   Y(m,n) = alpha * sum_k A(m,k) * B(k,n) + beta * C(m,n)      (C only when has_c != 0)
 *
 * Operands are addressed through element strides, so transposes and broadcast batches need
 * no copies (all tensors dense row-major on the device):
 *   A(m,k) = A[a0 + m*a_sm + k*a_sk]      B(k,n) = B[b0 + k*b_sk + n*b_sn]
 *   C(m,n) = C[c0 + m*c_sm + n*c_sn]      Y(m,n) = Y[y0 + m*y_sm + n]
 * A stride of 0 broadcasts. Batches: global dimension 2 runs over the linear batch index
 * `b` of `bdims` (int8, right-aligned as in common.cl); a0 = trt_bcast_offset(b, bdims, a_bs)
 * and likewise b0, c0, y0.
 * Epilogue (fused by the graph passes): Y(m,n) = act(alpha * AB + beta * C) with act an ACT_*
 * below and its constants act_a, act_b (engine/passes/fusion.h, trt_act, gives the numbers).
 * Global dimension 0 runs over n (columns of Y: adjacent work-items store adjacent floats),
 * dimension 1 over m. Buffers hold TS (T, or float16 with -DSTORAGE_HALF: common.cl's
 * LD/ST); accumulation is in float whatever they hold.
 *
 * Kernels (same argument list, chosen by the host as tactics):
 *   gemm_tiled   local-memory tiles of TILE_M x TILE_K (A) and TILE_K x TILE_N (B); each
 *                work-item keeps WPT_M x WPT_N accumulators, its rows and columns strided by
 *                the work-group size so stores and local reads stay contiguous across
 *                work-items. Work-group size must be (TILE_N/WPT_N, TILE_M/WPT_M, 1).
 *   gemm_vec     no local memory: each work-item keeps VM rows x 8 columns of Y in float8
 *                registers, loading a row of 8 B values (one vector load when b_sn == 1) and
 *                VM A values per k. For CPUs, where caches do the tiling and the explicit
 *                vectors map onto SIMD registers. Global (ceil(N/8), ceil(M/VM), batches).
 *   gemm_simple  one work-item per element of Y, straight from global memory: for small or
 *                skinny products (a row or column vector) where tiles would be mostly padding.
 *                When A rows and B columns are both contiguous (a_sk == b_sk == 1, e.g. a
 *                fully-connected layer with transB) the dot product runs on float8 vectors.
 */
#ifndef TILE_M
#define TILE_M 32 // rows of Y per work-group (gemm_tiled)
#endif
#ifndef TILE_N
#define TILE_N 32 // columns of Y per work-group (gemm_tiled)
#endif
#ifndef TILE_K
#define TILE_K 16 // depth of the A and B tiles held in local memory (gemm_tiled)
#endif
#ifndef WPT_M
#define WPT_M 4 // rows of Y per work-item (gemm_tiled); divides TILE_M
#endif
#ifndef WPT_N
#define WPT_N 4 // columns of Y per work-item (gemm_tiled); divides TILE_N
#endif

#ifndef VM
#define VM 8 // rows of Y per work-item (gemm_vec)
#endif


#define WG_M (TILE_M / WPT_M)
#define WG_N (TILE_N / WPT_N)

__kernel __attribute__((reqd_work_group_size(WG_N, WG_M, 1)))
void gemm_tiled(const int M, const int N, const int K, const float alpha, const float beta,
                __global const TS *A, const int a_sm, const int a_sk,
                __global const TS *B, const int b_sk, const int b_sn,
                __global const TS *C, const int c_sm, const int c_sn, const int has_c,
                __global TS *Y, const int y_sm,
                const int8 bdims, const int8 a_bs, const int8 b_bs, const int8 c_bs,
                const int8 y_bs, const int act, const float act_a, const float act_b) {
    __local float As[TILE_K][TILE_M];
    __local float Bs[TILE_K][TILE_N];
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int tid = ty * WG_N + tx;
    const int m0 = get_group_id(1) * TILE_M, n0 = get_group_id(0) * TILE_N;
    const long b = get_global_id(2);
    A += trt_bcast_offset(b, bdims, a_bs);
    B += trt_bcast_offset(b, bdims, b_bs);
    Y += trt_bcast_offset(b, bdims, y_bs);

    float acc[WPT_M][WPT_N];
    for (int i = 0; i < WPT_M; i++)
        for (int j = 0; j < WPT_N; j++) acc[i][j] = 0.0f;

    /* Tile loads walk the operand's unit-stride dimension across adjacent work-items. */
    const int a_k_fast = a_sk == 1;
    const int b_n_fast = b_sn == 1 || b_sk != 1;
    for (int k0 = 0; k0 < K; k0 += TILE_K) {
        for (int i = tid; i < TILE_M * TILE_K; i += WG_M * WG_N) {
            int kk, mm;
            if (a_k_fast) {
                kk = i % TILE_K;
                mm = i / TILE_K;
            } else {
                mm = i % TILE_M;
                kk = i / TILE_M;
            }
            const int m = m0 + mm, k = k0 + kk;
            As[kk][mm] = (m < M && k < K) ? LD(A, m * a_sm + k * a_sk) : 0.0f;
        }
        for (int i = tid; i < TILE_N * TILE_K; i += WG_M * WG_N) {
            int kk, nn;
            if (b_n_fast) {
                nn = i % TILE_N;
                kk = i / TILE_N;
            } else {
                kk = i % TILE_K;
                nn = i / TILE_K;
            }
            const int n = n0 + nn, k = k0 + kk;
            Bs[kk][nn] = (n < N && k < K) ? LD(B, k * b_sk + n * b_sn) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TILE_K; kk++) {
            float av[WPT_M], bv[WPT_N];
            for (int i = 0; i < WPT_M; i++) av[i] = As[kk][ty + i * WG_M];
            for (int j = 0; j < WPT_N; j++) bv[j] = Bs[kk][tx + j * WG_N];
            for (int i = 0; i < WPT_M; i++)
                for (int j = 0; j < WPT_N; j++) acc[i][j] += av[i] * bv[j];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    if (has_c) C += trt_bcast_offset(b, bdims, c_bs);
    for (int i = 0; i < WPT_M; i++) {
        const int m = m0 + ty + i * WG_M;
        if (m >= M) break;
        for (int j = 0; j < WPT_N; j++) {
            const int n = n0 + tx + j * WG_N;
            if (n >= N) break;
            float v = alpha * acc[i][j];
            if (has_c) v += beta * LD(C, m * c_sm + n * c_sn);
            ST(Y, m * y_sm + n, trt_act(v, act, act_a, act_b));
        }
    }
}


__kernel void gemm_vec(const int M, const int N, const int K, const float alpha, const float beta,
                       __global const TS *A, const int a_sm, const int a_sk,
                       __global const TS *B, const int b_sk, const int b_sn,
                       __global const TS *C, const int c_sm, const int c_sn, const int has_c,
                       __global TS *Y, const int y_sm,
                       const int8 bdims, const int8 a_bs, const int8 b_bs, const int8 c_bs,
                       const int8 y_bs, const int act, const float act_a, const float act_b) {
    const int n0 = get_global_id(0) * 8, m0 = get_global_id(1) * VM;
    const long b = get_global_id(2);
    if (n0 >= N || m0 >= M) return;
    A += trt_bcast_offset(b, bdims, a_bs);
    B += trt_bcast_offset(b, bdims, b_bs);
    Y += trt_bcast_offset(b, bdims, y_bs);
    /* Rows past M repeat the last one (loads stay in bounds); they are not stored. */
    int ao[VM];
    for (int i = 0; i < VM; i++) ao[i] = min(m0 + i, M - 1) * a_sm;
    float8 acc[VM];
    for (int i = 0; i < VM; i++) acc[i] = (float8)(0.0f);
    const int nn = min(8, N - n0);
    if (nn == 8 && b_sn == 1) {
        for (int k = 0; k < K; k++) {
            const float8 bv = LD8(B + k * b_sk + n0, 0);
            for (int i = 0; i < VM; i++) acc[i] += LD(A, ao[i] + k * a_sk) * bv;
        }
    } else {
        int bo[8];
        for (int j = 0; j < 8; j++) bo[j] = min(n0 + j, N - 1) * b_sn;
        for (int k = 0; k < K; k++) {
            __global const TS *bk = B + k * b_sk;
            const float8 bv = (float8)(LD(bk, bo[0]), LD(bk, bo[1]), LD(bk, bo[2]),
                                       LD(bk, bo[3]), LD(bk, bo[4]), LD(bk, bo[5]),
                                       LD(bk, bo[6]), LD(bk, bo[7]));
            for (int i = 0; i < VM; i++) acc[i] += LD(A, ao[i] + k * a_sk) * bv;
        }
    }
    if (has_c) C += trt_bcast_offset(b, bdims, c_bs);
    for (int i = 0; i < VM; i++) {
        const int m = m0 + i;
        if (m >= M) break;
        float8 v = alpha * acc[i];
        if (has_c) {
            float c[8];
            for (int j = 0; j < 8; j++) c[j] = LD(C, m * c_sm + min(n0 + j, N - 1) * c_sn);
            v += beta * vload8(0, c);
        }
        v = trt_act8(v, act, act_a, act_b);
        if (nn == 8) {
            ST8(Y + m * y_sm + n0, 0, v);
        } else {
            float t[8];
            vstore8(v, 0, t);
            for (int j = 0; j < nn; j++) ST(Y, m * y_sm + n0 + j, t[j]);
        }
    }
}

__kernel void gemm_simple(const int M, const int N, const int K, const float alpha,
                          const float beta, __global const TS *A, const int a_sm, const int a_sk,
                          __global const TS *B, const int b_sk, const int b_sn,
                          __global const TS *C, const int c_sm, const int c_sn, const int has_c,
                          __global TS *Y, const int y_sm,
                          const int8 bdims, const int8 a_bs, const int8 b_bs, const int8 c_bs,
                          const int8 y_bs, const int act, const float act_a, const float act_b) {
    const int n = get_global_id(0), m = get_global_id(1);
    const long b = get_global_id(2);
    if (m >= M || n >= N) return;
    A += trt_bcast_offset(b, bdims, a_bs) + m * a_sm;
    B += trt_bcast_offset(b, bdims, b_bs) + n * b_sn;
    float acc = 0.0f;
    int k = 0;
    if (a_sk == 1 && b_sk == 1) {
        float8 acc8 = (float8)(0.0f);
        for (; k + 8 <= K; k += 8)
            acc8 += LD8(A + k, 0) * LD8(B + k, 0);
        const float4 h = acc8.lo + acc8.hi;
        acc = (h.x + h.y) + (h.z + h.w);
    }
    for (; k < K; k++) acc += LD(A, k * a_sk) * LD(B, k * b_sk);
    float v = alpha * acc;
    if (has_c) v += beta * LD(C, trt_bcast_offset(b, bdims, c_bs) + m * c_sm + n * c_sn);
    ST(Y, trt_bcast_offset(b, bdims, y_bs) + m * y_sm + n, trt_act(v, act, act_a, act_b));
}
