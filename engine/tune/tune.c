/* tune.c — tactic timing on the device (see tune.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops/tc.h"
#include "tune/timing_cache.h"
#include "tune/tune.h"

#define MAX_CANDIDATES 64
/* Timed launches per candidate after one warm-up launch (which also pays for drivers that
 * compile per work-group size at the first launch, as PoCL does). */
#define MAX_SAMPLES 7
/* Fewer when a candidate is hopeless (3 x slower than the best so far, after 2 launches)
 * or slow (200 ms spent, after 3). */
#define HOPELESS 3.0
#define SLOW_MS 200.0

/* Kernel file of each op: ops.def's family + ".cl" (hashed into timing cache keys). */
static const char *const family_file[TRT_OP_COUNT_] = {
#define TRT_OP(id, onnx_name, family) #family ".cl",
#include "ops/ops.def"
#undef TRT_OP
};

/* A scratch execution context over a clone of the graph, for timing one node at a time. */
typedef struct {
    trt_engine *eng;
    trt_context *ctx;
    void **host; /* input data written before the first inference */
    int n_host;
} bench;

static void bench_close(bench *b) {
    trt_context_free(b->ctx);
    trt_engine_free(b->eng);
    for (int i = 0; i < b->n_host; i++) free(b->host[i]);
    free(b->host);
    memset(b, 0, sizeof *b);
}

/* Floats uniform in [-1, 1], other dtypes zero: realistic activations after one inference
 * (denormals or NaNs from uninitialised memory would skew the timings). */
static void fill_input(void *dst, trt_dtype dtype, size_t bytes) {
    memset(dst, 0, bytes);
    if (dtype != TRT_DTYPE_FLOAT32) return;
    uint32_t s = 0x9e3779b9u;
    float *f = dst;
    for (size_t i = 0; i < bytes / sizeof(float); i++) {
        s = s * 1664525u + 1013904223u;
        f[i] = (float)(s >> 8) / (float)(1u << 23) - 1.0f;
    }
}

/* `for_timing`: inputs written and one inference run, as timing needs; 0 (a parallel build's
 * precompile): the engine and context only (weights uploaded, nodes prepared with their
 * default tactics), nothing run. */
static trt_status bench_open(trt_device *dev, const trt_graph *g, const trt_engine_meta *meta,
                             int for_timing, bench *b) {
    trt_graph *clone = trt_graph_clone(g);
    if (!clone) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory cloning the graph");
    TRT_TRY(trt__engine_create(dev, clone, meta, &b->eng));
    TRT_TRY(trt_context_new(b->eng, &b->ctx));
    if (!for_timing) return TRT_OK;
    TRT_TRY(trt_context_set_profiling(b->ctx, TRT_PROFILING_SPANS));
    int n_io = trt_engine_get_num_io(b->eng);
    b->host = calloc((size_t)n_io + 1, sizeof(void *));
    if (!b->host) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
    for (int i = 0; i < n_io; i++) {
        trt_io_info info;
        trt_dims d;
        TRT_TRY(trt_engine_get_io(b->eng, i, &info));
        if (!info.is_input) continue;
        TRT_TRY(trt_context_get_tensor_shape(b->ctx, info.name, &d));
        size_t bytes = (size_t)trt_dims_volume(&d) * trt_dtype_size(info.dtype);
        void *p = malloc(bytes ? bytes : 1);
        if (!p) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
        b->host[b->n_host++] = p;
        fill_input(p, info.dtype, bytes);
        TRT_TRY(trt_context_write_input(b->ctx, info.name, p, bytes));
    }
    TRT_TRY(trt_context_enqueue(b->ctx));
    return trt_context_wait(b->ctx);
}

/* Releases node n's kernels and prepares it again with its current tactic. */
static trt_status reprepare(trt_exec *ex, int n) {
    const trt_node *node = &ex->g->nodes[n];
    const trt_op_impl *impl = trt_op_get(node->op);
    trt_node_rt *rt = &ex->rt[n];
    for (int k = 0; k < TRT_MAX_NODE_KERNELS; k++)
        if (rt->kernels[k]) clReleaseKernel(rt->kernels[k]);
    if (rt->scratch) clReleaseMemObject(rt->scratch);
    free(rt->extra);
    memset(rt, 0, sizeof *rt);
    return impl->prepare ? impl->prepare(ex, node, rt) : TRT_OK;
}

/* One launch of node n alone: device time from its first command's start to its last
 * command's end (the context's compute span, runtime.h). */
static trt_status launch_once(trt_exec *ex, int n, double *ms) {
    const trt_node *node = &ex->g->nodes[n];
    cl_event *evs[2] = {&ex->ev_first, &ex->ev_last};
    for (int i = 0; i < 2; i++)
        if (*evs[i]) {
            clReleaseEvent(*evs[i]);
            *evs[i] = NULL;
        }
    ex->launched_in_enqueue = 0;
    TRT_TRY(trt_op_get(node->op)->launch(ex, node, &ex->rt[n]));
    TRT_TRY(trt__exec_close_span(ex));
    cl_int err = clFinish(ex->queue);
    if (err != CL_SUCCESS) return trt__cl_error(err, "running the kernel");
    cl_ulong t0 = 0, t1 = 0;
    *ms = 0.0;
    if (!ex->ev_first) return TRT_OK; /* nothing to launch at these shapes */
    err = clGetEventProfilingInfo(ex->ev_first, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL);
    if (err == CL_SUCCESS)
        err = clGetEventProfilingInfo(ex->ev_last, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL);
    if (err != CL_SUCCESS) return trt__cl_error(err, "reading profiling events");
    *ms = t1 > t0 ? (double)(t1 - t0) * 1e-6 : 0.0;
    return TRT_OK;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median device time of node n with tactic `t`; `best` is the fastest so far. */
static trt_status time_candidate(bench *b, int n, const trt_tactic *t, double best, double *ms) {
    trt_exec *ex = &b->ctx->ex;
    trt_node *node = &ex->g->nodes[n];
    node->tactic = t->tactic;
    memcpy(node->tactic_params, t->params, sizeof node->tactic_params);
    TRT_TRY(reprepare(ex, n));
    double v[MAX_SAMPLES], total = 0.0;
    TRT_TRY(launch_once(ex, n, &v[0]));
    int k = 0;
    while (k < MAX_SAMPLES) {
        TRT_TRY(launch_once(ex, n, &v[k]));
        total += v[k++];
        if (k >= 2 && v[k - 1] > HOPELESS * best) break;
        if (k >= 3 && total > SLOW_MS) break;
    }
    qsort(v, (size_t)k, sizeof *v, cmp_double);
    *ms = k % 2 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
    return TRT_OK;
}

/* ---------------------------------------------------------------- keys and text */

static uint64_t hash_str(uint64_t h, const char *s) { return trt__fnv1a(h, s, strlen(s) + 1); }

static uint64_t hash_tensor(uint64_t h, const trt_tensor *t) {
    int32_t v[5] = {(int32_t)t->dtype, (int32_t)t->storage, (int32_t)t->layout,
                    (t->flags & TRT_TENSOR_CONST) != 0, t->shape.nb_dims};
    h = trt__fnv1a(h, v, sizeof v);
    return trt__fnv1a(h, t->shape.d, sizeof(int64_t) * (size_t)t->shape.nb_dims);
}

/* What a node's timings depend on besides the tactic. */
static uint64_t node_key(const trt_device *dev, const trt_graph *g, const trt_node *node) {
    uint64_t h = hash_str(TRT_FNV_INIT, "trtinfer timing");
    h = hash_str(h, TRT_VERSION_STRING);
    h = hash_str(h, dev->info.platform);
    h = hash_str(h, dev->info.name);
    h = hash_str(h, dev->info.driver_version);
    /* Environment that changes which kernels run (docs/tensor-cores.md, ops/op.h). */
    const char *env[] = {"TRT_HALF_MATH", "TRT_TC_TILES_PER_GROUP"};
    for (size_t i = 0; i < sizeof env / sizeof *env; i++) {
        const char *v = getenv(env[i]);
        h = hash_str(h, v ? v : "");
    }
    h = hash_str(h, trt_op_name(node->op));
    h = trt__fnv1a(h, node->params, sizeof node->params);
    const char *srcs[2] = {trt__kernel_source("common.cl"),
                           trt__kernel_source(family_file[node->op])};
    for (int i = 0; i < 2; i++) h = hash_str(h, srcs[i] ? srcs[i] : "");
    int32_t counts[2] = {node->n_inputs, node->n_outputs};
    h = trt__fnv1a(h, counts, sizeof counts);
    for (int k = 0; k < node->n_inputs; k++) {
        int t = node->inputs[k];
        h = t < 0 ? hash_str(h, "absent") : hash_tensor(h, &g->tensors[t]);
    }
    for (int k = 0; k < node->n_outputs; k++) h = hash_tensor(h, &g->tensors[node->outputs[k]]);
    return h;
}

static uint64_t tactic_key(uint64_t node_key, const trt_tactic *t) {
    uint64_t h = trt__fnv1a(node_key, &t->tactic, sizeof t->tactic);
    return trt__fnv1a(h, t->params, sizeof t->params);
}

/* "3[16]", "2[32,64,16,4,8]": the tactic and its parameters up to the last non-zero one. */
static char *tactic_str(const trt_tactic *t, char *buf, size_t len) {
    int last = TRT_MAX_TACTIC_PARAMS - 1;
    while (last >= 0 && t->params[last] == 0) last--;
    size_t o = (size_t)snprintf(buf, len, "%d", (int)t->tactic);
    for (int i = 0; i <= last && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%d%s", i ? "," : "[", (int)t->params[i],
                              i == last ? "]" : "");
    return buf;
}

/* "Conv 4x3x64x64 16x3x3x3 16 -> 4x16x64x64 tactic 3[16] on <device>" for the cache file. */
static void describe(const trt_device *dev, const trt_graph *g, const trt_node *node,
                     const trt_tactic *t, char *buf, size_t len) {
    size_t o = (size_t)snprintf(buf, len, "%s", trt_op_name(node->op));
    char d[128];
    for (int k = 0; k < node->n_inputs + node->n_outputs && o < len; k++) {
        int is_out = k >= node->n_inputs;
        int ti = is_out ? node->outputs[k - node->n_inputs] : node->inputs[k];
        const char *sep = is_out && k == node->n_inputs ? " ->" : "";
        o += (size_t)snprintf(buf + o, len - o, "%s %s", sep,
                              ti < 0 ? "-" : trt_dims_str(&g->tensors[ti].shape, d, sizeof d));
    }
    if (o < len)
        snprintf(buf + o, len - o, " tactic %s on %s", tactic_str(t, d, sizeof d), dev->info.name);
}

/* ---------------------------------------------------------------- tuning */

typedef struct {
    trt_device *dev;
    trt_graph *g;
    const trt_engine_meta *meta;
    trt_timing_cache *cache; /* may be NULL */
    bench b;
    int bench_state; /* 0 not opened yet, 1 open, -1 failed */
    int tuned, timed, hits, skipped;
} tuner;

static trt_status tune_node(tuner *tu, int n, const trt_tactic *cand, int nc) {
    trt_node *node = &tu->g->nodes[n];
    double ms[MAX_CANDIDATES];
    int known[MAX_CANDIDATES], cached[MAX_CANDIDATES], misses = 0;
    uint64_t keys[MAX_CANDIDATES], base = node_key(tu->dev, tu->g, node);
    for (int c = 0; c < nc; c++) {
        keys[c] = tactic_key(base, &cand[c]);
        known[c] = cached[c] = trt__timing_cache_get(tu->cache, keys[c], &ms[c]);
        misses += !known[c];
    }
    if (misses && tu->bench_state == 0) {
        trt_status s = bench_open(tu->dev, tu->g, tu->meta, 1, &tu->b);
        tu->bench_state = s == TRT_OK ? 1 : -1;
        if (s != TRT_OK)
            trt__log(TRT_LOG_WARNING, "tactic timing is not possible (%s); layers keep their "
                                      "default kernels", trt_get_last_error());
    }
    if (misses && tu->bench_state < 0) return TRT_OK;
    double best = INFINITY;
    for (int c = 0; c < nc; c++)
        if (known[c] && ms[c] < best) best = ms[c];
    char t[96], what[512];
    for (int c = 0; c < nc; c++) {
        if (known[c]) continue;
        trt_status s = time_candidate(&tu->b, n, &cand[c], best, &ms[c]);
        if (s != TRT_OK) {
            tu->skipped++;
            trt__log(TRT_LOG_INFO, "%s (%s): tactic %s skipped: %s", node->name,
                     trt_op_name(node->op), tactic_str(&cand[c], t, sizeof t),
                     trt_get_last_error());
            continue;
        }
        known[c] = 1;
        tu->timed++;
        if (ms[c] < best) best = ms[c];
        if (tu->cache) {
            describe(tu->dev, tu->g, node, &cand[c], what, sizeof what);
            TRT_TRY(trt__timing_cache_put(tu->cache, keys[c], ms[c], what));
        }
    }
    int win = -1;
    for (int c = 0; c < nc; c++)
        if (known[c] && (win < 0 || ms[c] < ms[win])) win = c;
    if (win < 0)
        return trt__error(TRT_ERR_KERNEL_BUILD,
                          "node '%s' (%s): none of its %d candidate kernels compiled or ran on %s; "
                          "the last failure: %s",
                          node->name, trt_op_name(node->op), nc, tu->dev->info.name,
                          trt_get_last_error());
    node->tactic = cand[win].tactic;
    memcpy(node->tactic_params, cand[win].params, sizeof node->tactic_params);
    tu->tuned++;
    int all_cached = 1;
    for (int c = 0; c < nc; c++) {
        tu->hits += cached[c];
        all_cached = all_cached && cached[c];
    }
    if (trt__log_enabled(TRT_LOG_VERBOSE)) {
        char list[1024];
        size_t o = 0;
        for (int c = 0; c < nc && o < sizeof list; c++) {
            const char *sep = c ? ", " : "";
            tactic_str(&cand[c], t, sizeof t);
            if (known[c])
                o += (size_t)snprintf(list + o, sizeof list - o, "%s%s %.4f", sep, t, ms[c]);
            else
                o += (size_t)snprintf(list + o, sizeof list - o, "%s%s failed", sep, t);
        }
        trt__log(TRT_LOG_VERBOSE, "%s (%s): tactic %s %.4f ms%s; candidates: %s", node->name,
                 trt_op_name(node->op), tactic_str(&cand[win], t, sizeof t), ms[win],
                 all_cached ? " (timing cache hit)" : "", list);
    }
    return TRT_OK;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static unsigned source_of(const trt_tactic *t) {
    return (t->flags & TRT_TACTIC_TENSOR_CORE) ? TRT_TACTIC_SOURCE_TENSOR_CORE
                                               : TRT_TACTIC_SOURCE_PORTABLE;
}

int trt__tactics_filter_sources(trt_tactic *cand, int nc, unsigned sources) {
    int kept = 0;
    for (int c = 0; c < nc; c++) kept += (source_of(&cand[c]) & sources) != 0;
    if (kept == 0 || kept == nc) return nc;
    int k = 0;
    for (int c = 0; c < nc; c++)
        if (source_of(&cand[c]) & sources) cand[k++] = cand[c];
    return k;
}

/* The op's candidate kernels for node n at the graph's current shapes (at most
 * MAX_CANDIDATES), or -1 for a node that is never launched or has no tactics. */
static int node_candidates(trt_device *dev, trt_graph *g, int n, trt_tactic *cand) {
    const trt_node *node = &g->nodes[n];
    const trt_op_impl *impl = trt_op_get(node->op);
    if (node->is_host || !impl->tactics || !impl->launch) return -1;
    memset(cand, 0, MAX_CANDIDATES * sizeof *cand);
    int nc = impl->tactics(node, g->tensors, &dev->caps, cand, MAX_CANDIDATES);
    return nc > MAX_CANDIDATES ? MAX_CANDIDATES : nc;
}

/* Filters node n's candidates by the configured sources. Returns how many remain; 0 when the
 * list was filtered down to one candidate and node n got it (nothing left to time). */
static int filter_node(trt_graph *g, int n, trt_tactic *cand, int nc, unsigned sources) {
    trt_node *node = &g->nodes[n];
    if (nc <= 0 || sources == TRT_TACTIC_SOURCE_ALL) return nc;
    int kept = trt__tactics_filter_sources(cand, nc, sources);
    char t[96];
    if (kept == nc) {
        /* Either all are from allowed sources, or none is: say so for the latter. */
        int any = 0;
        for (int c = 0; c < nc; c++) any |= (source_of(&cand[c]) & sources) != 0;
        if (!any)
            trt__log(TRT_LOG_VERBOSE,
                     "%s (%s): none of its %d candidate kernels is from an allowed tactic source; "
                     "it keeps them all",
                     node->name, trt_op_name(node->op), nc);
        return nc;
    }
    if (kept == 1) {
        node->tactic = cand[0].tactic;
        memcpy(node->tactic_params, cand[0].params, sizeof node->tactic_params);
        trt__log(TRT_LOG_VERBOSE, "%s (%s): tactic %s, the only candidate of the allowed tactic "
                                  "sources (not timed)",
                 node->name, trt_op_name(node->op), tactic_str(&cand[0], t, sizeof t));
        return 0;
    }
    return kept;
}

trt_status trt__tune_config(trt_device *dev, trt_graph *g, const trt_engine_meta *meta,
                            const trt_build_config *cfg) {
    const unsigned sources = trt__build_config_tactic_sources(cfg);
    if (trt__build_config_optimization_level(cfg) == 0) {
        /* No timing; but a layer restricted by the tactic sources must not keep a default
         * kernel of an excluded source: it takes the first (most promising) allowed one. */
        int applied = 0;
        for (int n = 0; n < g->n_nodes && sources != TRT_TACTIC_SOURCE_ALL; n++) {
            trt_tactic cand[MAX_CANDIDATES];
            int full = node_candidates(dev, g, n, cand);
            if (full < 0) continue;
            int nc = filter_node(g, n, cand, full, sources);
            if (nc >= 2 && nc < full) {
                g->nodes[n].tactic = cand[0].tactic;
                memcpy(g->nodes[n].tactic_params, cand[0].params, sizeof cand[0].params);
            }
            applied += nc < full;
        }
        trt__log(TRT_LOG_VERBOSE, "tactic timing off (optimization level 0): every layer keeps "
                                  "its op's default kernel%s",
                 applied ? ", except those restricted by the tactic sources (first allowed "
                           "candidate)"
                         : "");
        return TRT_OK;
    }
    tuner tu = {dev, g, meta, NULL, {0}, 0, 0, 0, 0, 0};
    const char *path = trt__build_config_timing_cache(cfg);
    if (path && !(tu.cache = trt__timing_cache_load(path)))
        return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory reading the timing cache");
    double t0 = now_ms();
    trt_status s = TRT_OK;
    for (int n = 0; n < g->n_nodes && s == TRT_OK; n++) {
        trt_tactic cand[MAX_CANDIDATES];
        int nc = node_candidates(dev, g, n, cand);
        if (nc < 0) continue;
        nc = filter_node(g, n, cand, nc, sources);
        if (nc >= 2) s = tune_node(&tu, n, cand, nc);
    }
    bench_close(&tu.b);
    trt__timing_cache_save(tu.cache);
    trt__timing_cache_free(tu.cache);
    if (s == TRT_OK && tu.tuned)
        trt__log(TRT_LOG_INFO,
                 "tactic timing: %d layers, %d candidates timed, %d from the timing cache, "
                 "%d skipped, %.0f ms",
                 tu.tuned, tu.timed, tu.hits, tu.skipped, now_ms() - t0);
    return s;
}

/* ---------------------------------------------------------------- parallel builds */

/* What tells candidates' programs apart, as far as the sharing goes: the op, the tactic and
 * its parameters, less a tensor-core tactic's split-K factor (TRT_TC_PROGRAM_PARAMS). */
static uint64_t program_share_key(const trt_node *node, const trt_tactic *t) {
    int32_t v[2 + TRT_MAX_TACTIC_PARAMS] = {(int32_t)node->op, t->tactic};
    memcpy(v + 2, t->params, sizeof t->params);
    if (t->flags & TRT_TACTIC_TENSOR_CORE)
        for (int i = TRT_TC_PROGRAM_PARAMS; i < TRT_MAX_TACTIC_PARAMS; i++) v[2 + i] = 0;
    return trt__fnv1a(TRT_FNV_INIT, v, sizeof v);
}

trt_status trt__tune_precompile(trt_device *dev, trt_graph *g, const trt_engine_meta *meta,
                                const trt_build_config *cfg, int share, int shares,
                                int *prepared_out) {
    if (prepared_out) *prepared_out = 0;
    const unsigned sources = trt__build_config_tactic_sources(cfg);
    /* The distinct candidate kernels (program_share_key) in order of first use, dealt out in
     * turn: every process of the build lists the same ones in the same order, so the shares
     * are disjoint and hold the same number each (not the same cost: a key may stand for
     * several programs, and programs differ in compile time). */
    uint64_t *keys = NULL;
    int n_keys = 0, cap_keys = 0, prepared = 0, failed = 0;
    bench b = {0};
    /* Candidates the timing cache knows are not timed, so not compiled, by the build. */
    const char *cache_path = trt__build_config_timing_cache(cfg);
    trt_timing_cache *cache = cache_path ? trt__timing_cache_load(cache_path) : NULL;
    int known = 0;
    trt_status s = cache_path && !cache
                       ? trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory reading the timing cache")
                       : bench_open(dev, g, meta, 0, &b);
    double t0 = now_ms();
    for (int n = 0; n < g->n_nodes && s == TRT_OK; n++) {
        trt_tactic cand[MAX_CANDIDATES];
        int nc = node_candidates(dev, g, n, cand);
        if (nc < 0) continue;
        nc = filter_node(g, n, cand, nc, sources);
        trt_node *node = &b.ctx->ex.g->nodes[n];
        const uint64_t base = cache ? node_key(dev, g, &g->nodes[n]) : 0;
        for (int c = 0; c < nc && nc >= 2; c++) {
            const uint64_t key = program_share_key(node, &cand[c]);
            int j = 0;
            while (j < n_keys && keys[j] != key) j++;
            if (j == n_keys) {
                if (n_keys == cap_keys) {
                    int cap = cap_keys ? 2 * cap_keys : 64;
                    uint64_t *k = realloc(keys, sizeof *keys * (size_t)cap);
                    if (!k) {
                        s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
                        break;
                    }
                    keys = k;
                    cap_keys = cap;
                }
                keys[n_keys++] = key;
            }
            if (j % shares != share) continue;
            double ms;
            if (trt__timing_cache_get(cache, tactic_key(base, &cand[c]), &ms)) {
                known++;
                continue;
            }
            node->tactic = cand[c].tactic;
            memcpy(node->tactic_params, cand[c].params, sizeof node->tactic_params);
            if (reprepare(&b.ctx->ex, n) == TRT_OK) {
                prepared++;
            } else {
                failed++;
                char t[96];
                trt__log(TRT_LOG_VERBOSE, "precompile: %s (%s) tactic %s: %s", node->name,
                         trt_op_name(node->op), tactic_str(&cand[c], t, sizeof t),
                         trt_get_last_error());
            }
        }
    }
    if (s == TRT_OK)
        trt__log(TRT_LOG_INFO,
                 "precompile: share %d of %d (%d of the build's %d distinct candidate kernels): "
                 "%d candidates prepared, %d failed (left to the build to report), %d known to "
                 "the timing cache, %.0f ms",
                 share, shares, (n_keys + shares - 1 - share) / shares, n_keys, prepared, failed,
                 known, now_ms() - t0);
    trt__timing_cache_free(cache);
    free(keys);
    bench_close(&b);
    if (prepared_out) *prepared_out = prepared;
    return s;
}
