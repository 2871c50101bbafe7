/* caps.c — which inline-PTX features an NVIDIA device accepts (trt_device_caps: mma_f16,
 * mma_s8, ldmatrix, cp_async, wgmma), probed when the device opens.
 *
 * Each feature is probed by compiling AND running a one-warp kernel (one warpgroup for
 * wgmma) that uses the instruction through inline PTX (NVIDIA's OpenCL compiler accepts
 * asm) and checking its output on the host against a host-computed answer: a driver may
 * compile an instruction the GPU then executes wrongly or not at all (sm < 80), and a build
 * failure only says the compiler refused it. Any build error, launch error or wrong value
 * turns that cap off, with a VERBOSE line saying why. The probes run in an OpenCL context of
 * their own, so that a faulting kernel cannot poison the device's context.
 *
 * wgmma is sm_90a PTX, which NVIDIA's compiler (targeting sm_90) does not assemble: its
 * probe writes each wgmma statement behind runtime/ptx_arch.h's marker and is lifted to
 * sm_90a after its build, as kernels are (program.c). It is probed only when mma_f16,
 * ldmatrix and cp_async passed: the wgmma kernels (kernels/tc_gemm.cl) need those too.
 *
 * Only devices with dev->caps.nvidia_ptx are probed: other vendors and PoCL never see PTX.
 * TRT_DISABLE_PTX=1 (any value but empty or "0") turns every PTX cap off without probing.
 *
 * The result is cached, so the probe's cost (a few small builds and launches) is paid once
 * per device and driver: in the process (a table keyed by platform, device name and driver
 * version) and on disk, as caps-<key>.txt in the program cache's folder (runtime/program.c:
 * $TRT_CACHE_DIR, else $XDG_CACHE_HOME/trtinfer/programs or ~/.cache/trtinfer/programs; no
 * file when that cache is off). <key> is a hash of platform, device, driver, trtinfer
 * version and probe source; the file is text:
 *
 *    trtinfer-caps 2
 *    key <key as 16 hex digits>
 *    mma_f16 0|1
 *    mma_s8 0|1
 *    ldmatrix 0|1
 *    cp_async 0|1
 *    wgmma 0|1
 *
 * Anything else (torn, edited, foreign, or version 1's file without wgmma) is ignored: the
 * device is probed again and the file rewritten.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/caps.h"
#include "runtime/ptx_arch.h"
#include "runtime/runtime.h"
#include "tune/cachefile.h"

#define CAPS_MAGIC "trtinfer-caps 2"

static const char *const feature_names[TRT_CAP_F_COUNT] = {"mma_f16", "mma_s8", "ldmatrix",
                                                           "cp_async", "wgmma"};

static int *cap_field(trt_device_caps *c, int f) {
    switch (f) {
    case TRT_CAP_F_MMA_F16: return &c->mma_f16;
    case TRT_CAP_F_MMA_S8: return &c->mma_s8;
    case TRT_CAP_F_LDMATRIX: return &c->ldmatrix;
    case TRT_CAP_F_CP_ASYNC: return &c->cp_async;
    default: return &c->wgmma;
    }
}

/* ------------------------------------------------------------------ probe kernels */

/* OpenCL C, written as the files of kernels/ are. Its PTX is checked without a GPU by
 * kernels/check_ptx.sh (test_caps --dump-probe FILE writes it out; docs/tensor-cores.md). */
static const char probe_src[] =
    "/* Inline-PTX capability probes (runtime/caps.c). Each kernel but probe_wgmma (one\n"
    " * warpgroup) runs as one warp: 32 work-items in one work-group, lane =\n"
    " * get_local_id(0) = group * 4 + tid as in the PTX ISA's fragment layouts. The host\n"
    " * fills the inputs and checks the outputs (trt__caps_*_check). */\n"
    "#if defined(PROBE_MMA_F16) || defined(PROBE_MMA_S8)\n"
    "uint probe_pack2(__global const ushort *p) { return (uint)p[0] | (uint)p[1] << 16; }\n"
    "uint probe_pack4(__global const uchar *p) {\n"
    "    return (uint)p[0] | (uint)p[1] << 8 | (uint)p[2] << 16 | (uint)p[3] << 24;\n"
    "}\n"
    "#endif\n"
    "\n"
    "#if defined(TRT_PROBE_EMULATE) && (defined(PROBE_MMA_F16) || defined(PROBE_WGMMA))\n"
    "float probe_h2f(uint h) {\n"
    "    uint s = (h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu;\n"
    "    return as_float(e ? s | (e + 112u) << 23 | m << 13 : s);\n"
    "}\n"
    "#endif\n"
    "\n"
    "#ifdef PROBE_MMA_F16\n"
    "#ifdef TRT_PROBE_EMULATE\n"
    "/* D += A * B from the lanes' fragments, A(row, k) and B(k, n) read back from the registers\n"
    " * that hold them in the m16n8k16 layouts. */\n"
    "void probe_emu_mma_f16(uint lane, const uint *a, const uint *b, float *d, __local uint *fa,\n"
    "                       __local uint *fb) {\n"
    "    for (int i = 0; i < 4; i++) fa[lane * 4 + i] = a[i];\n"
    "    for (int i = 0; i < 2; i++) fb[lane * 2 + i] = b[i];\n"
    "    barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    uint g = lane >> 2, t = lane & 3;\n"
    "    for (uint i = 0; i < 4; i++) {\n"
    "        uint row = g + (i >> 1) * 8, col = t * 2 + (i & 1);\n"
    "        float s = d[i];\n"
    "        for (uint k = 0; k < 16; k++) {\n"
    "            uint av = fa[((row & 7) * 4 + (k & 7) / 2) * 4 + (row >> 3) + (k >> 3) * 2];\n"
    "            uint bv = fb[(col * 4 + (k & 7) / 2) * 2 + (k >> 3)];\n"
    "            s += probe_h2f((av >> (k & 1) * 16) & 0xffffu) *\n"
    "                 probe_h2f((bv >> (k & 1) * 16) & 0xffffu);\n"
    "        }\n"
    "        d[i] = s;\n"
    "    }\n"
    "}\n"
    "#define MMA_F16(d, a, b) probe_emu_mma_f16(lane, a, b, d, fa, fb)\n"
    "#else\n"
    "#define MMA_F16(d, a, b) \\\n"
    "    asm volatile(\"mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 \" \\\n"
    "                 \"{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\" \\\n"
    "                 : \"+f\"(d[0]), \"+f\"(d[1]), \"+f\"(d[2]), \"+f\"(d[3]) \\\n"
    "                 : \"r\"(a[0]), \"r\"(a[1]), \"r\"(a[2]), \"r\"(a[3]), \\\n"
    "                   \"r\"(b[0]), \"r\"(b[1]))\n"
    "#endif\n"
    "/* A 16x16 row-major, BT = B transposed (8x16: [n][k]), C and D 16x8 row-major. */\n"
    "__kernel __attribute__((reqd_work_group_size(32, 1, 1))) void\n"
    "probe_mma_f16(__global const ushort *A, __global const ushort *BT, __global const float *C,\n"
    "              __global float *D) {\n"
    "#ifdef TRT_PROBE_EMULATE\n"
    "    __local uint fa[32 * 4], fb[32 * 2];\n"
    "#endif\n"
    "    uint lane = (uint)get_local_id(0), g = lane >> 2, t = lane & 3;\n"
    "    uint a[4], b[2];\n"
    "    float d[4];\n"
    "    a[0] = probe_pack2(A + g * 16 + t * 2);\n"
    "    a[1] = probe_pack2(A + (g + 8) * 16 + t * 2);\n"
    "    a[2] = probe_pack2(A + g * 16 + t * 2 + 8);\n"
    "    a[3] = probe_pack2(A + (g + 8) * 16 + t * 2 + 8);\n"
    "    b[0] = probe_pack2(BT + g * 16 + t * 2);\n"
    "    b[1] = probe_pack2(BT + g * 16 + t * 2 + 8);\n"
    "    for (uint i = 0; i < 4; i++) d[i] = C[(g + (i >> 1) * 8) * 8 + t * 2 + (i & 1)];\n"
    "    MMA_F16(d, a, b);\n"
    "    for (uint i = 0; i < 4; i++) D[(g + (i >> 1) * 8) * 8 + t * 2 + (i & 1)] = d[i];\n"
    "}\n"
    "#endif\n"
    "\n"
    "#ifdef PROBE_MMA_S8\n"
    "#ifdef TRT_PROBE_EMULATE\n"
    "/* As for f16, in the m16n8k32 s8 layouts: 4 int8 per register. */\n"
    "void probe_emu_mma_s8(uint lane, const uint *a, const uint *b, int *d, __local uint *fa,\n"
    "                      __local uint *fb) {\n"
    "    for (int i = 0; i < 4; i++) fa[lane * 4 + i] = a[i];\n"
    "    for (int i = 0; i < 2; i++) fb[lane * 2 + i] = b[i];\n"
    "    barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    uint g = lane >> 2, t = lane & 3;\n"
    "    for (uint i = 0; i < 4; i++) {\n"
    "        uint row = g + (i >> 1) * 8, col = t * 2 + (i & 1);\n"
    "        int s = d[i];\n"
    "        for (uint k = 0; k < 32; k++) {\n"
    "            uint av = fa[((row & 7) * 4 + (k & 15) / 4) * 4 + (row >> 3) + (k >> 4) * 2];\n"
    "            uint bv = fb[(col * 4 + (k & 15) / 4) * 2 + (k >> 4)];\n"
    "            s += (int)(char)(av >> (k & 3) * 8) * (int)(char)(bv >> (k & 3) * 8);\n"
    "        }\n"
    "        d[i] = s;\n"
    "    }\n"
    "}\n"
    "#define MMA_S8(d, a, b) probe_emu_mma_s8(lane, a, b, d, fa, fb)\n"
    "#else\n"
    "#define MMA_S8(d, a, b) \\\n"
    "    asm volatile(\"mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 \" \\\n"
    "                 \"{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\" \\\n"
    "                 : \"+r\"(d[0]), \"+r\"(d[1]), \"+r\"(d[2]), \"+r\"(d[3]) \\\n"
    "                 : \"r\"(a[0]), \"r\"(a[1]), \"r\"(a[2]), \"r\"(a[3]), \\\n"
    "                   \"r\"(b[0]), \"r\"(b[1]))\n"
    "#endif\n"
    "/* A 16x32 row-major, BT = B transposed (8x32), C and D 16x8 row-major. */\n"
    "__kernel __attribute__((reqd_work_group_size(32, 1, 1))) void\n"
    "probe_mma_s8(__global const uchar *A, __global const uchar *BT, __global const int *C,\n"
    "             __global int *D) {\n"
    "#ifdef TRT_PROBE_EMULATE\n"
    "    __local uint fa[32 * 4], fb[32 * 2];\n"
    "#endif\n"
    "    uint lane = (uint)get_local_id(0), g = lane >> 2, t = lane & 3;\n"
    "    uint a[4], b[2];\n"
    "    int d[4];\n"
    "    a[0] = probe_pack4(A + g * 32 + t * 4);\n"
    "    a[1] = probe_pack4(A + (g + 8) * 32 + t * 4);\n"
    "    a[2] = probe_pack4(A + g * 32 + t * 4 + 16);\n"
    "    a[3] = probe_pack4(A + (g + 8) * 32 + t * 4 + 16);\n"
    "    b[0] = probe_pack4(BT + g * 32 + t * 4);\n"
    "    b[1] = probe_pack4(BT + g * 32 + t * 4 + 16);\n"
    "    for (uint i = 0; i < 4; i++) d[i] = C[(g + (i >> 1) * 8) * 8 + t * 2 + (i & 1)];\n"
    "    MMA_S8(d, a, b);\n"
    "    for (uint i = 0; i < 4; i++) D[(g + (i >> 1) * 8) * 8 + t * 2 + (i & 1)] = d[i];\n"
    "}\n"
    "#endif\n"
    "\n"
    "#ifdef PROBE_LDMATRIX\n"
    "#ifdef TRT_PROBE_EMULATE\n"
    "/* Lane i gives the address of row i % 8 of matrix i / 8; register j of lane l gets row\n"
    " * l / 4, columns (l % 4) * 2 and + 1 of matrix j (of its transpose with .trans). */\n"
    "void probe_emu_ldmatrix(uint lane, uint *r, __local const ushort *sm, uint row_off,\n"
    "                        int trans, __local uint *offs) {\n"
    "    barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    offs[lane] = row_off;\n"
    "    barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    uint row = lane >> 2, col = (lane & 3) * 2;\n"
    "    for (uint j = 0; j < 4; j++) {\n"
    "        if (trans)\n"
    "            r[j] = (uint)sm[offs[j * 8 + col] + row] |\n"
    "                   (uint)sm[offs[j * 8 + col + 1] + row] << 16;\n"
    "        else\n"
    "            r[j] = (uint)sm[offs[j * 8 + row] + col] |\n"
    "                   (uint)sm[offs[j * 8 + row] + col + 1] << 16;\n"
    "    }\n"
    "}\n"
    "#define LDMATRIX(r, sm, off, tr) probe_emu_ldmatrix(lane, r, sm, off, tr, offs)\n"
    "#else\n"
    "#define LDMATRIX(r, sm, off, tr) \\\n"
    "    asm volatile(\"ldmatrix.sync.aligned.m8n8.x4\" tr \\\n"
    "                 \".shared.b16 {%0,%1,%2,%3}, [%4];\" \\\n"
    "                 : \"=r\"(r[0]), \"=r\"(r[1]), \"=r\"(r[2]), \"=r\"(r[3]) \\\n"
    "                 : \"r\"((uint)(size_t)(sm + off)) \\\n"
    "                 : \"memory\")\n"
    "#endif\n"
    "/* M: four 8x8 matrices, row-major; OUT and OUT_T: [lane][register]. */\n"
    "__kernel __attribute__((reqd_work_group_size(32, 1, 1))) void\n"
    "probe_ldmatrix(__global const ushort *M, __global uint *OUT, __global uint *OUT_T) {\n"
    "    __local ushort sm[4 * 8 * 8] __attribute__((aligned(16)));\n"
    "#ifdef TRT_PROBE_EMULATE\n"
    "    __local uint offs[32];\n"
    "#define PROBE_PLAIN 0\n"
    "#define PROBE_TRANS 1\n"
    "#else\n"
    "#define PROBE_PLAIN \"\"\n"
    "#define PROBE_TRANS \".trans\"\n"
    "#endif\n"
    "    uint lane = (uint)get_local_id(0);\n"
    "    for (uint i = lane; i < 4 * 8 * 8; i += 32) sm[i] = M[i];\n"
    "    barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    uint r[4], rt[4];\n"
    "    LDMATRIX(r, sm, lane * 8, PROBE_PLAIN);\n"
    "    LDMATRIX(rt, sm, lane * 8, PROBE_TRANS);\n"
    "    for (uint j = 0; j < 4; j++) {\n"
    "        OUT[lane * 4 + j] = r[j];\n"
    "        OUT_T[lane * 4 + j] = rt[j];\n"
    "    }\n"
    "}\n"
    "#endif\n"
    "\n"
    "#ifdef PROBE_CP_ASYNC\n"
    "#ifdef TRT_PROBE_EMULATE\n"
    "void probe_emu_cp_async(__local uint4 *dst, __global const uint4 *src, uint src_size) {\n"
    "    __local uint *d = (__local uint *)dst;\n"
    "    __global const uint *s = (__global const uint *)src;\n"
    "    for (uint i = 0; i < 4; i++) d[i] = i * 4 < src_size ? s[i] : 0u;\n"
    "}\n"
    "#define CP_ASYNC(dst, src, n) probe_emu_cp_async(dst, src, n)\n"
    "#define CP_ASYNC_WAIT_ALL()\n"
    "#else\n"
    "/* 16 bytes global -> shared; bytes past src-size are zero-filled. */\n"
    "#define CP_ASYNC(dst, src, n) \\\n"
    "    asm volatile(\"cp.async.cg.shared.global [%0], [%1], 16, %2;\" \\\n"
    "                 : \\\n"
    "                 : \"r\"((uint)(size_t)(dst)), \"l\"((ulong)(src)), \"r\"(n) \\\n"
    "                 : \"memory\")\n"
    "#define CP_ASYNC_WAIT_ALL() \\\n"
    "    do { \\\n"
    "        asm volatile(\"cp.async.commit_group;\" ::: \"memory\"); \\\n"
    "        asm volatile(\"cp.async.wait_group 0;\" ::: \"memory\"); \\\n"
    "    } while (0)\n"
    "#endif\n"
    "/* SRC, DST: 64 chunks of 16 bytes. Chunk i < 32 is copied whole by lane i; chunk 32 + i\n"
    " * with src-size 16, 0 or 8 (lane i % 4 = 0 or 2, 1, 3): the rest must read as zeros. */\n"
    "__kernel __attribute__((reqd_work_group_size(32, 1, 1))) void\n"
    "probe_cp_async(__global const uint4 *SRC, __global uint4 *DST) {\n"
    "    __local uint4 sm[64];\n"
    "    uint lane = (uint)get_local_id(0);\n"
    "    for (uint i = lane; i < 64; i += 32) sm[i] = (uint4)(0xdeadbeefu);\n"
    "    barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    uint n = (lane & 3) == 1 ? 0u : (lane & 3) == 3 ? 8u : 16u;\n"
    "    CP_ASYNC(sm + lane, SRC + lane, 16u);\n"
    "    CP_ASYNC(sm + 32 + lane, SRC + 32 + lane, n);\n"
    "    CP_ASYNC_WAIT_ALL();\n"
    "    barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    for (uint i = lane; i < 64; i += 32) DST[i] = sm[i];\n"
    "}\n"
    "#endif\n"
    "\n"
    "#ifdef PROBE_WGMMA\n"
    "/* One warpgroup (128 work-items: warp w = tid / 32, g = lane / 4, t = lane % 4)\n"
    " * computes D (64x8) = A (64x32) * B (8x32)^T + C with two wgmma m64n8k16 (k 0-15,\n"
    " * then 16-31), A and B read from local memory through matrix descriptors, in\n"
    " * kernels/tc_gemm.cl's layout: K-major rows of 64 bytes, 16-byte chunk c of row r at\n"
    " * byte r * 64 + (c ^ ((r >> 1) & 3)) * 16 (the 64-byte swizzle), tiles at 1024-byte\n"
    " * aligned addresses. */\n"
    "/* Index (in 16-byte chunks) of chunk c of row `row` in such a tile. */\n"
    "uint probe_off4(uint row, uint c) { return row * 4 + (c ^ ((row >> 1) & 3)); }\n"
    "/* The descriptor of a tile at shared address addr: start address, leading offset 1\n"
    " * (unused by swizzled K-major tiles), 8-row groups 512 bytes apart, 64-byte swizzle. */\n"
    "ulong probe_desc(uint addr) {\n"
    "    return (ulong)((addr & 0x3FFFFu) >> 4) | (ulong)1 << 16 |\n"
    "           (ulong)(512 >> 4) << 32 | (ulong)2 << 62;\n"
    "}\n"
    "#ifdef TRT_PROBE_EMULATE\n"
    "/* Element (row, k) of the tile a descriptor points at, addressed as the hardware\n"
    " * does: start address and 8-row stride from the descriptor, 64-byte rows, then the\n"
    " * 64-byte swizzle on the address (bits 4-5 ^= bits 7-8). sm is the local array at\n"
    " * shared address base. Any layout but the 64-byte swizzle reads as NaN. */\n"
    "float probe_emu_elem(__local const ushort *sm, uint base, ulong desc, uint row, uint k) {\n"
    "    if ((uint)(desc >> 62) != 2u) return NAN;\n"
    "    uint addr = ((uint)desc & 0x3FFFu) << 4;\n"
    "    uint sbo = ((uint)(desc >> 32) & 0x3FFFu) << 4;\n"
    "    addr += (row >> 3) * sbo + (row & 7) * 64 + k * 2;\n"
    "    addr ^= ((addr >> 7) & 3u) << 4;\n"
    "    return probe_h2f(sm[((addr - base) & 0x3FFFFu) >> 1]);\n"
    "}\n"
    "/* d += A * B^T over the 16 k of one m64n8k16, for work-item tid's accumulators. */\n"
    "void probe_emu_wgmma(uint tid, float *d, ulong a, ulong b, __local const ushort *sm,\n"
    "                     uint base) {\n"
    "    uint row = (tid >> 5) * 16 + ((tid & 31) >> 2), col = (tid & 3) * 2;\n"
    "    for (uint i = 0; i < 4; i++) {\n"
    "        float s = d[i];\n"
    "        for (uint k = 0; k < 16; k++)\n"
    "            s += probe_emu_elem(sm, base, a, row + (i >> 1) * 8, k) *\n"
    "                 probe_emu_elem(sm, base, b, col + (i & 1), k);\n"
    "        d[i] = s;\n"
    "    }\n"
    "}\n"
    "#define WGMMA_M64N8K16(d, a, b) \\\n"
    "    probe_emu_wgmma(tid, d, a, b, (__local const ushort *)sm, base)\n"
    "#define WGMMA_SYNC(op)\n"
    "#define FENCE_PROXY_ASYNC()\n"
    "#define PIN_ACC(d)\n"
    "#else\n"
    "/* NVIDIA's compiler targets sm_90, whose assembler refuses wgmma: each wgmma\n"
    " * statement is written behind this marker (a PTX comment), which runtime/ptx_arch.c\n"
    " * removes before it rebuilds the PTX for sm_90a. One statement per line. */\n"
    "#define SM90A \"" TRT_PTX_ARCH_MARK "\"\n"
    "#define WGMMA_SYNC(op) asm volatile(SM90A op \"\\n\" ::)\n"
    "/* d += A(desc a) * B(desc b)^T over 16 k; scale-d (keep d) is a predicate, set. */\n"
    "#define WGMMA_M64N8K16(d, a, b) \\\n"
    "    asm volatile(SM90A \"{ .reg .pred p; setp.ne.b32 p, %6, 0; \" \\\n"
    "                 \"wgmma.mma_async.sync.aligned.m64n8k16.f32.f16.f16 \" \\\n"
    "                 \"{%0,%1,%2,%3}, %4, %5, p, 1, 1, 0, 0; }\\n\" \\\n"
    "                 : \"+f\"(d[0]), \"+f\"(d[1]), \"+f\"(d[2]), \"+f\"(d[3]) \\\n"
    "                 : \"l\"(a), \"l\"(b), \"r\"(1))\n"
    "/* The local stores (generic proxy) become visible to wgmma (async proxy). */\n"
    "#define FENCE_PROXY_ASYNC() \\\n"
    "    asm volatile(\"fence.proxy.async.shared::cta;\\n\" ::: \"memory\")\n"
    "/* Pins the accumulators around wgmma's asynchronous reads and writes of them. */\n"
    "#define PIN_ACC(d) \\\n"
    "    for (int i_ = 0; i_ < 4; i_++) asm volatile(\"\" : \"+f\"(d[i_])::\"memory\")\n"
    "#endif\n"
    "/* A 64x32 and BT = B transposed (8x32), in 16-byte chunks; C, D 64x8 row-major. */\n"
    "__kernel __attribute__((reqd_work_group_size(128, 1, 1))) void\n"
    "probe_wgmma(__global const uint4 *A, __global const uint4 *BT, __global const float *C,\n"
    "            __global float *D) {\n"
    "    /* The A tile at byte 0, the B tile at byte 4096. */\n"
    "#ifdef TRT_PROBE_EMULATE\n"
    "    /* PoCL does not align local arrays as asked: aligned here by hand, since the\n"
    "     * swizzle works on address bits. */\n"
    "    __local uint4 sm_raw[(64 + 8) * 4 + 63];\n"
    "    __local uint4 *sm = sm_raw + ((64 - (((uint)(size_t)sm_raw >> 4) & 63)) & 63);\n"
    "#else\n"
    "    __local uint4 sm[(64 + 8) * 4] __attribute__((aligned(1024)));\n"
    "#endif\n"
    "    uint tid = (uint)get_local_id(0), w = tid >> 5, g = (tid & 31) >> 2, t = tid & 3;\n"
    "    uint row[4], col[4];\n"
    "    for (uint i = tid; i < 64 * 4; i += 128) sm[probe_off4(i >> 2, i & 3)] = A[i];\n"
    "    if (tid < 8 * 4) sm[64 * 4 + probe_off4(tid >> 2, tid & 3)] = BT[tid];\n"
    "    float d[4];\n"
    "    for (uint i = 0; i < 4; i++) {\n"
    "        row[i] = w * 16 + g + (i >> 1) * 8;\n"
    "        col[i] = t * 2 + (i & 1);\n"
    "        d[i] = C[row[i] * 8 + col[i]];\n"
    "    }\n"
    "    uint base = (uint)(size_t)sm, a = base, b = base + 64 * 64;\n"
    "    barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    FENCE_PROXY_ASYNC();\n"
    "    PIN_ACC(d);\n"
    "    WGMMA_SYNC(\"wgmma.fence.sync.aligned;\");\n"
    "    WGMMA_M64N8K16(d, probe_desc(a), probe_desc(b));\n"
    "    WGMMA_M64N8K16(d, probe_desc(a + 32), probe_desc(b + 32));\n"
    "    WGMMA_SYNC(\"wgmma.commit_group.sync.aligned;\");\n"
    "    WGMMA_SYNC(\"wgmma.wait_group.sync.aligned 0;\");\n"
    "    PIN_ACC(d);\n"
    "    for (uint i = 0; i < 4; i++) D[row[i] * 8 + col[i]] = d[i];\n"
    "}\n"
    "#endif\n";

const char *trt__caps_probe_source(void) { return probe_src; }

/* ------------------------------------------------------------------ inputs and checks */

uint16_t trt__caps_half_bits(float v) {
    uint32_t x;
    memcpy(&x, &v, 4);
    uint32_t sign = (x >> 16) & 0x8000u, exp = (x >> 23) & 0xffu, man = x & 0x7fffffu;
    if (exp == 0) return (uint16_t)sign; /* zero (the probe has no subnormals) */
    return (uint16_t)(sign | (exp - 112u) << 10 | man >> 13);
}

static float half_value(uint16_t h) {
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    float v = e ? ldexpf((float)(m | 0x400), e - 25) : ldexpf((float)m, -24);
    return (h & 0x8000) ? -v : v;
}

static void say(char *why, size_t n, const char *fmt, ...) TRT_PRINTF(3, 4);
static void say(char *why, size_t n, const char *fmt, ...) {
    if (!why || !n) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
}

/* Small integers, so every product and sum is exact in fp16 inputs and fp32 sums, and no
 * two neighbouring rows or columns are alike (a wrong fragment layout changes the answer). */
void trt__caps_mma_f16_fill(trt_caps_mma_f16_io *io) {
    for (int i = 0; i < 16; i++)
        for (int k = 0; k < 16; k++)
            io->a[i * 16 + k] = trt__caps_half_bits((float)((i * 3 + k * 5 + i * k) % 7 - 3));
    for (int n = 0; n < 8; n++)
        for (int k = 0; k < 16; k++)
            io->bt[n * 16 + k] = trt__caps_half_bits((float)((k * 2 + n * 7 + k * n) % 5 - 2));
    for (int i = 0; i < 16 * 8; i++) {
        io->c[i] = (float)(i % 9) - 4.0f;
        io->d[i] = NAN;
    }
}

int trt__caps_mma_f16_check(const trt_caps_mma_f16_io *io, char *why, size_t n) {
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 8; j++) {
            float ref = io->c[i * 8 + j];
            for (int k = 0; k < 16; k++)
                ref += half_value(io->a[i * 16 + k]) * half_value(io->bt[j * 16 + k]);
            float got = io->d[i * 8 + j];
            if (!(got == ref)) { /* NaN (never written) fails too */
                say(why, n, "D[%d][%d] = %g, expected %g", i, j, got, ref);
                return 0;
            }
        }
    return 1;
}

/* The whole int8 range, negative values included (a signedness mistake shows). */
void trt__caps_mma_s8_fill(trt_caps_mma_s8_io *io) {
    for (int i = 0; i < 16; i++)
        for (int k = 0; k < 32; k++)
            io->a[i * 32 + k] = (int8_t)((i * 37 + k * 11) % 255 - 127);
    for (int n = 0; n < 8; n++)
        for (int k = 0; k < 32; k++)
            io->bt[n * 32 + k] = (int8_t)((k * 29 + n * 53) % 256 - 128);
    for (int i = 0; i < 16 * 8; i++) {
        io->c[i] = i * 1000 - 50000;
        io->d[i] = INT32_MIN;
    }
}

int trt__caps_mma_s8_check(const trt_caps_mma_s8_io *io, char *why, size_t n) {
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 8; j++) {
            int32_t ref = io->c[i * 8 + j];
            for (int k = 0; k < 32; k++)
                ref += io->a[i * 32 + k] * io->bt[j * 32 + k];
            if (io->d[i * 8 + j] != ref) {
                say(why, n, "D[%d][%d] = %d, expected %d", i, j, (int)io->d[i * 8 + j], (int)ref);
                return 0;
            }
        }
    return 1;
}

/* Every element distinct, so the check sees where each value came from. */
void trt__caps_ldmatrix_fill(trt_caps_ldmatrix_io *io) {
    for (int i = 0; i < 4 * 8 * 8; i++)
        io->m[i] = (uint16_t)(i * 7 + 3);
    memset(io->out, 0xff, sizeof io->out);
    memset(io->out_t, 0xff, sizeof io->out_t);
}

int trt__caps_ldmatrix_check(const trt_caps_ldmatrix_io *io, char *why, size_t n) {
    for (int t = 0; t < 2; t++)
        for (int lane = 0; lane < 32; lane++)
            for (int j = 0; j < 4; j++) {
                const uint16_t *m = io->m + j * 64;
                int row = lane / 4, col = (lane % 4) * 2;
                uint32_t ref =
                    t ? (uint32_t)m[col * 8 + row] | (uint32_t)m[(col + 1) * 8 + row] << 16
                      : (uint32_t)m[row * 8 + col] | (uint32_t)m[row * 8 + col + 1] << 16;
                uint32_t got = (t ? io->out_t : io->out)[lane * 4 + j];
                if (got != ref) {
                    say(why, n, "%s: lane %d register %d = 0x%08x, expected 0x%08x",
                        t ? "ldmatrix .trans" : "ldmatrix", lane, j, (unsigned)got, (unsigned)ref);
                    return 0;
                }
            }
    return 1;
}

int trt__caps_cp_async_size(int lane) { return (lane & 3) == 1 ? 0 : (lane & 3) == 3 ? 8 : 16; }

void trt__caps_cp_async_fill(trt_caps_cp_async_io *io) {
    /* Odd multiplier: never 0, so a missing copy and a missing zero fill both show. */
    for (uint32_t i = 0; i < 64 * 4; i++)
        io->src[i] = 0x9e3779b9u * (i + 1);
    memset(io->dst, 0xa5, sizeof io->dst);
}

int trt__caps_cp_async_check(const trt_caps_cp_async_io *io, char *why, size_t n) {
    for (int c = 0; c < 64; c++)
        for (int w = 0; w < 4; w++) {
            int size = c < 32 ? 16 : trt__caps_cp_async_size(c - 32);
            uint32_t ref = w * 4 < size ? io->src[c * 4 + w] : 0;
            if (io->dst[c * 4 + w] != ref) {
                say(why, n, "chunk %d (src-size %d) word %d = 0x%08x, expected 0x%08x", c, size, w,
                    (unsigned)io->dst[c * 4 + w], (unsigned)ref);
                return 0;
            }
        }
    return 1;
}

/* Small integers as for mma f16, from a multiplicative hash of the element's index: no two
 * rows or 16-byte chunks are alike (as they would be with a short period), so a row or chunk
 * read from the wrong place shows. */
static int hash_small(uint32_t i, int levels) {
    return (int)(((i + 1) * 2654435761u) >> 20) % levels - levels / 2;
}

void trt__caps_wgmma_fill(trt_caps_wgmma_io *io) {
    for (uint32_t i = 0; i < 64 * 32; i++)
        io->a[i] = trt__caps_half_bits((float)hash_small(i, 7));
    for (uint32_t i = 0; i < 8 * 32; i++)
        io->bt[i] = trt__caps_half_bits((float)hash_small(64 * 32 + i, 5));
    for (int i = 0; i < 64 * 8; i++) {
        io->c[i] = (float)(i % 11) - 5.0f;
        io->d[i] = NAN;
    }
}

int trt__caps_wgmma_check(const trt_caps_wgmma_io *io, char *why, size_t n) {
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 8; j++) {
            float ref = io->c[i * 8 + j];
            for (int k = 0; k < 32; k++)
                ref += half_value(io->a[i * 32 + k]) * half_value(io->bt[j * 32 + k]);
            float got = io->d[i * 8 + j];
            if (!(got == ref)) { /* NaN (never written) fails too */
                say(why, n, "D[%d][%d] = %g, expected %g", i, j, got, ref);
                return 0;
            }
        }
    return 1;
}

/* ------------------------------------------------------------------ running the probes */

typedef struct {
    void *host;
    size_t bytes;
    int output; /* read back into host after the run */
} probe_arg;

/* The build log squeezed onto one line (runs of white space -> one space), at most n - 1
 * characters. */
static void log_excerpt(cl_program p, cl_device_id id, char *out, size_t n) {
    out[0] = 0;
    size_t len = 0;
    if (clGetProgramBuildInfo(p, id, CL_PROGRAM_BUILD_LOG, 0, NULL, &len) != CL_SUCCESS || !len)
        return;
    char *log = malloc(len + 1);
    if (!log) return;
    if (clGetProgramBuildInfo(p, id, CL_PROGRAM_BUILD_LOG, len, log, NULL) == CL_SUCCESS) {
        log[len] = 0;
        size_t o = 0;
        int space = 1;
        for (const char *s = log; *s && o + 1 < n; s++) {
            int ws = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';
            if (ws && space) continue;
            out[o++] = ws ? ' ' : *s;
            space = ws;
        }
        out[o] = 0;
    }
    free(log);
}

/* Builds kernel `kernel` with `opts`, runs it as one work-group of `wg` work-items and reads
 * the outputs back. 1 on success, else 0 with the reason in why[]. */
static int run_kernel(cl_context ctx, cl_command_queue q, cl_device_id id, const char *kernel,
                      const char *opts, size_t wg, probe_arg *args, int nargs, char *why,
                      size_t wn) {
    const char *src = probe_src;
    cl_int err;
    int ok = 0;
    cl_mem mem[4] = {0};
    cl_kernel k = NULL;
    cl_program p = clCreateProgramWithSource(ctx, 1, &src, NULL, &err);
    if (err != CL_SUCCESS) {
        say(why, wn, "creating the program: %s", trt__cl_error_str(err));
        return 0;
    }
    err = clBuildProgram(p, 1, &id, opts, NULL, NULL);
    if (err != CL_SUCCESS) {
        char log[600];
        log_excerpt(p, id, log, sizeof log);
        say(why, wn, "does not compile (%s): %s", trt__cl_error_str(err),
            log[0] ? log : "(empty build log)");
        goto done;
    }
    /* The sm_90a statements (wgmma's) leave their PTX comments and the program is rebuilt
     * for sm_90a (runtime/ptx_arch.h); a program without any is left as it is. */
    if (trt__ptx_lift_arch(ctx, id, kernel, opts, &p) != TRT_OK) {
        say(why, wn, "%s", trt_get_last_error());
        trt__error_clear(); /* a cap that is off is no error of the caller's */
        goto done;
    }
    k = clCreateKernel(p, kernel, &err);
    if (err != CL_SUCCESS) {
        say(why, wn, "creating the kernel: %s", trt__cl_error_str(err));
        goto done;
    }
    for (int i = 0; i < nargs; i++) {
        mem[i] = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, args[i].bytes,
                                args[i].host, &err);
        if (err == CL_SUCCESS) err = clSetKernelArg(k, (cl_uint)i, sizeof mem[i], &mem[i]);
        if (err != CL_SUCCESS) {
            say(why, wn, "setting argument %d: %s", i, trt__cl_error_str(err));
            goto done;
        }
    }
    err = clEnqueueNDRangeKernel(q, k, 1, NULL, &wg, &wg, 0, NULL, NULL);
    for (int i = 0; i < nargs && err == CL_SUCCESS; i++)
        if (args[i].output)
            err = clEnqueueReadBuffer(q, mem[i], CL_TRUE, 0, args[i].bytes, args[i].host, 0, NULL,
                                      NULL);
    if (err == CL_SUCCESS) err = clFinish(q);
    if (err != CL_SUCCESS) {
        say(why, wn, "running it: %s", trt__cl_error_str(err));
        goto done;
    }
    ok = 1;
done:
    for (int i = 0; i < 4; i++)
        if (mem[i]) clReleaseMemObject(mem[i]);
    if (k) clReleaseKernel(k);
    clReleaseProgram(p);
    return ok;
}

/* One feature: 1 if its kernel builds, runs and gives the right answer. */
static int probe_feature(cl_context ctx, cl_command_queue q, cl_device_id id, int f,
                         const char *extra_opts, char *why, size_t wn) {
    static const char *const defines[TRT_CAP_F_COUNT] = {
        "PROBE_MMA_F16", "PROBE_MMA_S8", "PROBE_LDMATRIX", "PROBE_CP_ASYNC", "PROBE_WGMMA"};
    char opts[512];
    snprintf(opts, sizeof opts, "-cl-std=CL1.2 -D%s %s", defines[f], extra_opts);
    char kernel[32];
    snprintf(kernel, sizeof kernel, "probe_%s", feature_names[f]);
    switch (f) {
    case TRT_CAP_F_MMA_F16: {
        trt_caps_mma_f16_io io;
        trt__caps_mma_f16_fill(&io);
        probe_arg a[] = {{io.a, sizeof io.a, 0},
                         {io.bt, sizeof io.bt, 0},
                         {io.c, sizeof io.c, 0},
                         {io.d, sizeof io.d, 1}};
        return run_kernel(ctx, q, id, kernel, opts, 32, a, 4, why, wn) &&
               trt__caps_mma_f16_check(&io, why, wn);
    }
    case TRT_CAP_F_MMA_S8: {
        trt_caps_mma_s8_io io;
        trt__caps_mma_s8_fill(&io);
        probe_arg a[] = {{io.a, sizeof io.a, 0},
                         {io.bt, sizeof io.bt, 0},
                         {io.c, sizeof io.c, 0},
                         {io.d, sizeof io.d, 1}};
        return run_kernel(ctx, q, id, kernel, opts, 32, a, 4, why, wn) &&
               trt__caps_mma_s8_check(&io, why, wn);
    }
    case TRT_CAP_F_LDMATRIX: {
        trt_caps_ldmatrix_io io;
        trt__caps_ldmatrix_fill(&io);
        probe_arg a[] = {
            {io.m, sizeof io.m, 0}, {io.out, sizeof io.out, 1}, {io.out_t, sizeof io.out_t, 1}};
        return run_kernel(ctx, q, id, kernel, opts, 32, a, 3, why, wn) &&
               trt__caps_ldmatrix_check(&io, why, wn);
    }
    case TRT_CAP_F_CP_ASYNC: {
        trt_caps_cp_async_io io;
        trt__caps_cp_async_fill(&io);
        probe_arg a[] = {{io.src, sizeof io.src, 0}, {io.dst, sizeof io.dst, 1}};
        return run_kernel(ctx, q, id, kernel, opts, 32, a, 2, why, wn) &&
               trt__caps_cp_async_check(&io, why, wn);
    }
    default: {
        trt_caps_wgmma_io io;
        trt__caps_wgmma_fill(&io);
        probe_arg a[] = {{io.a, sizeof io.a, 0},
                         {io.bt, sizeof io.bt, 0},
                         {io.c, sizeof io.c, 0},
                         {io.d, sizeof io.d, 1}};
        return run_kernel(ctx, q, id, kernel, opts, 128, a, 4, why, wn) &&
               trt__caps_wgmma_check(&io, why, wn);
    }
    }
}

void trt__caps_probe_run(trt_device *dev, const char *extra_opts, trt_device_caps *caps) {
    for (int f = 0; f < TRT_CAP_F_COUNT; f++)
        *cap_field(caps, f) = 0;
    cl_int err;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)dev->platform, 0};
    cl_context ctx = clCreateContext(props, 1, &dev->id, NULL, NULL, &err);
    if (err != CL_SUCCESS) {
        trt__log(TRT_LOG_VERBOSE,
                 "device %d: inline-PTX probe skipped: creating its context "
                 "failed (%s); tensor-core kernels stay off",
                 dev->info.index, trt__cl_error_str(err));
        return;
    }
    cl_command_queue q = clCreateCommandQueue(ctx, dev->id, 0, &err);
    if (err != CL_SUCCESS) {
        trt__log(TRT_LOG_VERBOSE,
                 "device %d: inline-PTX probe skipped: creating its queue "
                 "failed (%s); tensor-core kernels stay off",
                 dev->info.index, trt__cl_error_str(err));
        clReleaseContext(ctx);
        return;
    }
    for (int f = 0; f < TRT_CAP_F_COUNT; f++) {
        if (f == TRT_CAP_F_WGMMA && !trt_caps_tensor_core_f16(caps)) {
            trt__log(TRT_LOG_VERBOSE,
                     "device %d: inline-PTX probe: wgmma off: not probed, as mma_f16, "
                     "ldmatrix and cp_async did not all pass",
                     dev->info.index);
            continue;
        }
        char why[800] = "";
        int ok = probe_feature(ctx, q, dev->id, f, extra_opts ? extra_opts : "", why, sizeof why);
        *cap_field(caps, f) = ok;
        if (!ok)
            trt__log(TRT_LOG_VERBOSE, "device %d: inline-PTX probe: %s off: %s", dev->info.index,
                     feature_names[f], why);
    }
    clReleaseCommandQueue(q);
    clReleaseContext(ctx);
}

/* ------------------------------------------------------------------ caches */

size_t trt__caps_format(const trt_device_caps *caps, uint64_t key, char *buf, size_t n) {
    trt_device_caps c = *caps;
    int len = snprintf(buf, n, "%s\nkey %016llx\n", CAPS_MAGIC, (unsigned long long)key);
    for (int f = 0; f < TRT_CAP_F_COUNT && len >= 0 && (size_t)len < n; f++)
        len += snprintf(buf + len, n - (size_t)len, "%s %d\n", feature_names[f],
                        *cap_field(&c, f) ? 1 : 0);
    return len >= 0 && (size_t)len < n ? (size_t)len : 0;
}

int trt__caps_parse(const char *text, uint64_t key, trt_device_caps *caps) {
    /* Strict: the text must be exactly what trt__caps_format writes for one of the 32 cap
     * combinations. */
    for (int bits = 0; bits < 1 << TRT_CAP_F_COUNT; bits++) {
        trt_device_caps c = {0};
        for (int f = 0; f < TRT_CAP_F_COUNT; f++)
            *cap_field(&c, f) = bits >> f & 1;
        char want[256];
        if (trt__caps_format(&c, key, want, sizeof want) && strcmp(text, want) == 0) {
            for (int f = 0; f < TRT_CAP_F_COUNT; f++)
                *cap_field(caps, f) = *cap_field(&c, f);
            return 1;
        }
    }
    return 0;
}

static uint64_t hash_str(uint64_t h, const char *s) { return trt__fnv1a(h, s, strlen(s) + 1); }

uint64_t trt__caps_key(const trt_device *dev) {
    uint64_t h = hash_str(TRT_FNV_INIT, CAPS_MAGIC);
    h = hash_str(h, TRT_VERSION_STRING);
    h = hash_str(h, dev->info.platform);
    h = hash_str(h, dev->info.name);
    h = hash_str(h, dev->info.driver_version);
    return hash_str(h, probe_src);
}

#define MEM_CACHE_MAX 16

static struct {
    char id[3 * 256]; /* platform \n name \n driver */
    trt_device_caps caps;
} mem_cache[MEM_CACHE_MAX];
static int mem_cache_n;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

void trt__caps_cache_clear(void) {
    pthread_mutex_lock(&cache_lock);
    mem_cache_n = 0;
    pthread_mutex_unlock(&cache_lock);
}

static void copy_caps(trt_device_caps *dst, const trt_device_caps *src) {
    dst->mma_f16 = src->mma_f16;
    dst->mma_s8 = src->mma_s8;
    dst->ldmatrix = src->ldmatrix;
    dst->cp_async = src->cp_async;
    dst->wgmma = src->wgmma;
}

/* The caps from the disk cache, 1 if found and sound. */
static int disk_load(const char *path, uint64_t key, trt_device_caps *caps) {
    void *data;
    size_t len;
    if (trt__cache_read(path, &data, &len) != 0) return 0; /* missing: probe */
    int ok = strlen(data) == len && trt__caps_parse(data, key, caps);
    free(data);
    if (!ok)
        trt__log(TRT_LOG_INFO,
                 "caps cache: '%s' is damaged or foreign; probing the device "
                 "again and rewriting it",
                 path);
    return ok;
}

static void disk_save(const char *path, uint64_t key, const trt_device_caps *caps) {
    char text[256];
    size_t len = trt__caps_format(caps, key, text, sizeof text);
    if (len && trt__cache_write(path, text, len) != 0)
        trt__log(TRT_LOG_INFO,
                 "caps cache: cannot write '%s'; the device will be probed "
                 "again by the next process",
                 path);
}

void trt__device_probe_caps(trt_device *dev) {
    trt_device_caps *c = &dev->caps;
    c->mma_f16 = c->mma_s8 = c->ldmatrix = c->cp_async = c->wgmma = 0;
    if (!c->nvidia_ptx) return;
    const char *off = getenv("TRT_DISABLE_PTX");
    if (off && *off && strcmp(off, "0") != 0) {
        trt__log(TRT_LOG_INFO,
                 "device %d: tensor cores (inline PTX): off (TRT_DISABLE_PTX is "
                 "set)",
                 dev->info.index);
        return;
    }
    char id[sizeof mem_cache[0].id];
    snprintf(id, sizeof id, "%s\n%s\n%s", dev->info.platform, dev->info.name,
             dev->info.driver_version);
    char from[1100] = "";
    pthread_mutex_lock(&cache_lock); /* held while probing: one probe per device */
    int hit = 0;
    for (int i = 0; i < mem_cache_n && !hit; i++)
        if (strcmp(mem_cache[i].id, id) == 0) {
            copy_caps(c, &mem_cache[i].caps);
            hit = 1;
            snprintf(from, sizeof from, "cached in this process");
        }
    if (!hit) {
        uint64_t key = trt__caps_key(dev);
        char *dir = trt__program_cache_dir(dev);
        char *path = NULL;
        if (dir) {
            size_t n = strlen(dir) + 32;
            path = malloc(n);
            if (path) snprintf(path, n, "%s/caps-%016llx.txt", dir, (unsigned long long)key);
        }
        free(dir);
        if (path && disk_load(path, key, c)) {
            snprintf(from, sizeof from, "cached in %s", path);
        } else {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            trt__caps_probe_run(dev, "", c);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            snprintf(from, sizeof from, "probed in %.2f s",
                     (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
            if (path) disk_save(path, key, c);
        }
        free(path);
        if (mem_cache_n < MEM_CACHE_MAX) {
            snprintf(mem_cache[mem_cache_n].id, sizeof mem_cache[0].id, "%s", id);
            copy_caps(&mem_cache[mem_cache_n].caps, c);
            mem_cache_n++;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    trt__log(TRT_LOG_INFO,
             "device %d: tensor cores (inline PTX): mma f16 %s, mma s8 %s, "
             "ldmatrix %s, cp.async %s, wgmma %s (%s)",
             dev->info.index, c->mma_f16 ? "yes" : "no", c->mma_s8 ? "yes" : "no",
             c->ldmatrix ? "yes" : "no", c->cp_async ? "yes" : "no", c->wgmma ? "yes" : "no", from);
}
