/* tc_gemm.cl — FP16 matrix products on NVIDIA tensor cores through inline PTX.
 *
 * Built only for devices whose probe (runtime/caps.c) found mma.sync f16, ldmatrix and
 * cp.async: the host then injects TRT_CAP_MMA_F16, TRT_CAP_LDMATRIX and TRT_CAP_CP_ASYNC.
 * Other devices never compile this file (and would get the #error below).
 *
 *   Y(m,n) = act(alpha * sum_k A(m,k) B(k,n) + beta * bias(n) + R(m,n))
 *
 * A and B are float16; accumulation is float32 (mma.sync ... f32.f16.f16.f32); Y and R are
 * float16 (OUT_HALF=1) or float32 (OUT_HALF=0); bias is float16 (BIAS_HALF=1) or float32.
 *
 * Kernels:
 *   tc_gemm  A is a row-major matrix [M][K] (row stride lda), B is [N][K] (B_KMAJOR=1, e.g.
 *            a Gemm with transB or the weights of a 1x1 convolution) or [K][N] (B_KMAJOR=0,
 *            read with ldmatrix.trans), both with row stride ldb. Global dimension 2 runs
 *            over broadcast batches as in gemm.cl (trt_bcast_offset).
 *   tc_conv  implicit-GEMM convolution over NHWC8 tensors (ir.h): M = N*OH*OW output pixels,
 *            N = output channels, K = R*S*Cp with Cp the input's padded channels; A(m,k) is
 *            gathered from the input (zero outside the image), B is the NHWC8 weights
 *            [Kout][R][S][Cp] (K-major), Y is [M][ldy] (ldy = the output's padded channels).
 * Requirements the host checks: K % 8 == 0, lda, ldb and every batch offset multiple of 8
 * elements (16-byte rows for cp.async), N % 8 == 0 when B_KMAJOR == 0.
 *
 * Structure (one work-group computes a BM x BN tile of Y with WARPS_M x WARPS_N warps, each
 * a WM x WN sub-tile of m16n8k16 products):
 *   - tiles of A (BM x BK) and B (BN x BK or BK x BN) stream into a STAGES-deep ring of
 *     local-memory buffers with cp.async (16 bytes a copy, zero-filled outside the matrix),
 *     so loads of tile k+STAGES-1 overlap the products of tile k; BK is 32, or 64 (option
 *     -DBK=64: half the waits and barriers per k, twice the local memory per stage);
 *   - fragments are loaded with ldmatrix.x4 from rows whose 16-byte chunks are XOR-swizzled
 *     so that the 8 rows an ldmatrix reads fall into distinct banks;
 *   - or, with TC_WGMMA=1 (Hopper), warpgroups of 4 warps multiply the tiles straight from
 *     local memory with wgmma.mma_async (the swizzle above is wgmma's 64- or 128-byte one);
 *   - split-K (argument splits > 1): several work-groups share one output tile's K and the
 *     last to finish sums their partial products through the workspace ws;
 *   - the epilogue stages the float accumulators through local memory and stores Y in
 *     16-byte runs.
 * Work-group: (NT, 1, 1) with NT work-items, 32 per warp (32 * WARPS_M * WARPS_N; for wgmma,
 * 128 per warpgroup); global (G * NT, 1, batches * splits): G work-groups share the
 * ceil(M/BM) * ceil(N/BN) tiles of a batch and split, one each, or with TC_PERSIST=1 each
 * running every G-th tile in turn. ws (splits > 1 only): ceil(N/BN) * ceil(M/BM) *
 * batches ints, then from float ws_off the sums, BM * BN floats per tile; all zero before the
 * first launch, and left zero by every launch.
 */
#ifndef TC_WGMMA
#define TC_WGMMA 0 // 1: Hopper warpgroup products (wgmma.mma_async) instead of mma.sync
#endif
#if !(defined(TRT_CAP_MMA_F16) && defined(TRT_CAP_LDMATRIX) && defined(TRT_CAP_CP_ASYNC))
#error "tc_gemm.cl needs mma.sync f16, ldmatrix and cp.async (NVIDIA inline PTX); the host builds it only where the device probe found them"
#endif

#ifndef BM
#define BM 128 // rows of Y per work-group
#endif
#ifndef BN
#define BN 128 // columns of Y per work-group
#endif
#ifndef WM
#define WM 64 // rows of Y per warp (multiple of 16)
#endif
#ifndef WN
#define WN 64 // columns of Y per warp (multiple of 16)
#endif
#ifndef STAGES
#define STAGES 3 // depth of the cp.async ring (2..4; local memory = STAGES*(BM+BN)*BK*2 bytes)
#endif
#ifndef B_KMAJOR
#define B_KMAJOR 1
#endif
#ifndef OUT_HALF
#define OUT_HALF 1
#endif
#ifndef BIAS_HALF
#define BIAS_HALF 1
#endif

#ifndef BK
#define BK 32 // depth of a k tile: 32 (rows of 64 bytes) or 64 (rows of 128 bytes)
#endif
#if BK != 32 && BK != 64
#error "tc_gemm.cl: BK must be 32 or 64"
#endif
#define BKC (BK / 8) // 16-byte chunks per tile row
#if TC_WGMMA
/* Warpgroups of 4 warps, each WM (64 or 128) rows x all BN columns of the tile, as WM/64
 * wgmma m64nBNk16 products per k16 step. "warp" wm below runs over all warps. */
#if !defined(TRT_CAP_WGMMA) || !B_KMAJOR || (WM != 64 && WM != 128) || WN != BN ||            \
    (BN != 64 && BN != 128 && BN != 256) || WM * BN > 16384
#error "tc_gemm.cl: TC_WGMMA needs TRT_CAP_WGMMA, B_KMAJOR=1, WM 64 or 128, WN == BN in {64, 128, 256}, WM*BN <= 16384"
#endif
#define WARPS_M (BM / WM * 4)
#define WARPS_N 1
#define MI (WM / 64) // m64 products per warpgroup
#define NI (BN / 8)  // n8 column blocks of each
/* First row and column of accumulator block (mi, ni) of warp wm (0 ..), for lane row g = 0. */
#define TC_ROW0(wm, mi) (((wm) >> 2) * WM + (mi) * 64 + ((wm) & 3) * 16)
#else
#define WARPS_M (BM / WM)
#define WARPS_N (BN / WN)
#define MI (WM / 16) // m16 tiles per warp
#define NI (WN / 8)  // n8 tiles per warp
#define TC_ROW0(wm, mi) ((wm) * WM + (mi) * 16)
#endif
#define NT (WARPS_M * WARPS_N * 32)
#define A_CHUNKS (BM * BKC / NT) // 16-byte copies per work-item per A tile
#define B_CHUNKS (BN * BKC / NT)

#if (BM * BKC) % NT || (BN * BKC) % NT || WM % 16 || WN % 16 || BM % WM || BN % WN
#error "tc_gemm.cl: inconsistent tile configuration"
#endif

#if OUT_HALF
#define OUT_T half
#define LD_OUT(p, i) vload_half((i), (p))
#else
#define OUT_T float
#define LD_OUT(p, i) ((p)[i])
#endif
#if BIAS_HALF
#define BIAS_T half
#define LD_BIAS(p, i) vload_half((i), (p))
#else
#define BIAS_T float
#define LD_BIAS(p, i) ((p)[i])
#endif

#ifndef TC_PERSIST
#define TC_PERSIST 0 // 1: a work-group runs several tiles in turn (see TC_FOR_EACH_TILE)
#endif
/* Timing diagnostics of tests/gpu/tc_kernel_check (wrong results, never built by the engine):
 * 1 leaves out tc_gemm's epilogue (a store no value takes keeps the products), 2 its main
 * loop (the epilogue writes zeros). */
#ifndef TC_DIAG
#define TC_DIAG 0
#endif
#ifndef TC_TRACE
#define TC_TRACE 0 // 1: tests/gpu/tc_kernel_check --trace (per-work-group timestamps into ws)
#endif

#define TC_STR_(x) #x
#define TC_STR(x) TC_STR_(x)

/* ---------------------------------------------------------------- PTX wrappers */

/* The 32-bit shared-window address of a local pointer (what .shared operands take). */
inline uint tc_smem(__local const ushort *p) { return (uint)(size_t)p; }

/* 16 bytes global -> local, asynchronously; `bytes` = 16, or 0 to write zeros. */
inline void tc_cp_async16(uint dst, __global const ushort *src, int bytes) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src),
                 "r"(bytes));
}
inline void tc_cp_commit(void) { asm volatile("cp.async.commit_group;\n" ::); }
/* Waits until at most STAGES-2 groups of copies are still in flight. */
inline void tc_cp_wait_ring(void) {
    asm volatile("cp.async.wait_group " TC_STR(STAGES) "-2;\n" ::);
}
inline void tc_cp_wait_all(void) { asm volatile("cp.async.wait_group 0;\n" ::); }

inline void tc_ldmatrix_x4(uint r[4], uint addr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr));
}
inline void tc_ldmatrix_x4_trans(uint r[4], uint addr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr));
}

/* d += a * b for one m16n8k16 tile (a: 4 registers of 2 halves, b: 2, d: 4 floats). */
inline void tc_mma(float d[4], const uint a[4], const uint b[2]) {
    /* Not volatile: registers only, so the compiler may interleave it with the loads. */
    asm("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
                 "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

#if TC_WGMMA
/* sm_90a instructions: NVIDIA's OpenCL compiler emits PTX for .target sm_90, whose assembler
 * refuses wgmma. Each such instruction is written behind the marker "// TRT_SM90A " (a PTX
 * comment), and the runtime (runtime/ptx_arch.c) removes the markers and retargets the PTX to
 * sm_90a before it is assembled. Each marked statement must fit on one line. */
#define TC_SM90A "// TRT_SM90A "
inline void tc_wgmma_fence(void) { asm volatile(TC_SM90A "wgmma.fence.sync.aligned;\n" ::); }
inline void tc_wgmma_commit(void) {
    asm volatile(TC_SM90A "wgmma.commit_group.sync.aligned;\n" ::);
}
inline void tc_wgmma_wait0(void) { asm volatile(TC_SM90A "wgmma.wait_group.sync.aligned 0;\n" ::); }
/* Copies made by cp.async (generic proxy) become visible to wgmma (async proxy). */
inline void tc_fence_proxy_async(void) { asm volatile("fence.proxy.async.shared::cta;\n" ::); }
/* Pins the accumulators in place around wgmma's asynchronous reads and writes: the compiler
 * may not move their other uses across this point. */
inline void tc_fence_acc(float acc[MI][NI][4]) {
#pragma unroll
    for (int mi = 0; mi < MI; mi++)
#pragma unroll
        for (int ni = 0; ni < NI; ni++)
#pragma unroll
            for (int e = 0; e < 4; e++) asm volatile("" : "+f"(acc[mi][ni][e])::"memory");
}
/* A matrix descriptor for wgmma: a K-major tile of BK-wide rows (64 or 128 bytes) with the
 * swizzle of tc_offk (layout type 2: 64-byte, 1: 128-byte), starting at shared address `addr`;
 * 8-row groups are 8 rows apart (512 or 1024 bytes). A k16 step further into the rows starts
 * 32 bytes further: the swizzle is applied to the address, whose bits 7-9 are the row's. */
#define TC_DESC_SWIZZLE (BK == 64 ? 1 : 2)
inline ulong tc_desc(uint addr) {
    return (ulong)((addr & 0x3FFFF) >> 4) | ((ulong)1 << 16) | ((ulong)(8 * BK * 2 / 16) << 32) |
           ((ulong)TC_DESC_SWIZZLE << 62);
}
/* d (accumulators of one m64nN product: d[j][e] at row 16 * (warp % 4) + g (+8 for e >= 2),
 * column 8j + 2t (+1 for odd e)) += A(desc a) B(desc b)^T over 16 k. */
inline void tc_wgmma_n64(float d[8][4], ulong a, ulong b) {
    asm volatile(TC_SM90A "{ .reg .pred p; setp.ne.b32 p, %34, 0; "
                 "wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16 {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31}, %32, %33, "
                 "p, 1, 1, 0, 0; }\n"
                 : "+f"(d[0][0]), "+f"(d[0][1]), "+f"(d[0][2]), "+f"(d[0][3]),
                   "+f"(d[1][0]), "+f"(d[1][1]), "+f"(d[1][2]), "+f"(d[1][3]),
                   "+f"(d[2][0]), "+f"(d[2][1]), "+f"(d[2][2]), "+f"(d[2][3]),
                   "+f"(d[3][0]), "+f"(d[3][1]), "+f"(d[3][2]), "+f"(d[3][3]),
                   "+f"(d[4][0]), "+f"(d[4][1]), "+f"(d[4][2]), "+f"(d[4][3]),
                   "+f"(d[5][0]), "+f"(d[5][1]), "+f"(d[5][2]), "+f"(d[5][3]),
                   "+f"(d[6][0]), "+f"(d[6][1]), "+f"(d[6][2]), "+f"(d[6][3]),
                   "+f"(d[7][0]), "+f"(d[7][1]), "+f"(d[7][2]), "+f"(d[7][3])
                 : "l"(a), "l"(b), "r"(1));
}
inline void tc_wgmma_n128(float d[16][4], ulong a, ulong b) {
    asm volatile(TC_SM90A "{ .reg .pred p; setp.ne.b32 p, %66, 0; "
                 "wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63}, %64, %65, "
                 "p, 1, 1, 0, 0; }\n"
                 : "+f"(d[0][0]), "+f"(d[0][1]), "+f"(d[0][2]), "+f"(d[0][3]),
                   "+f"(d[1][0]), "+f"(d[1][1]), "+f"(d[1][2]), "+f"(d[1][3]),
                   "+f"(d[2][0]), "+f"(d[2][1]), "+f"(d[2][2]), "+f"(d[2][3]),
                   "+f"(d[3][0]), "+f"(d[3][1]), "+f"(d[3][2]), "+f"(d[3][3]),
                   "+f"(d[4][0]), "+f"(d[4][1]), "+f"(d[4][2]), "+f"(d[4][3]),
                   "+f"(d[5][0]), "+f"(d[5][1]), "+f"(d[5][2]), "+f"(d[5][3]),
                   "+f"(d[6][0]), "+f"(d[6][1]), "+f"(d[6][2]), "+f"(d[6][3]),
                   "+f"(d[7][0]), "+f"(d[7][1]), "+f"(d[7][2]), "+f"(d[7][3]),
                   "+f"(d[8][0]), "+f"(d[8][1]), "+f"(d[8][2]), "+f"(d[8][3]),
                   "+f"(d[9][0]), "+f"(d[9][1]), "+f"(d[9][2]), "+f"(d[9][3]),
                   "+f"(d[10][0]), "+f"(d[10][1]), "+f"(d[10][2]), "+f"(d[10][3]),
                   "+f"(d[11][0]), "+f"(d[11][1]), "+f"(d[11][2]), "+f"(d[11][3]),
                   "+f"(d[12][0]), "+f"(d[12][1]), "+f"(d[12][2]), "+f"(d[12][3]),
                   "+f"(d[13][0]), "+f"(d[13][1]), "+f"(d[13][2]), "+f"(d[13][3]),
                   "+f"(d[14][0]), "+f"(d[14][1]), "+f"(d[14][2]), "+f"(d[14][3]),
                   "+f"(d[15][0]), "+f"(d[15][1]), "+f"(d[15][2]), "+f"(d[15][3])
                 : "l"(a), "l"(b), "r"(1));
}
inline void tc_wgmma_n256(float d[32][4], ulong a, ulong b) {
    asm volatile(TC_SM90A "{ .reg .pred p; setp.ne.b32 p, %130, 0; "
                 "wgmma.mma_async.sync.aligned.m64n256k16.f32.f16.f16 {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63,%64,%65,%66,%67,%68,%69,%70,%71,%72,%73,%74,%75,%76,%77,%78,%79,%80,%81,%82,%83,%84,%85,%86,%87,%88,%89,%90,%91,%92,%93,%94,%95,%96,%97,%98,%99,%100,%101,%102,%103,%104,%105,%106,%107,%108,%109,%110,%111,%112,%113,%114,%115,%116,%117,%118,%119,%120,%121,%122,%123,%124,%125,%126,%127}, %128, %129, "
                 "p, 1, 1, 0, 0; }\n"
                 : "+f"(d[0][0]), "+f"(d[0][1]), "+f"(d[0][2]), "+f"(d[0][3]),
                   "+f"(d[1][0]), "+f"(d[1][1]), "+f"(d[1][2]), "+f"(d[1][3]),
                   "+f"(d[2][0]), "+f"(d[2][1]), "+f"(d[2][2]), "+f"(d[2][3]),
                   "+f"(d[3][0]), "+f"(d[3][1]), "+f"(d[3][2]), "+f"(d[3][3]),
                   "+f"(d[4][0]), "+f"(d[4][1]), "+f"(d[4][2]), "+f"(d[4][3]),
                   "+f"(d[5][0]), "+f"(d[5][1]), "+f"(d[5][2]), "+f"(d[5][3]),
                   "+f"(d[6][0]), "+f"(d[6][1]), "+f"(d[6][2]), "+f"(d[6][3]),
                   "+f"(d[7][0]), "+f"(d[7][1]), "+f"(d[7][2]), "+f"(d[7][3]),
                   "+f"(d[8][0]), "+f"(d[8][1]), "+f"(d[8][2]), "+f"(d[8][3]),
                   "+f"(d[9][0]), "+f"(d[9][1]), "+f"(d[9][2]), "+f"(d[9][3]),
                   "+f"(d[10][0]), "+f"(d[10][1]), "+f"(d[10][2]), "+f"(d[10][3]),
                   "+f"(d[11][0]), "+f"(d[11][1]), "+f"(d[11][2]), "+f"(d[11][3]),
                   "+f"(d[12][0]), "+f"(d[12][1]), "+f"(d[12][2]), "+f"(d[12][3]),
                   "+f"(d[13][0]), "+f"(d[13][1]), "+f"(d[13][2]), "+f"(d[13][3]),
                   "+f"(d[14][0]), "+f"(d[14][1]), "+f"(d[14][2]), "+f"(d[14][3]),
                   "+f"(d[15][0]), "+f"(d[15][1]), "+f"(d[15][2]), "+f"(d[15][3]),
                   "+f"(d[16][0]), "+f"(d[16][1]), "+f"(d[16][2]), "+f"(d[16][3]),
                   "+f"(d[17][0]), "+f"(d[17][1]), "+f"(d[17][2]), "+f"(d[17][3]),
                   "+f"(d[18][0]), "+f"(d[18][1]), "+f"(d[18][2]), "+f"(d[18][3]),
                   "+f"(d[19][0]), "+f"(d[19][1]), "+f"(d[19][2]), "+f"(d[19][3]),
                   "+f"(d[20][0]), "+f"(d[20][1]), "+f"(d[20][2]), "+f"(d[20][3]),
                   "+f"(d[21][0]), "+f"(d[21][1]), "+f"(d[21][2]), "+f"(d[21][3]),
                   "+f"(d[22][0]), "+f"(d[22][1]), "+f"(d[22][2]), "+f"(d[22][3]),
                   "+f"(d[23][0]), "+f"(d[23][1]), "+f"(d[23][2]), "+f"(d[23][3]),
                   "+f"(d[24][0]), "+f"(d[24][1]), "+f"(d[24][2]), "+f"(d[24][3]),
                   "+f"(d[25][0]), "+f"(d[25][1]), "+f"(d[25][2]), "+f"(d[25][3]),
                   "+f"(d[26][0]), "+f"(d[26][1]), "+f"(d[26][2]), "+f"(d[26][3]),
                   "+f"(d[27][0]), "+f"(d[27][1]), "+f"(d[27][2]), "+f"(d[27][3]),
                   "+f"(d[28][0]), "+f"(d[28][1]), "+f"(d[28][2]), "+f"(d[28][3]),
                   "+f"(d[29][0]), "+f"(d[29][1]), "+f"(d[29][2]), "+f"(d[29][3]),
                   "+f"(d[30][0]), "+f"(d[30][1]), "+f"(d[30][2]), "+f"(d[30][3]),
                   "+f"(d[31][0]), "+f"(d[31][1]), "+f"(d[31][2]), "+f"(d[31][3])
                 : "l"(a), "l"(b), "r"(1));
}
#define TC_WGMMA_N_(n) tc_wgmma_n##n
#define TC_WGMMA_N(n) TC_WGMMA_N_(n)
#endif

#if TC_TRACE
/* Where and when each work-group ran (splits 1 only): work-item 0 writes TC_TRACE_WORDS ulongs
 * at ws + tile * TC_TRACE_WORDS: the SM, %globaltimer at start and end (ns), and the SM's
 * %clock64 at start, after the main loop (the operands are in and multiplied) and at end,
 * then the clock when the epilogue's first pass has staged the accumulators (word 6; word 7
 * unused). */
#define TC_TRACE_WORDS 8
inline ulong tc_clock64(void) {
    ulong c;
    asm volatile("mov.u64 %0, %%clock64;\n" : "=l"(c));
    return c;
}
inline ulong tc_globaltimer(void) {
    ulong c;
    asm volatile("mov.u64 %0, %%globaltimer;\n" : "=l"(c));
    return c;
}
inline uint tc_smid(void) {
    uint s;
    asm volatile("mov.u32 %0, %%smid;\n" : "=r"(s));
    return s;
}
#define TC_TRACE_START()                                                                       \
    __global ulong *trace_ = (__global ulong *)ws + (long)tile * TC_TRACE_WORDS;               \
    if (tid == 0) trace_[0] = tc_smid(), trace_[1] = tc_globaltimer(), trace_[3] = tc_clock64();
#define TC_TRACE_LOOP_DONE()                                                                   \
    if (tid == 0) trace_[4] = tc_clock64();
#define TC_TRACE_END()                                                                         \
    if (tid == 0) trace_[5] = tc_clock64(), trace_[2] = tc_globaltimer();
/* tc_epilogue's trace argument, and its mark: the clock when the first pass's accumulators are
 * staged in local memory (word 6). */
#define TC_EPI_TRACE_PARAM , __global ulong *trace_
#define TC_EPI_TRACE_ARG , trace_
#define TC_EPI_TRACE_NONE , (__global ulong *)0
#define TC_TRACE_STAGED()                                                                      \
    if (tid == 0 && p == 0 && trace_) trace_[6] = tc_clock64();
#else
#define TC_TRACE_START()
#define TC_TRACE_LOOP_DONE()
#define TC_TRACE_END()
#define TC_EPI_TRACE_PARAM
#define TC_EPI_TRACE_ARG
#define TC_EPI_TRACE_NONE
#define TC_TRACE_STAGED()
#endif

/* ---------------------------------------------------------------- local-memory layout */

/* Offset (in halves) of chunk c (8 halves) of row `row` in a tile of BK-wide rows, so that the
 * 8 rows one ldmatrix reads (same logical chunk) cover 8 distinct 16-byte bank groups: with
 * BK 32 (4-chunk rows) the chunk index is XORed with bits 1-2 of the row, with BK 64 (8-chunk
 * rows) with bits 0-2. These are the hardware's 64- and 128-byte swizzles (address bits 4-5,
 * or 4-6, XOR bits 7-8, or 7-9), which wgmma reads through its descriptors (tc_desc). */
#if BK == 32
inline int tc_offk(int row, int c) { return row * BK + ((c ^ ((row >> 1) & 3)) << 3); }
#else
inline int tc_offk(int row, int c) { return row * BK + ((c ^ (row & 7)) << 3); }
#endif
/* Same for the [BK][BN] B tile of B_KMAJOR == 0 (rows of BN/8 >= 8 chunks). */
inline int tc_offn(int row, int c) { return row * BN + ((c ^ (row & 7)) << 3); }

/* ---------------------------------------------------------------- tile loads */

/* Rows r0.. of a K-major matrix P (row stride ld, `rows` rows, K columns) into a tile of
 * BK-wide rows: `chunks` 16-byte copies per work-item (A_CHUNKS for A, B_CHUNKS for B). */
inline void tc_load_kmajor(__local ushort *st, __global const ushort *P, int ld, int rows, int K,
                           int r0, int k0, int tid, const int chunks) {
#pragma unroll
    for (int i = 0; i < chunks; i++) {
        const int idx = tid + i * NT, row = idx / BKC, c = idx % BKC;
        const int gr = r0 + row, gk = k0 + c * 8;
        const int ok = gr < rows && gk < K;
        tc_cp_async16(tc_smem(st + tc_offk(row, c)), ok ? P + (long)gr * ld + gk : P,
                      ok ? 16 : 0);
    }
}

/* B tile k0 into buffer sb (both kernels). */
inline void tc_load_b(__local ushort *sb, __global const ushort *B, int ldb, int N, int K,
                      int n0, int k0, int tid) {
#if B_KMAJOR
    tc_load_kmajor(sb, B, ldb, N, K, n0, k0, tid, B_CHUNKS);
#else
#pragma unroll
    for (int i = 0; i < B_CHUNKS; i++) {
        const int idx = tid + i * NT, row = idx / (BN / 8), c = idx % (BN / 8);
        const int gk = k0 + row, gn = n0 + c * 8;
        const int ok = gn < N && gk < K;
        tc_cp_async16(tc_smem(sb + tc_offn(row, c)), ok ? B + (long)gk * ldb + gn : B,
                      ok ? 16 : 0);
    }
#endif
}

/* A tile k0 of tc_conv: the work-item's chunk column c (the same in every tile, NT being a
 * multiple of BKC) of its A_CHUNKS rows, whose image coordinates ih0/iw0/base were computed
 * once (ih0 is far outside the image for rows past M). */
inline void tc_load_a_conv(__local ushort *sa, __global const ushort *X, int K, int k0, int c,
                           int tid, const int *ih0, const int *iw0, const int *base, int H,
                           int W, int Cp, int S, int2 dil) {
    const int gk = k0 + c * 8, rs = gk / Cp, ci = gk - rs * Cp, ky = rs / S, kx = rs - ky * S;
    const int dy = ky * dil.s0, dx = kx * dil.s1;
#pragma unroll
    for (int i = 0; i < A_CHUNKS; i++) {
        const int ih = ih0[i] + dy, iw = iw0[i] + dx;
        const int ok = gk < K && ih >= 0 && ih < H && iw >= 0 && iw < W;
        tc_cp_async16(tc_smem(sa + tc_offk((tid + i * NT) / BKC, c)),
                      ok ? X + base[i] + (ih * W + iw) * Cp + ci : X, ok ? 16 : 0);
    }
}

/* ---------------------------------------------------------------- tile products */

/* All products of one BK-deep stage: A fragments by ldmatrix.x4 (16 rows x 16 k), B
 * fragments by ldmatrix.x4(.trans) two n8 tiles at a time. */
inline void tc_stage_mma(float acc[MI][NI][4], __local const ushort *sa,
                         __local const ushort *sb, int wm, int wn, int lane) {
    /* Every fragment of the stage first, then the products: the loads of the second k16
     * step are in flight while the first step's products issue. */
    uint a[BK / 16][MI][4], b[BK / 16][NI][2];
#pragma unroll
    for (int kk = 0; kk < BK / 16; kk++) {
#pragma unroll
        for (int mi = 0; mi < MI; mi++) {
            const int row = wm * WM + mi * 16 + (lane & 15);
            tc_ldmatrix_x4(a[kk][mi], tc_smem(sa + tc_offk(row, kk * 2 + (lane >> 4))));
        }
#pragma unroll
        for (int nj = 0; nj < NI / 2; nj++) {
            uint r[4];
#if B_KMAJOR
            const int n = wn * WN + nj * 16 + (lane & 7) + ((lane >> 4) << 3);
            tc_ldmatrix_x4(r, tc_smem(sb + tc_offk(n, kk * 2 + ((lane >> 3) & 1))));
#else
            const int k = kk * 16 + (lane & 7) + (((lane >> 3) & 1) << 3);
            tc_ldmatrix_x4_trans(r, tc_smem(sb + tc_offn(k, (wn * WN + nj * 16) / 8 +
                                                              (lane >> 4))));
#endif
            b[kk][2 * nj][0] = r[0];
            b[kk][2 * nj][1] = r[1];
            b[kk][2 * nj + 1][0] = r[2];
            b[kk][2 * nj + 1][1] = r[3];
        }
    }
#pragma unroll
    for (int kk = 0; kk < BK / 16; kk++)
#pragma unroll
        for (int mi = 0; mi < MI; mi++)
#pragma unroll
            for (int ni = 0; ni < NI; ni++) tc_mma(acc[mi][ni], a[kk][mi], b[kk][ni]);
}

#if TC_WGMMA
/* Issues all products of one BK-deep stage for warpgroup wg, asynchronously, as one
 * wgmma group. */
inline void tc_stage_wgmma_issue(float acc[MI][NI][4], __local const ushort *sa,
                                 __local const ushort *sb, int wg) {
    const uint a0 = tc_smem(sa) + wg * WM * BK * 2, b0 = tc_smem(sb);
    tc_fence_acc(acc);
    tc_wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < BK / 16; kk++)
#pragma unroll
        for (int mi = 0; mi < MI; mi++)
            TC_WGMMA_N(BN)(acc[mi], tc_desc(a0 + mi * 64 * BK * 2 + kk * 32), tc_desc(b0 + kk * 32));
    tc_wgmma_commit();
}
#define TC_STAGE_FENCE() tc_fence_proxy_async()
/* Stage kt's products are issued after the copies of tile kt + STAGES - 1 and waited for at
 * once (the barrier of the next stage then frees their buffer). Letting them run on through
 * the next stage's copies (wait_group 1 and a second barrier) was measured on the H200: no
 * faster (bench/results/2026-12-03-h200-session-notes.md). */
#define TC_PRODUCTS_AFTER_LOADS(cur)                                                           \
    tc_stage_wgmma_issue(acc, As + (cur) * BM * BK, Bs + (cur) * BN * BK, wm >> 2);            \
    tc_wgmma_wait0();
#define TC_PRODUCTS_DRAIN()                                                                    \
    tc_wgmma_wait0();                                                                          \
    tc_fence_acc(acc);
#else
#define TC_STAGE_FENCE()
#define TC_PRODUCTS_AFTER_LOADS(cur)                                                           \
    tc_stage_mma(acc, As + (cur) * BM * BK, Bs + (cur) * BN * BK, wm, wn, lane);
#define TC_PRODUCTS_DRAIN()
#endif

/* ---------------------------------------------------------------- epilogue */

/* The epilogue of one element pair or run of columns: y = act(alpha*acc + beta*bias + r). */
inline float tc_finish(float v, int c, float alpha, __global const BIAS_T *bias, int has_bias,
                       int bias_sn, float beta, float res, int act, float act_a, float act_b) {
    v *= alpha;
    if (has_bias) v += beta * LD_BIAS(bias, (long)c * bias_sn);
    return trt_act(v + res, act, act_a, act_b);
}

/* Rows of Y staged in local memory per pass of the epilogue (float, rows padded by 8 floats
 * so that the 8-byte stores of a half-warp, rows g 0..3 and columns 2t, 2t+1, hit 32 distinct
 * banks): as many warp rows as fit in the tile buffers. */
#define EPI_LD (BN + 8)
#define EPI_BYTES (STAGES * (BM + BN) * BK * 2)
#define EPI_ROWS_FIT (EPI_BYTES / (EPI_LD * 4))
#if EPI_ROWS_FIT >= BM
#define EPI_ROWS BM
#elif EPI_ROWS_FIT >= 128
#define EPI_ROWS 128
#elif EPI_ROWS_FIT >= 64
#define EPI_ROWS 64
#elif EPI_ROWS_FIT >= 32
#define EPI_ROWS 32
#else
#define EPI_ROWS 16
#endif

/* 8 output values as raw bits (TC_RAW8: uint4 of 8 halves, or float8) at a 16-byte aligned
 * address, and their conversions (common.cl). */
#if OUT_HALF
#define TC_RAW8 uint4
#define TC_RAW8_ZERO ((uint4)(0))
#define tc_raw8_float(r) trt_h8_float(r)
#define tc_float_raw8(v) trt_float_h8(v)
#define tc_ld_raw8(p) (*(__global const uint4 *)(p))
#define tc_st_raw8(p, v) (*(__global uint4 *)(p) = (v))
#else
#define TC_RAW8 float8
#define TC_RAW8_ZERO ((float8)(0.0f))
#define tc_raw8_float(r) (r)
#define tc_float_raw8(v) (v)
#define tc_ld_raw8(p) vload8(0, (p))
#define tc_st_raw8(p, v) vstore8((v), 0, (p))
#endif
/* bias(c .. c+7), bias(n) at n * bias_sn (c a multiple of 8: a contiguous bias is read as one
 * 16- or 32-byte vector, buffers being 16-byte aligned). */
inline float8 tc_bias8(__global const BIAS_T *bias, int c, int bias_sn) {
    if (bias_sn == 1) {
#if BIAS_HALF
        return trt_ld8a(bias + c);
#else
        return vload8(0, bias + c);
#endif
    }
    float b[8];
#pragma unroll
    for (int e = 0; e < 8; e++) b[e] = LD_BIAS(bias, (long)(c + e) * bias_sn);
    return (float8)(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
}

/* tc_finish for a run of 8 columns whose bias (times beta) is bias8 and residual res. */
inline float8 tc_finish8(float8 v, float alpha, int has_bias, float8 bias8, TC_RAW8 res, int act,
                         float act_a, float act_b) {
    v *= alpha;
    if (has_bias) v += bias8;
    return trt_act8(v + tc_raw8_float(res), act, act_a, act_b);
}

/* Runs of 8 columns in one pass of the epilogue, and per work-item; runs finished together. */
#ifndef TC_EPI_BATCH
#define TC_EPI_BATCH 4
#endif
#if NT % (BN / 8)
#error "tc_gemm.cl: the epilogue needs NT to be a multiple of BN / 8 (one column run per work-item)"
#endif
#define EPI_RUNS (EPI_ROWS * BN / 8)
#define EPI_RUNS_PT ((EPI_RUNS + NT - 1) / NT)
/* Run j of work-item tid in pass p: its row and column in the staged rows (*rl, *cl) and in
 * Y (*r, *c); returns whether the pass has that run. */
inline int tc_epi_run(int p, int j, int tid, int m0, int n0, int *rl, int *cl, int *r, int *c) {
    const int i = tid + j * NT;
    *rl = i / (BN / 8), *cl = (i % (BN / 8)) * 8;
    *r = m0 + p * EPI_ROWS + *rl, *c = n0 + *cl;
    return i < EPI_RUNS;
}

/* Asks the L2 cache for the residual rows of the tile at the kernel's start, so that the
 * epilogue's loads of them hit L2: one request per 128-byte line (64 halves, 32 floats). */
inline void tc_prefetch_residual(__global const OUT_T *R, int has_res, int ldr, int M, int N,
                                 int m0, int n0, int tid) {
    if (!has_res) return;
    const int per_row = (BN * (int)sizeof(OUT_T) + 127) / 128, lines = BM * per_row;
    for (int i = tid; i < lines; i += NT) {
        const int r = m0 + i / per_row, c = n0 + (i % per_row) * (128 / (int)sizeof(OUT_T));
        if (r < M && c < N) asm volatile("prefetch.global.L2 [%0];\n" ::"l"(R + (long)r * ldr + c));
    }
}

/* Writes the tile: each pass, the m16 tiles of EPI_ROWS rows put their accumulators (lane g =
 * lane/4, t = lane%4 holds rows g and g+8 and columns 2t, 2t+1 of every m16n8 tile) into
 * local memory; then all work-items read it back as runs of 8 columns, so that residual
 * loads and output stores are 16-byte accesses along rows. A work-item's residual runs of the
 * pass are all loaded before the staging, so that their latencies overlap each other and it. */
inline void tc_epilogue(float acc[MI][NI][4], __local float *cs, int M, int N, int m0, int n0,
                        int wm, int wn, int tid, float alpha, __global const BIAS_T *bias,
                        int has_bias, int bias_sn, float beta, __global OUT_T *Y, int ldy,
                        __global const OUT_T *R, int has_res, int ldr, int act, float act_a,
                        float act_b TC_EPI_TRACE_PARAM) {
    const int lane = tid & 31, g = lane >> 2, t = lane & 3;
    const int vec_ok = ldy % 8 == 0 && (!has_res || ldr % 8 == 0);
    /* Every run of a work-item is in the same 8 columns (NT is a multiple of BN / 8, see
     * tc_epi_run), so their bias is read once per tile, here, instead of once per run, where
     * the compiler kept each read behind the previous run's store (Y and bias may be the same
     * memory as far as it knows). */
    const int c_runs = n0 + (tid % (BN / 8)) * 8;
    float8 bias_runs = (float8)(0.0f);
    if (has_bias && c_runs + 8 <= N) bias_runs = beta * tc_bias8(bias, c_runs, bias_sn);
    /* A tile whose runs are all 8 columns inside Y, 16-byte aligned (all but the last column of
     * tiles where N % BN != 0): the runs need no column checks and take the faster loop. */
    const int whole = vec_ok && n0 + BN <= N;
    for (int p = 0; p < BM / EPI_ROWS; p++) {
        TC_RAW8 res[EPI_RUNS_PT];
#pragma unroll
        for (int j = 0; j < EPI_RUNS_PT; j++) {
            int rl, cl, r, c;
            const int run = tc_epi_run(p, j, tid, m0, n0, &rl, &cl, &r, &c);
            res[j] = TC_RAW8_ZERO;
            if (has_res && vec_ok && run && r < M && c + 8 <= N)
                res[j] = tc_ld_raw8(R + (long)r * ldr + c);
        }
        barrier(CLK_LOCAL_MEM_FENCE); /* the tiles (or the previous pass) are read */
#pragma unroll
        for (int mi = 0; mi < MI; mi++) {
            if (TC_ROW0(wm, mi) / EPI_ROWS != p) continue;
#pragma unroll
                for (int ni = 0; ni < NI; ni++)
#pragma unroll
                    for (int h = 0; h < 2; h++) {
                        const int r = TC_ROW0(wm, mi) - p * EPI_ROWS + g + h * 8;
                        const int c = wn * WN + ni * 8 + t * 2;
                        vstore2((float2)(acc[mi][ni][2 * h], acc[mi][ni][2 * h + 1]), 0,
                                cs + r * EPI_LD + c);
                    }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        TC_TRACE_STAGED()
        if (whole) {
            /* TC_EPI_BATCH runs at a time: their staged values are all read first, so that
             * the runs' local-memory latencies overlap instead of following one another. */
#pragma unroll
            for (int j0 = 0; j0 < EPI_RUNS_PT; j0 += TC_EPI_BATCH) {
                float8 v[TC_EPI_BATCH];
#pragma unroll
                for (int j = j0; j < j0 + TC_EPI_BATCH && j < EPI_RUNS_PT; j++) {
                    const int i = min(tid + j * NT, EPI_RUNS - 1); /* in range, as the pass */
                    v[j - j0] = vload8(0, cs + i / (BN / 8) * EPI_LD + i % (BN / 8) * 8);
                }
#pragma unroll
                for (int j = j0; j < j0 + TC_EPI_BATCH && j < EPI_RUNS_PT; j++) {
                    int rl, cl, r, c;
                    const int run = tc_epi_run(p, j, tid, m0, n0, &rl, &cl, &r, &c);
                    const float8 o = tc_finish8(v[j - j0], alpha, has_bias, bias_runs,
                                                res[j], act, act_a, act_b);
                    if (run && r < M) tc_st_raw8(Y + (long)r * ldy + c, tc_float_raw8(o));
                }
            }
            continue;
        }
#pragma unroll
        for (int j = 0; j < EPI_RUNS_PT; j++) {
            int rl, cl, r, c;
            if (!tc_epi_run(p, j, tid, m0, n0, &rl, &cl, &r, &c) || r >= M || c >= N) continue;
            const float8 v = vload8(0, cs + rl * EPI_LD + cl);
            const long yi = (long)r * ldy + c, ri = (long)r * ldr + c;
            if (vec_ok && c + 8 <= N) {
                tc_st_raw8(Y + yi, tc_float_raw8(tc_finish8(v, alpha, has_bias, bias_runs,
                                                            res[j], act, act_a, act_b)));
            } else {
                const float vv[8] = {v.s0, v.s1, v.s2, v.s3, v.s4, v.s5, v.s6, v.s7};
                for (int e = 0; e < 8 && c + e < N; e++) {
                    const float res1 = has_res ? LD_OUT(R, ri + e) : 0.0f;
                    const float o = tc_finish(vv[e], c + e, alpha, bias, has_bias, bias_sn,
                                              beta, res1, act, act_a, act_b);
#if OUT_HALF
                    vstore_half(o, 0, Y + yi + e);
#else
                    Y[yi + e] = o;
#endif
                }
            }
        }
    }
}

/* ---------------------------------------------------------------- main loop */

/* The origin of tile pid of the gm x gn tiles of Y: tiles are numbered down columns of
 * TC_GROUP_M tiles before moving right, and work-groups start in order of their index, so the
 * tiles in flight at one time share rows of A and columns of B in the L2 cache. */
#define TC_GROUP_M 8
inline void tc_tile_origin(int pid, int gm, int gn, int *m0, int *n0) {
    const int width = TC_GROUP_M * gn, first = pid / width * TC_GROUP_M;
    const int rows = min(gm - first, TC_GROUP_M);
    *m0 = (first + (pid % width) % rows) * BM;
    *n0 = (pid % width) / rows * BN;
}

/* The cp.async ring over k tiles [kt0, KT) (this work-group's share of K, see split-K
 * below): TC_LOAD_A(sa, k0) (defined by the kernel: OpenCL C has no variadic macros) loads A
 * tile k0 into sa, tc_load_b the B tile; the products of tile kt overlap the copies of tile
 * kt + STAGES - 1. */
#define TC_MAIN_LOOP                                                                           \
    const int KT_ALL = (K + BK - 1) / BK;                                                      \
    const int kt0 = (int)((long)KT_ALL * split / splits);                                      \
    const int KT = (int)((long)KT_ALL * (split + 1) / splits);                                 \
    _Pragma("unroll") for (int s = 0; s < STAGES - 1; s++) {                                   \
        if (kt0 + s < KT) {                                                                    \
            __local ushort *sa = As + s * BM * BK;                                             \
            const int k0 = (kt0 + s) * BK;                                                     \
            TC_LOAD_A(sa, k0);                                                                 \
            tc_load_b(Bs + s * BN * BK, B, ldb, N, K, n0, k0, tid);                            \
        }                                                                                      \
        tc_cp_commit();                                                                        \
    }                                                                                          \
    for (int kt = kt0; kt < KT; kt++) {                                                        \
        tc_cp_wait_ring();                                                                     \
        TC_STAGE_FENCE();                                                                      \
        barrier(CLK_LOCAL_MEM_FENCE);                                                          \
        const int cur = (kt - kt0) % STAGES;                                                   \
        const int pf = kt + STAGES - 1;                                                        \
        if (pf < KT) {                                                                         \
            const int ps = (pf - kt0) % STAGES;                                                \
            __local ushort *sa = As + ps * BM * BK;                                            \
            const int k0 = pf * BK;                                                            \
            TC_LOAD_A(sa, k0);                                                                 \
            tc_load_b(Bs + ps * BN * BK, B, ldb, N, K, n0, k0, tid);                           \
        }                                                                                      \
        tc_cp_commit();                                                                        \
        TC_PRODUCTS_AFTER_LOADS(cur)                                                           \
    }                                                                                          \
    TC_PRODUCTS_DRAIN()                                                                        \
    tc_cp_wait_all();

/* ---------------------------------------------------------------- split-K */

/* With splits > 1, the work-groups of one output tile each take a share of K (global
 * dimension 2 = batch * splits + split). Each adds its float accumulators into the tile's
 * slab of the workspace with reductions performed in the L2 cache (red.global.add.f32), in
 * register order (slot i of work-item tid at i * NT + tid of the slab, so that no layout is
 * needed); the last of them to finish (a counter per tile, ws[0 .. n_tiles) as
 * ints) reads the sums back, leaves the slab zero and the counter reset for the next launch,
 * and runs the epilogue; the rest go on to their next tile. Returns whether this work-group
 * writes the tile. The order of the additions depends on the order the work-groups finish in. */
#define ACC_N (MI * NI * 4)
inline int tc_split_reduce(float acc[MI][NI][4], int splits, int split, int tile,
                           __global float *ws, int ws_off, __local int *last, int tid) {
    if (splits == 1) return 1;
    __global float *slab = ws + ws_off + (long)tile * ACC_N * NT;
    /* Scalar reductions, slot-major so that a warp's 32 are one 128-byte run: the vector
     * form (red.global.add.v4.f32, sm_90) needs PTX ISA 8.1, which a driver's OpenCL compiler
     * may not emit. */
#pragma unroll
    for (int mi = 0; mi < MI; mi++)
#pragma unroll
        for (int ni = 0; ni < NI; ni++)
#pragma unroll
            for (int e = 0; e < 4; e++)
                asm volatile("red.global.add.f32 [%0], %1;\n" ::"l"(
                                 slab + ((long)((mi * NI + ni) * 4 + e) * NT + tid)),
                             "f"(acc[mi][ni][e])
                             : "memory");
    /* The additions are performed device-wide before the counter moves. */
    asm volatile("fence.acq_rel.gpu;\n" ::: "memory");
    barrier(CLK_GLOBAL_MEM_FENCE | CLK_LOCAL_MEM_FENCE);
    if (tid == 0) {
        /* Release after the barrier, so that it covers the whole work-group's additions. */
        asm volatile("fence.acq_rel.gpu;\n" ::: "memory");
        *last = atomic_inc((__global int *)ws + tile) == splits - 1;
        /* Acquire, in the thread that read the counter: the other work-groups' additions,
         * released before their increments, are visible from here on; the barrier passes
         * that on to the work-group. */
        asm volatile("fence.acq_rel.gpu;\n" ::: "memory");
    }
    barrier(CLK_GLOBAL_MEM_FENCE | CLK_LOCAL_MEM_FENCE);
    if (!*last) return 0;
    asm volatile("fence.acq_rel.gpu;\n" ::: "memory");
#pragma unroll
    for (int mi = 0; mi < MI; mi++)
#pragma unroll
        for (int ni = 0; ni < NI; ni++)
#pragma unroll
            for (int e = 0; e < 4; e++) {
                __global volatile float *q = slab + ((long)((mi * NI + ni) * 4 + e) * NT + tid);
                acc[mi][ni][e] = *q;
                *q = 0.0f; /* ready for the next launch */
            }
    if (tid == 0) ((__global int *)ws)[tile] = 0;
    return 1;
}

#define TC_PROLOGUE                                                                            \
    /* One array for the A tiles, then the B tiles, which the epilogue's staging spans     \
     * (EPI_BYTES). uint4: cp.async and ldmatrix need 16-byte aligned rows (a ushort array  \
     * may start at any even address); wgmma's swizzle is by address, so tiles start at     \
     * 1024 bytes (STAGES * BM * BK * 2 is a multiple of 4096). */                          \
    __local uint4 tiles4[STAGES * (BM + BN) * BK / 8] __attribute__((aligned(1024)));          \
    __local ushort *As = (__local ushort *)tiles4, *Bs = As + STAGES * BM * BK;                \
    const int tid_wg = (int)get_local_id(0); /* see TC_FOR_EACH_TILE */                       \
    const int split = (int)get_group_id(2) % splits, bi = (int)get_group_id(2) / splits;      \
    const int tiles_m = (M + BM - 1) / BM, tiles_n = (N + BN - 1) / BN;                        \
    __local int last_of_tile;

/* v, as a value the compiler cannot see through: what is computed from it is computed where
 * it is used, not hoisted out of a loop. */
inline int tc_opaque(int v) {
    asm volatile("" : "+r"(v));
    return v;
}

/* The work-group's tiles of its batch and split: with TC_PERSIST, pid, pid + G, pid + 2G, ...
 * with G the work-groups along dimension 0 (the host launches fewer work-groups than tiles
 * where there are many, ops/tc.c trt__tc_tiles_per_group, so that the time a work-group takes
 * to start is spent once for several tiles); without, tile pid only (the loop runs once and
 * compiles as straight code: the loop costs registers, measured as slower where each
 * work-group has one tile). Opens a block that the kernel closes; `continue` skips to the next
 * tile. Each tile starts at a barrier: the previous tile's epilogue has read its staging out
 * of the tile buffers. The work-item's index (tid, and lane, wm, wn from it) is taken anew in
 * each tile through tc_opaque: otherwise the compiler hoists every address derived from it out
 * of the tile loop, and those stay in registers across it (tc_gemm 64x64 wgmma with the loop:
 * 152 registers, 123 with tc_opaque, 93 without the loop; clang, libclc and ptxas through
 * kernels/ptx_regs.sh, not NVIDIA's compiler). */
#if TC_PERSIST
#define TC_NEXT_TILE(pid) ((pid) + (int)get_num_groups(0))
#else
#define TC_NEXT_TILE(pid) (tiles_m * tiles_n)
#endif
#define TC_FOR_EACH_TILE                                                                       \
    for (int pid = (int)get_group_id(0); pid < tiles_m * tiles_n; pid = TC_NEXT_TILE(pid)) {   \
        int m0, n0;                                                                            \
        tc_tile_origin(pid, tiles_m, tiles_n, &m0, &n0);                                       \
        const int tile = bi * tiles_m * tiles_n + pid;                                         \
        barrier(CLK_LOCAL_MEM_FENCE);                                                          \
        const int tid = tc_opaque(tid_wg), lane = tid & 31, warp = tid >> 5;                   \
        const int wm = warp % WARPS_M, wn = warp / WARPS_M;                                    \
        (void)lane;                                                                            \
        float acc[MI][NI][4];                                                                  \
        _Pragma("unroll") for (int mi = 0; mi < MI; mi++)                                      \
            _Pragma("unroll") for (int ni = 0; ni < NI; ni++)                                  \
                _Pragma("unroll") for (int e = 0; e < 4; e++) acc[mi][ni][e] = 0.0f;

/* ---------------------------------------------------------------- kernels */

__kernel __attribute__((reqd_work_group_size(NT, 1, 1)))
void tc_gemm(const int M, const int N, const int K, const float alpha,
             __global const ushort *A, const int lda, __global const ushort *B, const int ldb,
             __global const BIAS_T *bias, const int has_bias, const int bias_sn,
             const float beta, __global OUT_T *Y, const int ldy, __global const OUT_T *R,
             const int has_res, const int ldr, const int act, const float act_a,
             const float act_b, const int8 bdims, const int8 a_bs, const int8 b_bs,
             const int8 y_bs, const int splits, __global float *ws, const int ws_off) {
    TC_PROLOGUE
    A += trt_bcast_offset(bi, bdims, a_bs);
    B += trt_bcast_offset(bi, bdims, b_bs);
    const long yo = trt_bcast_offset(bi, bdims, y_bs);
    Y += yo;
    if (has_res) R += yo;
    TC_FOR_EACH_TILE
        TC_TRACE_START()
        tc_prefetch_residual(R, has_res, ldr, M, N, m0, n0, tid);
#define TC_LOAD_A(sa, k0) tc_load_kmajor(sa, A, lda, M, K, m0, k0, tid, A_CHUNKS)
#if TC_DIAG != 2
        TC_MAIN_LOOP
#endif
#undef TC_LOAD_A
        TC_TRACE_LOOP_DONE()
        if (!tc_split_reduce(acc, splits, split, tile, ws, ws_off, &last_of_tile, tid)) continue;
#if TC_DIAG == 1
        if (acc[0][0][0] == 1234.5f) ((__global uint *)Y)[tid] = 0;
        continue;
#endif
        tc_epilogue(acc, (__local float *)tiles4, M, N, m0, n0, wm, wn, tid, alpha, bias, has_bias,
                    bias_sn, beta, Y, ldy, R, has_res, ldr, act, act_a,
                    act_b TC_EPI_TRACE_ARG);
        TC_TRACE_END()
    }
}

#if B_KMAJOR
/* geo: H, W, Cp (input), OH, OW, S (kernel width), and stride/pad/dilation as int2 (y, x). */
__kernel __attribute__((reqd_work_group_size(NT, 1, 1)))
void tc_conv(const int M, const int N, const int K, __global const ushort *X, const int H,
             const int W, const int Cp, const int OH, const int OW, const int S,
             const int2 stride, const int2 pad, const int2 dil, __global const ushort *B,
             const int ldb, __global const BIAS_T *bias, const int has_bias,
             __global OUT_T *Y, const int ldy, __global const OUT_T *R, const int has_res,
             const int act, const float act_a, const float act_b, const int splits,
             __global float *ws, const int ws_off) {
    TC_PROLOGUE
    TC_FOR_EACH_TILE
        const int c = tid % BKC;
        int ih0[A_CHUNKS], iw0[A_CHUNKS], base[A_CHUNKS];
#pragma unroll
        for (int i = 0; i < A_CHUNKS; i++) {
            const int m = m0 + (tid + i * NT) / BKC;
            const int img = m / (OH * OW), p = m - img * (OH * OW), oh = p / OW, ow = p - oh * OW;
            ih0[i] = m < M ? oh * stride.s0 - pad.s0 : -(1 << 28);
            iw0[i] = ow * stride.s1 - pad.s1;
            base[i] = img * H * W * Cp;
        }
        tc_prefetch_residual(R, has_res, ldy, M, N, m0, n0, tid);
#define TC_LOAD_A(sa, k0) tc_load_a_conv(sa, X, K, k0, c, tid, ih0, iw0, base, H, W, Cp, S, dil)
        TC_MAIN_LOOP
#undef TC_LOAD_A
        if (!tc_split_reduce(acc, splits, split, tile, ws, ws_off, &last_of_tile, tid)) continue;
        tc_epilogue(acc, (__local float *)tiles4, M, N, m0, n0, wm, wn, tid, 1.0f, bias, has_bias,
                    1, 1.0f, Y, ldy, R, has_res, ldy, act, act_a, act_b TC_EPI_TRACE_NONE);
    }
}
#endif
