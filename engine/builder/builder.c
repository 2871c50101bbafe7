/* builder.c — ONNX -> engine: import, profiles, shape inference at min/opt/max, host
 * evaluation and folding of shape subgraphs, memory planning, serialisation.
 *
 * The built engine is serialised and loaded back through the same path as a file, so a
 * fresh build and a loaded file can never behave differently.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder/builder.h"
#include "onnx/onnx_import.h"
#include "passes/passes.h"
#include "tune/tune.h"
#include "runtime/runtime.h"

/* ---------------------------------------------------------------- steps */

/* Frozen inputs become constants of the graph. */
static trt_status freeze_inputs(trt_graph *g, const trt_build_config *cfg) {
    for (int i = 0; cfg && i < cfg->n_frozen; i++) {
        const trt_frozen_input *f = &cfg->frozen[i];
        int k;
        for (k = 0; k < g->n_inputs; k++)
            if (strcmp(g->tensors[g->inputs[k]].name, f->name) == 0) break;
        if (k == g->n_inputs)
            return trt__error(TRT_ERR_NOT_FOUND, "cannot freeze '%s': the model has no such input",
                              f->name);
        trt_tensor *t = &g->tensors[g->inputs[k]];
        if (t->dtype != f->dtype)
            return trt__error(TRT_ERR_INVALID_ARG, "cannot freeze '%s': it is %s, values are %s",
                              f->name, trt_dtype_name(t->dtype), trt_dtype_name(f->dtype));
        size_t bytes = (size_t)trt_dims_volume(&f->dims) * trt_dtype_size(f->dtype);
        void *data = malloc(bytes ? bytes : 1);
        if (!data) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
        if (bytes) memcpy(data, f->values, bytes);
        t->data = data;
        t->data_size = bytes;
        t->shape = f->dims;
        t->flags = (t->flags & ~(uint32_t)TRT_TENSOR_INPUT) | TRT_TENSOR_CONST;
        t->has_host = 1;
        memmove(&g->inputs[k], &g->inputs[k + 1], sizeof(int) * (size_t)(g->n_inputs - k - 1));
        g->n_inputs--;
    }
    return TRT_OK;
}

/* One profile entry per input: the config's, or the model's static shape (dynamic dims 1). */
static trt_status make_profiles(trt_graph *g, const trt_build_config *cfg, trt_engine_meta *meta) {
    if (g->n_inputs > (int)(sizeof meta->profiles / sizeof meta->profiles[0]))
        return trt__error(TRT_ERR_UNSUPPORTED, "model has %d inputs; at most %d are supported",
                          g->n_inputs, (int)(sizeof meta->profiles / sizeof meta->profiles[0]));
    for (int i = 0; cfg && i < cfg->n_profiles; i++) {
        int k;
        for (k = 0; k < g->n_inputs; k++)
            if (strcmp(g->tensors[g->inputs[k]].name, cfg->profiles[i].name) == 0) break;
        if (k == g->n_inputs) {
            char names[1024] = "";
            size_t o = 0;
            for (int j = 0; j < g->n_inputs && o < sizeof names; j++)
                o += (size_t)snprintf(names + o, sizeof names - o, "%s'%s'", j ? ", " : "",
                                      g->tensors[g->inputs[j]].name);
            return trt__error(TRT_ERR_NOT_FOUND, "shapes given for '%s', but the model's inputs are %s",
                              cfg->profiles[i].name, names);
        }
    }
    meta->n_profiles = g->n_inputs;
    for (int k = 0; k < g->n_inputs; k++) {
        trt_tensor *t = &g->tensors[g->inputs[k]];
        trt_profile_entry *p = &meta->profiles[k];
        p->tensor = g->inputs[k];
        const trt_profile_req *req = NULL;
        for (int i = 0; cfg && i < cfg->n_profiles; i++)
            if (strcmp(cfg->profiles[i].name, t->name) == 0) req = &cfg->profiles[i];
        char a[128], b[128];
        if (req) {
            if (req->min.nb_dims != t->shape.nb_dims)
                return trt__error(TRT_ERR_SHAPE, "input '%s' has rank %d (%s), the shapes given have rank %d",
                                  t->name, t->shape.nb_dims, trt_dims_str(&t->shape, a, sizeof a),
                                  req->min.nb_dims);
            for (int d = 0; d < t->shape.nb_dims; d++)
                if (t->shape.d[d] >= 0 && (req->min.d[d] != t->shape.d[d] || req->max.d[d] != t->shape.d[d]))
                    return trt__error(TRT_ERR_SHAPE,
                                      "input '%s' has the fixed shape %s; dimension %d cannot "
                                      "range over %lld..%lld",
                                      t->name, trt_dims_str(&t->shape, a, sizeof a), d,
                                      (long long)req->min.d[d], (long long)req->max.d[d]);
            p->min = req->min;
            p->opt = req->opt;
            p->max = req->max;
        } else {
            trt_dims s = t->shape;
            int dyn = 0;
            for (int d = 0; d < s.nb_dims; d++)
                if (s.d[d] < 0) {
                    s.d[d] = 1;
                    dyn = 1;
                }
            if (dyn)
                trt__log(TRT_LOG_WARNING,
                         "input '%s' has dynamic dimensions (%s) and no shapes were given; "
                         "building for %s (use --shapes or --minShapes/--optShapes/--maxShapes)",
                         t->name, trt_dims_str(&t->shape, a, sizeof a), trt_dims_str(&s, b, sizeof b));
            p->min = p->opt = p->max = s;
        }
    }
    return TRT_OK;
}

static void set_inputs(trt_graph *g, const trt_engine_meta *meta, int which) {
    for (int i = 0; i < meta->n_profiles; i++) {
        const trt_profile_entry *p = &meta->profiles[i];
        g->tensors[p->tensor].shape = which == 0 ? p->min : which == 1 ? p->opt : p->max;
    }
}

/* Shape inference at min, opt and max: a node is a host node only if it is one at all three.
 * Host outputs whose values and shapes agree at all three points become constants. Records
 * each tensor's largest size in `capacity`. */
static trt_status infer_profiles(trt_graph *g, const trt_engine_meta *meta) {
    int nn = g->n_nodes, nt = g->n_tensors;
    int *host = malloc(sizeof(int) * (size_t)(nn + 1));
    uint8_t *same = malloc((size_t)nt + 1);
    trt_tensor *first = malloc(sizeof(trt_tensor) * (size_t)(nt + 1));
    trt_status s = TRT_OK;
    if (!host || !same || !first) {
        s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
        goto done;
    }
    memset(same, 1, (size_t)nt);
    for (int t = 0; t < nt; t++) g->tensors[t].capacity = 0;
    static const int order[3] = {0, 2, 1}; /* finish at opt: the graph keeps opt shapes */
    for (int k = 0; k < 3; k++) {
        set_inputs(g, meta, order[k]);
        s = trt_graph_infer(g, 1);
        if (s != TRT_OK) {
            static const char *names[3] = {"min", "opt", "max"};
            trt__error_prefix(s, "at the profile's %s shapes", names[order[k]]);
            goto done;
        }
        for (int n = 0; n < nn; n++) host[n] = k == 0 ? g->nodes[n].is_host : host[n] && g->nodes[n].is_host;
        for (int t = 0; t < nt; t++) {
            trt_tensor *tt = &g->tensors[t];
            uint64_t b = trt_tensor_bytes(tt);
            if (b > tt->capacity) tt->capacity = b;
            if (tt->flags & TRT_TENSOR_CONST) continue;
            if (k == 0) first[t] = *tt;
            else if (!tt->has_host || !first[t].has_host || !trt_dims_equal(&tt->shape, &first[t].shape) ||
                     b > sizeof tt->hostbuf || memcmp(trt_tensor_host(tt), trt_tensor_host(&first[t]), (size_t)b) != 0)
                same[t] = 0;
        }
    }
    for (int n = 0; n < nn; n++) g->nodes[n].is_host = host[n];
    /* Fold: a host node whose outputs are the same at every profile point is evaluated now. */
    for (int n = 0; n < nn; n++) {
        trt_node *node = &g->nodes[n];
        if (!node->is_host) continue;
        int fold = 1;
        for (int o = 0; o < node->n_outputs; o++) fold = fold && same[node->outputs[o]];
        if (!fold) continue;
        for (int o = 0; o < node->n_outputs; o++) {
            trt_tensor *tt = &g->tensors[node->outputs[o]];
            size_t bytes = (size_t)trt_tensor_bytes(tt);
            tt->data = malloc(bytes ? bytes : 1);
            if (!tt->data) {
                s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
                goto done;
            }
            memcpy(tt->data, tt->hostbuf, bytes);
            tt->data_size = bytes;
            tt->flags |= TRT_TENSOR_CONST;
            tt->producer = -1;
        }
        trt__log(TRT_LOG_VERBOSE, "Folding %s (%s): evaluated at build time", node->name,
                 trt_op_name(node->op));
        node->n_outputs = 0; /* marks the node for removal */
    }
done:
    free(host);
    free(same);
    free(first);
    return s;
}

/* Drops nodes whose outputs nobody needs (folded nodes have no outputs left). */
static void remove_dead_nodes(trt_graph *g) {
    int nt = g->n_tensors;
    uint8_t *needed = calloc((size_t)nt + 1, 1);
    if (!needed) return; /* keeping dead nodes is harmless */
    for (int i = 0; i < g->n_outputs; i++) needed[g->outputs[i]] = 1;
    for (int n = g->n_nodes - 1; n >= 0; n--) {
        trt_node *node = &g->nodes[n];
        int live = 0;
        for (int o = 0; o < node->n_outputs; o++) live = live || needed[node->outputs[o]];
        if (!live) {
            node->n_outputs = 0;
            continue;
        }
        for (int k = 0; k < node->n_inputs; k++)
            if (node->inputs[k] >= 0) needed[node->inputs[k]] = 1;
    }
    int w = 0;
    for (int n = 0; n < g->n_nodes; n++) {
        if (g->nodes[n].n_outputs == 0) {
            trt__log(TRT_LOG_VERBOSE, "Removing %s (%s): its result is not used", g->nodes[n].name,
                     trt_op_name(g->nodes[n].op));
            free(g->nodes[n].name);
            continue;
        }
        g->nodes[w++] = g->nodes[n];
    }
    g->n_nodes = w;
    for (int t = 0; t < nt; t++) g->tensors[t].producer = -1;
    for (int n = 0; n < g->n_nodes; n++)
        for (int o = 0; o < g->nodes[n].n_outputs; o++) g->tensors[g->nodes[n].outputs[o]].producer = n;
    /* Constants nobody reads lose their data (kept as names only). */
    for (int t = 0; t < nt; t++) {
        trt_tensor *tt = &g->tensors[t];
        if ((tt->flags & TRT_TENSOR_CONST) && !needed[t] && !(tt->flags & TRT_TENSOR_OUTPUT)) {
            free(tt->data);
            tt->data = NULL;
            tt->data_size = 0;
            tt->shape.nb_dims = 1;
            tt->shape.d[0] = 0;
        }
    }
    free(needed);
}

/* ---------------------------------------------------------------- build */

/* Every step before tactic timing: profiles, shape inference and folding, the passes,
 * precision, layout, memory plan and the engine's description (meta). Frees g on failure. */
static trt_status plan_graph(trt_device *dev, trt_graph *g, const trt_build_config *cfg,
                             trt_engine_meta *meta) {
    memset(meta, 0, sizeof *meta);
    trt_status s = freeze_inputs(g, cfg);
    if (s == TRT_OK) s = make_profiles(g, cfg, meta);
    if (s == TRT_OK) s = infer_profiles(g, meta);
    if (s == TRT_OK) {
        remove_dead_nodes(g);
        s = trt__passes_run_dev(dev, g);
    }
    if (s == TRT_OK && cfg && cfg->precision == TRT_PRECISION_FP16 && dev->info.is_cpu)
        trt__log(TRT_LOG_WARNING, "FP16 on a CPU device (%s): float16 storage halves memory, "
                                  "but its conversions cost more than they save there (PoCL: "
                                  "2-3x slower than FP32); FP16 is for GPUs", dev->info.name);
    if (s == TRT_OK) s = trt__pass_precision(g, cfg ? cfg->precision : TRT_PRECISION_FP32);
    if (s == TRT_OK) s = trt__pass_layout(dev, g);
    /* Passes change nodes: infer again for capacities and host nodes. */
    if (s == TRT_OK) s = infer_profiles(g, meta);
    if (s == TRT_OK) {
        remove_dead_nodes(g);
        s = trt__memory_plan(g, dev->mem_align, &meta->activation_bytes);
    }
    if (s != TRT_OK) {
        trt_graph_free(g);
        return s;
    }
    snprintf(meta->engine_version, sizeof meta->engine_version, "%s", TRT_VERSION_STRING);
    snprintf(meta->device_name, sizeof meta->device_name, "%s", dev->info.name);
    snprintf(meta->device_vendor, sizeof meta->device_vendor, "%s", dev->info.vendor);
    snprintf(meta->driver_version, sizeof meta->driver_version, "%s", dev->info.driver_version);
    meta->precision = cfg ? (uint32_t)cfg->precision : TRT_PRECISION_FP32;
    meta->mem_align = dev->mem_align;
    return TRT_OK;
}

trt_status trt__build_graph(trt_device *dev, trt_graph *g, const trt_build_config *cfg,
                            trt_engine **out) {
    trt_engine_meta meta;
    TRT_TRY(plan_graph(dev, g, cfg, &meta));
    int layers = 0;
    for (int n = 0; n < g->n_nodes; n++) layers += !g->nodes[n].is_host;
    trt__log(TRT_LOG_INFO, "built: %d layers (%d nodes evaluated on the host), activations %.2f MiB",
             layers, g->n_nodes - layers, (double)meta.activation_bytes / (1 << 20));

    trt_status s = trt__tune_config(dev, g, &meta, cfg);
    if (s != TRT_OK) {
        trt_graph_free(g);
        return s;
    }
    void *buf = NULL;
    size_t len = 0;
    s = trt__engine_write(g, &meta, &buf, &len);
    trt_graph_free(g);
    if (s != TRT_OK) return s;
    s = trt_engine_deserialize(dev, buf, len, out);
    free(buf);
    return s;
}

static trt_status refuse_int8(const trt_build_config *cfg) {
    if (cfg && cfg->precision == TRT_PRECISION_INT8)
        return trt__error(TRT_ERR_UNSUPPORTED, "INT8 engines are not supported yet; build in "
                                               "FP32 or FP16");
    return TRT_OK;
}

trt_status trt_engine_build(trt_device *dev, const void *onnx, size_t len,
                            const trt_build_config *cfg, trt_engine **out) {
    if (!dev || !onnx || !out) return trt__error(TRT_ERR_INVALID_ARG, "trt_engine_build: NULL argument");
    *out = NULL;
    TRT_TRY(refuse_int8(cfg));
    trt_graph *g = NULL;
    TRT_TRY(trt__onnx_import(onnx, len, &g));
    return trt__build_graph(dev, g, cfg, out);
}

trt_status trt_engine_precompile(trt_device *dev, const void *onnx, size_t len,
                                 const trt_build_config *cfg, int share, int shares,
                                 int *prepared) {
    if (prepared) *prepared = 0;
    if (!dev || !onnx)
        return trt__error(TRT_ERR_INVALID_ARG, "trt_engine_precompile: NULL argument");
    if (shares < 1 || share < 0 || share >= shares)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "trt_engine_precompile: share %d of %d; a share is 0 to count - 1",
                          share, shares);
    TRT_TRY(refuse_int8(cfg));
    char *dir = trt__program_cache_dir(dev);
    const int idle = !dir || trt__build_config_optimization_level(cfg) == 0;
    free(dir);
    if (idle) { /* before the import: nothing to import for */
        trt__log(TRT_LOG_VERBOSE, "precompile: nothing to do (the program cache on disk is off, "
                                  "or tactic timing is)");
        return TRT_OK;
    }
    trt_graph *g = NULL;
    TRT_TRY(trt__onnx_import(onnx, len, &g));
    trt_engine_meta meta;
    TRT_TRY(plan_graph(dev, g, cfg, &meta));
    trt_status s = trt__tune_precompile(dev, g, &meta, cfg, share, shares, prepared);
    trt_graph_free(g);
    return s;
}

trt_status trt_engine_build_file(trt_device *dev, const char *path, const trt_build_config *cfg,
                                 trt_engine **out) {
    if (!path) return trt__error(TRT_ERR_INVALID_ARG, "trt_engine_build_file: NULL path");
    void *buf = NULL;
    size_t len = 0;
    TRT_TRY(trt__read_file(path, &buf, &len));
    trt_status s = trt_engine_build(dev, buf, len, cfg, out);
    free(buf);
    if (s != TRT_OK) return trt__error_prefix(s, "building '%s'", path);
    return s;
}
