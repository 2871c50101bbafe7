/* tc_kernel_check.c — kernels/tc_gemm.cl on its own: correctness against a CPU reference at
 * awkward sizes, then the time of every tile configuration at large FP16 products.
 *
 *   tc_kernel_check KERNEL_DIR [--tile BM,BN,WM,WN,STAGES[,w|,w64] ...] [--time M,N,K ...]
 *                   [--trace M,N,K ...] [--per-group T,T,...] [--no-check] [--dump DIR]
 *                   [--bandwidth BYTES] [--build-threads T,COUNT] [--build-procs P,COUNT]
 *
 * --tile replaces the engine's tile configurations (engine/ops/tc.c; ",w": the wgmma variant, for
 * Hopper, ",w64" the same with 64-deep k tiles; built through runtime/ptx_arch.c as the engine does); --no-check skips the correctness
 * checks (timing only); --trace runs each tile once with per-work-group timestamps
 * (TC_TRACE) and prints its occupancy and work-group lifetimes; --per-group times each tile
 * with work-groups of T tiles each (0: the engine's rule); --bandwidth times plain write and
 * copy kernels over BYTES (the memory speed the products compare with); --dump writes each
 * program's device binary (PTX on NVIDIA) to DIR; --build-threads builds COUNT programs of the
 * first --tile (required) on T threads at once and prints the wall time (with
 * CUDA_CACHE_DISABLE=1); --build-procs does the same in P processes (the first --tile, else
 * 64x64 wgmma), and nothing else.
 * TC_CHECK_OPTS adds build options (e.g. -cl-nv-verbose, whose log is then printed);
 * TC_MAXNREG=N replaces the tiles' register caps (engine/ops/tc.c; 0: none).
 *
 * For NVIDIA devices only (the kernels are inline PTX); it forces the capability macros, so
 * a device without the features fails to compile (the engine's probe keeps such a device off
 * these kernels). Exit status 0 only if every check passed. Prints one line per check and per
 * timing: "time BMxBN/WMxWN/S M N K: X ms, Y TFLOP/s". Not part of CI (no GPU there).
 */
#define _POSIX_C_SOURCE 200809L
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ir.h"          /* trt_f32_to_f16 / trt_f16_to_f32 */
#include "ops/tc.h"            /* tiles, build options, threads, split-K workspace */
#include "runtime/ptx_arch.h" /* trt__ptx_lift_arch */

static cl_context ctx;
static cl_command_queue q;
static cl_device_id dev;
static char *src_common, *src_tc;

static char *slurp(const char *dir, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n) exit(2);
    s[n] = 0;
    fclose(f);
    return s;
}

#define CK(x)                                                                                  \
    do {                                                                                       \
        cl_int e_ = (x);                                                                       \
        if (e_ != CL_SUCCESS) {                                                                \
            fprintf(stderr, "%s:%d: OpenCL error %d: %s\n", __FILE__, __LINE__, e_, #x);       \
            exit(2);                                                                           \
        }                                                                                      \
    } while (0)

/* A tile configuration as the engine has it (its splits field unused here: the split-K factor
 * of a check is an argument). */
typedef trt_tc_tile tile;

/* --tile BM,BN,WM,WN,STAGES[,w|,w64] into *t (wgmma 0, 1, or 2 for 64-deep k tiles); 0 if
 * the text is not one. */
static int parse_tile(const char *s, tile *t) {
    char v[8] = "";
    const int n = sscanf(s, "%d,%d,%d,%d,%d,%7s", &t->bm, &t->bn, &t->wm, &t->wn, &t->stages, v);
    if (n < 5) return 0;
    t->wgmma = strcmp(v, "w64") == 0 ? 2 : strcmp(v, "w") == 0 ? 1 : 0;
    return n == 5 || t->wgmma;
}
/* The variant's suffix in printed tile names: "", "w" or "w64" (as --tile takes it). */
static const char *variant(const tile *t) { return t->wgmma == 2 ? "w64" : t->wgmma ? "w" : ""; }
/* The tiles checked and timed: engine/ops/tc.c's (trt__tc_tiles; the wgmma ones only on
 * devices of compute capability 9), or those given with --tile. */
static tile tiles[64];
static int NTILES;
static cl_uint cc_major; /* CL_DEVICE_COMPUTE_CAPABILITY_MAJOR_NV (cl_nv_device_attribute_query) */
static const char *dump_dir;
static int tracing; /* builds with -DTC_TRACE=1 (trace_gemm) */
static cl_uint compute_units;
/* Tiles per work-group of the launches (kernels/tc_gemm.cl): 0 = the engine's rule
 * (trt__tc_tiles_per_group), else this many. */
static int per_group;
/* Products per check_gemm launch (global dimension 2, kernel argument bdims): 1, or more for
 * the batched checks, whose work-groups index tiles and split-K counters past batch 0. */
static int check_batches = 1;
static int launch_per_group(const tile *t, int M, int N, int splits) {
    if (per_group > 0) return per_group;
    const size_t tiles = trt__tc_tile_count(t, (size_t)M, (size_t)N, (size_t)check_batches);
    return trt__tc_tiles_per_group(tiles * (size_t)splits, compute_units);
}

/* Programs built so far, by options (each is built once; callers release their reference). */
static struct {
    char opts[2048];
    cl_program p;
} built[64];
static int n_built;

/* The engine's build options of tile t (trt__tc_options), its register cap replaced by
 * TC_MAXNREG where that is set (0: none). */
static void tile_options(char *buf, size_t size, const tile *t, int kmajor) {
    trt__tc_options(buf, size, t, kmajor, 1, 1);
    const char *cap = getenv("TC_MAXNREG");
    if (!cap) return;
    char *o = strstr(buf, " " TRT_PTX_MAXNREG_OPTION);
    if (o) *o = 0;
    if (atoi(cap) > 0) {
        const size_t n = strlen(buf);
        snprintf(buf + n, size - n, " %s%d", TRT_PTX_MAXNREG_OPTION, atoi(cap));
    }
}

/* The options of tile t's program as the engine builds it on an NVIDIA device whose probe
 * passed (runtime/program.c: TRT_CAP_WGMMA on compute capability 9 for every tile), with
 * TC_PERSIST=persist (launches of several tiles per work-group), then `more`. */
static void program_options(char *opts, size_t size, const tile *t, int kmajor, int persist,
                            const char *more) {
    char tile_opts[512];
    tile_options(tile_opts, sizeof tile_opts, t, kmajor);
    snprintf(opts, size,
             "-cl-std=CL1.2 -DTRT_CAP_MMA_F16=1 -DTRT_CAP_LDMATRIX=1 -DTRT_CAP_CP_ASYNC=1 "
             "-DTRT_NV_PTX=1 %s %s -DTC_PERSIST=%d %s",
             t->wgmma || cc_major == 9 ? "-DTRT_CAP_WGMMA=1" : "", tile_opts, persist, more);
}

/* tc_gemm.cl built with opts and lifted to sm_90a as the engine does; NULL on failure, with
 * the compiler's log or the lift's error in log[]. */
static cl_program compile(const char *opts, char *log, size_t log_size) {
    const char *srcs[2] = {src_common, src_tc};
    cl_int err;
    cl_program p = clCreateProgramWithSource(ctx, 2, srcs, NULL, &err);
    if (err != CL_SUCCESS) {
        snprintf(log, log_size, "clCreateProgramWithSource: error %d", err);
        return NULL;
    }
    if (clBuildProgram(p, 1, &dev, opts, NULL, NULL) != CL_SUCCESS) {
        clGetProgramBuildInfo(p, dev, CL_PROGRAM_BUILD_LOG, log_size, log, NULL);
        clReleaseProgram(p);
        return NULL;
    }
    if (trt__ptx_lift_arch(ctx, dev, "tc_gemm.cl", opts, &p) != TRT_OK) {
        snprintf(log, log_size, "%s", trt_get_last_error());
        clReleaseProgram(p);
        return NULL;
    }
    return p;
}

static cl_program build(const tile *t, int kmajor, int persist) {
    char opts[2048], more[512];
    const char *extra = getenv("TC_CHECK_OPTS");
    snprintf(more, sizeof more, "%s%s", extra ? extra : "", tracing ? " -DTC_TRACE=1" : "");
    program_options(opts, sizeof opts, t, kmajor, persist, more);
    for (int i = 0; i < n_built; i++)
        if (strcmp(built[i].opts, opts) == 0) {
            clRetainProgram(built[i].p);
            return built[i].p;
        }
    static char log[65536];
    cl_program p = compile(opts, log, sizeof log);
    if (!p) {
        fprintf(stderr, "build failed (%s):\n%.4000s\n", opts, log);
        exit(2);
    }
    static char seen[64][128];
    static int nseen;
    char key[128];
    snprintf(key, sizeof key, "%dx%d_%dx%d_%d%s_%s%s", t->bm, t->bn, t->wm, t->wn, t->stages,
             variant(t), kmajor ? "nk" : "kn", persist ? "_persist" : "");
    int fresh = 1;
    for (int i = 0; i < nseen; i++) fresh &= strcmp(seen[i], key) != 0;
    if (fresh && nseen < 64) {
        snprintf(seen[nseen++], sizeof seen[0], "%s", key);
        if (extra && strstr(extra, "-cl-nv-verbose")) {
            static char log[65536];
            clGetProgramBuildInfo(p, dev, CL_PROGRAM_BUILD_LOG, sizeof log, log, NULL);
            printf("build log %s:\n%.4000s\n", key, log);
        }
        if (dump_dir) {
            size_t sz = 0;
            clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof sz, &sz, NULL);
            unsigned char *bin = malloc(sz + 1);
            clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL);
            char path[1024];
            snprintf(path, sizeof path, "%s/tc_%s.ptx", dump_dir, key);
            FILE *f = fopen(path, "wb");
            if (f) fwrite(bin, 1, sz, f), fclose(f);
            free(bin);
        }
    }
    if (n_built < 64) {
        snprintf(built[n_built].opts, sizeof built[n_built].opts, "%s", opts);
        built[n_built++].p = p;
        clRetainProgram(p);
    }
    return p;
}

static cl_mem upload(const uint16_t *h, size_t n) {
    cl_int err;
    cl_mem m = clCreateBuffer(ctx, CL_MEM_READ_WRITE, n * 2 + 16, NULL, &err);
    CK(err);
    CK(clEnqueueWriteBuffer(q, m, CL_TRUE, 0, n * 2, h, 0, NULL, NULL));
    return m;
}

static uint16_t *rand_half(size_t n, unsigned *seed) {
    uint16_t *h = malloc(n * 2);
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 1103515245u + 12345u;
        h[i] = trt_f32_to_f16(((float)((*seed >> 8) & 0xffff) / 65535.0f - 0.5f) * 2.0f);
    }
    return h;
}

static atomic_int failures;


static void setarg(cl_kernel k, int i, size_t size, const void *v) {
    cl_int e = clSetKernelArg(k, (cl_uint)i, size, v);
    if (e != CL_SUCCESS) {
        fprintf(stderr, "clSetKernelArg %d: error %d\n", i, e);
        exit(2);
    }
}

static void report(const char *what, const float *ref, const uint16_t *got, size_t n) {
    double num = 0, den = 0;
    int nonfinite = 0;
    for (size_t i = 0; i < n; i++) {
        double g = trt_f16_to_f32(got[i]);
        if (!isfinite(g)) nonfinite++;
        num += (g - ref[i]) * (g - ref[i]);
        den += (double)ref[i] * ref[i];
    }
    double rel = sqrt(num / (den > 0 ? den : 1));
    int ok = rel <= 2e-3 && !nonfinite;
    failures += !ok;
    printf("%s %s: rel L2 %.2e%s\n", ok ? "PASS" : "FAIL", what, rel,
           nonfinite ? " (non-finite values)" : "");
}

/* Y = act(A B + bias) with A [M][K], B [N][K] (kmajor) or [K][N]. */
/* The split-K workspace for `tiles` tiles (kernels/tc_gemm.cl), as the engine makes it: the
 * counters, then the tiles' sums, all zero; *off = the sums' float offset, *bytes its size. */
static cl_mem workspace(const tile *t, size_t tiles, cl_int *off, size_t *bytes) {
    const trt_tc_ws none = {0, 0};
    trt_tc_ws ws;
    trt__tc_ws_plan(&none, tiles, t->bm, t->bn, &ws);
    *off = (cl_int)ws.counters;
    *bytes = ws.bytes;
    cl_int err;
    cl_mem m = clCreateBuffer(ctx, CL_MEM_READ_WRITE, ws.bytes, NULL, &err);
    CK(err);
    const cl_int zero = 0;
    CK(clEnqueueFillBuffer(q, m, &zero, sizeof zero, 0, ws.bytes, 0, NULL, NULL));
    return m;
}

/* One launch of the kernel under test (a closure over its arguments). */
typedef struct launch launch;
struct launch {
    void (*run)(const launch *);
    cl_kernel k;
    const tile *t;
    int M, N, K, ldb, has_bias;
    cl_mem A, B, bias, Y, ws;
    cl_int splits, ws_off;
    size_t ws_bytes, gws[3], lws[3];
};

/* Y is filled with NaN before every launch, so that an output the kernel leaves unwritten
 * fails; a split-K kernel runs twice (the second run needs the counters and sums the first
 * one left zero) and each result is checked, then the whole workspace must be zero again. */
static void check_runs(const char *what, const launch *l, const float *ref, size_t tiles) {
    const size_t n_out = (size_t)l->M * l->N * (size_t)check_batches;
    uint16_t *y = malloc(n_out * 2);
    for (int run = 0; run < (l->splits > 1 ? 2 : 1); run++) {
        const cl_ushort nan = 0x7e00;
        CK(clEnqueueFillBuffer(q, l->Y, &nan, sizeof nan, 0, n_out * 2, 0, NULL, NULL));
        l->run(l);
        CK(clEnqueueReadBuffer(q, l->Y, CL_TRUE, 0, n_out * 2, y, 0, NULL, NULL));
        char w[224];
        snprintf(w, sizeof w, "%s%s", what, run ? " (second run)" : "");
        report(w, ref, y, n_out);
    }
    if (l->splits > 1) {
        const size_t words = l->ws_bytes / 4;
        cl_uint *w = malloc(l->ws_bytes);
        CK(clEnqueueReadBuffer(q, l->ws, CL_TRUE, 0, l->ws_bytes, w, 0, NULL, NULL));
        size_t bad_cnt = 0, bad_sum = 0;
        for (size_t i = 0; i < tiles; i++) bad_cnt += w[i] != 0;
        for (size_t i = (size_t)l->ws_off; i < words; i++) bad_sum += w[i] != 0;
        failures += bad_cnt + bad_sum != 0;
        printf("%s %s: split-K counters %s, sums %s\n", bad_cnt + bad_sum ? "FAIL" : "PASS",
               what, bad_cnt ? "not reset" : "reset", bad_sum ? "not zeroed" : "zeroed");
        free(w);
    }
    free(y);
}

static void run_gemm(cl_kernel k, const tile *t, int M, int N, int K, cl_mem A, cl_mem B,
                     int ldb, cl_mem bias, int has_bias, cl_mem Y, cl_int splits, cl_mem ws,
                     cl_int ws_off, cl_event *ev) {
    cl_int lda = K, ldy = N, zero = 0, act = 1, bsn = 1;
    cl_float one = 1.0f, z = 0.0f;
    /* check_batches products, each with its own A, B and Y (trt_bcast_offset: the last of
     * the 8 batch dimensions, of extent check_batches). */
    cl_int8 bd, as, bs, ys;
    for (int i = 0; i < 8; i++) bd.s[i] = 1, as.s[i] = bs.s[i] = ys.s[i] = 0;
    bd.s[7] = check_batches, as.s[7] = M * K, bs.s[7] = N * K, ys.s[7] = M * N;
    int a = 0;
#define ARG(x) setarg(k, a++, sizeof(x), &(x))
    ARG(M), ARG(N), ARG(K), ARG(one), ARG(A), ARG(lda), ARG(B), ARG(ldb), ARG(bias);
    ARG(has_bias), ARG(bsn), ARG(one), ARG(Y), ARG(ldy), ARG(Y), ARG(zero), ARG(zero), ARG(act);
    ARG(z), ARG(z), ARG(bd), ARG(as), ARG(bs), ARG(ys), ARG(splits), ARG(ws), ARG(ws_off);
    size_t gws[3], lws[3];
    trt__tc_grid(t, (size_t)M, (size_t)N, (size_t)check_batches, splits,
                 launch_per_group(t, M, N, splits), gws, lws);
    CK(clEnqueueNDRangeKernel(q, k, 3, NULL, gws, lws, 0, NULL, ev));
}

static void launch_gemm(const launch *l) {
    run_gemm(l->k, l->t, l->M, l->N, l->K, l->A, l->B, l->ldb, l->bias, l->has_bias, l->Y,
             l->splits, l->ws, l->ws_off, NULL);
}

static void launch_conv(const launch *l) {
    CK(clEnqueueNDRangeKernel(q, l->k, 3, NULL, l->gws, l->lws, 0, NULL, NULL));
}

/* splits > 1: split-K (check_runs). */
static void check_gemm(const tile *t, int kmajor, int M, int N, int K, unsigned seed, int splits) {
    if (t->wgmma && !kmajor) return; /* wgmma takes B as [N][K] only */
    cl_program p = build(t, kmajor, launch_per_group(t, M, N, splits) > 1);
    cl_int err;
    cl_kernel k = clCreateKernel(p, "tc_gemm", &err);
    CK(err);
    const size_t nb = (size_t)check_batches;
    uint16_t *a = rand_half(nb * M * K, &seed), *b = rand_half(nb * N * K, &seed);
    uint16_t *bias = rand_half((size_t)N, &seed);
    cl_mem A = upload(a, nb * M * K), B = upload(b, nb * N * K), Bi = upload(bias, N);
    cl_mem Y = clCreateBuffer(ctx, CL_MEM_READ_WRITE, nb * M * N * 2 + 16, NULL, &err);
    const size_t tiles = trt__tc_tile_count(t, (size_t)M, (size_t)N, nb);
    cl_int ws_off = 0;
    size_t ws_bytes = 0;
    cl_mem ws = splits > 1 ? workspace(t, tiles, &ws_off, &ws_bytes) : Y;
    float *ref = malloc(nb * M * N * sizeof(float));
    for (size_t bi = 0; bi < nb; bi++) {
        const uint16_t *ab = a + bi * M * K, *bb = b + bi * N * K;
        for (int m = 0; m < M; m++)
            for (int n = 0; n < N; n++) {
                double s = trt_f16_to_f32(bias[n]);
                for (int kk = 0; kk < K; kk++)
                    s += (double)trt_f16_to_f32(ab[(size_t)m * K + kk]) *
                         trt_f16_to_f32(kmajor ? bb[(size_t)n * K + kk] : bb[(size_t)kk * N + n]);
                ref[(bi * M + m) * N + n] = s > 0 ? (float)s : 0.0f;
            }
    }
    char what[192];
    snprintf(what, sizeof what,
             "gemm %dx%d/%dx%d/%d%s %s %dx M=%d N=%d K=%d split-K %d, %d per group", t->bm, t->bn,
             t->wm, t->wn, t->stages, variant(t), kmajor ? "B[N][K]" : "B[K][N]",
             check_batches, M, N, K, splits, launch_per_group(t, M, N, splits));
    launch l = {.run = launch_gemm, .k = k, .t = t, .M = M, .N = N, .K = K,
                .ldb = kmajor ? K : N, .has_bias = 1, .A = A, .B = B, .bias = Bi, .Y = Y,
                .ws = ws, .splits = splits, .ws_off = ws_off, .ws_bytes = ws_bytes};
    check_runs(what, &l, ref, tiles);
    if (splits > 1) clReleaseMemObject(ws);
    free(a), free(b), free(bias), free(ref);
    clReleaseMemObject(A), clReleaseMemObject(B), clReleaseMemObject(Bi), clReleaseMemObject(Y);
    clReleaseKernel(k), clReleaseProgram(p);
}

/* The geometry of a checked conv: kernel r x s, strides, pads (W's end pad may differ from
 * its begin pad, as in the engine's pairs-of-pixels first layers), dilation. */
typedef struct {
    int r, s, sh, sw, ph, pw, pw_end, dl;
} conv_shape;

/* NHWC8 conv: x [n][h][w][cp], w [k][r][s][cp], y [n][oh][ow][k], with residual and relu. */
static void check_conv_shape(const tile *t, int n, int h, int w, int c, int kc,
                             const conv_shape *g, unsigned seed, int splits) {
    const int cp = (c + 7) / 8 * 8, r = g->r, S = g->s, dl = g->dl;
    const int oh = (h + 2 * g->ph - ((r - 1) * dl + 1)) / g->sh + 1;
    const int ow = (w + g->pw + g->pw_end - ((S - 1) * dl + 1)) / g->sw + 1;
    const int M = n * oh * ow, N = kc, K = r * S * cp;
    uint16_t *x = rand_half((size_t)n * h * w * cp, &seed);
    uint16_t *wt = rand_half((size_t)kc * r * S * cp, &seed);
    for (size_t i = 0; i < (size_t)n * h * w; i++)
        for (int ci = c; ci < cp; ci++) x[i * cp + ci] = 0;
    for (size_t i = 0; i < (size_t)kc * r * S; i++)
        for (int ci = c; ci < cp; ci++) wt[i * cp + ci] = 0;
    uint16_t *bias = rand_half((size_t)kc, &seed), *res = rand_half((size_t)M * N, &seed);
    cl_program p = build(t, 1, launch_per_group(t, M, N, splits) > 1);
    cl_int err;
    cl_kernel k = clCreateKernel(p, "tc_conv", &err);
    CK(err);
    cl_mem X = upload(x, (size_t)n * h * w * cp), W = upload(wt, (size_t)kc * r * S * cp);
    cl_mem Bi = upload(bias, kc), R = upload(res, (size_t)M * N);
    cl_mem Y = clCreateBuffer(ctx, CL_MEM_READ_WRITE, (size_t)M * N * 2 + 16, NULL, &err);
    cl_int one = 1, act = 1;
    cl_float z = 0;
    cl_int2 s2 = {{g->sh, g->sw}}, p2 = {{g->ph, g->pw}}, d2 = {{dl, dl}};
    int a = 0;
    ARG(M), ARG(N), ARG(K), ARG(X), ARG(h), ARG(w), ARG(cp), ARG(oh), ARG(ow), ARG(S), ARG(s2);
    ARG(p2), ARG(d2), ARG(W), ARG(K), ARG(Bi), ARG(one), ARG(Y), ARG(N), ARG(R), ARG(one);
    const size_t tiles = trt__tc_tile_count(t, (size_t)M, (size_t)N, 1);
    cl_int ws_off = 0, sp = splits;
    size_t ws_bytes = 0;
    cl_mem ws = splits > 1 ? workspace(t, tiles, &ws_off, &ws_bytes) : Y;
    ARG(act), ARG(z), ARG(z), ARG(sp), ARG(ws), ARG(ws_off);
    size_t gws[3], lws[3];
    trt__tc_grid(t, (size_t)M, (size_t)N, 1, splits, launch_per_group(t, M, N, splits), gws, lws);
    float *ref = malloc((size_t)M * N * sizeof(float));
    for (int b = 0; b < n; b++)
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
                for (int o = 0; o < kc; o++) {
                    size_t mi = ((size_t)b * oh + i) * ow + j;
                    double s = trt_f16_to_f32(bias[o]) + trt_f16_to_f32(res[mi * N + o]);
                    for (int ky = 0; ky < r; ky++)
                        for (int kx = 0; kx < S; kx++) {
                            int ih = i * g->sh - g->ph + ky * dl, iw = j * g->sw - g->pw + kx * dl;
                            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                            for (int ci = 0; ci < c; ci++)
                                s += (double)trt_f16_to_f32(x[(((size_t)b * h + ih) * w + iw) * cp + ci]) *
                                     trt_f16_to_f32(wt[(((size_t)o * r + ky) * S + kx) * cp + ci]);
                        }
                    ref[mi * N + o] = s > 0 ? (float)s : 0.0f;
                }
    char what[192];
    snprintf(what, sizeof what,
             "conv %dx%d/%dx%d/%d%s n%d %dx%d c%d k%d r%dx%d s%d,%d p%d,%d,%d d%d split-K %d, %d per "
             "group",
             t->bm, t->bn, t->wm, t->wn, t->stages, variant(t), n, h, w, c, kc, r, S,
             g->sh, g->sw, g->ph, g->pw, g->pw_end, dl, splits, launch_per_group(t, M, N, splits));
    launch l = {.run = launch_conv, .k = k, .t = t, .M = M, .N = N, .K = K, .Y = Y, .ws = ws,
                .splits = splits, .ws_off = ws_off, .ws_bytes = ws_bytes,
                .gws = {gws[0], gws[1], gws[2]},
                .lws = {lws[0], lws[1], lws[2]}};
    check_runs(what, &l, ref, tiles);
    if (splits > 1) clReleaseMemObject(ws);
    free(x), free(wt), free(bias), free(res), free(ref);
    clReleaseMemObject(X), clReleaseMemObject(W), clReleaseMemObject(Bi), clReleaseMemObject(R);
    clReleaseMemObject(Y), clReleaseKernel(k), clReleaseProgram(p);
}

/* A square conv: r x r kernel, stride, pad and dilation the same in both directions. */
static void check_conv(const tile *t, int n, int h, int w, int c, int kc, int r, int st, int pd,
                       int dl, unsigned seed, int splits) {
    const conv_shape g = {r, r, st, st, pd, pd, pd, dl};
    check_conv_shape(t, n, h, w, c, kc, &g, seed, splits);
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The operands of a timed product: random A [M][K] and B (N x K), room for Y [M][N]. */
typedef struct {
    cl_mem A, B, Y;
} timed_product;
static timed_product timed_product_make(int M, int N, int K) {
    unsigned seed = 7;
    uint16_t *a = rand_half((size_t)M * K, &seed), *b = rand_half((size_t)N * K, &seed);
    timed_product p = {upload(a, (size_t)M * K), upload(b, (size_t)N * K), NULL};
    cl_int err;
    p.Y = clCreateBuffer(ctx, CL_MEM_READ_WRITE, (size_t)M * N * 2 + 16, NULL, &err);
    CK(err);
    free(a), free(b);
    return p;
}
static void timed_product_free(timed_product *p) {
    clReleaseMemObject(p->A), clReleaseMemObject(p->B), clReleaseMemObject(p->Y);
}

/* The time a finished launch took on the device (profiling queue), ms; releases ev. */
static double launch_ms(cl_event ev) {
    CK(clWaitForEvents(1, &ev));
    cl_ulong t0, t1;
    clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL);
    clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL);
    clReleaseEvent(ev);
    return (double)(t1 - t0) * 1e-6;
}

/* The median of 20 timed launches of tc_gemm (after 3 untimed ones), ms. Without bias, or
 * with the environment's TC_TIME_BIAS set, with A's first N values as bias (as the engine's
 * convolutions have, folded from batch normalization). */
static double median_launch_ms(cl_kernel k, const tile *t, int M, int N, int K, cl_mem A,
                               cl_mem B, int ldb, cl_mem Y) {
    const int with_bias = getenv("TC_TIME_BIAS") != NULL && (size_t)M * K >= (size_t)N;
    double ms[20];
    for (int it = -3; it < 20; it++) {
        cl_event ev;
        run_gemm(k, t, M, N, K, A, B, ldb, A, with_bias, Y, 1, Y, 0, &ev);
        const double one = launch_ms(ev);
        if (it >= 0) ms[it] = one;
    }
    qsort(ms, 20, sizeof ms[0], cmp_d);
    return ms[10];
}

static int per_group_list[8] = {0}, n_per_group = 1;
static void time_gemm(int M, int N, int K) {
    timed_product op = timed_product_make(M, N, K);
    for (int kmajor = 1; kmajor >= 0; kmajor--)
        for (int i = 0; i < NTILES; i++) {
            const tile *t = &tiles[i];
            if (t->wgmma && !kmajor) continue;
            for (int pg = 0; pg < n_per_group; pg++) {
                per_group = per_group_list[pg];
                const int tpg = launch_per_group(t, M, N, 1);
                cl_program p = build(t, kmajor, tpg > 1);
                cl_int err;
                cl_kernel k = clCreateKernel(p, "tc_gemm", &err);
                CK(err);
                const double ms =
                    median_launch_ms(k, t, M, N, K, op.A, op.B, kmajor ? K : N, op.Y);
                printf("time %dx%d/%dx%d/%d%s %s M=%d N=%d K=%d, %d per group: %.3f ms, %.1f "
                       "TFLOP/s\n",
                       t->bm, t->bn, t->wm, t->wn, t->stages, variant(t),
                       kmajor ? "B[N][K]" : "B[K][N]", M, N, K, tpg, ms,
                       2.0 * M * N * (double)K / (ms * 1e-3) / 1e12);
                fflush(stdout);
                clReleaseKernel(k), clReleaseProgram(p);
            }
            per_group = 0;
        }
    timed_product_free(&op);
}

/* --bandwidth BYTES: the device's memory speed as plain OpenCL kernels see it, for comparison
 * with the memory-bound products (an output of BYTES, 16-byte stores): a write of zeros, a copy,
 * and a write in the epilogue's pattern (work-groups of 128 writing 64 x 64 tiles of halves of a
 * matrix 256 halves wide, 4 runs of 8 halves per work-item, kernels/tc_gemm.cl tc_epi_run). */
static const char *bw_src =
    "__kernel void bw_write(__global uint4 *y) { y[get_global_id(0)] = (uint4)(0); }\n"
    "__kernel void bw_copy(__global const uint4 *x, __global uint4 *y) {\n"
    "    const size_t i = get_global_id(0); y[i] = x[i]; }\n"
    "__kernel void bw_tiles(__global uint4 *y) {\n"
    "    const int tid = get_local_id(0), tile = get_group_id(0), gn = 256 / 64;\n"
    "    const long m0 = (long)(tile / gn) * 64, n0 = (tile % gn) * 64;\n"
    "    for (int j = 0; j < 4; j++) {\n"
    "        const int i = tid + j * 128, rl = i / 8, cl = (i % 8) * 8;\n"
    "        y[((m0 + rl) * 256 + n0 + cl) / 8] = (uint4)(tile); } }\n";
static void time_bandwidth(size_t bytes) {
    bytes = bytes / (256 * 64 * 2) * (256 * 64 * 2); /* whole rows of 64 x 256 tiles */
    cl_int err;
    cl_program p = clCreateProgramWithSource(ctx, 1, &bw_src, NULL, &err);
    CK(err);
    CK(clBuildProgram(p, 1, &dev, "", NULL, NULL));
    cl_mem x = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes, NULL, &err);
    CK(err);
    cl_mem y = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes, NULL, &err);
    CK(err);
    const char *names[3] = {"bw_write", "bw_copy", "bw_tiles"};
    for (int kn = 0; kn < 3; kn++) {
        cl_kernel k = clCreateKernel(p, names[kn], &err);
        CK(err);
        if (kn == 1) setarg(k, 0, sizeof x, &x), setarg(k, 1, sizeof y, &y);
        else setarg(k, 0, sizeof y, &y);
        const size_t lws = kn == 2 ? 128 : 256;
        const size_t gws = kn == 2 ? bytes / (64 * 64 * 2) * 128 : bytes / 16;
        double ms[20];
        for (int it = -3; it < 20; it++) {
            cl_event ev;
            CK(clEnqueueNDRangeKernel(q, k, 1, NULL, &gws, &lws, 0, NULL, &ev));
            const double one = launch_ms(ev);
            if (it >= 0) ms[it] = one;
        }
        qsort(ms, 20, sizeof ms[0], cmp_d);
        const double moved = (double)bytes * (kn == 1 ? 2 : 1);
        printf("bandwidth %s %zu bytes: %.3f ms, %.0f GB/s (bytes read and written)\n",
               names[kn], bytes, ms[10], moved / (ms[10] * 1e-3) / 1e9);
        fflush(stdout);
        clReleaseKernel(k);
    }
    clReleaseMemObject(x), clReleaseMemObject(y), clReleaseProgram(p);
}

/* One traced launch (TC_TRACE, kernels/tc_gemm.cl) of every tile configuration at M x N x K
 * (B [N][K]), with the engine's tiles per work-group (or --per-group's first count): how many
 * work-groups an SM held at once (at most, and on average over the time it was busy: a
 * work-group works on one tile at a time, so this counts the tiles in progress), how long a
 * tile took from its start to the end of its epilogue, and the share of that before the
 * epilogue. */
typedef struct {
    cl_ulong sm, g0, g1, c0, c1, c2, staged, unused;
} trace_rec;
static int cmp_u64(const void *a, const void *b) {
    cl_ulong x = *(const cl_ulong *)a, y = *(const cl_ulong *)b;
    return x < y ? -1 : x > y;
}
static void trace_gemm(int M, int N, int K) {
    if (M <= 0 || N <= 0 || K <= 0) {
        printf("trace M=%d N=%d K=%d: nothing to trace\n", M, N, K);
        return;
    }
    timed_product op = timed_product_make(M, N, K);
    cl_mem A = op.A, B = op.B, Y = op.Y;
    cl_int err;
    tracing = 1;
    per_group = per_group_list[0];
    for (int i = 0; i < NTILES; i++) {
        const tile *t = &tiles[i];
        const size_t groups = trt__tc_tile_count(t, (size_t)M, (size_t)N, 1);
        cl_mem T = clCreateBuffer(ctx, CL_MEM_READ_WRITE, groups * sizeof(trace_rec), NULL, &err);
        CK(err);
        cl_program p = build(t, 1, launch_per_group(t, M, N, 1) > 1);
        cl_kernel k = clCreateKernel(p, "tc_gemm", &err);
        CK(err);
        for (int it = 0; it < 4; it++) {
            cl_event ev;
            run_gemm(k, t, M, N, K, A, B, K, A, 0, Y, 1, T, 0, &ev);
            CK(clWaitForEvents(1, &ev));
            clReleaseEvent(ev);
        }
        trace_rec *r = malloc(groups * sizeof *r);
        if (!r) exit(2);
        CK(clEnqueueReadBuffer(q, T, CL_TRUE, 0, groups * sizeof *r, r, 0, NULL, NULL));
        /* Per SM: sweep its work-groups' [c0, c2] intervals in clock order. */
        enum { MAX_SM = 256 };
        static cl_ulong ev[1 << 22];
        cl_ulong g_lo = ~0ull, g_hi = 0, clk_sum = 0, ns_sum = 0, loop_sum = 0, staged_sum = 0;
        for (size_t j = 0; j < groups; j++) {
            g_lo = r[j].g0 < g_lo ? r[j].g0 : g_lo, g_hi = r[j].g1 > g_hi ? r[j].g1 : g_hi;
            clk_sum += r[j].c2 - r[j].c0, ns_sum += r[j].g1 - r[j].g0, loop_sum += r[j].c1 - r[j].c0;
            staged_sum += r[j].staged - r[j].c1;
        }
        int sms = 0, max_conc = 0;
        size_t unseen = 0; /* records of SMs past MAX_SM */
        for (size_t j = 0; j < groups; j++) unseen += r[j].sm >= MAX_SM;
        if (unseen) printf("trace: %zu tiles ran on SMs numbered %d or more, not counted\n", unseen, MAX_SM);
        double busy_conc = 0;
        for (cl_ulong sm = 0; sm < MAX_SM; sm++) {
            size_t n = 0;
            cl_ulong lo = ~0ull, hi = 0, life = 0;
            for (size_t j = 0; j < groups && n + 2 <= (1u << 22); j++)
                if (r[j].sm == sm) {
                    ev[n++] = r[j].c0 << 1 | 1, ev[n++] = r[j].c2 << 1; /* ends sort first */
                    lo = r[j].c0 < lo ? r[j].c0 : lo, hi = r[j].c2 > hi ? r[j].c2 : hi;
                    life += r[j].c2 - r[j].c0;
                }
            if (!n) continue;
            sms++;
            qsort(ev, n, sizeof ev[0], cmp_u64);
            int c = 0;
            for (size_t j = 0; j < n; j++) {
                c += ev[j] & 1 ? 1 : -1;
                max_conc = c > max_conc ? c : max_conc;
            }
            busy_conc += hi > lo ? (double)life / (double)(hi - lo) : 1.0;
        }
        const double ghz = ns_sum ? (double)clk_sum / (double)ns_sum : 0.0;
        printf("trace %dx%d/%dx%d/%d%s M=%d N=%d K=%d: %zu tiles on %d SMs, %.3f ms; "
               "per SM at most %d work-groups at once, %.2f on average; a tile takes %.2f us "
               "(%.0f%% before the epilogue, %.0f%% from there until its first pass is staged in "
               "local memory); SM clock %.2f GHz\n",
               t->bm, t->bn, t->wm, t->wn, t->stages, variant(t), M, N, K, groups,
               sms, (double)(g_hi - g_lo) * 1e-6, max_conc, sms ? busy_conc / sms : 0.0,
               (double)ns_sum / (double)groups * 1e-3, 100.0 * (double)loop_sum / (double)clk_sum,
               100.0 * (double)staged_sum / (double)clk_sum, ghz);
        fflush(stdout);
        free(r);
        clReleaseKernel(k), clReleaseProgram(p), clReleaseMemObject(T);
    }
    tracing = 0;
    per_group = 0;
    timed_product_free(&op);
}

/* --build-threads T,COUNT: COUNT programs of the first tile (each with its own dummy macro, so
 * that no cache serves one: run it with CUDA_CACHE_DISABLE=1) built and lifted as the engine
 * does, on T threads at once; prints the wall time. Whether NVIDIA's compiler builds programs
 * of one process side by side (engine/runtime/program.c's prefetch assumes it may). */
static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct {
    const tile *t;
    int count, base;
    atomic_int next;
} build_speed_job;

static void *build_speed_worker(void *arg) {
    build_speed_job *j = arg;
    for (int i; (i = atomic_fetch_add(&j->next, 1)) < j->count;) {
        char opts[2048], more[64], log[2048];
        snprintf(more, sizeof more, "-DTC_BUILD_SPEED_ID=%d", j->base + i);
        program_options(opts, sizeof opts, j->t, 1, 1, more);
        cl_program p = compile(opts, log, sizeof log);
        if (p) {
            clReleaseProgram(p);
        } else {
            printf("build: program %d failed: %.500s\n", j->base + i, log);
            failures++;
        }
    }
    return NULL;
}

static void build_speed(const tile *t, int threads, int count) {
    static int base; /* distinct programs across calls */
    if (threads < 1 || threads > 32 || count < 1) return;
    build_speed_job j = {t, count, base, 0};
    base += count;
    pthread_t tid[32];
    const double t0 = now_s();
    int started = 0;
    while (started < threads &&
           pthread_create(&tid[started], NULL, build_speed_worker, &j) == 0)
        started++;
    if (started == 0) build_speed_worker(&j); /* no thread: this one builds them all */
    for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
    if (started < threads) printf("build-threads: %d of %d threads started\n", started, threads);
    printf("build-threads: %d programs of %dx%d/%dx%d/%d%s on %d threads: %.1f s\n", count,
           t->bm, t->bn, t->wm, t->wn, t->stages, variant(t), threads, now_s() - t0);
}

/* The first OpenCL GPU, its context and queue (globals dev, ctx, q); 0 if there is none. */
static int open_device(int quiet) {
    cl_platform_id plats[8];
    cl_uint np = 0;
    CK(clGetPlatformIDs(8, plats, &np));
    int found = 0;
    for (cl_uint i = 0; i < np && !found; i++)
        found = clGetDeviceIDs(plats[i], CL_DEVICE_TYPE_GPU, 1, &dev, NULL) == CL_SUCCESS;
    if (!found) return 0;
    char name[256];
    clGetDeviceInfo(dev, CL_DEVICE_NAME, sizeof name, name, NULL);
    cl_ulong lmem = 0;
    clGetDeviceInfo(dev, CL_DEVICE_LOCAL_MEM_SIZE, sizeof lmem, &lmem, NULL);
    if (!quiet) printf("device: %s, local memory %llu bytes\n", name, (unsigned long long)lmem);
    clGetDeviceInfo(dev, 0x4000, sizeof cc_major, &cc_major, NULL);
    clGetDeviceInfo(dev, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof compute_units, &compute_units, NULL);
    cl_int err;
    ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
    CK(err);
    q = clCreateCommandQueue(ctx, dev, CL_QUEUE_PROFILING_ENABLE, &err);
    CK(err);
    return 1;
}

/* --build-procs P,COUNT (before this process touches OpenCL): P child processes, each with
 * its own device context, build COUNT distinct programs of the first --tile between them;
 * prints the wall time. Set against --build-threads: whether NVIDIA's compiler, serial
 * within a process, builds side by side in separate ones. Returns the exit status. */
static int build_procs(int argc, char **argv, int procs, int count) {
    tile t = {64, 64, 64, 64, 4, 1, 1};
    for (int i = 2; i + 1 < argc; i++)
        if (strcmp(argv[i], "--tile") == 0 && parse_tile(argv[i + 1], &t)) break;
    if (procs < 1 || procs > 64 || count < 1) return 2;
    const double t0 = now_s();
    pid_t pid[64];
    int started = 0;
    for (int c = 0; c < procs; c++) {
        pid[c] = fork();
        if (pid[c] == 0) { /* the child: its share, programs c, c + procs, ... */
            if (!open_device(1)) _exit(77);
            build_speed_job j = {&t, 1, 0, 0};
            for (int i = c; i < count; i += procs) {
                j.base = 100000 + i; /* apart from --build-threads' numbers */
                atomic_store(&j.next, 0);
                build_speed_worker(&j);
            }
            fflush(stdout); /* _exit does not flush, and a pipe buffers */
            _exit(failures ? 1 : 0);
        }
        if (pid[c] < 0) break;
        started++;
    }
    int bad = started < procs, no_gpu = 0;
    for (int c = 0; c < started; c++) {
        int st = 0;
        waitpid(pid[c], &st, 0);
        no_gpu |= WIFEXITED(st) && WEXITSTATUS(st) == 77;
        bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    }
    if (no_gpu) {
        printf("no OpenCL GPU: nothing built\n");
        return 77;
    }
    printf("build-procs: %d programs of %dx%d/%dx%d/%d%s in %d processes: %.1f s%s\n", count,
           t.bm, t.bn, t.wm, t.wn, t.stages, variant(&t), procs, now_s() - t0,
           bad ? " (a process failed)" : "");
    return bad ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s KERNEL_DIR [--time M,N,K]...\n", argv[0]);
        return 2;
    }
    src_common = slurp(argv[1], "common.cl");
    src_tc = slurp(argv[1], "tc_gemm.cl");
    for (int i = 2; i + 1 < argc; i++) {
        int procs, count;
        if (strcmp(argv[i], "--build-procs") == 0 &&
            sscanf(argv[i + 1], "%d,%d", &procs, &count) == 2)
            return build_procs(argc, argv, procs, count);
    }
    if (!open_device(0)) {
        printf("no OpenCL GPU: nothing checked\n");
        return 77;
    }
    int check = 1, nchosen = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--no-check") == 0) check = 0;
        if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc) dump_dir = argv[i + 1];
        if (strcmp(argv[i], "--per-group") == 0 && i + 1 < argc) {
            n_per_group = 0;
            for (char *tok = strtok(argv[i + 1], ","); tok && n_per_group < 8; tok = strtok(NULL, ","))
                per_group_list[n_per_group++] = atoi(tok);
            if (!n_per_group) per_group_list[n_per_group++] = 0;
        }
        tile t = {0, 0, 0, 0, 0, 0, 1};
        if (strcmp(argv[i], "--tile") == 0 && i + 1 < argc && nchosen < 64 &&
            parse_tile(argv[i + 1], &t))
            tiles[nchosen++] = t;
    }
    NTILES = nchosen;
    if (!nchosen) {
        const cl_uint cc = cc_major;
        int n;
        const trt_tc_tile *engine_tiles = trt__tc_tiles(&n);
        for (int i = 0; i < n && NTILES < 64; i++)
            if (cc == 9 || !engine_tiles[i].wgmma) tiles[NTILES++] = engine_tiles[i];
        printf("compute capability %u: %s\n", cc,
               cc == 9 ? "mma.sync and wgmma tiles" : "mma.sync tiles (wgmma is sm_90a)");
    }
    for (int i = 0; i < NTILES && check; i++) {
        check_gemm(&tiles[i], 1, 128, 128, 64, 1, 1);
        check_gemm(&tiles[i], 1, 93, 641, 1000, 2, 1);
        check_gemm(&tiles[i], 0, 641, 96, 264, 3, 1);
        check_gemm(&tiles[i], 1, 1, 8, 8, 4, 1);
        check_gemm(&tiles[i], 0, 7, 24, 40, 5, 1);
        check_conv(&tiles[i], 2, 9, 11, 13, 24, 3, 1, 1, 1, 6, 1);
        check_conv(&tiles[i], 1, 17, 15, 64, 72, 3, 2, 1, 1, 7, 1);
        check_conv(&tiles[i], 3, 7, 7, 3, 8, 7, 2, 3, 1, 8, 1);
        check_conv(&tiles[i], 1, 12, 12, 16, 16, 3, 1, 2, 2, 9, 1);
        /* A first layer as pairs of pixels (passes/layout.c W-pairs): ResNet's 7x7 stride-2 pad-3
         * conv on 3 channels becomes 7x4 taps, stride (2, 1), pads (3, 2) and W end pad 1, on 6
         * of 8 channels, over 11 pairs (an odd width of 21 or 22) */
        const conv_shape pairs = {7, 4, 2, 1, 3, 2, 1, 1};
        check_conv_shape(&tiles[i], 2, 13, 11, 6, 16, &pairs, 13, 1);
        /* Split-K, with uneven shares of K, and at the engine's factors on batch-1 shapes: */
        check_gemm(&tiles[i], 1, 93, 641, 1000, 10, 3);
        check_gemm(&tiles[i], 0, 49, 96, 2304, 11, 16);
        check_gemm(&tiles[i], 1, 49, 96, 2304, 11, 16);
        check_gemm(&tiles[i], 1, 49, 512, 4608, 13, 8);
        check_gemm(&tiles[i], 1, 196, 256, 1024, 14, 4);
        check_gemm(&tiles[i], 1, 784, 128, 1152, 15, 2);
        check_conv(&tiles[i], 1, 7, 7, 200, 64, 3, 1, 1, 1, 12, 5);
        /* Several tiles per work-group (uneven: 3 into 40, 17 and 9 tiles), alone and with
         * split-K: */
        per_group = 3;
        check_gemm(&tiles[i], 1, 641, 1000, 264, 16, 1);
        check_gemm(&tiles[i], 0, 641, 96, 264, 17, 1);
        check_conv(&tiles[i], 2, 17, 15, 64, 72, 3, 2, 1, 1, 18, 1);
        check_gemm(&tiles[i], 1, 196, 256, 1024, 19, 4);
        check_conv(&tiles[i], 1, 7, 7, 200, 64, 3, 1, 1, 1, 20, 5);
        per_group = 0;
        /* Batched products (3 of them, each its own A, B and Y): one tile per work-group,
         * split-K, and 3 tiles per work-group. */
        check_batches = 3;
        check_gemm(&tiles[i], 1, 93, 641, 264, 21, 1);
        check_gemm(&tiles[i], 0, 7, 24, 40, 22, 1);
        check_gemm(&tiles[i], 1, 49, 96, 2304, 23, 16);
        per_group = 3;
        check_gemm(&tiles[i], 1, 200, 256, 72, 24, 1);
        check_gemm(&tiles[i], 1, 196, 256, 1024, 25, 4);
        per_group = 0;
        check_batches = 1;
    }
    for (int i = 2; i + 1 < argc; i++) {
        int threads, count;
        if (strcmp(argv[i], "--build-threads") == 0 && nchosen > 0 &&
            sscanf(argv[i + 1], "%d,%d", &threads, &count) == 2)
            build_speed(&tiles[0], threads, count);
    }
    for (int i = 2; i + 1 < argc; i++)
        if (strcmp(argv[i], "--bandwidth") == 0) time_bandwidth((size_t)atoll(argv[i + 1]));
    for (int i = 2; i + 1 < argc; i++)
        if (strcmp(argv[i], "--time") == 0) {
            int M, N, K;
            if (sscanf(argv[i + 1], "%d,%d,%d", &M, &N, &K) == 3) time_gemm(M, N, K);
        }
    for (int i = 2; i + 1 < argc; i++)
        if (strcmp(argv[i], "--trace") == 0) {
            int M, N, K;
            if (sscanf(argv[i + 1], "%d,%d,%d", &M, &N, &K) == 3) trace_gemm(M, N, K);
        }
    printf("%d checks failed\n", failures);
    return failures ? 1 : 0;
}
