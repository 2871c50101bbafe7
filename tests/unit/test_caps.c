/* test_caps.c — the inline-PTX capability probe (runtime/caps.c) and the capability macros
 * of program builds (runtime/program.c), on whatever device TRT_DEVICE picks (PoCL in CI):
 *
 * - a device without NVIDIA's driver gets no PTX cap, and its programs no TRT_CAP_* macro
 *   (a source that #errors on TRT_CAP_MMA_F16 builds);
 * - the macros follow the caps, are part of the in-memory program lookup and of the disk
 *   cache key;
 * - the probe kernels, with the inline PTX replaced by an OpenCL C emulation of each
 *   instruction (-DTRT_PROBE_EMULATE), pass the host checks: their fragment packing, the
 *   wgmma probe's swizzled local-memory layout and descriptors, the host references and the
 *   runner work on any device;
 * - every host check fails on a deliberately wrong answer;
 * - the cache file format (round trip, damaged texts and format 1's files refused);
 * - TRT_DISABLE_PTX, the in-process cache and the disk cache (hit, a file of the previous
 *   format probed again and rewritten), with the device pretending to be NVIDIA's.
 *
 * usage: test_caps              run the tests
 *        test_caps --dump-probe FILE   write the probe kernels' source (for check_ptx.sh)
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "runtime/caps.h"
#include "runtime/runtime.h"
#include "trt/trt.h"
#include "tune/cachefile.h"

#include "../common/check.h"

/* ------------------------------------------------------------------ log capture */

static char logbuf[16384];

static void on_log(trt_log_level level, const char *msg, void *user) {
    (void)level;
    (void)user;
    size_t n = strlen(logbuf);
    snprintf(logbuf + n, sizeof logbuf - n, "%s\n", msg);
}

static void log_start(void) {
    logbuf[0] = 0;
    trt_set_log_level(TRT_LOG_VERBOSE);
    trt_set_log_callback(on_log, NULL);
}

static void log_stop(void) {
    trt_set_log_callback(NULL, NULL);
    trt_set_log_level(TRT_LOG_WARNING);
}

/* ------------------------------------------------------------------ helpers */

static int caps_sum(const trt_device_caps *c) {
    return c->mma_f16 + c->mma_s8 + c->ldmatrix + c->cp_async + c->wgmma;
}

static void set_ptx_caps(trt_device_caps *c, int v) {
    c->mma_f16 = c->mma_s8 = c->ldmatrix = c->cp_async = c->wgmma = v;
}

/* Whether `src` builds on the device with the options its programs get. */
static int builds(trt_device *dev, const char *src) {
    char *opts = trt__device_build_options(dev, "-cl-std=CL1.2");
    if (!opts) return 0;
    cl_int err;
    cl_program p = clCreateProgramWithSource(dev->cl_ctx, 1, &src, NULL, &err);
    int ok = err == CL_SUCCESS && clBuildProgram(p, 1, &dev->id, opts, NULL, NULL) == CL_SUCCESS;
    if (err == CL_SUCCESS) clReleaseProgram(p);
    free(opts);
    return ok;
}

static int count_files(const char *dir, const char *suffix) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    size_t sl = strlen(suffix);
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l >= sl && strcmp(e->d_name + l - sl, suffix) == 0) n++;
    }
    closedir(d);
    return n;
}

static void remove_tree(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    char path[4096];
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        remove(path);
    }
    closedir(d);
    rmdir(dir);
}

/* ------------------------------------------------------------------ host checks */

static float half_to_float(uint16_t h) {
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    float v = e ? ldexpf((float)(m | 0x400), e - 25) : ldexpf((float)m, -24);
    return (h & 0x8000) ? -v : v;
}

static void test_half_bits(void) {
    CHECK(trt__caps_half_bits(1.0f) == 0x3c00, "half(1) = 0x%04x", trt__caps_half_bits(1.0f));
    CHECK(trt__caps_half_bits(-2.0f) == 0xc000, "half(-2) = 0x%04x", trt__caps_half_bits(-2.0f));
    CHECK(trt__caps_half_bits(3.0f) == 0x4200, "half(3) = 0x%04x", trt__caps_half_bits(3.0f));
    CHECK(trt__caps_half_bits(0.0f) == 0, "half(0) = 0x%04x", trt__caps_half_bits(0.0f));
    for (int v = -100; v <= 100; v++)
        if (half_to_float(trt__caps_half_bits((float)v)) != (float)v)
            CHECK(0, "half(%d) does not round-trip", v);
}

/* Each check accepts the right answer (computed here as plain matrix products and copies)
 * and rejects one wrong value, saying which. */
static void test_checks(void) {
    char why[256];
    static trt_caps_mma_f16_io f;
    trt__caps_mma_f16_fill(&f);
    why[0] = 0;
    CHECK(!trt__caps_mma_f16_check(&f, why, sizeof why) && why[0],
          "mma f16: an unwritten (NaN) D must fail");
    int distinct = 0;
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 8; j++) {
            float s = f.c[i * 8 + j];
            for (int k = 0; k < 16; k++)
                s += half_to_float(f.a[i * 16 + k]) * half_to_float(f.bt[j * 16 + k]);
            f.d[i * 8 + j] = s;
            distinct += i && f.d[i * 8 + j] != f.d[(i - 1) * 8 + j];
        }
    CHECK(distinct > 100, "mma f16: the probe's D should vary from row to row (%d)", distinct);
    CHECK(trt__caps_mma_f16_check(&f, why, sizeof why), "mma f16: right answer refused: %s", why);
    f.d[13 * 8 + 5] += 1.0f;
    why[0] = 0;
    CHECK(!trt__caps_mma_f16_check(&f, why, sizeof why) && strstr(why, "D[13][5]"),
          "mma f16: a wrong D[13][5] must fail and be named (why: '%s')", why);

    static trt_caps_mma_s8_io s;
    trt__caps_mma_s8_fill(&s);
    int neg = 0;
    for (int i = 0; i < 16 * 32; i++)
        neg += s.a[i] < 0;
    CHECK(neg > 100, "mma s8: the probe needs negative values (%d)", neg);
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 8; j++) {
            int32_t acc = s.c[i * 8 + j];
            for (int k = 0; k < 32; k++)
                acc += s.a[i * 32 + k] * s.bt[j * 32 + k];
            s.d[i * 8 + j] = acc;
        }
    CHECK(trt__caps_mma_s8_check(&s, why, sizeof why), "mma s8: right answer refused: %s", why);
    s.d[127] -= 1;
    why[0] = 0;
    CHECK(!trt__caps_mma_s8_check(&s, why, sizeof why) && strstr(why, "D[15][7]"),
          "mma s8: a wrong D[15][7] must fail (why: '%s')", why);

    static trt_caps_ldmatrix_io l;
    trt__caps_ldmatrix_fill(&l);
    /* Thread l holds row l / 4, columns 2 (l % 4) and + 1 of matrix j in register j. */
    for (int lane = 0; lane < 32; lane++)
        for (int j = 0; j < 4; j++) {
            int r = lane / 4, c = lane % 4 * 2;
            l.out[lane * 4 + j] = l.m[j * 64 + r * 8 + c] | (uint32_t)l.m[j * 64 + r * 8 + c + 1]
                                                                << 16;
            l.out_t[lane * 4 + j] =
                l.m[j * 64 + c * 8 + r] | (uint32_t)l.m[j * 64 + (c + 1) * 8 + r] << 16;
        }
    CHECK(trt__caps_ldmatrix_check(&l, why, sizeof why), "ldmatrix: right answer refused: %s", why);
    /* The plain answer where the transposed one is expected: a missing .trans. */
    memcpy(l.out_t, l.out, sizeof l.out);
    why[0] = 0;
    CHECK(!trt__caps_ldmatrix_check(&l, why, sizeof why) && strstr(why, ".trans"),
          "ldmatrix: untransposed .trans result must fail (why: '%s')", why);

    static trt_caps_cp_async_io a;
    trt__caps_cp_async_fill(&a);
    for (int c = 0; c < 64; c++)
        for (int w = 0; w < 4; w++) {
            int size = c < 32 ? 16 : trt__caps_cp_async_size(c - 32);
            a.dst[c * 4 + w] = w * 4 < size ? a.src[c * 4 + w] : 0;
        }
    CHECK(trt__caps_cp_async_size(1) == 0 && trt__caps_cp_async_size(3) == 8 &&
              trt__caps_cp_async_size(0) == 16,
          "cp.async: the probe must cover src-size 0, 8 and 16");
    CHECK(trt__caps_cp_async_check(&a, why, sizeof why), "cp.async: right answer refused: %s", why);
    /* No zero fill: chunk 33 (src-size 0) keeps the source. */
    memcpy(a.dst + 33 * 4, a.src + 33 * 4, 16);
    why[0] = 0;
    CHECK(!trt__caps_cp_async_check(&a, why, sizeof why) && strstr(why, "src-size 0"),
          "cp.async: a missing zero fill must fail (why: '%s')", why);

    static trt_caps_wgmma_io w;
    trt__caps_wgmma_fill(&w);
    why[0] = 0;
    CHECK(!trt__caps_wgmma_check(&w, why, sizeof why) && why[0],
          "wgmma: an unwritten (NaN) D must fail");
    /* No two rows of A, rows of B or 16-byte chunks alike: a row or chunk read from the wrong
     * place (descriptor, swizzle) changes the answer. */
    int same = 0;
    for (int r = 0; r < 64 + 8; r++)
        for (int q = 0; q < r; q++) {
            const uint16_t *x = r < 64 ? w.a + r * 32 : w.bt + (r - 64) * 32;
            const uint16_t *y = q < 64 ? w.a + q * 32 : w.bt + (q - 64) * 32;
            same += (r < 64) == (q < 64) && memcmp(x, y, 64) == 0;
        }
    for (int r = 0; r < 64 + 8; r++)
        for (int c0 = 0; c0 < 4; c0++)
            for (int c1 = 0; c1 < c0; c1++) {
                const uint16_t *x = r < 64 ? w.a + r * 32 : w.bt + (r - 64) * 32;
                same += memcmp(x + c0 * 8, x + c1 * 8, 16) == 0;
            }
    CHECK(same == 0, "wgmma: the probe's A and B have %d repeated rows or chunks", same);
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 8; j++) {
            float acc = w.c[i * 8 + j];
            for (int k = 0; k < 32; k++)
                acc += half_to_float(w.a[i * 32 + k]) * half_to_float(w.bt[j * 32 + k]);
            w.d[i * 8 + j] = acc;
        }
    CHECK(trt__caps_wgmma_check(&w, why, sizeof why), "wgmma: right answer refused: %s", why);
    /* Only the first k16 step's product: a second wgmma that did not run. */
    static trt_caps_wgmma_io half;
    half = w;
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 8; j++)
            for (int k = 16; k < 32; k++)
                half.d[i * 8 + j] -=
                    half_to_float(w.a[i * 32 + k]) * half_to_float(w.bt[j * 32 + k]);
    why[0] = 0;
    CHECK(!trt__caps_wgmma_check(&half, why, sizeof why) && strstr(why, "D["),
          "wgmma: a missing second k16 step must fail (why: '%s')", why);
    w.d[37 * 8 + 6] += 1.0f;
    why[0] = 0;
    CHECK(!trt__caps_wgmma_check(&w, why, sizeof why) && strstr(why, "D[37][6]"),
          "wgmma: a wrong D[37][6] must fail and be named (why: '%s')", why);
}

static void test_cache_text(void) {
    trt_device_caps c = {0}, back = {0};
    c.mma_f16 = 1;
    c.ldmatrix = 1;
    c.cp_async = 1;
    c.wgmma = 1;
    char text[256];
    uint64_t key = 0x0123456789abcdefULL;
    size_t n = trt__caps_format(&c, key, text, sizeof text);
    CHECK(n > 0 && strcmp(text, "trtinfer-caps 2\nkey 0123456789abcdef\nmma_f16 1\nmma_s8 0\n"
                                "ldmatrix 1\ncp_async 1\nwgmma 1\n") == 0,
          "cache text:\n%s", text);
    CHECK(trt__caps_parse(text, key, &back) && back.mma_f16 == 1 && back.mma_s8 == 0 &&
              back.ldmatrix == 1 && back.cp_async == 1 && back.wgmma == 1,
          "cache text round trip");
    c.wgmma = 0;
    n = trt__caps_format(&c, key, text, sizeof text);
    CHECK(n > 0 && strstr(text, "cp_async 1\nwgmma 0\n") && trt__caps_parse(text, key, &back) &&
              back.cp_async == 1 && back.wgmma == 0,
          "cache text round trip without wgmma:\n%s", text);
    CHECK(!trt__caps_parse(text, key + 1, &back), "another key's file must be refused");
    /* What the previous version (format 1, no wgmma line) wrote: probed again. */
    CHECK(!trt__caps_parse("trtinfer-caps 1\nkey 0123456789abcdef\nmma_f16 1\nmma_s8 0\n"
                           "ldmatrix 1\ncp_async 1\n",
                           key, &back),
          "a format 1 cache file must be refused");
    char bad[256];
    const char *edits[][2] = {{"mma_s8 0", "mma_s8 2"},
                              {"cp_async 1\n", "cp_async 1"},
                              {"trtinfer-caps 2", "trtinfer-caps 1"},
                              {"ldmatrix 1\n", ""},
                              {"wgmma 0\n", ""},
                              {"wgmma 0", "wgmma 2"},
                              {"cp_async 1\nwgmma 0\n", "wgmma 0\ncp_async 1\n"},
                              {"wgmma 0\n", "wgmma 0\nx 1\n"},
                              {"mma_f16 1", "mma_f16  1"}};
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        const char *at = strstr(text, edits[i][0]);
        snprintf(bad, sizeof bad, "%.*s%s%s", (int)(at - text), text, edits[i][1],
                 at + strlen(edits[i][0]));
        CHECK(!trt__caps_parse(bad, key, &back), "damaged cache text %zu accepted:\n%s", i, bad);
    }
    CHECK(!trt__caps_parse("", key, &back), "empty cache text accepted");
    CHECK(trt__caps_format(&c, key, text, 20) == 0, "format must report a short buffer");
}

/* ------------------------------------------------------------------ device tests */

static const char *no_mma_src =
    "#ifdef TRT_CAP_MMA_F16\n#error TRT_CAP_MMA_F16 must not be defined here\n#endif\n"
    "__kernel void k(__global float *a) { a[0] = 1.0f; }\n";
static const char *all_caps_src =
    "#if !(TRT_CAP_MMA_F16 == 1 && TRT_CAP_MMA_S8 == 1 && TRT_CAP_LDMATRIX == 1 && "
    "TRT_CAP_CP_ASYNC == 1 && TRT_CAP_WGMMA == 1)\n#error the TRT_CAP_* macros are missing\n"
    "#endif\n"
    "__kernel void k(__global float *a) { a[0] = 1.0f; }\n";

static void test_macros(trt_device *dev, const char *tmpdir) {
    trt_device_caps saved = dev->caps;
    set_ptx_caps(&dev->caps, 0); /* as on PoCL, also when run on an NVIDIA device */
    CHECK(builds(dev, no_mma_src), "a program that #errors on TRT_CAP_MMA_F16 must build");
    char *o = trt__device_build_options(dev, "-DX=1");
    CHECK(o && strcmp(o, "-DX=1") == 0, "options without caps: '%s'", o ? o : "(null)");
    free(o);
    set_ptx_caps(&dev->caps, 1);
    o = trt__device_build_options(dev, "-DX=1");
    CHECK(o && strcmp(o, "-DX=1 -DTRT_CAP_MMA_F16=1 -DTRT_CAP_MMA_S8=1 -DTRT_CAP_LDMATRIX=1 "
                         "-DTRT_CAP_CP_ASYNC=1 -DTRT_CAP_WGMMA=1") == 0,
          "options with every cap: '%s'", o ? o : "(null)");
    free(o);
    CHECK(builds(dev, all_caps_src), "with every cap set, programs must see the five macros");
    dev->caps.mma_s8 = 0;
    o = trt__device_build_options(dev, NULL);
    CHECK(o && strstr(o, "TRT_CAP_MMA_F16") && !strstr(o, "TRT_CAP_MMA_S8"),
          "a cap that is off gets no macro: '%s'", o ? o : "(null)");
    free(o);

    /* In-memory lookup and disk key follow the caps: same file and options, other caps ->
     * another program and another cache entry; back to the first caps -> the first program. */
    setenv("TRT_CACHE_DIR", tmpdir, 1);
    set_ptx_caps(&dev->caps, 0);
    cl_program p0 = NULL, p1 = NULL, p2 = NULL;
    CHECK(trt__device_program(dev, "norm.cl", "-DT=float", &p0) == TRT_OK, "build norm.cl");
    set_ptx_caps(&dev->caps, 1);
    CHECK(trt__device_program(dev, "norm.cl", "-DT=float", &p1) == TRT_OK,
          "build norm.cl with caps");
    set_ptx_caps(&dev->caps, 0);
    CHECK(trt__device_program(dev, "norm.cl", "-DT=float", &p2) == TRT_OK, "norm.cl again");
    CHECK(p0 && p1 && p0 != p1 && p2 == p0, "programs by caps: %p %p %p", (void *)p0, (void *)p1,
          (void *)p2);
    int bins = count_files(tmpdir, ".bin");
    CHECK(bins == 2, "disk program cache: %d entries for the two cap sets, expected 2", bins);
    unsetenv("TRT_CACHE_DIR");
    dev->caps = saved;
}

/* The probe kernels with each instruction emulated in OpenCL C: every cap must pass. */
static void test_emulated_probe(trt_device *dev) {
    trt_device_caps c = {0};
    log_start();
    trt__caps_probe_run(dev, "-DTRT_PROBE_EMULATE", &c);
    log_stop();
    CHECK(c.mma_f16 && c.mma_s8 && c.ldmatrix && c.cp_async && c.wgmma,
          "emulated probes: mma f16 %d, mma s8 %d, ldmatrix %d, cp.async %d, wgmma %d; log:\n%s",
          c.mma_f16, c.mma_s8, c.ldmatrix, c.cp_async, c.wgmma, logbuf);
}

/* TRT_DISABLE_PTX and the caches, on a device pretending to be NVIDIA's. */
static void test_probe_caching(trt_device *dev, const char *tmpdir) {
    trt_device_caps saved = dev->caps;
    dev->caps.nvidia_ptx = 1;

    set_ptx_caps(&dev->caps, 1);
    setenv("TRT_DISABLE_PTX", "1", 1);
    log_start();
    trt__device_probe_caps(dev);
    log_stop();
    CHECK(caps_sum(&dev->caps) == 0, "TRT_DISABLE_PTX=1 must turn every PTX cap off");
    CHECK(strstr(logbuf, "off (TRT_DISABLE_PTX") && !strstr(logbuf, "probe:"),
          "TRT_DISABLE_PTX=1 must not probe; log:\n%s", logbuf);
    unsetenv("TRT_DISABLE_PTX");

    /* A sound cache file is used as is: its caps, although this device would fail them. */
    setenv("TRT_CACHE_DIR", tmpdir, 1);
    trt__caps_cache_clear();
    uint64_t key = trt__caps_key(dev);
    char path[4096], text[256];
    snprintf(path, sizeof path, "%s/caps-%016llx.txt", tmpdir, (unsigned long long)key);
    trt_device_caps want = {0};
    want.mma_f16 = want.ldmatrix = want.cp_async = want.wgmma = 1;
    size_t n = trt__caps_format(&want, key, text, sizeof text);
    CHECK(n && trt__cache_write(path, text, n) == 0, "write %s", path);
    log_start();
    trt__device_probe_caps(dev);
    log_stop();
    CHECK(dev->caps.mma_f16 && !dev->caps.mma_s8 && dev->caps.ldmatrix && dev->caps.cp_async &&
              dev->caps.wgmma,
          "caps from the disk cache (%d %d %d %d %d); log:\n%s", dev->caps.mma_f16,
          dev->caps.mma_s8, dev->caps.ldmatrix, dev->caps.cp_async, dev->caps.wgmma, logbuf);
    CHECK(strstr(logbuf, "mma f16 yes, mma s8 no, ldmatrix yes, cp.async yes, wgmma yes (cached "
                         "in "),
          "INFO line for a disk hit; log:\n%s", logbuf);

    /* The same device again: from the process, even with the file gone. */
    remove(path);
    log_start();
    trt__device_probe_caps(dev);
    log_stop();
    CHECK(dev->caps.mma_f16 && !dev->caps.mma_s8 && dev->caps.wgmma &&
              strstr(logbuf, "cached in this process"),
          "in-process cache; log:\n%s", logbuf);

    /* A file of the previous format (no wgmma line) under this key: the device is probed
     * again for real and the file rewritten. PoCL's compiler refuses the PTX: every cap off,
     * each with the reason in the log. */
    trt__caps_cache_clear();
    char old[256];
    int on = snprintf(old, sizeof old,
                      "trtinfer-caps 1\nkey %016llx\nmma_f16 1\nmma_s8 0\nldmatrix 1\n"
                      "cp_async 1\n",
                      (unsigned long long)key);
    CHECK(trt__cache_write(path, old, (size_t)on) == 0, "write the old format to %s", path);
    setenv("TRT_DISABLE_PTX", "0", 1); /* "0" means not disabled */
    log_start();
    trt__device_probe_caps(dev);
    log_stop();
    unsetenv("TRT_DISABLE_PTX");
    CHECK(strstr(logbuf, "is damaged or foreign") && strstr(logbuf, "(probed in "),
          "an old cache file must be reported and the device probed; log:\n%s", logbuf);
    if (!saved.nvidia_ptx) {
        CHECK(caps_sum(&dev->caps) == 0, "PTX probes must fail on a device without NVIDIA's "
                                         "compiler");
        CHECK(strstr(logbuf, "mma_f16 off: does not compile") &&
                  strstr(logbuf, "mma_s8 off: does not compile") &&
                  strstr(logbuf, "ldmatrix off: does not compile") &&
                  strstr(logbuf, "cp_async off: does not compile") &&
                  strstr(logbuf, "wgmma off: not probed") &&
                  strstr(logbuf, "mma f16 no, mma s8 no, ldmatrix no, cp.async no, wgmma no "
                                 "(probed in"),
              "failed probes must say why; log:\n%s", logbuf);
    }
    void *data = NULL;
    size_t len = 0;
    trt_device_caps back = {0};
    CHECK(trt__cache_read(path, &data, &len) == 0 && trt__caps_parse(data, key, &back) &&
              back.mma_f16 == dev->caps.mma_f16 && back.mma_s8 == dev->caps.mma_s8 &&
              back.ldmatrix == dev->caps.ldmatrix && back.cp_async == dev->caps.cp_async &&
              back.wgmma == dev->caps.wgmma,
          "old cache file rewritten with the probe's result: '%s'",
          data ? (char *)data : "(unreadable)");
    free(data);
    unsetenv("TRT_CACHE_DIR");
    trt__caps_cache_clear();
    dev->caps = saved;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--dump-probe") == 0) {
        FILE *f = fopen(argv[2], "w");
        if (!f || fputs(trt__caps_probe_source(), f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "test_caps: cannot write '%s'\n", argv[2]);
            return 1;
        }
        return 0;
    }
    test_half_bits();
    test_checks();
    test_cache_text();

    trt_device *dev = NULL;
    CHECK(trt_device_open(NULL, &dev) == TRT_OK, "open the default device");
    if (!dev) return check_summary();
    if (!dev->caps.nvidia_ptx)
        CHECK(caps_sum(&dev->caps) == 0, "a device without NVIDIA's driver has no PTX cap");
    char tmpdir[] = "/tmp/trt_test_caps_XXXXXX";
    CHECK(mkdtemp(tmpdir) != NULL, "mkdtemp");
    test_macros(dev, tmpdir);
    test_emulated_probe(dev);
    test_probe_caching(dev, tmpdir);
    remove_tree(tmpdir);
    trt_device_free(dev);
    return check_summary();
}
