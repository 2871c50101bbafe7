/* test_passes.c — what the graph passes make of the cases of make_pass_models.py.
 *
 * For each case (model.onnx, case.json with its profile, passes.json with the expectations):
 *   passes   the model imported, shapes inferred at the profile's min, max and opt as the
 *            builder does, then trt__passes_run_dev (every pass, constant folding on the
 *            device): its device layers ("Op name", in order) must be passes.json's
 *   build    the engine built from the model has those layers too, and its view nodes
 *            share or copy memory as listed
 *   numerics the engine built from the graph of "passes" gives the builder's engine's
 *            outputs at batch 1 and 3 (the builder's engine is checked against onnxruntime
 *            by run_cases, test passes-numerics)
 *   tactics  every candidate kernel of every fused Conv/ConvTranspose/Gemm/MatMul layer
 *            (trt_op_impl.tactics) gives the built engine's outputs: each honours the
 *            fused epilogue
 *
 * usage: test_passes DIR...   (each DIR a case, or a folder of cases)
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder/builder.h"
#include "onnx/onnx_import.h"
#include "passes/passes.h"
#include "runtime/runtime.h"
#include "trt/trt.h"

#include "../conformance/json.h"

static int passed, failed;

#define CHECK(cond, ...)                                                                  \
    do {                                                                                  \
        if (cond) {                                                                       \
            passed++;                                                                     \
        } else {                                                                          \
            failed++;                                                                     \
            printf("FAIL %s: ", name);                                                    \
            printf(__VA_ARGS__);                                                          \
            printf(" [last error: %s]\n", trt_get_last_error());                          \
        }                                                                                 \
    } while (0)

#define MAX_IN 8
#define MAX_OUT 64
#define MAX_LAYERS 256
#define BATCH_RUNS 2

static const int64_t run_batches[BATCH_RUNS] = {1, 3};

typedef struct {
    char name[64];
    trt_dims min, opt, max;
} profile;

typedef struct {
    const char *name; /* case name, for messages */
    char dir[1024];
    profile prof[MAX_IN];
    int n_prof;
    json_value *expect;
} test_case;

static json_value *read_json(const char *path) {
    void *buf = NULL;
    size_t len = 0;
    if (trt__read_file(path, &buf, &len) != TRT_OK) return NULL;
    char err[256];
    json_value *v = json_parse(buf, len, err, sizeof err);
    if (!v) printf("%s: %s\n", path, err);
    free(buf);
    return v;
}

static int json_dims(const json_value *v, trt_dims *d) {
    if (!v || v->type != JSON_ARRAY || v->n > TRT_MAX_DIMS) return 0;
    d->nb_dims = v->n;
    for (int i = 0; i < v->n; i++) d->d[i] = (int64_t)v->items[i]->number;
    return 1;
}

static int load_case(test_case *c, const char *dir) {
    snprintf(c->dir, sizeof c->dir, "%s", dir);
    const char *slash = strrchr(c->dir, '/');
    c->name = slash ? slash + 1 : c->dir;
    char path[1100];
    snprintf(path, sizeof path, "%s/case.json", dir);
    json_value *cj = read_json(path);
    const json_value *p = json_get(cj, "profile");
    c->n_prof = 0;
    for (int i = 0; p && i < p->n && i < MAX_IN; i++) {
        profile *pr = &c->prof[c->n_prof++];
        snprintf(pr->name, sizeof pr->name, "%s", p->keys[i]);
        if (!json_dims(json_get(p->items[i], "min"), &pr->min) ||
            !json_dims(json_get(p->items[i], "opt"), &pr->opt) ||
            !json_dims(json_get(p->items[i], "max"), &pr->max))
            c->n_prof = -1000;
    }
    json_free(cj);
    snprintf(path, sizeof path, "%s/passes.json", dir);
    c->expect = read_json(path);
    return c->n_prof > 0 && c->expect != NULL;
}

static trt_build_config *config_of(const test_case *c) {
    trt_build_config *cfg = trt_build_config_new();
    for (int i = 0; cfg && i < c->n_prof; i++)
        trt_build_config_set_profile(cfg, c->prof[i].name, &c->prof[i].min, &c->prof[i].opt,
                                     &c->prof[i].max);
    return cfg;
}

/* ---------------------------------------------------------------- layer lists */

/* "Op name" of every device node, one string each (into buf). */
static int layers_of(const trt_graph *g, char (*out)[256], int max) {
    int n = 0;
    for (int i = 0; i < g->n_nodes && n < max; i++) {
        if (g->nodes[i].is_host) continue;
        snprintf(out[n++], 256, "%s %s", trt_op_name(g->nodes[i].op), g->nodes[i].name);
    }
    return n;
}

static void check_layers(const char *name, const char *what, const trt_graph *g,
                         const json_value *want) {
    static char got[MAX_LAYERS][256];
    int n = layers_of(g, got, MAX_LAYERS);
    int same = want && want->type == JSON_ARRAY && want->n == n;
    for (int i = 0; same && i < n; i++) same = strcmp(got[i], want->items[i]->string) == 0;
    CHECK(same, "%s: layers differ from passes.json", what);
    if (same) return;
    printf("  got %d:", n);
    for (int i = 0; i < n; i++) printf(" [%s]", got[i]);
    printf("\n  want %d:", want ? want->n : 0);
    for (int i = 0; want && i < want->n; i++) printf(" [%s]", want->items[i]->string);
    printf("\n");
}

/* ---------------------------------------------------------------- graphs and engines */

static trt_graph *import_case(const test_case *c) {
    char path[1100];
    snprintf(path, sizeof path, "%s/model.onnx", c->dir);
    void *buf = NULL;
    size_t len = 0;
    trt_graph *g = NULL;
    if (trt__read_file(path, &buf, &len) == TRT_OK) trt__onnx_import(buf, len, &g);
    free(buf);
    return g;
}

/* Shape inference at min, max, then opt (the builder's order), capacities the largest. */
static trt_status infer_profile(trt_graph *g, const test_case *c) {
    for (int t = 0; t < g->n_tensors; t++) g->tensors[t].capacity = 0;
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < c->n_prof; i++) {
            int t = trt_graph_find_tensor(g, c->prof[i].name);
            if (t < 0) return TRT_ERR_NOT_FOUND;
            g->tensors[t].shape = k == 0   ? c->prof[i].min
                                  : k == 1 ? c->prof[i].max
                                           : c->prof[i].opt;
        }
        TRT_TRY(trt_graph_infer(g, 1));
        for (int t = 0; t < g->n_tensors; t++) {
            uint64_t b = trt_tensor_bytes(&g->tensors[t]);
            if (b > g->tensors[t].capacity) g->tensors[t].capacity = b;
        }
    }
    return TRT_OK;
}

static float input_value(size_t i) {
    return (float)((int)((i * 7919u + 13u) % 211u) - 105) / 64.0f;
}

typedef struct {
    int n;
    char names[MAX_OUT][128];
    float *data[MAX_OUT];
    size_t count[MAX_OUT];
} outputs;

static void outputs_free(outputs *o) {
    for (int i = 0; i < o->n; i++) free(o->data[i]);
    memset(o, 0, sizeof *o);
}

/* Runs engine e with every input at batch `batch` (the profile's opt otherwise). */
static int run_engine(const char *name, trt_engine *e, const test_case *c, int64_t batch,
                      outputs *out) {
    memset(out, 0, sizeof *out);
    trt_context *ctx = NULL;
    if (trt_context_new(e, &ctx) != TRT_OK) return 0;
    int ok = 1;
    float *in[MAX_IN] = {NULL}; /* read by the queue until the wait */
    for (int i = 0; ok && i < c->n_prof; i++) {
        trt_dims d = c->prof[i].opt;
        d.d[0] = batch;
        size_t n = (size_t)trt_dims_volume(&d);
        float *x = in[i] = malloc(n * sizeof *x + 1);
        for (size_t k = 0; x && k < n; k++) x[k] = input_value(k + (size_t)i * 1000);
        ok = x && trt_context_set_input_shape(ctx, c->prof[i].name, &d) == TRT_OK &&
             trt_context_write_input(ctx, c->prof[i].name, x, n * sizeof *x) == TRT_OK;
    }
    ok = ok && trt_context_enqueue(ctx) == TRT_OK;
    for (int i = 0; ok && i < trt_engine_get_num_io(e); i++) {
        trt_io_info info;
        trt_engine_get_io(e, i, &info);
        if (info.is_input) continue;
        trt_dims d;
        ok = trt_context_get_tensor_shape(ctx, info.name, &d) == TRT_OK && out->n < MAX_OUT;
        if (!ok) break;
        int k = out->n++;
        snprintf(out->names[k], sizeof out->names[k], "%s", info.name);
        out->count[k] = (size_t)trt_dims_volume(&d);
        out->data[k] = malloc(out->count[k] * sizeof(float) + 1);
        ok = out->data[k] && trt_context_read_output(ctx, info.name, out->data[k],
                                                     out->count[k] * sizeof(float)) == TRT_OK;
    }
    ok = ok && trt_context_wait(ctx) == TRT_OK;
    trt_context_free(ctx);
    for (int i = 0; i < c->n_prof; i++) free(in[i]);
    CHECK(ok, "running an engine at batch %lld", (long long)batch);
    return ok;
}

/* Relative L2 distance of every output (max over outputs); INFINITY if they differ in shape. */
static double compare(const outputs *a, const outputs *b) {
    if (a->n != b->n) return INFINITY;
    double worst = 0.0;
    for (int i = 0; i < a->n; i++) {
        if (a->count[i] != b->count[i] || strcmp(a->names[i], b->names[i])) return INFINITY;
        double num = 0.0, den = 0.0;
        for (size_t k = 0; k < a->count[i]; k++) {
            double x = a->data[i][k], y = b->data[i][k];
            if (isnan(x) != isnan(y)) return INFINITY;
            if (isnan(x)) continue;
            num += (x - y) * (x - y);
            den += y * y;
        }
        double r = sqrt(num / (den > 0.0 ? den : 1.0));
        if (r > worst) worst = r;
    }
    return worst;
}

/* Outputs of engine a and b agree at every batch of run_batches. */
static void check_same(const char *name, const char *what, trt_engine *a, trt_engine *b,
                       const test_case *c, double tol) {
    for (int k = 0; k < BATCH_RUNS; k++) {
        outputs oa, ob;
        if (run_engine(name, a, c, run_batches[k], &oa) &&
            run_engine(name, b, c, run_batches[k], &ob)) {
            double d = compare(&oa, &ob);
            CHECK(d <= tol, "%s: outputs at batch %lld differ (relative L2 %g > %g)", what,
                  (long long)run_batches[k], d, tol);
        }
        outputs_free(&oa);
        outputs_free(&ob);
    }
}

/* ---------------------------------------------------------------- checks */

static void check_views(const char *name, trt_engine *e, const json_value *list, int shared) {
    trt_context *ctx = NULL;
    if (!list || trt_context_new(e, &ctx) != TRT_OK) {
        CHECK(0, "context for the view checks");
        return;
    }
    const trt_graph *g = ctx->ex.g;
    for (int i = 0; i < list->n; i++) {
        const char *node = list->items[i]->string;
        int n;
        for (n = 0; n < g->n_nodes && strcmp(g->nodes[n].name, node); n++) {}
        if (n == g->n_nodes) {
            CHECK(0, "view node '%s' is not in the engine", node);
            continue;
        }
        int same = ctx->ex.mem[g->nodes[n].inputs[0]] == ctx->ex.mem[g->nodes[n].outputs[0]];
        CHECK(same == shared, "view '%s' %s its input's memory", node,
              shared ? "does not share" : "shares");
    }
    trt_context_free(ctx);
}

/* Every candidate kernel of the fused layers: the k-th candidate of every such layer at
 * once, engine k, against the built engine. */
static void check_tactics(const char *name, trt_device *dev, trt_engine *e, const test_case *c) {
    const trt_graph *g = e->graph;
    for (int k = 0;; k++) {
        trt_graph *v = trt_graph_clone(g);
        int changed = 0;
        for (int n = 0; v && n < v->n_nodes; n++) {
            trt_node *node = &v->nodes[n];
            const trt_op_impl *impl = trt_op_get(node->op);
            if (node->is_host || !impl->tactics || !strstr(node->name, " + ")) continue;
            trt_tactic t[32];
            int nt = impl->tactics(node, v->tensors, &dev->caps, t, 32);
            if (k >= nt) continue;
            node->tactic = t[k].tactic;
            memcpy(node->tactic_params, t[k].params, sizeof node->tactic_params);
            changed++;
        }
        if (!changed) {
            trt_graph_free(v);
            return;
        }
        trt_engine *ek = NULL;
        trt_status s = v ? trt__engine_create(dev, v, &e->meta, &ek) : TRT_ERR_OUT_OF_MEMORY;
        CHECK(s == TRT_OK, "engine with candidate %d of every fused layer", k);
        if (s != TRT_OK) return;
        char what[64];
        snprintf(what, sizeof what, "candidate kernels #%d", k);
        check_same(name, what, ek, e, c, 1e-5);
        trt_engine_free(ek);
    }
}

static void run_case(trt_device *dev, const char *dir) {
    test_case c;
    memset(&c, 0, sizeof c);
    const char *name = dir;
    if (!load_case(&c, dir)) {
        CHECK(0, "reading case.json and passes.json");
        json_free(c.expect);
        return;
    }
    name = c.name;
    const json_value *want = json_get(c.expect, "layers");

    /* The passes on the imported graph, folding included. */
    trt_graph *g = import_case(&c);
    CHECK(g != NULL, "importing the model");
    if (!g) goto done;
    trt_dims model_dims[MAX_IN]; /* the inputs' shapes in the model (dynamic batch) */
    for (int i = 0; i < g->n_inputs && i < MAX_IN; i++)
        model_dims[i] = g->tensors[g->inputs[i]].shape;
    trt_status s = infer_profile(g, &c);
    CHECK(s == TRT_OK, "shape inference");
    if (s == TRT_OK) s = trt__passes_run_dev(dev, g);
    CHECK(s == TRT_OK, "trt__passes_run_dev");
    if (s == TRT_OK) check_layers(name, "passes", g, want);

    /* The builder's engine. */
    trt_build_config *cfg = config_of(&c);
    trt_engine *built = NULL;
    char path[1100];
    snprintf(path, sizeof path, "%s/model.onnx", c.dir);
    s = trt_engine_build_file(dev, path, cfg, &built);
    CHECK(s == TRT_OK, "building the engine");
    if (built) {
        check_layers(name, "built engine", built->graph, want);
        check_views(name, built, json_get(c.expect, "views_shared"), 1);
        check_views(name, built, json_get(c.expect, "views_copied"), 0);
    }

    /* The graph of the passes as an engine, against the builder's. */
    trt_engine *passed_e = NULL;
    for (int i = 0; i < g->n_inputs && i < MAX_IN; i++)
        g->tensors[g->inputs[i]].shape = model_dims[i];
    s = trt__build_graph(dev, g, cfg, &passed_e);
    g = NULL; /* taken over */
    CHECK(s == TRT_OK, "building the engine from the passes' graph");
    if (passed_e) check_layers(name, "engine of the passes' graph", passed_e->graph, want);
    if (passed_e && built)
        check_same(name, "passes' graph vs built engine", passed_e, built, &c, 1e-5);
    if (built) check_tactics(name, dev, built, &c);
    trt_engine_free(passed_e);
    trt_engine_free(built);
    trt_build_config_free(cfg);
done:
    trt_graph_free(g);
    json_free(c.expect);
}

static void run_one(trt_device *dev, const char *dir) {
    int before = failed;
    run_case(dev, dir);
    printf("%-20s %s\n", strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir,
           failed == before ? "ok" : "FAILED");
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A case (has model.onnx), or every case in a folder, in name order. */
static void run_dir(trt_device *dev, const char *dir) {
    char path[1100];
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    FILE *f = fopen(path, "rb");
    if (f) {
        fclose(f);
        run_one(dev, dir);
        return;
    }
    DIR *d = opendir(dir);
    const char *name = dir;
    CHECK(d != NULL, "opening the folder");
    if (!d) return;
    char *subs[256];
    int n = 0;
    for (struct dirent *de; (de = readdir(d)) && n < 256;) {
        if (de->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        subs[n++] = trt__strdup(path);
    }
    closedir(d);
    qsort(subs, (size_t)n, sizeof subs[0], by_name);
    for (int i = 0; i < n; i++) {
        run_one(dev, subs[i]);
        free(subs[i]);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_passes DIR...\n");
        return 2;
    }
    trt_device *dev = NULL;
    if (trt_device_open(NULL, &dev) != TRT_OK) {
        fprintf(stderr, "no device: %s\n", trt_get_last_error());
        return 1;
    }
    for (int i = 1; i < argc; i++) run_dir(dev, argv[i]);
    trt_device_free(dev);
    printf("%d checks passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
