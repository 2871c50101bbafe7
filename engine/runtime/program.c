/* program.c — the device's program cache: kernels/<file> + build options -> cl_program.
 * Every program is common.cl followed by the family's file, built once per device, with the
 * device's capability macros (TRT_CAP_MMA_F16=1 ... for the inline-PTX features its probe
 * passed, runtime/caps.c; TRT_NV_PTX=1 on NVIDIA devices that have mma.sync f16) appended to
 * the options: part of the lookup and of the disk key.
 *
 * Compiled binaries are also kept on disk (CL_PROGRAM_BINARIES), so that the next process
 * skips the OpenCL C compiler. Folder: $TRT_CACHE_DIR if set (an empty value turns the disk
 * cache off), else $XDG_CACHE_HOME/trtinfer/programs, else ~/.cache/trtinfer/programs;
 * but not by default on PoCL, which keeps its own cache of compiled kernels and, asked for
 * a binary, first compiles every kernel of the program for any work-group size (resnet_small
 * with tactic timing: a cold build takes 13 s instead of 4 s; a warm start 0.20 s instead of
 * 0.40 s). Setting TRT_CACHE_DIR turns it on there too.
 * One file per program, named by the hash of everything the binary depends on (see
 * program_key); its header guards against torn or foreign files:
 *
 *    0  8  magic "TRTPROG1"
 *    8  8  u64 key (the file name's hash)
 *   16  8  u64 second hash of the same key material (another FNV basis)
 *   24  8  u64 binary size
 *   32  8  u64 FNV-1a of the binary
 *   40     binary
 *
 * A bad entry is rebuilt from source and rewritten; a folder that cannot be created or
 * written is skipped (logged once at INFO). Entries are never evicted. The capability probe
 * keeps its results beside them (caps-<key>.txt, runtime/caps.c).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/ptx_arch.h"
#include "runtime/runtime.h"
#include "tune/cachefile.h"

#define ENTRY_MAGIC "TRTPROG1"
#define ENTRY_HEADER 40
#define KEY_BASIS2 0x84222325cbf29ce4ULL

typedef struct {
    uint64_t key, check;
} program_key;

static uint64_t hash_str(uint64_t h, const char *s) {
    /* The terminator too: ("ab", "c") and ("a", "bc") differ. */
    return trt__fnv1a(h, s, strlen(s) + 1);
}

static uint64_t key_hash(uint64_t h, const trt_device *dev, const char *const srcs[2],
                         const char *opts) {
    uint32_t fmt = TRT_FORMAT_VERSION;
    h = trt__fnv1a(h, &fmt, sizeof fmt);
    h = hash_str(h, TRT_VERSION_STRING);
    h = hash_str(h, dev->info.platform);
    h = hash_str(h, dev->info.name);
    h = hash_str(h, dev->info.driver_version);
    h = hash_str(h, opts);
    h = hash_str(h, srcs[0]);
    return hash_str(h, srcs[1]);
}

char *trt__program_cache_dir(const trt_device *dev) {
    const char *dir = getenv("TRT_CACHE_DIR"), *base = NULL, *sub = "";
    if (dir && !*dir) return NULL;
    if (!dir && strstr(dev->info.platform, "Portable Computing Language")) return NULL;
    if (!dir) {
        base = getenv("XDG_CACHE_HOME");
        sub = "/trtinfer/programs";
        if (!base || !*base) {
            base = getenv("HOME");
            sub = "/.cache/trtinfer/programs";
        }
        if (!base || !*base) return NULL;
    }
    const char *root = dir ? dir : base;
    size_t n = strlen(root) + strlen(sub) + 1;
    char *path = malloc(n);
    if (!path) return NULL;
    snprintf(path, n, "%s%s", root, sub);
    static atomic_int told;
    if (trt__cache_mkdirs(path) != 0) {
        if (!atomic_exchange(&told, 1))
            trt__log(TRT_LOG_INFO, "program cache: cannot create folder '%s'; compiled kernels "
                                   "are not kept on disk", path);
        free(path);
        return NULL;
    }
    return path;
}

/* The entry's path, or NULL when the disk cache is off or has no folder. Owned by the
 * caller. */
static char *entry_path(const trt_device *dev, const program_key *k) {
    char *dir = trt__program_cache_dir(dev);
    if (!dir) return NULL;
    size_t n = strlen(dir) + 32;
    char *path = malloc(n);
    if (path) snprintf(path, n, "%s/%016llx.bin", dir, (unsigned long long)k->key);
    free(dir);
    return path;
}

static uint64_t get_u64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static void put_u64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* The program from a cache entry, or NULL (missing, bad, or refused by the driver). */
static cl_program load_entry(trt_device *dev, const char *path, const program_key *k,
                             const char *opts) {
    void *data;
    size_t len;
    if (trt__cache_read(path, &data, &len) != 0) return NULL;
    const unsigned char *d = data;
    uint64_t size = len >= ENTRY_HEADER ? get_u64(d + 24) : 0;
    int ok = len >= ENTRY_HEADER && memcmp(d, ENTRY_MAGIC, 8) == 0 && get_u64(d + 8) == k->key &&
             get_u64(d + 16) == k->check && size > 0 && size == len - ENTRY_HEADER &&
             get_u64(d + 32) == trt__fnv1a(TRT_FNV_INIT, d + ENTRY_HEADER, (size_t)size);
    cl_program p = NULL;
    if (ok) {
        const unsigned char *bin = d + ENTRY_HEADER;
        size_t bin_len = (size_t)size;
        cl_int status = CL_SUCCESS, err;
        p = clCreateProgramWithBinary(dev->cl_ctx, 1, &dev->id, &bin_len, &bin, &status, &err);
        if (err != CL_SUCCESS || status != CL_SUCCESS ||
            clBuildProgram(p, 1, &dev->id, opts, NULL, NULL) != CL_SUCCESS) {
            if (p) clReleaseProgram(p);
            p = NULL;
        }
    }
    free(data);
    if (!p)
        trt__log(TRT_LOG_INFO, "program cache: entry '%s' is damaged or stale; rebuilding it",
                 path);
    return p;
}

static void save_entry(cl_program p, const char *path, const program_key *k) {
    size_t size = 0;
    cl_uint ndev = 0;
    if (clGetProgramInfo(p, CL_PROGRAM_NUM_DEVICES, sizeof ndev, &ndev, NULL) != CL_SUCCESS ||
        ndev != 1 ||
        clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS ||
        size == 0)
        return;
    unsigned char *buf = malloc(ENTRY_HEADER + size);
    if (!buf) return;
    unsigned char *bin = buf + ENTRY_HEADER;
    if (clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL) == CL_SUCCESS) {
        memcpy(buf, ENTRY_MAGIC, 8);
        put_u64(buf + 8, k->key);
        put_u64(buf + 16, k->check);
        put_u64(buf + 24, size);
        put_u64(buf + 32, trt__fnv1a(TRT_FNV_INIT, bin, size));
        static atomic_int told;
        if (trt__cache_write(path, buf, ENTRY_HEADER + size) != 0 && !atomic_exchange(&told, 1))
            trt__log(TRT_LOG_INFO, "program cache: cannot write '%s'; compiled kernels are not "
                                   "kept on disk", path);
    }
    free(buf);
}

static trt_status build(trt_device *dev, const char *file, const char *options,
                        cl_program *out) {
    const char *common = trt__kernel_source("common.cl");
    const char *body = trt__kernel_source(file);
    if (!body || !common)
        return trt__error(TRT_ERR_INTERNAL, "kernel source '%s' is not embedded in the library",
                          file);
    const char *srcs[2] = {common, body};
    char opts[1024];
    snprintf(opts, sizeof opts, "-cl-std=CL1.2 %s", options ? options : "");
    program_key k = {key_hash(TRT_FNV_INIT, dev, srcs, opts),
                     key_hash(KEY_BASIS2, dev, srcs, opts)};
    char *path = entry_path(dev, &k);
    cl_program p = path ? load_entry(dev, path, &k, opts) : NULL;
    if (p) {
        trt__log(TRT_LOG_VERBOSE, "program cache: kernels/%s '%s' from disk", file, options);
        free(path);
        *out = p;
        return TRT_OK;
    }
    cl_int err;
    p = clCreateProgramWithSource(dev->cl_ctx, 2, srcs, NULL, &err);
    if (err != CL_SUCCESS) {
        free(path);
        return trt__cl_error(err, "creating a program");
    }
    err = clBuildProgram(p, 1, &dev->id, opts, NULL, NULL);
    if (err != CL_SUCCESS) {
        free(path);
        size_t n = 0;
        clGetProgramBuildInfo(p, dev->id, CL_PROGRAM_BUILD_LOG, 0, NULL, &n);
        char *log = malloc(n + 1);
        if (log) {
            clGetProgramBuildInfo(p, dev->id, CL_PROGRAM_BUILD_LOG, n, log, NULL);
            log[n] = 0;
        }
        trt_status s = trt__error(TRT_ERR_KERNEL_BUILD,
                                  "kernels/%s failed to compile for %s with options '%s': %.1500s",
                                  file, dev->info.name, opts, log ? log : "(no log)");
        free(log);
        clReleaseProgram(p);
        return s;
    }
    /* Statements for sm_90a (wgmma) are lifted out of their comments (ptx_arch.h); the lifted
     * binary is what the disk cache keeps. */
    char what[1200];
    snprintf(what, sizeof what, "kernels/%s with options '%s'", file, opts);
    trt_status ls = trt__ptx_lift_arch(dev->cl_ctx, dev->id, what, opts, &p);
    if (ls != TRT_OK) {
        free(path);
        clReleaseProgram(p);
        return ls;
    }
    if (path) save_entry(p, path, &k);
    free(path);
    *out = p;
    return TRT_OK;
}

char *trt__device_build_options(const trt_device *dev, const char *options) {
    static const char *const defs[] = {" -DTRT_CAP_MMA_F16=1", " -DTRT_CAP_MMA_S8=1",
                                       " -DTRT_CAP_LDMATRIX=1", " -DTRT_CAP_CP_ASYNC=1",
                                       " -DTRT_CAP_WGMMA=1",    " -DTRT_NV_PTX=1"};
    /* TRT_NV_PTX: NVIDIA's compiler on an sm_80+ device (the probe ran mma.sync f16), so
     * that common.cl may use inline PTX (half conversions) in every program. */
    const int on[] = {dev->caps.mma_f16,  dev->caps.mma_s8, dev->caps.ldmatrix,
                      dev->caps.cp_async, dev->caps.wgmma,
                      dev->caps.nvidia_ptx && dev->caps.mma_f16};
    enum { N_DEFS = (int)(sizeof defs / sizeof defs[0]) };
    if (!options) options = "";
    size_t n = strlen(options) + 1;
    for (int i = 0; i < N_DEFS; i++) n += strlen(defs[i]);
    char *out = malloc(n);
    if (!out) return NULL;
    strcpy(out, options);
    for (int i = 0; i < N_DEFS; i++)
        if (on[i]) strcat(out, defs[i]);
    return out;
}

void trt__program_entry_free(trt_program_entry *e) {
    if (!e) return;
    if (e->program) clReleaseProgram(e->program);
    free(e->file);
    free(e->options);
    free(e);
}

trt_status trt__device_program(trt_device *dev, const char *file, const char *options,
                               cl_program *out) {
    /* The cap macros are part of the options, hence of the in-memory lookup and of the disk
     * cache key (program_key hashes the options). */
    char *full = trt__device_build_options(dev, options);
    if (!full) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory building a program");
    options = full;
    pthread_mutex_lock(&dev->lock);
    trt_program_entry *e;
    for (;;) {
        for (e = dev->programs; e; e = e->next)
            if (strcmp(e->file, file) == 0 && strcmp(e->options, options) == 0) break;
        if (!e || e->program) break;
        pthread_cond_wait(&dev->built, &dev->lock); /* another thread is building it */
    }
    if (e) {
        *out = e->program;
        pthread_mutex_unlock(&dev->lock);
        free(full);
        return TRT_OK;
    }
    /* Not built yet: an entry without a program marks it as being built, and the build runs
     * outside the lock so that other programs build meanwhile. */
    e = calloc(1, sizeof *e);
    if (e) {
        e->file = trt__strdup(file);
        e->options = trt__strdup(options);
    }
    if (!e || !e->file || !e->options) {
        trt__program_entry_free(e);
        pthread_mutex_unlock(&dev->lock);
        free(full);
        return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory caching a program");
    }
    e->next = dev->programs;
    dev->programs = e;
    pthread_mutex_unlock(&dev->lock);
    cl_program p = NULL;
    trt_status s = build(dev, file, options, &p);
    pthread_mutex_lock(&dev->lock);
    if (s == TRT_OK) {
        e->program = p;
        *out = p;
    } else { /* unlisted: the next request builds it again and reports the failure itself */
        trt_program_entry **link = &dev->programs;
        while (*link != e) link = &(*link)->next;
        *link = e->next;
        trt__program_entry_free(e);
    }
    pthread_cond_broadcast(&dev->built);
    pthread_mutex_unlock(&dev->lock);
    free(full);
    return s;
}
