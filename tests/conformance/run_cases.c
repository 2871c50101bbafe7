/* run_cases.c — runs ONNX test cases through the engine and compares with their references.
 *
 * Usage: run_cases [--exclusions FILE] [--report FILE] [--filter SUBSTR]
 *                  [--fp16 REL_L2] [--dump DIR] [--all-tactics]
 *                  [--tactic-sources LIST] DIR...
 *
 * A case is a directory in the layout of the ONNX backend node tests:
 *   model.onnx
 *   test_data_set_N/input_K.pb, output_K.pb   serialized TensorProto, named after the
 *                                             graph input/output they belong to
 *   case.json (optional)                      {"tolerance": {"rtol": r, "atol": a} |
 *                                                           {"nmse": x} | {"rel_l2": x},
 *                                              "profile": {"input": {"min": [..],
 *                                                          "opt": [..], "max": [..]}}}
 * Each DIR is a case or a folder of cases. Data sets of one case may use different input
 * shapes; they all run on one engine whose profile covers them (case.json's profile, else
 * min/max over the data sets with opt = data set 0).
 *
 * int64 graph inputs are frozen into the engine (trt_build_config_set_input_values) with the
 * values of the data set being run: this mirrors TensorRT, where such inputs (a Reshape's
 * target, Slice starts...) are shape tensors fixed at build time. A data set whose int64
 * values differ from the engine's gets an engine of its own.
 *
 * Every input and output is bound to a caller buffer with guard bytes on both sides; a write
 * into a guard, or any change to an input, fails the case. Comparison: shapes and dtypes must
 * match; NaN and Inf positions must match exactly; floats pass when |got - ref| <= atol +
 * rtol * |ref| (default rtol 1e-3, atol 1e-7, as onnx's backend test runner), or by
 * normalised MSE / relative L2 when case.json asks so; integers and bools must be equal.
 *
 * --fp16 REL_L2 builds FP16 engines (trt_build_config_set_precision) and compares every float
 * output by relative L2 <= REL_L2 instead of case.json's tolerance (integer outputs still
 * exactly). --dump DIR writes each output as raw bytes to DIR/<case>/<data set>/<output>.bin
 * (tests/models/fp16_report.py reads them). --all-tactics runs every data set again on
 * engines that use the k-th candidate kernel (trt_op_impl.tactics) of every layer with two
 * or more, k = 0, 1, ..., so that kernels the tactic timing did not pick here (GPU defaults
 * on a CPU device) are checked against the references too. --tactic-sources LIST (comma list
 * out of portable, tensor_core) builds with trt_build_config_set_tactic_sources, and
 * --all-tactics then runs only the candidates of those sources (tune.h's filter), so that
 * `--tactic-sources tensor_core --all-tactics` checks every tensor-core kernel variant.
 *
 * A case using an op outside ops.def is SKIPPED. A failing case listed in the exclusions
 * file (lines "test_name  reason", '#' comments) is EXCLUDED; a listed case that passes is
 * reported so the stale line can be removed. The last line is "N passed, N failed"; the exit
 * status is 1 iff a case failed (2 for bad usage).
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "core/core.h"
#include "ops/op.h"
#include "onnx/onnx_import.h"
#include "runtime/runtime.h"
#include "trt/trt.h"
#include "trt/trt_opencl.h"
#include "tune/tune.h"

#include "json.h"

#define GUARD_BYTES 4096
#define MAX_IO 256 /* inputs or outputs of a model (tests/gpu packs 112 products in one) */
#define MSG_LEN 4096

/* ---------------------------------------------------------------- small helpers */

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "run_cases: out of memory\n");
        exit(2);
    }
    return p;
}

static char *xstrdup(const char *s) {
    char *d = xcalloc(strlen(s) + 1, 1);
    memcpy(d, s, strlen(s) + 1);
    return d;
}

static char *path_join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *p = xcalloc(la + lb + 2, 1);
    memcpy(p, a, la);
    p[la] = '/';
    memcpy(p + la + 1, b, lb);
    return p;
}

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

/* Appends to a message buffer (truncating quietly). */
static void msg_add(char *msg, const char *fmt, ...) {
    size_t used = strlen(msg);
    if (used + 1 >= MSG_LEN) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + used, MSG_LEN - used, fmt, ap);
    va_end(ap);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the entries of `dir` (no dot files). */
static char **list_dir(const char *dir, int *n) {
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char **names = NULL;
    int cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            names = realloc(names, sizeof *names * (size_t)cap);
            if (!names) {
                fprintf(stderr, "run_cases: out of memory\n");
                exit(2);
            }
        }
        names[(*n)++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (*n) qsort(names, (size_t)*n, sizeof *names, cmp_str);
    return names;
}

static void free_strings(char **s, int n) {
    for (int i = 0; i < n; i++) free(s[i]);
    free(s);
}

/* ---------------------------------------------------------------- tensors and data sets */

typedef struct {
    char *name;
    trt_dtype dtype;
    trt_dims dims;
    void *data;
    size_t bytes;
} tensor;

typedef struct {
    char *dir;
    tensor in[MAX_IO], out[MAX_IO];
    int n_in, n_out;
} data_set;

static void tensor_free(tensor *t) {
    free(t->name);
    free(t->data);
    memset(t, 0, sizeof *t);
}

static void data_set_free(data_set *ds) {
    for (int i = 0; i < ds->n_in; i++) tensor_free(&ds->in[i]);
    for (int i = 0; i < ds->n_out; i++) tensor_free(&ds->out[i]);
    free(ds->dir);
}

/* `label` names the file in messages ("test_data_set_0/input_1.pb"). */
static int read_tensor(const char *path, const char *label, tensor *t, char *msg) {
    void *buf = NULL;
    size_t len = 0;
    if (trt__read_file(path, &buf, &len) != TRT_OK) {
        msg_add(msg, "%s", trt_get_last_error());
        return 0;
    }
    trt_status s = trt__onnx_read_tensor(buf, len, &t->name, &t->dtype, &t->dims, &t->data);
    free(buf);
    if (s != TRT_OK) {
        msg_add(msg, "%s: %s", label, trt_get_last_error());
        return 0;
    }
    if (!t->name || !t->name[0]) {
        msg_add(msg, "%s: the tensor has no name (it must name its graph input or output)", label);
        return 0;
    }
    t->bytes = (size_t)trt_dims_volume(&t->dims) * trt_dtype_size(t->dtype);
    return 1;
}

/* Reads input_K.pb / output_K.pb for K = 0, 1, ... until one is missing. */
static int read_data_set(const char *dir, data_set *ds, char *msg) {
    ds->dir = xstrdup(dir);
    for (int kind = 0; kind < 2; kind++) {
        tensor *arr = kind ? ds->out : ds->in;
        int *n = kind ? &ds->n_out : &ds->n_in;
        for (int k = 0;; k++) {
            char name[64];
            snprintf(name, sizeof name, "%s_%d.pb", kind ? "output" : "input", k);
            char *p = path_join(dir, name), label[272];
            snprintf(label, sizeof label, "%.200s/%s", base_name(dir), name);
            int exists = is_file(p);
            int ok = exists && k < MAX_IO && read_tensor(p, label, &arr[k], msg);
            if (exists && k >= MAX_IO) msg_add(msg, "%s: more than %d tensors", label, MAX_IO);
            free(p);
            if (!exists) break;
            if (!ok) return 0;
            (*n)++;
        }
    }
    if (!ds->n_out) {
        msg_add(msg, "%s has no output_0.pb", base_name(dir));
        return 0;
    }
    return 1;
}

static const tensor *find_tensor(const tensor *arr, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(arr[i].name, name) == 0) return &arr[i];
    return NULL;
}

/* ---------------------------------------------------------------- case.json */

typedef enum { TOL_ALLCLOSE, TOL_NMSE, TOL_REL_L2 } tol_kind;

typedef struct {
    tol_kind kind;
    double rtol, atol; /* TOL_ALLCLOSE */
    double limit;      /* TOL_NMSE, TOL_REL_L2 */
} tolerance;

typedef struct {
    char *name;
    trt_dims min, opt, max;
} profile;

typedef struct {
    tolerance tol;
    profile prof[MAX_IO];
    int n_prof;
} case_config;

static int json_dims(const json_value *v, trt_dims *d, const char *what, char *msg) {
    if (!v || v->type != JSON_ARRAY || v->n > TRT_MAX_DIMS) {
        msg_add(msg, "case.json: %s must be an array of at most %d integers", what, TRT_MAX_DIMS);
        return 0;
    }
    d->nb_dims = v->n;
    for (int i = 0; i < v->n; i++) {
        const json_value *x = v->items[i];
        if (x->type != JSON_NUMBER || x->number != floor(x->number) || x->number < 0) {
            msg_add(msg, "case.json: %s[%d] is not a non-negative integer", what, i);
            return 0;
        }
        d->d[i] = (int64_t)x->number;
    }
    return 1;
}

static int json_positive(const json_value *v, const char *key, double *out, char *msg) {
    if (v->type != JSON_NUMBER || !(v->number >= 0)) {
        msg_add(msg, "case.json: tolerance '%s' must be a non-negative number", key);
        return 0;
    }
    *out = v->number;
    return 1;
}

static int parse_tolerance(const json_value *t, tolerance *tol, char *msg) {
    if (t->type != JSON_OBJECT) {
        msg_add(msg, "case.json: 'tolerance' must be an object");
        return 0;
    }
    int close = 0, norm = 0;
    for (int i = 0; i < t->n; i++) {
        const char *k = t->keys[i];
        const json_value *v = t->items[i];
        if (strcmp(k, "rtol") == 0) {
            if (!json_positive(v, k, &tol->rtol, msg)) return 0;
            close = 1;
        } else if (strcmp(k, "atol") == 0) {
            if (!json_positive(v, k, &tol->atol, msg)) return 0;
            close = 1;
        } else if (strcmp(k, "nmse") == 0 || strcmp(k, "rel_l2") == 0) {
            if (!json_positive(v, k, &tol->limit, msg)) return 0;
            tol->kind = k[0] == 'n' ? TOL_NMSE : TOL_REL_L2;
            norm++;
        } else {
            msg_add(msg, "case.json: unknown tolerance '%s' (use rtol/atol, nmse or rel_l2)", k);
            return 0;
        }
    }
    if (norm > 1 || (norm && close) || (!norm && !close)) {
        msg_add(msg, "case.json: give one of {rtol, atol}, nmse or rel_l2");
        return 0;
    }
    return 1;
}

static void config_free(case_config *c) {
    for (int i = 0; i < c->n_prof; i++) free(c->prof[i].name);
    c->n_prof = 0;
}

static int read_config(const char *case_dir, case_config *c, char *msg) {
    memset(c, 0, sizeof *c);
    c->tol = (tolerance){TOL_ALLCLOSE, 1e-3, 1e-7, 0};
    char *path = path_join(case_dir, "case.json");
    if (!is_file(path)) {
        free(path);
        return 1;
    }
    void *buf = NULL;
    size_t len = 0;
    trt_status s = trt__read_file(path, &buf, &len);
    free(path);
    if (s != TRT_OK) {
        msg_add(msg, "%s", trt_get_last_error());
        return 0;
    }
    char err[256];
    json_value *root = json_parse(buf, len, err, sizeof err);
    free(buf);
    if (!root || root->type != JSON_OBJECT) {
        msg_add(msg, "case.json: %s", root ? "the document must be an object" : err);
        json_free(root);
        return 0;
    }
    int ok = 1;
    for (int i = 0; ok && i < root->n; i++) {
        const char *key = root->keys[i];
        const json_value *v = root->items[i];
        if (strcmp(key, "tolerance") == 0) {
            ok = parse_tolerance(v, &c->tol, msg);
        } else if (strcmp(key, "profile") == 0) {
            if (v->type != JSON_OBJECT || v->n > MAX_IO) {
                msg_add(msg, "case.json: 'profile' must be an object of at most %d inputs", MAX_IO);
                ok = 0;
            }
            for (int k = 0; ok && k < v->n; k++) {
                profile *p = &c->prof[c->n_prof++];
                p->name = xstrdup(v->keys[k]);
                ok = json_dims(json_get(v->items[k], "min"), &p->min, "profile min", msg) &&
                     json_dims(json_get(v->items[k], "opt"), &p->opt, "profile opt", msg) &&
                     json_dims(json_get(v->items[k], "max"), &p->max, "profile max", msg);
            }
        } else {
            msg_add(msg, "case.json: unknown key '%s' (known: tolerance, profile)", key);
            ok = 0;
        }
    }
    json_free(root);
    if (!ok) config_free(c);
    return ok;
}

/* ---------------------------------------------------------------- comparison */

static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1F, man = h & 0x3FF, bits;
    if (exp == 0x1F) {
        bits = sign | 0x7F800000u | (man << 13);
    } else if (exp == 0) {
        float f = ldexpf((float)man, -24);
        return sign ? -f : f;
    } else {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static int is_float(trt_dtype t) { return t == TRT_DTYPE_FLOAT32 || t == TRT_DTYPE_FLOAT16; }

static double get_f(trt_dtype t, const void *p, int64_t i) {
    if (t == TRT_DTYPE_FLOAT16) return half_to_float(((const uint16_t *)p)[i]);
    return ((const float *)p)[i];
}

static int64_t get_i(trt_dtype t, const void *p, int64_t i) {
    switch (t) {
    case TRT_DTYPE_INT64: return ((const int64_t *)p)[i];
    case TRT_DTYPE_INT32: return ((const int32_t *)p)[i];
    case TRT_DTYPE_INT8: return ((const int8_t *)p)[i];
    default: return ((const uint8_t *)p)[i]; /* UINT8, BOOL */
    }
}

/* "[1,0,3]" for a flat index into `dims`. */
static const char *index_str(const trt_dims *dims, int64_t flat, char *buf, size_t len) {
    int64_t idx[TRT_MAX_DIMS];
    for (int i = dims->nb_dims - 1; i >= 0; i--) {
        int64_t d = dims->d[i] > 0 ? dims->d[i] : 1;
        idx[i] = flat % d;
        flat /= d;
    }
    size_t o = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < dims->nb_dims && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%lld", i ? "," : "", (long long)idx[i]);
    if (o < len) snprintf(buf + o, len - o, "]");
    return buf;
}

/* Compares `got` (dtype and shape of `ref`) with the reference; appends why to msg if not. */
static int compare(const tensor *ref, const void *got, const tolerance *tol, char *msg) {
    int64_t n = trt_dims_volume(&ref->dims);
    char ib[128];
    const char *name = ref->name;
    if (!is_float(ref->dtype)) {
        int64_t bad = 0, first = -1;
        for (int64_t i = 0; i < n; i++)
            if (get_i(ref->dtype, got, i) != get_i(ref->dtype, ref->data, i) && !bad++) first = i;
        if (!bad) return 1;
        msg_add(msg, "output '%s': %lld of %lld elements differ; first at %s: got %lld, expected %lld",
                name, (long long)bad, (long long)n, index_str(&ref->dims, first, ib, sizeof ib),
                (long long)get_i(ref->dtype, got, first),
                (long long)get_i(ref->dtype, ref->data, first));
        return 0;
    }
    /* NaN and Inf must sit where the reference has them. */
    for (int64_t i = 0; i < n; i++) {
        double a = get_f(ref->dtype, got, i), r = get_f(ref->dtype, ref->data, i);
        if (isnan(a) != isnan(r) || ((isinf(a) || isinf(r)) && a != r)) {
            msg_add(msg, "output '%s': at %s got %g, expected %g (NaN/Inf must match exactly)",
                    name, index_str(&ref->dims, i, ib, sizeof ib), a, r);
            return 0;
        }
    }
    double err2 = 0, ref2 = 0, worst = -1;
    int64_t bad = 0, worst_i = 0;
    for (int64_t i = 0; i < n; i++) {
        double a = get_f(ref->dtype, got, i), r = get_f(ref->dtype, ref->data, i);
        if (!isfinite(r)) continue;
        double e = fabs(a - r);
        err2 += e * e;
        ref2 += r * r;
        if (tol->kind == TOL_ALLCLOSE) {
            double allowed = tol->atol + tol->rtol * fabs(r);
            if (e > allowed) bad++;
            /* Report the element that exceeds its allowance the most. */
            double excess = allowed > 0 ? e / allowed : (e > 0 ? INFINITY : 0);
            if (excess > worst) worst = excess, worst_i = i;
        } else if (e > worst) {
            worst = e, worst_i = i;
        }
    }
    double a = n ? get_f(ref->dtype, got, worst_i) : 0, r = n ? get_f(ref->dtype, ref->data, worst_i) : 0;
    if (tol->kind == TOL_ALLCLOSE) {
        if (!bad) return 1;
        msg_add(msg,
                "output '%s': %lld of %lld elements exceed rtol=%g atol=%g; worst at %s: got %.9g, "
                "expected %.9g (abs err %.3g)",
                name, (long long)bad, (long long)n, tol->rtol, tol->atol,
                index_str(&ref->dims, worst_i, ib, sizeof ib), a, r, fabs(a - r));
        return 0;
    }
    /* An all-zero reference is compared by the plain squared error. */
    double nmse = ref2 > 0 ? err2 / ref2 : err2;
    double value = tol->kind == TOL_NMSE ? nmse : sqrt(nmse);
    if (value <= tol->limit) return 1;
    msg_add(msg, "output '%s': %s %.3g > %g; largest error at %s: got %.9g, expected %.9g", name,
            tol->kind == TOL_NMSE ? "nmse" : "rel_l2", value, tol->limit,
            index_str(&ref->dims, worst_i, ib, sizeof ib), a, r);
    return 0;
}

/* ---------------------------------------------------------------- guarded buffers */

/* A caller-owned binding: `sub` (the tensor's bytes) sits GUARD_BYTES into `parent`, whose
 * every byte starts as pattern_byte(i). */
typedef struct {
    cl_mem parent, sub;
    size_t bytes, total;
} guarded;

static uint8_t pattern_byte(size_t i) {
    uint32_t x = (uint32_t)i * 2654435761u;
    return (uint8_t)((x >> 24) ^ 0x5A);
}

static uint8_t *pattern_new(size_t total) {
    uint8_t *p = xcalloc(total, 1);
    for (size_t i = 0; i < total; i++) p[i] = pattern_byte(i);
    return p;
}

static void guarded_free(guarded *g) {
    if (g->sub) clReleaseMemObject(g->sub);
    if (g->parent) clReleaseMemObject(g->parent);
    memset(g, 0, sizeof *g);
}

static int cl_fail(cl_int err, const char *what, char *msg) {
    msg_add(msg, "OpenCL error %d %s", err, what);
    return 0;
}

static int guarded_new(cl_context clc, cl_command_queue q, size_t bytes, guarded *g, char *msg) {
    cl_int err;
    g->bytes = bytes;
    /* Sub-buffers cannot be empty: a zero-sized tensor gets one byte, inside the guard. */
    size_t payload = bytes ? bytes : 1;
    g->total = payload + 2 * (size_t)GUARD_BYTES;
    g->parent = clCreateBuffer(clc, CL_MEM_READ_WRITE, g->total, NULL, &err);
    if (err != CL_SUCCESS) return cl_fail(err, "allocating a guarded buffer", msg);
    uint8_t *pat = pattern_new(g->total);
    err = clEnqueueWriteBuffer(q, g->parent, CL_TRUE, 0, g->total, pat, 0, NULL, NULL);
    free(pat);
    if (err != CL_SUCCESS) return cl_fail(err, "filling a guarded buffer", msg);
    cl_buffer_region r = {GUARD_BYTES, payload};
    g->sub = clCreateSubBuffer(g->parent, 0, CL_BUFFER_CREATE_TYPE_REGION, &r, &err);
    if (err != CL_SUCCESS) return cl_fail(err, "creating a guarded sub-buffer", msg);
    return 1;
}

/* Reads the whole parent back and checks the guards; for inputs (`expect` != NULL) also
 * that the payload still holds what was written. */
static int guarded_check(cl_command_queue q, const guarded *g, const char *what,
                         const char *name, const void *expect, char *msg) {
    uint8_t *buf = xcalloc(g->total, 1);
    cl_int err = clEnqueueReadBuffer(q, g->parent, CL_TRUE, 0, g->total, buf, 0, NULL, NULL);
    int ok = 1;
    if (err != CL_SUCCESS) {
        free(buf);
        return cl_fail(err, "reading a guarded buffer back", msg);
    }
    for (size_t i = 0; ok && i < GUARD_BYTES; i++)
        if (buf[i] != pattern_byte(i)) {
            msg_add(msg, "out-of-bounds write before %s '%s' (at byte -%zu)", what, name,
                    (size_t)GUARD_BYTES - i);
            ok = 0;
        }
    for (size_t i = GUARD_BYTES + g->bytes; ok && i < g->total; i++)
        if (buf[i] != pattern_byte(i)) {
            msg_add(msg, "out-of-bounds write after %s '%s' (at byte +%zu past its end)", what,
                    name, i - GUARD_BYTES - g->bytes);
            ok = 0;
        }
    if (ok && expect && g->bytes && memcmp(buf + GUARD_BYTES, expect, g->bytes) != 0) {
        msg_add(msg, "%s '%s' was modified by the engine", what, name);
        ok = 0;
    }
    free(buf);
    return ok;
}

/* ---------------------------------------------------------------- running a case */

typedef enum { R_PASS, R_FAIL, R_SKIP } result;

typedef struct {
    trt_device *dev;
    double fp16_rel_l2; /* > 0: FP16 engines, float outputs compared by this relative L2 */
    const char *dump;   /* folder for raw outputs, or NULL */
    int all_tactics;    /* also run every candidate kernel of every tuned layer */
    unsigned sources;   /* TRT_TACTIC_SOURCE_* mask for the builds and --all-tactics */
} runner;

static int fail_trt(char *msg, const char *what) {
    msg_add(msg, "%s: %s", what, trt_get_last_error());
    return 0;
}

/* The int64 inputs of `ds`, which the engine freezes. */
static int is_frozen(const tensor *t) { return t->dtype == TRT_DTYPE_INT64; }

static int same_frozen(const data_set *a, const data_set *b) {
    for (int i = 0; i < a->n_in; i++) {
        if (!is_frozen(&a->in[i])) continue;
        const tensor *o = find_tensor(b->in, b->n_in, a->in[i].name);
        if (!o || !trt_dims_equal(&o->dims, &a->in[i].dims) ||
            (o->bytes && memcmp(o->data, a->in[i].data, o->bytes) != 0))
            return 0;
    }
    return 1;
}

static int build(runner *r, const void *model, size_t len, const case_config *cfg,
                 const data_set *sets, int n_sets, const data_set *frozen, trt_engine **out,
                 char *msg) {
    trt_build_config *bc = trt_build_config_new();
    if (!bc) return fail_trt(msg, "trt_build_config_new");
    int ok = 1;
    if (r->fp16_rel_l2 > 0 && trt_build_config_set_precision(bc, TRT_PRECISION_FP16) != TRT_OK)
        ok = fail_trt(msg, "trt_build_config_set_precision(FP16)");
    if (ok && trt_build_config_set_tactic_sources(bc, r->sources) != TRT_OK)
        ok = fail_trt(msg, "trt_build_config_set_tactic_sources");
    for (int i = 0; ok && i < frozen->n_in; i++) {
        const tensor *t = &frozen->in[i];
        if (is_frozen(t) && trt_build_config_set_input_values(bc, t->name, t->dtype, &t->dims,
                                                               t->data) != TRT_OK)
            ok = fail_trt(msg, "freezing an int64 input");
    }
    for (int i = 0; ok && i < cfg->n_prof; i++) {
        const profile *p = &cfg->prof[i];
        if (trt_build_config_set_profile(bc, p->name, &p->min, &p->opt, &p->max) != TRT_OK)
            ok = fail_trt(msg, "case.json profile");
    }
    /* Inputs without a profile in case.json: min/max over the data sets, opt = first. */
    for (int i = 0; ok && i < sets[0].n_in; i++) {
        const tensor *t = &sets[0].in[i];
        int given = 0;
        for (int k = 0; k < cfg->n_prof; k++) given |= strcmp(cfg->prof[k].name, t->name) == 0;
        if (given || is_frozen(t)) continue;
        trt_dims lo = t->dims, hi = t->dims;
        for (int s = 1; ok && s < n_sets; s++) {
            const tensor *o = find_tensor(sets[s].in, sets[s].n_in, t->name);
            if (!o || o->dims.nb_dims != t->dims.nb_dims) {
                msg_add(msg, "%s: input '%s' is missing or has another rank than in %s",
                        base_name(sets[s].dir), t->name, base_name(sets[0].dir));
                ok = 0;
                break;
            }
            for (int d = 0; d < lo.nb_dims; d++) {
                if (o->dims.d[d] < lo.d[d]) lo.d[d] = o->dims.d[d];
                if (o->dims.d[d] > hi.d[d]) hi.d[d] = o->dims.d[d];
            }
        }
        if (ok && trt_build_config_set_profile(bc, t->name, &lo, &t->dims, &hi) != TRT_OK)
            ok = fail_trt(msg, "profile from the data sets");
    }
    if (ok && trt_engine_build(r->dev, model, len, bc, out) != TRT_OK) ok = fail_trt(msg, "build");
    trt_build_config_free(bc);
    return ok;
}

/* Writes `bytes` of output `name` to DUMP/<case>/<data set>/<name>.bin. */
static int dump_output(const char *dump, const char *ds_dir, const char *name, const void *p,
                       size_t bytes, char *msg) {
    char path[4096], clean[256];
    size_t n = strlen(ds_dir);
    while (n && ds_dir[n - 1] == '/') n--;
    size_t b = n;
    while (b && ds_dir[b - 1] != '/') b--;
    size_t c = b ? b - 1 : 0;
    while (c && ds_dir[c - 1] != '/') c--;
    snprintf(clean, sizeof clean, "%s", name);
    for (char *q = clean; *q; q++)
        if (*q == '/') *q = '_';
    int len = snprintf(path, sizeof path, "%s/%.*s", dump, (int)(b ? b - 1 - c : 0), ds_dir + c);
    mkdir(dump, 0777);
    mkdir(path, 0777);
    len += snprintf(path + len, sizeof path - (size_t)len, "/%.*s", (int)(n - b), ds_dir + b);
    mkdir(path, 0777);
    snprintf(path + len, sizeof path - (size_t)len, "/%s.bin", clean);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, bytes, f) != bytes) {
        if (f) fclose(f);
        msg_add(msg, "--dump: cannot write %s: %s", path, strerror(errno));
        return 0;
    }
    return fclose(f) == 0;
}

/* Runs one data set on `ctx` and compares. */
static int run_data_set(const runner *r, trt_engine *eng, trt_context *ctx, const data_set *ds,
                        const tolerance *tol, char *msg) {
    tolerance fp16_tol = {TOL_REL_L2, 0, 0, r->fp16_rel_l2};
    if (r->fp16_rel_l2 > 0) tol = &fp16_tol;
    int n_io = trt_engine_get_num_io(eng);
    if (n_io > 2 * MAX_IO) {
        msg_add(msg, "the engine has %d inputs and outputs, more than this runner handles", n_io);
        return 0;
    }
    trt_io_info io[2 * MAX_IO];
    guarded mem[2 * MAX_IO];
    memset(mem, 0, sizeof mem);
    const tensor *data[2 * MAX_IO] = {0};
    void *got[2 * MAX_IO] = {0};
    cl_context clc = trt_device_get_cl_context(trt_engine_get_device(eng));
    cl_command_queue q = trt_context_get_cl_queue(ctx);
    int ok = 1, bound = 0;

    for (int i = 0; ok && i < n_io; i++) {
        if (trt_engine_get_io(eng, i, &io[i]) != TRT_OK) {
            ok = fail_trt(msg, "trt_engine_get_io");
            break;
        }
        const char *kind = io[i].is_input ? "input" : "output";
        data[i] = io[i].is_input ? find_tensor(ds->in, ds->n_in, io[i].name)
                                 : find_tensor(ds->out, ds->n_out, io[i].name);
        if (!data[i]) {
            msg_add(msg, "no data for the engine's %s '%s'", kind, io[i].name);
            ok = 0;
        } else if (data[i]->dtype != io[i].dtype) {
            msg_add(msg, "%s '%s': the engine has %s, the test data %s", kind, io[i].name,
                    trt_dtype_name(io[i].dtype), trt_dtype_name(data[i]->dtype));
            ok = 0;
        } else if (io[i].is_input &&
                   trt_context_set_input_shape(ctx, io[i].name, &data[i]->dims) != TRT_OK) {
            ok = fail_trt(msg, "trt_context_set_input_shape");
        }
    }
    /* Every reference tensor must be engine I/O too (frozen inputs are constants now). */
    for (int k = 0; ok && k < ds->n_in; k++)
        if (!is_frozen(&ds->in[k]) && trt_engine_find_io(eng, ds->in[k].name) < 0) {
            msg_add(msg, "the engine has no input '%s'", ds->in[k].name);
            ok = 0;
        }
    for (int k = 0; ok && k < ds->n_out; k++)
        if (trt_engine_find_io(eng, ds->out[k].name) < 0) {
            msg_add(msg, "the engine has no output '%s'", ds->out[k].name);
            ok = 0;
        }
    for (int i = 0; ok && i < n_io; i++) {
        trt_dims shape;
        if (trt_context_get_tensor_shape(ctx, io[i].name, &shape) != TRT_OK) {
            ok = fail_trt(msg, "trt_context_get_tensor_shape");
            break;
        }
        if (!trt_dims_equal(&shape, &data[i]->dims)) {
            char a[128], b[128];
            msg_add(msg, "%s '%s': shape %s, expected %s", io[i].is_input ? "input" : "output",
                    io[i].name, trt_dims_str(&shape, a, sizeof a),
                    trt_dims_str(&data[i]->dims, b, sizeof b));
            ok = 0;
            break;
        }
        ok = guarded_new(clc, q, data[i]->bytes, &mem[i], msg);
        if (ok && trt_context_set_tensor_mem(ctx, io[i].name, mem[i].sub) != TRT_OK)
            ok = fail_trt(msg, "trt_context_set_tensor_mem");
        bound = i + 1;
    }
    for (int i = 0; ok && i < n_io; i++)
        if (io[i].is_input &&
            trt_context_write_input(ctx, io[i].name, data[i]->data, data[i]->bytes) != TRT_OK)
            ok = fail_trt(msg, "trt_context_write_input");
    if (ok && trt_context_enqueue(ctx) != TRT_OK) ok = fail_trt(msg, "enqueue");
    for (int i = 0; ok && i < n_io; i++) {
        if (io[i].is_input) continue;
        got[i] = xcalloc(data[i]->bytes, 1);
        if (trt_context_read_output(ctx, io[i].name, got[i], data[i]->bytes) != TRT_OK)
            ok = fail_trt(msg, "trt_context_read_output");
    }
    if (ok && trt_context_wait(ctx) != TRT_OK) ok = fail_trt(msg, "wait");
    for (int i = 0; ok && i < n_io; i++)
        ok = guarded_check(q, &mem[i], io[i].is_input ? "input" : "output", io[i].name,
                           io[i].is_input ? data[i]->data : NULL, msg);
    for (int i = 0; ok && r->dump && i < n_io; i++)
        if (!io[i].is_input) ok = dump_output(r->dump, ds->dir, io[i].name, got[i], data[i]->bytes, msg);
    for (int i = 0; ok && i < n_io; i++)
        if (!io[i].is_input) ok = compare(data[i], got[i], tol, msg);

    /* Finish whatever was queued before the buffers go away. */
    clFinish(q);
    for (int i = 0; i < bound; i++) trt_context_set_tensor_mem(ctx, io[i].name, NULL);
    for (int i = 0; i < n_io; i++) {
        guarded_free(&mem[i]);
        free(got[i]);
    }
    return ok;
}

/* Runs `ds` on engines built from `eng`'s graph with the k-th candidate kernel of every layer
 * that has two or more, for every k. */
static int run_tactics(const runner *r, trt_engine *eng, const data_set *ds, const tolerance *tol,
                       char *msg) {
    runner quiet = *r;
    quiet.dump = NULL;
    for (int k = 0;; k++) {
        trt_graph *v = trt_graph_clone(eng->graph);
        if (!v) {
            msg_add(msg, "out of memory");
            return 0;
        }
        int changed = 0;
        for (int n = 0; n < v->n_nodes; n++) {
            trt_node *node = &v->nodes[n];
            const trt_op_impl *impl = trt_op_get(node->op);
            trt_tactic t[32];
            if (node->is_host || !impl->tactics) continue;
            int nt = impl->tactics(node, v->tensors, &r->dev->caps, t, 32);
            if (nt > 32) nt = 32;
            nt = trt__tactics_filter_sources(t, nt, r->sources);
            if (nt < 2 || k >= nt) continue;
            node->tactic = t[k].tactic;
            memcpy(node->tactic_params, t[k].params, sizeof node->tactic_params);
            changed++;
        }
        if (!changed) {
            trt_graph_free(v);
            return 1;
        }
        trt_engine *ek = NULL;
        trt_context *ck = NULL;
        char what[64];
        snprintf(what, sizeof what, "candidate kernels #%d", k);
        int ok = trt__engine_create(r->dev, v, &eng->meta, &ek) == TRT_OK &&
                 trt_context_new(ek, &ck) == TRT_OK;
        if (!ok) fail_trt(msg, what);
        else if (!(ok = run_data_set(&quiet, ek, ck, ds, tol, msg))) msg_add(msg, " (%s)", what);
        trt_context_free(ck);
        trt_engine_free(ek);
        if (!ok) return 0;
    }
}

typedef struct {
    result res;
    char msg[MSG_LEN];
    char **ops; /* op types the model uses */
    int n_ops;
    char **unsupported; /* subset of ops outside ops.def */
    int n_unsupported;
} case_result;

static void run_case(runner *r, const char *dir, case_result *cr) {
    char *msg = cr->msg;
    void *model = NULL;
    size_t len = 0;
    data_set sets[64];
    int n_sets = 0;
    case_config cfg = {0};
    trt_engine *eng = NULL;
    trt_context *ctx = NULL;
    const data_set *frozen_as = NULL;
    char **names = NULL;
    int n_names = 0;
    cr->res = R_FAIL;

    char *mp = path_join(dir, "model.onnx");
    trt_status s = trt__read_file(mp, &model, &len);
    free(mp);
    if (s != TRT_OK) {
        fail_trt(msg, "model.onnx");
        goto done;
    }
    if (trt__onnx_op_types(model, len, &cr->ops, &cr->n_ops) != TRT_OK) {
        fail_trt(msg, "listing op types");
        goto done;
    }
    cr->unsupported = xcalloc((size_t)cr->n_ops, sizeof(char *));
    for (int i = 0; i < cr->n_ops; i++)
        if (strcmp(cr->ops[i], "Constant") != 0 && trt_op_from_onnx(cr->ops[i]) == TRT_OP_COUNT_)
            cr->unsupported[cr->n_unsupported++] = xstrdup(cr->ops[i]);
    if (cr->n_unsupported) {
        cr->res = R_SKIP;
        for (int i = 0; i < cr->n_unsupported; i++)
            msg_add(msg, "%sop %s", i ? ", " : "", cr->unsupported[i]);
        msg_add(msg, " not supported");
        goto done;
    }
    if (!read_config(dir, &cfg, msg)) goto done;

    names = list_dir(dir, &n_names);
    for (int i = 0; i < n_names; i++) {
        if (strncmp(names[i], "test_data_set_", 14) != 0) continue;
        char *p = path_join(dir, names[i]);
        if (!is_dir(p)) {
            free(p);
            continue;
        }
        if (n_sets == (int)(sizeof sets / sizeof *sets)) {
            msg_add(msg, "more than %d data sets", n_sets);
            free(p);
            goto done;
        }
        memset(&sets[n_sets], 0, sizeof sets[n_sets]);
        int ok = read_data_set(p, &sets[n_sets], msg);
        n_sets++;
        free(p);
        if (!ok) goto done;
    }
    if (!n_sets) {
        msg_add(msg, "no test_data_set_* folder");
        goto done;
    }
    for (int k = 0; k < n_sets; k++) {
        if (!frozen_as || !same_frozen(frozen_as, &sets[k])) {
            trt_context_free(ctx);
            trt_engine_free(eng);
            ctx = NULL;
            eng = NULL;
            frozen_as = &sets[k];
            if (!build(r, model, len, &cfg, sets, n_sets, frozen_as, &eng, msg)) goto done;
            if (trt_context_new(eng, &ctx) != TRT_OK) {
                fail_trt(msg, "trt_context_new");
                goto done;
            }
        }
        if (!run_data_set(r, eng, ctx, &sets[k], &cfg.tol, msg) ||
            (r->all_tactics && !run_tactics(r, eng, &sets[k], &cfg.tol, msg))) {
            if (n_sets > 1) {
                /* Say which data set failed. */
                char prefix[128];
                size_t pl = (size_t)snprintf(prefix, sizeof prefix, "%.100s: ", base_name(sets[k].dir));
                size_t ml = strlen(msg);
                if (ml + pl >= MSG_LEN) ml = MSG_LEN - pl - 1;
                memmove(msg + pl, msg, ml);
                memcpy(msg, prefix, pl);
                msg[pl + ml] = 0;
            }
            goto done;
        }
    }
    cr->res = R_PASS;
done:
    trt_context_free(ctx);
    trt_engine_free(eng);
    for (int k = 0; k < n_sets; k++) data_set_free(&sets[k]);
    free_strings(names, n_names);
    config_free(&cfg);
    free(model);
}

static void case_result_free(case_result *cr) {
    if (cr->ops) trt__onnx_free_strings(cr->ops, cr->n_ops);
    free_strings(cr->unsupported, cr->n_unsupported);
}

/* ---------------------------------------------------------------- exclusions */

typedef struct {
    char *name, *reason;
    int line, seen;
} exclusion;

static exclusion *read_exclusions(const char *path, int *n) {
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "run_cases: cannot open exclusions file %s: %s\n", path, strerror(errno));
        exit(2);
    }
    exclusion *ex = NULL;
    char line[4096];
    for (int ln = 1; fgets(line, sizeof line, f); ln++) {
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        size_t l = strlen(p);
        while (l && (p[l - 1] == '\n' || p[l - 1] == '\r' || p[l - 1] == ' ')) p[--l] = 0;
        if (!*p || *p == '#') continue;
        char *sp = p + strcspn(p, " \t");
        char *reason = sp;
        while (*reason == ' ' || *reason == '\t') reason++;
        *sp = 0;
        if (!*reason) {
            fprintf(stderr, "%s:%d: exclusion of '%s' gives no reason\n", path, ln, p);
            exit(2);
        }
        ex = realloc(ex, sizeof *ex * (size_t)(*n + 1));
        if (!ex) exit(2);
        for (int i = 0; i < *n; i++)
            if (strcmp(ex[i].name, p) == 0) {
                fprintf(stderr, "%s:%d: '%s' is excluded twice\n", path, ln, p);
                exit(2);
            }
        ex[*n] = (exclusion){xstrdup(p), xstrdup(reason), ln, 0};
        (*n)++;
    }
    fclose(f);
    return ex;
}

/* ---------------------------------------------------------------- per-op table */

typedef struct {
    char *op;
    int passed, failed, skipped, excluded;
} op_stats;

typedef struct {
    op_stats *rows;
    int n;
} op_table;

static op_stats *op_row(op_table *t, const char *op) {
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].op, op) == 0) return &t->rows[i];
    t->rows = realloc(t->rows, sizeof *t->rows * (size_t)(t->n + 1));
    if (!t->rows) exit(2);
    t->rows[t->n] = (op_stats){xstrdup(op), 0, 0, 0, 0};
    return &t->rows[t->n++];
}

static int cmp_row(const void *a, const void *b) {
    return strcmp(((const op_stats *)a)->op, ((const op_stats *)b)->op);
}

typedef enum { S_PASS, S_FAIL, S_SKIP, S_EXCLUDED } status;

/* A skipped case counts for the ops it lacks; any other case for every op it uses
 * (Constant only when it is the only op). */
static void count_ops(op_table *t, const case_result *cr, status st) {
    if (st == S_SKIP) {
        for (int i = 0; i < cr->n_unsupported; i++) op_row(t, cr->unsupported[i])->skipped++;
        return;
    }
    int counted = 0;
    for (int pass = 0; pass < 2 && !counted; pass++)
        for (int i = 0; i < cr->n_ops; i++) {
            if (pass == 0 && strcmp(cr->ops[i], "Constant") == 0) continue;
            op_stats *row = op_row(t, cr->ops[i]);
            counted = 1;
            if (st == S_PASS) row->passed++;
            else if (st == S_FAIL) row->failed++;
            else row->excluded++;
        }
}

/* ---------------------------------------------------------------- main */

typedef struct {
    char *name;
    status st;
    char *msg;
} report_line;

static void md_escape(FILE *f, const char *s) {
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", f);
        else if (*s == '\n') fputc(' ', f);
        else fputc(*s, f);
    }
}

static void write_report(const char *path, const char *device, op_table *t,
                         const report_line *lines, int n_lines, const int counts[4]) {
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "run_cases: cannot write %s: %s\n", path, strerror(errno));
        return;
    }
    fprintf(f, "# Conformance report\n\nDevice: %s\n\n", device);
    fprintf(f, "%d passed, %d failed, %d skipped, %d excluded.\n\n", counts[S_PASS],
            counts[S_FAIL], counts[S_SKIP], counts[S_EXCLUDED]);
    fprintf(f, "A case counts in the row of every op it uses; a skipped case only in the rows "
               "of the ops the engine lacks.\n\n");
    fprintf(f, "| op | passed | failed | skipped | excluded |\n|---|---:|---:|---:|---:|\n");
    qsort(t->rows, (size_t)t->n, sizeof *t->rows, cmp_row);
    for (int i = 0; i < t->n; i++) {
        const op_stats *r = &t->rows[i];
        fprintf(f, "| %s%s | %d | %d | %d | %d |\n", r->op,
                strcmp(r->op, "Constant") != 0 && trt_op_from_onnx(r->op) == TRT_OP_COUNT_
                    ? " (unsupported)" : "",
                r->passed, r->failed, r->skipped, r->excluded);
    }
    static const char *titles[] = {NULL, "Failures", NULL, "Excluded"};
    for (int st = S_FAIL; st <= S_EXCLUDED; st += 2) {
        fprintf(f, "\n## %s\n\n", titles[st]);
        int any = 0;
        for (int i = 0; i < n_lines; i++) {
            if (lines[i].st != (status)st) continue;
            fprintf(f, "- `%s`: ", lines[i].name);
            md_escape(f, lines[i].msg);
            fputc('\n', f);
            any = 1;
        }
        if (!any) fprintf(f, "None.\n");
    }
    fclose(f);
}

/* An engine crash ends the run; the case's name is already on the line, so say what
 * happened next to it and let the signal take its default course. */
static void on_crash(int sig) {
    static const char text[] = "CRASH (fatal signal; the run stops here)\n";
    ssize_t w = write(STDOUT_FILENO, text, sizeof text - 1);
    (void)w;
    signal(sig, SIG_DFL);
    raise(sig);
}

static void usage(void) {
    fprintf(stderr,
            "usage: run_cases [--exclusions FILE] [--report FILE] [--filter SUBSTR]\n"
            "                 [--fp16 REL_L2] [--dump DIR] [--all-tactics]\n"
            "                 [--tactic-sources portable,tensor_core] DIR...\n"
            "  each DIR is a test case (model.onnx + test_data_set_N/) or a folder of cases\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *excl_path = NULL, *report_path = NULL, *filter = NULL, *fp16 = NULL, *dump = NULL;
    const char *sources = NULL;
    char **dirs = xcalloc((size_t)argc, sizeof(char *));
    int n_dirs = 0, all_tactics = 0;
    for (int i = 1; i < argc; i++) {
        const char **opt = strcmp(argv[i], "--exclusions") == 0 ? &excl_path
                           : strcmp(argv[i], "--report") == 0   ? &report_path
                           : strcmp(argv[i], "--filter") == 0   ? &filter
                           : strcmp(argv[i], "--fp16") == 0     ? &fp16
                           : strcmp(argv[i], "--dump") == 0     ? &dump
                           : strcmp(argv[i], "--tactic-sources") == 0 ? &sources
                                                                : NULL;
        if (strcmp(argv[i], "--all-tactics") == 0) {
            all_tactics = 1;
        } else if (opt) {
            if (i + 1 >= argc) usage();
            *opt = argv[++i];
        } else if (argv[i][0] == '-') {
            usage();
        } else {
            dirs[n_dirs++] = argv[i];
        }
    }
    if (!n_dirs) usage();

    int n_excl = 0;
    exclusion *excl = excl_path ? read_exclusions(excl_path, &n_excl) : NULL;

    /* Collect the cases. */
    char **cases = NULL;
    int n_cases = 0;
    for (int d = 0; d < n_dirs; d++) {
        char *mp = path_join(dirs[d], "model.onnx");
        int single = is_file(mp);
        free(mp);
        int n = 1;
        char **names = single ? NULL : list_dir(dirs[d], &n);
        if (!single && !is_dir(dirs[d])) {
            fprintf(stderr, "run_cases: %s is neither a case nor a folder of cases\n", dirs[d]);
            return 2;
        }
        for (int i = 0; i < n; i++) {
            char *p = single ? xstrdup(dirs[d]) : path_join(dirs[d], names[i]);
            char *m = path_join(p, "model.onnx");
            if (is_file(m) && (!filter || strstr(base_name(p), filter))) {
                cases = realloc(cases, sizeof *cases * (size_t)(n_cases + 1));
                if (!cases) return 2;
                cases[n_cases++] = p;
            } else {
                free(p);
            }
            free(m);
        }
        free_strings(names, single ? 0 : n);
    }
    if (!n_cases) {
        fprintf(stderr, "run_cases: no test cases found%s\n", filter ? " (after --filter)" : "");
        return 2;
    }

    signal(SIGSEGV, on_crash);
    signal(SIGBUS, on_crash);
    signal(SIGFPE, on_crash);
    signal(SIGILL, on_crash);
    signal(SIGABRT, on_crash);

    runner r = {0};
    r.dump = dump;
    r.all_tactics = all_tactics;
    if (fp16 && !((r.fp16_rel_l2 = strtod(fp16, NULL)) > 0)) usage();
    r.sources = sources ? 0 : TRT_TACTIC_SOURCE_ALL;
    for (const char *p = sources; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n == 8 && strncmp(p, "portable", n) == 0) r.sources |= TRT_TACTIC_SOURCE_PORTABLE;
        else if (n == 11 && strncmp(p, "tensor_core", n) == 0)
            r.sources |= TRT_TACTIC_SOURCE_TENSOR_CORE;
        else {
            fprintf(stderr, "run_cases: --tactic-sources: unknown source '%.*s' (the sources are "
                            "portable and tensor_core)\n", (int)n, p);
            return 2;
        }
        p += n + (p[n] == ',');
    }
    if (!r.sources) usage();
    if (trt_device_open(NULL, &r.dev) != TRT_OK) {
        fprintf(stderr, "run_cases: no device: %s\n", trt_get_last_error());
        return 2;
    }
    const char *device = trt_device_get_info(r.dev)->name;
    printf("device: %s\n%d cases\n", device, n_cases);

    op_table table = {0};
    report_line *lines = xcalloc((size_t)n_cases, sizeof *lines);
    int counts[4] = {0};
    static const char *labels[] = {"PASS", "FAIL", "SKIP", "EXCLUDED"};
    for (int c = 0; c < n_cases; c++) {
        const char *name = base_name(cases[c]);
        printf("%-60s ", name);
        fflush(stdout);
        case_result *cr = xcalloc(1, sizeof *cr);
        double t0 = now_ms();
        trt__error_clear();
        run_case(&r, cases[c], cr);
        double ms = now_ms() - t0;
        exclusion *e = NULL;
        for (int i = 0; i < n_excl; i++)
            if (strcmp(excl[i].name, name) == 0) e = &excl[i];
        if (e) e->seen = 1;
        status st = cr->res == R_PASS ? S_PASS : cr->res == R_SKIP ? S_SKIP : S_FAIL;
        if (st == S_FAIL && e) st = S_EXCLUDED;
        counts[st]++;
        count_ops(&table, cr, st);
        printf("%-8s %6.0f ms", labels[st], ms);
        if (st == S_EXCLUDED)
            printf("  (%s) %s", e->reason, cr->msg);
        else if (st != S_PASS)
            printf("  %s", cr->msg);
        else if (e)
            printf("  stale exclusion (line %d: %s): the case passes, remove the line", e->line,
                   e->reason);
        printf("\n");
        fflush(stdout);
        lines[c].name = xstrdup(name);
        lines[c].st = st;
        if (st == S_EXCLUDED) {
            lines[c].msg = xcalloc(strlen(e->reason) + strlen(cr->msg) + 8, 1);
            sprintf(lines[c].msg, "%s (%s)", e->reason, cr->msg);
        } else {
            lines[c].msg = xstrdup(cr->msg);
        }
        case_result_free(cr);
        free(cr);
    }
    if (!filter)
        for (int i = 0; i < n_excl; i++)
            if (!excl[i].seen)
                printf("warning: %s:%d: excluded case '%s' was not found\n", excl_path,
                       excl[i].line, excl[i].name);
    if (report_path) write_report(report_path, device, &table, lines, n_cases, counts);

    printf("%d skipped, %d excluded\n", counts[S_SKIP], counts[S_EXCLUDED]);
    printf("%d passed, %d failed\n", counts[S_PASS], counts[S_FAIL]);

    for (int i = 0; i < n_cases; i++) {
        free(lines[i].name);
        free(lines[i].msg);
        free(cases[i]);
    }
    free(lines);
    free(cases);
    for (int i = 0; i < table.n; i++) free(table.rows[i].op);
    free(table.rows);
    for (int i = 0; i < n_excl; i++) {
        free(excl[i].name);
        free(excl[i].reason);
    }
    free(excl);
    free(dirs);
    trt_device_free(r.dev);
    return counts[S_FAIL] ? 1 : 0;
}
