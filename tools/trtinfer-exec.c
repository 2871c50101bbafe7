/* trtinfer-exec — build, save, load and benchmark trtinfer engines with trtexec's flags.
 *
 *   trtinfer-exec --onnx=m.onnx --minShapes=x:1x3x64x64 --optShapes=x:4x3x64x64 \
 *                 --maxShapes=x:8x3x64x64 --saveEngine=m.engine
 *   trtinfer-exec --loadEngine=m.engine --shapes=x:2x3x64x64 --loadInputs=x:x.bin \
 *                 --exportOutput=out.json
 *
 * Only the public API (trt/trt.h) is used. Files named on the command line are read before
 * the device is opened, so a missing file fails fast. Exit status: 0 on success, 1 on error;
 * errors are printed to stderr prefixed with "[E] ".
 */
#define _POSIX_C_SOURCE 200809L /* fork, waitpid, sysconf */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>
#endif

#include <trt/trt.h>

/* ---------------------------------------------------------------- options */

typedef struct {
    char *name;
    trt_dims dims;
} shape_spec;

typedef struct {
    shape_spec *v;
    int n;
} shape_list;

typedef struct {
    char *name;
    char *path;
    void *data;
    size_t size;
} input_file;

typedef struct {
    const char *onnx, *save_engine, *load_engine, *device, *export_output;
    const char *timing_cache, *export_profile, *export_layer_info;
    shape_list min, opt, max, shapes;
    input_file *inputs;
    int n_inputs;
    double iterations, warmup_ms, duration_s, opt_level, build_workers;
    int verbose, fp16, int8, list_devices, skip_inference, help;
    int dump_profile, separate_profile_run;
    unsigned tactic_sources; /* TRT_TACTIC_SOURCE_* */
    int tactic_sources_set;
} options;

static const char usage_text[] =
    "Usage: trtinfer-exec [--onnx=FILE | --loadEngine=FILE] [options]\n"
    "\n"
    "Model and engine:\n"
    "  --onnx=FILE            build an engine from this ONNX model\n"
    "  --loadEngine=FILE      load a serialized engine instead of building one\n"
    "  --saveEngine=FILE      write the engine to FILE\n"
    "  --minShapes=SPEC       optimization profile: smallest shapes       (build only)\n"
    "  --optShapes=SPEC       optimization profile: shapes to tune for     (build only)\n"
    "  --maxShapes=SPEC       optimization profile: largest shapes        (build only)\n"
    "  --shapes=SPEC          shapes to run with; when building without --min/opt/maxShapes\n"
    "                         for an input, also its profile (min = opt = max)\n"
    "                         SPEC ::= name:1x3x224x224[,name2:...]; quote names that contain\n"
    "                         ':' or ',' as 'name'\n"
    "  --fp16                 build with float16 weights and activations (float32 math where\n"
    "                         the device lacks half arithmetic; inputs/outputs stay float32)\n"
    "  --int8                 build with INT8 precision (not yet supported by the engine)\n"
    "  --timingCacheFile=FILE read tactic timings from FILE instead of timing them again, and\n"
    "                         write the new ones back (created if missing)\n"
    "  --builderOptimizationLevel=N\n"
    "                         0: no tactic timing, every layer keeps its default kernel\n"
    "                         (fastest build); 1 to 5: time every candidate kernel (default 3)\n"
    "  --buildWorkers=N       compile the candidate kernels in N processes before the build\n"
    "                         times them (default 0: half the CPUs, at most 8; 1: off; at\n"
    "                         most 64); each holds the model on the device while it compiles\n"
    "  --tacticSources=LIST   enable (+) or disable (-) kinds of kernels the builder may pick,\n"
    "                         starting from all: comma list of +NAME/-NAME, NAME one of\n"
    "                         PORTABLE (OpenCL C kernels), TENSOR_CORE (NVIDIA tensor cores,\n"
    "                         inline PTX); e.g. --tacticSources=-PORTABLE. A layer with no\n"
    "                         kernel from the enabled sources keeps all of its kernels\n"
    "\n"
    "Inference:\n"
    "  --device=SPEC          device index, 'gpu', 'cpu' or part of a name (default: TRT_DEVICE,\n"
    "                         else the first GPU, else the first device)\n"
    "  --iterations=N         run at least N inferences (default 10)\n"
    "  --warmUp=MS            run inferences for MS milliseconds before timing (default 200)\n"
    "  --duration=S           run for at least S seconds (default 3; 0: just --iterations)\n"
    "  --loadInputs=SPEC      raw little-endian input data: name:file.bin[,name2:file2.bin];\n"
    "                         other inputs get deterministic pseudo-random values\n"
    "  --exportOutput=FILE    write the outputs of the last inference as JSON\n"
    "  --skipInference        build, save and describe the engine, run nothing\n"
    "\n"
    "Reporting:\n"
    "  --dumpProfile          print each layer's device time (total, average, median, %)\n"
    "  --exportProfile=FILE   write the per-layer profile as JSON\n"
    "  --separateProfileRun   profile layers in a run of their own after the benchmark, so\n"
    "                         that the benchmark's numbers carry no per-layer events\n"
    "  --exportLayerInfo=FILE write every layer (op, inputs/outputs with shapes, chosen tactic)\n"
    "                         as JSON\n"
    "\n"
    "Other:\n"
    "  --listDevices          list the OpenCL devices\n"
    "  --verbose              verbose engine log\n"
    "  --help, -h             this text\n";

static void print_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("[E] ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int usage_error(const char *fmt, const char *arg) {
    print_error(fmt, arg);
    fputs("[E] run 'trtinfer-exec --help' for the list of flags\n", stderr);
    return 1;
}

/* Matches argv[*i] against `--name=value` or `--name value`. Returns 1 with *value set,
 * 0 for another flag, -1 when the value is missing. */
static int flag_value(int argc, char **argv, int *i, const char *name, const char **value) {
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0) return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n] != '\0') return 0;
    if (*i + 1 >= argc) return -1;
    *value = argv[++*i];
    return 1;
}

/* Splits "a:b,'c:d':e" at commas outside single quotes; calls fn on each item. */
static int split_list(const char *text, const char *flag, void *user,
                      int (*fn)(char *item, const char *flag, void *user)) {
    char *copy = strdup(text);
    if (!copy) return usage_error("out of memory parsing %s", flag);
    int rc = 0, quoted = 0;
    char *start = copy;
    for (char *p = copy;; p++) {
        if (*p == '\'') quoted = !quoted;
        if ((*p == ',' && !quoted) || *p == '\0') {
            int end = *p == '\0';
            *p = '\0';
            rc = fn(start, flag, user);
            if (rc || end) break;
            start = p + 1;
        }
    }
    free(copy);
    return rc;
}

/* Splits "name:rest" or "'name':rest" into a malloc'd name and a pointer into item.
 * `last_colon` picks the last unquoted ':' (shapes hold no ':') instead of the first. */
static int split_name(char *item, const char *flag, int last_colon, char **name, char **rest) {
    char *colon;
    if (item[0] == '\'') {
        char *close = strchr(item + 1, '\'');
        if (!close || close[1] != ':')
            return usage_error("%s: expected 'name':value", flag);
        *close = '\0';
        *name = strdup(item + 1);
        colon = close + 1;
    } else {
        colon = last_colon ? strrchr(item, ':') : strchr(item, ':');
        if (!colon || colon == item) {
            print_error("%s: '%s' is not name:value", flag, item);
            return usage_error("%s expects name:value[,name2:value2]", flag);
        }
        *colon = '\0';
        *name = strdup(item);
    }
    if (!*name) return usage_error("out of memory parsing %s", flag);
    *rest = colon + 1;
    return 0;
}

static int add_shape(char *item, const char *flag, void *user) {
    shape_list *l = user;
    char *name, *dims;
    if (split_name(item, flag, 1, &name, &dims)) return 1;
    trt_dims d;
    if (trt_dims_parse(dims, &d) != TRT_OK) {
        free(name);
        print_error("%s: %s", flag, trt_get_last_error());
        return usage_error("%s expects name:1x3x224x224[,name2:...]", flag);
    }
    shape_spec *v = realloc(l->v, sizeof *v * (size_t)(l->n + 1));
    if (!v) {
        free(name);
        return usage_error("out of memory parsing %s", flag);
    }
    l->v = v;
    v[l->n++] = (shape_spec){name, d};
    return 0;
}

static int add_input_file(char *item, const char *flag, void *user) {
    options *o = user;
    char *name, *path;
    if (split_name(item, flag, 0, &name, &path)) return 1;
    input_file *v = realloc(o->inputs, sizeof *v * (size_t)(o->n_inputs + 1));
    char *p = strdup(path);
    if (!v || !p) {
        free(name);
        free(p);
        if (v) o->inputs = v;
        return usage_error("out of memory parsing %s", flag);
    }
    o->inputs = v;
    v[o->n_inputs++] = (input_file){name, p, NULL, 0};
    return 0;
}

static int parse_number(const char *flag, const char *text, double lo, double *out) {
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end || errno || !(v >= lo) || !isfinite(v)) {
        print_error("%s: '%s' is not a number >= %g", flag, text, lo);
        return usage_error("%s expects a number", flag);
    }
    *out = v;
    return 0;
}

static const shape_spec *find_shape(const shape_list *l, const char *name) {
    for (int i = l->n - 1; i >= 0; i--)
        if (strcmp(l->v[i].name, name) == 0) return &l->v[i];
    return NULL;
}

static void shape_list_free(shape_list *l) {
    for (int i = 0; i < l->n; i++) free(l->v[i].name);
    free(l->v);
}

static void options_free(options *o) {
    shape_list_free(&o->min);
    shape_list_free(&o->opt);
    shape_list_free(&o->max);
    shape_list_free(&o->shapes);
    for (int i = 0; i < o->n_inputs; i++) {
        free(o->inputs[i].name);
        free(o->inputs[i].path);
        free(o->inputs[i].data);
    }
    free(o->inputs);
}

/* One item of --tacticSources: +NAME or -NAME (case-insensitive), as trtexec. */
static int add_tactic_source(char *item, const char *flag, void *user) {
    static const struct {
        const char *name;
        unsigned bit;
    } sources[] = {
        {"PORTABLE", TRT_TACTIC_SOURCE_PORTABLE},
        {"TENSOR_CORE", TRT_TACTIC_SOURCE_TENSOR_CORE},
    };
    options *o = user;
    if (item[0] != '+' && item[0] != '-') {
        print_error("%s: '%s' must start with + (enable) or - (disable), e.g. -PORTABLE", flag,
                    item);
        return 1;
    }
    for (size_t k = 0; k < sizeof sources / sizeof *sources; k++)
        if (strcasecmp(item + 1, sources[k].name) == 0) {
            if (item[0] == '+') o->tactic_sources |= sources[k].bit;
            else o->tactic_sources &= ~sources[k].bit;
            o->tactic_sources_set = 1;
            return 0;
        }
    print_error("%s: unknown tactic source '%s'; the sources are PORTABLE and TENSOR_CORE", flag,
                item + 1);
    return 1;
}

enum { BUILD_WORKERS_MAX = 64, BUILD_WORKERS_AUTO_MAX = 8 };
#define BUILD_WORKERS_MAX_TEXT "64"

static int parse_args(int argc, char **argv, options *o) {
    o->tactic_sources = TRT_TACTIC_SOURCE_ALL;
    o->iterations = 10;
    o->warmup_ms = 200;
    o->duration_s = 3;
    o->opt_level = 3;
    static const struct {
        const char *name;
        size_t field; /* offset of an int in options */
    } switches[] = {
        {"--verbose", offsetof(options, verbose)},
        {"--fp16", offsetof(options, fp16)},
        {"--int8", offsetof(options, int8)},
        {"--listDevices", offsetof(options, list_devices)},
        {"--skipInference", offsetof(options, skip_inference)},
        {"--dumpProfile", offsetof(options, dump_profile)},
        {"--separateProfileRun", offsetof(options, separate_profile_run)},
        {"--help", offsetof(options, help)},
        {"-h", offsetof(options, help)},
    };
    static const struct {
        const char *name;
        size_t field; /* offset of a const char * in options */
    } strings[] = {
        {"--onnx", offsetof(options, onnx)},
        {"--saveEngine", offsetof(options, save_engine)},
        {"--loadEngine", offsetof(options, load_engine)},
        {"--device", offsetof(options, device)},
        {"--exportOutput", offsetof(options, export_output)},
        {"--timingCacheFile", offsetof(options, timing_cache)},
        {"--exportProfile", offsetof(options, export_profile)},
        {"--exportLayerInfo", offsetof(options, export_layer_info)},
    };
    struct {
        const char *name;
        int (*add)(char *item, const char *flag, void *user);
        void *user;
    } lists[] = {
        {"--minShapes", add_shape, &o->min},
        {"--optShapes", add_shape, &o->opt},
        {"--maxShapes", add_shape, &o->max},
        {"--shapes", add_shape, &o->shapes},
        {"--loadInputs", add_input_file, o},
        {"--tacticSources", add_tactic_source, o},
    };
    struct {
        const char *name;
        double *value, lo;
        int whole;
    } numbers[] = {
        {"--iterations", &o->iterations, 1, 1},
        {"--warmUp", &o->warmup_ms, 0, 0},
        {"--duration", &o->duration_s, 0, 0},
        {"--builderOptimizationLevel", &o->opt_level, 0, 1},
        {"--buildWorkers", &o->build_workers, 0, 1},
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        int done = 0, m = 0;
        for (size_t k = 0; !done && k < sizeof switches / sizeof *switches; k++)
            if (strcmp(a, switches[k].name) == 0) {
                *(int *)((char *)o + switches[k].field) = 1;
                done = 1;
            }
        for (size_t k = 0; !done && k < sizeof strings / sizeof *strings; k++)
            if ((m = flag_value(argc, argv, &i, strings[k].name, &v)) > 0) {
                if (!*v) return usage_error("%s needs a non-empty value", strings[k].name);
                *(const char **)((char *)o + strings[k].field) = v;
                done = 1;
            }
        for (size_t k = 0; !done && !m && k < sizeof lists / sizeof *lists; k++)
            if ((m = flag_value(argc, argv, &i, lists[k].name, &v)) > 0) {
                if (split_list(v, lists[k].name, lists[k].user, lists[k].add)) return 1;
                done = 1;
            }
        for (size_t k = 0; !done && !m && k < sizeof numbers / sizeof *numbers; k++)
            if ((m = flag_value(argc, argv, &i, numbers[k].name, &v)) > 0) {
                if (parse_number(numbers[k].name, v, numbers[k].lo, numbers[k].value)) return 1;
                if (numbers[k].whole && (*numbers[k].value != floor(*numbers[k].value) ||
                                         *numbers[k].value > 1e9))
                    return usage_error("%s expects a whole number of at most 1e9", numbers[k].name);
                done = 1;
            }
        if (m < 0) return usage_error("%s needs a value", a);
        if (!done) return usage_error("unknown option '%s'", a);
    }
    if (o->help) return 0;
    if (o->onnx && o->load_engine) return usage_error("%s", "give --onnx or --loadEngine, not both");
    if (!o->onnx && !o->load_engine && !o->list_devices)
        return usage_error("%s", "nothing to do: give --onnx=FILE or --loadEngine=FILE");
    for (int k = 0; k < 2; k++) {
        const shape_list *l = k ? &o->max : &o->min;
        for (int i = 0; i < l->n; i++)
            if (!find_shape(&o->opt, l->v[i].name))
                return usage_error("input '%s' has --minShapes or --maxShapes but no --optShapes",
                                   l->v[i].name);
    }
    if (o->skip_inference && (o->export_output || o->n_inputs || o->dump_profile ||
                              o->export_profile || o->separate_profile_run))
        return usage_error("%s", "--exportOutput, --loadInputs, --dumpProfile, --exportProfile "
                                 "and --separateProfileRun need inference; drop --skipInference");
    if (o->separate_profile_run && !o->dump_profile && !o->export_profile)
        return usage_error("%s", "--separateProfileRun needs --dumpProfile or --exportProfile");
    if (o->load_engine && o->timing_cache)
        printf("[W] --timingCacheFile is a build option; ignored with --loadEngine\n");
    if (o->load_engine && o->build_workers > 0)
        printf("[W] --buildWorkers is a build option; ignored with --loadEngine\n");
    if (o->load_engine && o->tactic_sources_set)
        printf("[W] --tacticSources is a build option; ignored with --loadEngine\n");
    if (o->tactic_sources_set && !o->tactic_sources)
        return usage_error("%s", "--tacticSources disables every source; keep PORTABLE or "
                                 "TENSOR_CORE enabled");
    if (o->build_workers > BUILD_WORKERS_MAX)
        return usage_error("%s", "--buildWorkers is at most " BUILD_WORKERS_MAX_TEXT);
    if (o->load_engine && (o->min.n || o->opt.n || o->max.n))
        return usage_error("%s", "--minShapes/--optShapes/--maxShapes are build options; a loaded "
                                 "engine keeps the profile it was built with (use --shapes)");
    return 0;
}

/* ---------------------------------------------------------------- files */

static int read_file(const char *path, const char *what, void **data, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        print_error("cannot open %s '%s': %s", what, path, strerror(errno));
        return 1;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                print_error("out of memory reading %s '%s'", what, path);
                return 1;
            }
            buf = b;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        print_error("cannot read %s '%s'", what, path);
        return 1;
    }
    *data = buf;
    *size = len;
    return 0;
}

/* ---------------------------------------------------------------- values */

static uint64_t splitmix64(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Round to nearest even; values here are in [-1, 1] or come from the device. */
static uint16_t half_from_float(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    int32_t e = (int32_t)((x >> 23) & 0xff) - 127 + 15;
    uint32_t m = x & 0x7fffff;
    if (((x >> 23) & 0xff) == 0xff) return sign | 0x7c00 | (m ? 0x200 : 0);
    if (e >= 31) return sign | 0x7c00;
    if (e <= 0) {
        if (e < -10) return sign;
        m |= 0x800000;
        uint32_t shift = (uint32_t)(14 - e);
        uint32_t h = m >> shift, rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1))) h++;
        return sign | (uint16_t)h;
    }
    uint32_t h = ((uint32_t)e << 10) | (m >> 13), rem = m & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) h++;
    return sign | (uint16_t)h;
}

static float float_from_half(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff, x;
    if (e == 0x1f) x = sign | 0x7f800000 | (m << 13);
    else if (e) x = sign | ((e + 112) << 23) | (m << 13);
    else if (!m) x = sign;
    else {
        float f = ldexpf((float)m, -24);
        return sign ? -f : f;
    }
    float f;
    memcpy(&f, &x, 4);
    return f;
}

/* Floats uniform in [-1, 1]; integers and booleans 0. The same for every run. */
static void fill_random(void *dst, trt_dtype dtype, int64_t n, uint64_t seed) {
    uint64_t s = seed;
    for (int64_t i = 0; i < n; i++) {
        float v = (float)((double)(splitmix64(&s) >> 40) / (double)(1 << 23) - 1.0);
        if (dtype == TRT_DTYPE_FLOAT32) ((float *)dst)[i] = v;
        else if (dtype == TRT_DTYPE_FLOAT16) ((uint16_t *)dst)[i] = half_from_float(v);
    }
    if (dtype != TRT_DTYPE_FLOAT32 && dtype != TRT_DTYPE_FLOAT16)
        memset(dst, 0, (size_t)n * trt_dtype_size(dtype));
}

static void write_number(FILE *f, double v) {
    if (isnan(v)) fputs("NaN", f);
    else if (isinf(v)) fputs(v > 0 ? "Infinity" : "-Infinity", f);
    else fprintf(f, "%.9g", v);
}

/* A JSON string literal, quotes included; NULL as null. */
static void write_string(FILE *f, const char *s) {
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const char *c = s; *c; c++) {
        if (*c == '"' || *c == '\\') fprintf(f, "\\%c", *c);
        else if ((unsigned char)*c < 0x20) fprintf(f, "\\u%04x", (unsigned char)*c);
        else fputc(*c, f);
    }
    fputc('"', f);
}

static void write_value(FILE *f, const void *data, trt_dtype dtype, int64_t i) {
    switch (dtype) {
    case TRT_DTYPE_FLOAT32: write_number(f, ((const float *)data)[i]); break;
    case TRT_DTYPE_FLOAT16: write_number(f, float_from_half(((const uint16_t *)data)[i])); break;
    case TRT_DTYPE_INT64: fprintf(f, "%lld", (long long)((const int64_t *)data)[i]); break;
    case TRT_DTYPE_INT32: fprintf(f, "%d", (int)((const int32_t *)data)[i]); break;
    case TRT_DTYPE_INT8: fprintf(f, "%d", (int)((const int8_t *)data)[i]); break;
    case TRT_DTYPE_UINT8:
    case TRT_DTYPE_BOOL: fprintf(f, "%u", (unsigned)((const uint8_t *)data)[i]); break;
    default: fputs("null", f); break;
    }
}

/* ---------------------------------------------------------------- statistics */

typedef struct {
    double min, max, mean, median, p90, p95, p99;
} stats;

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* trtexec's percentile: the value below which `p` percent of the sorted samples lie. */
static double percentile(const double *sorted, int n, double p) {
    int exclude = (int)((1.0 - p / 100.0) * n);
    int i = n - 1 - exclude;
    return sorted[i < 0 ? 0 : i];
}

static stats stats_of(double *v, int n) {
    stats s = {0};
    if (n == 0) return s;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double sum = 0;
    for (int i = 0; i < n; i++) sum += v[i];
    s.min = v[0];
    s.max = v[n - 1];
    s.mean = sum / n;
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    s.p90 = percentile(v, n, 90);
    s.p95 = percentile(v, n, 95);
    s.p99 = percentile(v, n, 99);
    return s;
}

static void print_stats(const char *what, stats s) {
    printf("[I] %s: min = %g ms, max = %g ms, mean = %g ms, median = %g ms, percentile(90%%) = %g "
           "ms, percentile(95%%) = %g ms, percentile(99%%) = %g ms\n",
           what, s.min, s.max, s.mean, s.median, s.p90, s.p95, s.p99);
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

/* ---------------------------------------------------------------- engine */

typedef struct {
    const char *name; /* borrowed from the engine */
    int is_input;
    trt_dtype dtype;
    trt_dims shape; /* current */
    void *host;
    size_t bytes;
} binding;

typedef struct {
    trt_device *dev;
    trt_engine *engine;
    trt_context *ctx;
    binding *io;
    int n_io;
    /* One entry per timed inference. */
    double *latency, *compute, *h2d, *d2h;
    int n_timed, cap_timed;
} session;

static int fail_trt(const char *what) {
    print_error("%s: %s", what, trt_get_last_error());
    return 1;
}

static void log_to_console(trt_log_level level, const char *msg, void *user) {
    static const char tags[] = "EWIV";
    FILE *f = level <= TRT_LOG_WARNING ? stderr : stdout;
    fprintf(f, "[%c] %s\n", tags[level <= TRT_LOG_VERBOSE ? level : TRT_LOG_VERBOSE], msg);
}

static int list_devices(void) {
    int n = 0;
    if (trt_device_enumerate(NULL, 0, &n) != TRT_OK) return fail_trt("listing devices");
    trt_device_info *infos = calloc((size_t)(n ? n : 1), sizeof *infos);
    if (!infos) return fail_trt("listing devices");
    if (trt_device_enumerate(infos, n, &n) != TRT_OK) {
        free(infos);
        return fail_trt("listing devices");
    }
    printf("[I] %d OpenCL device%s:\n", n, n == 1 ? "" : "s");
    for (int i = 0; i < n; i++) {
        const trt_device_info *d = &infos[i];
        printf("[I]   %d: %s (%s, %s; %s; driver %s; %s, %u compute units, %llu MiB)\n", d->index,
               d->name, d->vendor, d->platform, d->device_version, d->driver_version,
               d->is_gpu ? "GPU" : d->is_cpu ? "CPU" : "other", d->compute_units,
               (unsigned long long)(d->global_mem_bytes >> 20));
    }
    free(infos);
    return 0;
}

/* Profiles: --min/opt/maxShapes per input (opt required; min and max default to opt), else
 * --shapes as min = opt = max. */
static int make_config(const options *o, trt_build_config **out) {
    trt_build_config *cfg = trt_build_config_new();
    if (!cfg) return fail_trt("creating the build config");
    *out = cfg;
    const shape_list *lists[] = {&o->min, &o->opt, &o->max};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < lists[k]->n; i++) {
            const char *name = lists[k]->v[i].name;
            const shape_spec *opt = find_shape(&o->opt, name); /* parse_args checked it */
            const shape_spec *mn = find_shape(&o->min, name), *mx = find_shape(&o->max, name);
            if (trt_build_config_set_profile(cfg, name, mn ? &mn->dims : &opt->dims, &opt->dims,
                                             mx ? &mx->dims : &opt->dims) != TRT_OK)
                return fail_trt("setting the optimization profile");
        }
    for (int i = 0; i < o->shapes.n; i++) {
        const shape_spec *s = &o->shapes.v[i];
        if (find_shape(&o->opt, s->name) || find_shape(&o->min, s->name) ||
            find_shape(&o->max, s->name))
            continue;
        if (trt_build_config_set_profile(cfg, s->name, &s->dims, &s->dims, &s->dims) != TRT_OK)
            return fail_trt("setting the optimization profile");
    }
    if (o->fp16 && trt_build_config_set_precision(cfg, TRT_PRECISION_FP16) != TRT_OK)
        return fail_trt("--fp16");
    if (o->int8 && trt_build_config_set_precision(cfg, TRT_PRECISION_INT8) != TRT_OK)
        return fail_trt("--int8");
    if (o->timing_cache && trt_build_config_set_timing_cache(cfg, o->timing_cache) != TRT_OK)
        return fail_trt("--timingCacheFile");
    if (trt_build_config_set_optimization_level(cfg, (int)o->opt_level) != TRT_OK)
        return fail_trt("--builderOptimizationLevel");
    if (trt_build_config_set_tactic_sources(cfg, o->tactic_sources) != TRT_OK)
        return fail_trt("--tacticSources");
    return 0;
}

/* ---------------------------------------------------------------- build workers */

/* --buildWorkers: before this process opens a device (a driver's state does not survive
 * fork()), N - 1 child processes start; each opens its own device and compiles share i of the
 * kernels the build will time (trt_engine_precompile) into the program cache on disk, while
 * this process compiles share 0. The build starts when all have finished, so no timing runs
 * beside them. A worker that fails only costs time: the build compiles what is missing. */
typedef struct {
    pid_t pid[BUILD_WORKERS_MAX];
    int shares;  /* processes in all, this one included; below 2: no workers */
    int started; /* children in pid[] not yet waited for */
    double t0;
} build_workers;

static int build_worker_count(const options *o) {
    if (!o->onnx || o->list_devices || o->opt_level == 0) return 1;
    const char *cache_dir = getenv("TRT_CACHE_DIR");
    if (cache_dir && !*cache_dir) return 1; /* the program cache is off: nowhere to put them */
    if (o->build_workers >= 1) return (int)o->build_workers;
    long n = sysconf(_SC_NPROCESSORS_ONLN) / 2;
    if (n > BUILD_WORKERS_AUTO_MAX) n = BUILD_WORKERS_AUTO_MAX;
    return n < 1 ? 1 : (int)n;
}

static int worker_share;
static void log_from_worker(trt_log_level level, const char *msg, void *user) {
    (void)user;
    static const char tags[] = "EWIV";
    fprintf(stderr, "[%c] build worker %d: %s\n",
            tags[level <= TRT_LOG_VERBOSE ? level : TRT_LOG_VERBOSE], worker_share, msg);
}

/* A child's whole life: it returns to nothing of the parent's (_exit). */
static void run_worker(const options *o, const trt_build_config *cfg, const void *model,
                       size_t len, int share, int shares) {
    worker_share = share;
    trt_set_log_callback(log_from_worker, NULL);
    trt_set_log_level(o->verbose ? TRT_LOG_VERBOSE : TRT_LOG_ERROR);
    trt_device *dev = NULL;
    int rc = trt_device_open(o->device, &dev) == TRT_OK &&
                     trt_engine_precompile(dev, model, len, cfg, share, shares, NULL) == TRT_OK
                 ? 0
                 : 1;
    if (rc)
        fprintf(stderr, "[W] build worker %d: %s; the build compiles its share itself\n", share,
                trt_get_last_error());
    trt_device_free(dev);
    fflush(stderr);
    _exit(rc);
}

static void start_build_workers(build_workers *w, const options *o, const trt_build_config *cfg,
                                const void *model, size_t len) {
    w->shares = build_worker_count(o);
    w->started = 0;
    if (w->shares < 2) return;
    w->t0 = now_ms();
    fflush(stdout);
    fflush(stderr);
    const pid_t parent = getpid();
    for (int i = 1; i < w->shares; i++) {
        const pid_t pid = fork();
        if (pid == 0) {
#ifdef __linux__
            /* Ends with the parent, should it be killed while the workers compile. */
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent) _exit(1);
#endif
            run_worker(o, cfg, model, len, i, w->shares);
        }
        if (pid < 0) {
            printf("[W] --buildWorkers: starting worker %d failed (%s); the build compiles the "
                   "remaining shares itself\n", i, strerror(errno));
            break;
        }
        w->pid[w->started++] = pid;
    }
    (void)parent;
}

/* Waits for the children; returns how many failed. `stop`: they are no longer wanted (an
 * error path): ended first. */
static int wait_build_workers(build_workers *w, int stop) {
    int failed = 0;
    for (int i = 0; i < w->started; i++) {
        if (stop) kill(w->pid[i], SIGTERM);
        int status = 0;
        pid_t r;
        while ((r = waitpid(w->pid[i], &status, 0)) < 0 && errno == EINTR) {
        }
        failed += r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    w->started = 0;
    return failed;
}

/* This process's share, then the children's; the build follows. */
static void finish_build_workers(build_workers *w, trt_device *dev, const trt_build_config *cfg,
                                 const void *model, size_t len) {
    if (w->shares < 2) return;
    int failed = 0, prepared = 0;
    if (trt_engine_precompile(dev, model, len, cfg, 0, w->shares, &prepared) != TRT_OK) {
        printf("[W] build worker 0 (this process): %s; the build compiles its share itself\n",
               trt_get_last_error());
        failed++;
        prepared = 1; /* something was to be done */
    }
    const int processes = w->started + 1; /* fewer than shares if a fork failed */
    failed += wait_build_workers(w, 0);
    if (prepared)
        printf("[I] Build workers: %d processes compiled the candidate kernels in %g ms%s\n",
               processes, now_ms() - w->t0, failed ? " (some failed: see the warnings)" : "");
    else
        printf("[I] Build workers: nothing to compile ahead (no candidate kernels to compile, "
               "or the program cache on disk is off: TRT_CACHE_DIR, docs/cli.md)\n");
}

static int make_engine(const options *o, session *s, const trt_build_config *cfg,
                       build_workers *w, const void *model, size_t len) {
    if (o->load_engine) {
        if (o->fp16 || o->int8)
            printf("[W] --fp16/--int8 are build options; ignored with --loadEngine\n");
        if (trt_engine_deserialize(s->dev, model, len, &s->engine) != TRT_OK)
            return fail_trt("loading the engine");
        printf("[I] Loaded engine '%s' (%zu bytes)\n", o->load_engine, len);
        return 0;
    }
    double t0 = now_ms();
    finish_build_workers(w, s->dev, cfg, model, len);
    if (trt_engine_build(s->dev, model, len, cfg, &s->engine) != TRT_OK)
        return fail_trt("building the engine");
    printf("[I] Built engine from '%s' in %g ms\n", o->onnx, now_ms() - t0);
    return 0;
}

static void print_engine(const session *s) {
    const trt_engine *e = s->engine;
    static const char *const prec[] = {"FP32", "FP16", "INT8"};
    trt_precision p = trt_engine_get_precision(e);
    printf("[I] Engine: %d layers, %s, %.3f MiB weights, %.3f MiB activations\n",
           trt_engine_get_num_layers(e), (unsigned)p < 3 ? prec[p] : "?",
           (double)trt_engine_get_weight_bytes(e) / (1 << 20),
           (double)trt_engine_get_activation_bytes(e) / (1 << 20));
    for (int i = 0; i < trt_engine_get_num_io(e); i++) {
        trt_io_info info;
        if (trt_engine_get_io(e, i, &info) != TRT_OK) continue;
        char d[128], mn[128], op[128], mx[128];
        printf("[I] %-6s '%s': %s %s (min %s, opt %s, max %s)\n", info.is_input ? "Input" : "Output",
               info.name, trt_dtype_name(info.dtype), trt_dims_str(&info.dims, d, sizeof d),
               trt_dims_str(&info.min, mn, sizeof mn), trt_dims_str(&info.opt, op, sizeof op),
               trt_dims_str(&info.max, mx, sizeof mx));
    }
}

/* Sets the run shapes, sizes every binding and fills the inputs. */
static int bind(const options *o, session *s) {
    for (int i = 0; i < o->shapes.n; i++)
        if (trt_context_set_input_shape(s->ctx, o->shapes.v[i].name, &o->shapes.v[i].dims) != TRT_OK)
            return fail_trt("--shapes");
    for (int i = 0; i < o->n_inputs; i++) {
        int k = trt_engine_find_io(s->engine, o->inputs[i].name);
        trt_io_info info;
        if (k < 0 || trt_engine_get_io(s->engine, k, &info) != TRT_OK || !info.is_input) {
            print_error("--loadInputs: the engine has no input called '%s'", o->inputs[i].name);
            return 1;
        }
    }
    s->n_io = trt_engine_get_num_io(s->engine);
    s->io = calloc((size_t)(s->n_io ? s->n_io : 1), sizeof *s->io);
    if (!s->io) return fail_trt("allocating bindings");
    for (int i = 0; i < s->n_io; i++) {
        binding *b = &s->io[i];
        trt_io_info info;
        if (trt_engine_get_io(s->engine, i, &info) != TRT_OK) return fail_trt("reading engine I/O");
        b->name = info.name;
        b->is_input = info.is_input;
        b->dtype = info.dtype;
        if (trt_context_get_tensor_shape(s->ctx, b->name, &b->shape) != TRT_OK)
            return fail_trt("computing shapes");
        int64_t n = trt_dims_volume(&b->shape);
        b->bytes = (size_t)n * trt_dtype_size(b->dtype);
        b->host = malloc(b->bytes ? b->bytes : 1);
        if (!b->host) {
            print_error("out of memory allocating %zu bytes for '%s'", b->bytes, b->name);
            return 1;
        }
        char d[128];
        trt_dims_str(&b->shape, d, sizeof d);
        if (!b->is_input) {
            printf("[I] Binding output '%s': %s\n", b->name, d);
            continue;
        }
        const input_file *f = NULL;
        for (int k = 0; k < o->n_inputs; k++)
            if (strcmp(o->inputs[k].name, b->name) == 0) f = &o->inputs[k];
        if (!f) {
            fill_random(b->host, b->dtype, n, 0x7472747275ull + (uint64_t)i);
            printf("[I] Binding input  '%s': %s, pseudo-random values\n", b->name, d);
            continue;
        }
        if (f->size != b->bytes) {
            print_error("--loadInputs: '%s' has %zu bytes, but input '%s' (%s %s) needs %zu", f->path,
                        f->size, b->name, d, trt_dtype_name(b->dtype), b->bytes);
            return 1;
        }
        memcpy(b->host, f->data, b->bytes);
        printf("[I] Binding input  '%s': %s, from '%s'\n", b->name, d, f->path);
    }
    return 0;
}

/* One inference: copies in, enqueue, copies out, wait. Wall time in ms. */
static int infer(session *s, double *wall_ms, trt_timing *t) {
    double t0 = now_ms();
    for (int i = 0; i < s->n_io; i++)
        if (s->io[i].is_input &&
            trt_context_write_input(s->ctx, s->io[i].name, s->io[i].host, s->io[i].bytes) != TRT_OK)
            return fail_trt("writing an input");
    if (trt_context_enqueue(s->ctx) != TRT_OK) return fail_trt("running the engine");
    for (int i = 0; i < s->n_io; i++)
        if (!s->io[i].is_input &&
            trt_context_read_output(s->ctx, s->io[i].name, s->io[i].host, s->io[i].bytes) != TRT_OK)
            return fail_trt("reading an output");
    if (trt_context_wait(s->ctx) != TRT_OK) return fail_trt("waiting for the engine");
    *wall_ms = now_ms() - t0;
    if (trt_context_get_timing(s->ctx, t) != TRT_OK) return fail_trt("reading the timing");
    return 0;
}

static int record(session *s, double wall_ms, const trt_timing *t) {
    if (s->n_timed == s->cap_timed) {
        int cap = s->cap_timed ? s->cap_timed * 2 : 1024;
        double **arrays[] = {&s->latency, &s->compute, &s->h2d, &s->d2h};
        for (int k = 0; k < 4; k++) {
            double *a = realloc(*arrays[k], sizeof(double) * (size_t)cap);
            if (!a) {
                print_error("out of memory recording timings");
                return 1;
            }
            *arrays[k] = a;
        }
        s->cap_timed = cap;
    }
    s->latency[s->n_timed] = wall_ms;
    s->compute[s->n_timed] = t->compute_ms;
    s->h2d[s->n_timed] = t->h2d_ms;
    s->d2h[s->n_timed] = t->d2h_ms;
    s->n_timed++;
    return 0;
}

static int benchmark(const options *o, session *s) {
    double wall;
    trt_timing t;
    int warm = 0;
    double w0 = now_ms();
    while (now_ms() - w0 < o->warmup_ms) {
        if (infer(s, &wall, &t)) return 1;
        warm++;
    }
    printf("[I] Warmup completed %d queries over %g ms\n", warm, o->warmup_ms);
    if (trt_context_reset_layer_profile(s->ctx) != TRT_OK) return fail_trt("resetting the profile");
    double t0 = now_ms(), elapsed = 0;
    while (s->n_timed < o->iterations || elapsed < o->duration_s * 1e3) {
        if (infer(s, &wall, &t) || record(s, wall, &t)) return 1;
        elapsed = now_ms() - t0;
    }
    int n = s->n_timed;
    printf("[I] Timing trace has %d queries over %g s\n", n, elapsed / 1e3);
    stats lat = stats_of(s->latency, n), gpu = stats_of(s->compute, n);
    stats h2d = stats_of(s->h2d, n), d2h = stats_of(s->d2h, n);
    printf("[I]\n[I] === Performance summary ===\n");
    printf("[I] Throughput: %g qps\n", n / (elapsed / 1e3));
    print_stats("Latency", lat);
    print_stats("H2D Latency", h2d);
    print_stats("GPU Compute Time", gpu);
    print_stats("D2H Latency", d2h);
    printf("[I] Total Host Walltime: %g s\n", elapsed / 1e3);
    printf("[I] Total GPU Compute Time: %g s\n", gpu.mean * n / 1e3);
    if (o->verbose)
        printf("[V] Latency: host wall time of one query, from its first input copy to the end of "
               "its last output copy.\n"
               "[V] GPU Compute Time: device time from the first kernel start to the last kernel "
               "end of one query.\n"
               "[V] H2D / D2H Latency: device time of the input / output copies of one query.\n"
               "[V] Throughput: queries divided by Total Host Walltime.\n");
    return 0;
}

/* The per-layer profile in a run of its own (--separateProfileRun): as many queries as the
 * benchmark ran, with per-layer events. */
static int profile_run(session *s) {
    if (trt_context_set_profiling(s->ctx, TRT_PROFILING_LAYERS) != TRT_OK)
        return fail_trt("enabling per-layer profiling");
    double wall;
    trt_timing t;
    for (int i = 0; i < s->n_timed; i++)
        if (infer(s, &wall, &t)) return 1;
    return 0;
}

/* Reads every layer's profile, the total last (index n). */
static trt_layer_profile *read_profile(session *s, int *n) {
    *n = trt_engine_get_num_layers(s->engine);
    trt_layer_profile *p = calloc((size_t)*n + 1, sizeof *p);
    if (!p) {
        print_error("out of memory reading the profile");
        return NULL;
    }
    for (int i = 0; i <= *n; i++)
        if (trt_context_get_layer_profile(s->ctx, i < *n ? i : TRT_LAYER_TOTAL, &p[i]) != TRT_OK) {
            free(p);
            fail_trt("reading the per-layer profile");
            return NULL;
        }
    return p;
}

/* trtexec's --dumpProfile table, layers in execution order, then the total. */
static int dump_profile(session *s) {
    int n;
    trt_layer_profile *p = read_profile(s, &n);
    if (!p) return 1;
    double total = p[n].total_ms;
    printf("[I]\n[I] === Profile (%ld iterations ) ===\n", p[n].runs);
    printf("[I]    Time(ms)     Avg.(ms)   Median(ms)   Time(%%)   Layer\n");
    for (int i = 0; i <= n; i++)
        printf("[I] %11.2f %12.4f %12.4f %9.1f   %s\n", p[i].total_ms, p[i].average_ms,
               p[i].median_ms, total > 0 ? p[i].total_ms / total * 100 : 0.0, p[i].name);
    free(p);
    return 0;
}

/* trtexec's --exportProfile layout: [{count}, {name, timeMs, averageMs, medianMs,
 * percentage}...], layers in execution order. */
static int export_profile(const char *path, session *s) {
    int n;
    trt_layer_profile *p = read_profile(s, &n);
    if (!p) return 1;
    FILE *f = fopen(path, "w");
    if (!f) {
        free(p);
        print_error("--exportProfile: cannot open '%s': %s", path, strerror(errno));
        return 1;
    }
    double total = p[n].total_ms;
    fprintf(f, "[\n  { \"count\" : %ld }\n", p[n].runs);
    for (int i = 0; i < n; i++) {
        fputs(", { \"name\" : ", f);
        write_string(f, p[i].name);
        fputs(", \"timeMs\" : ", f);
        write_number(f, p[i].total_ms);
        fputs(", \"averageMs\" : ", f);
        write_number(f, p[i].average_ms);
        fputs(", \"medianMs\" : ", f);
        write_number(f, p[i].median_ms);
        fputs(", \"percentage\" : ", f);
        write_number(f, total > 0 ? p[i].total_ms / total * 100 : 0.0);
        fputs(" }\n", f);
    }
    fputs("]\n", f);
    free(p);
    int bad = ferror(f);
    if (fclose(f) || bad) {
        print_error("--exportProfile: error writing '%s'", path);
        return 1;
    }
    printf("[I] Profile written to '%s'\n", path);
    return 0;
}

static void write_layer_tensors(FILE *f, const trt_engine *e, int layer, int is_output, int n) {
    const char *sep = "";
    fputs("[", f);
    for (int k = 0; k < n; k++) {
        trt_layer_tensor t;
        if (trt_engine_get_layer_tensor(e, layer, is_output, k, &t) != TRT_OK || !t.name) continue;
        fprintf(f, "%s{ \"Name\" : ", sep);
        write_string(f, t.name);
        fputs(", \"Dimensions\" : [", f);
        for (int d = 0; d < t.dims.nb_dims; d++)
            fprintf(f, d ? ", %lld" : "%lld", (long long)t.dims.d[d]);
        /* As trtexec: the type the layer runs on (float16 storage in FP16 engines). */
        fprintf(f, "], \"Datatype\" : \"%s\", \"Constant\" : %s }", trt_dtype_name(t.storage),
                t.is_constant ? "true" : "false");
        sep = ", ";
    }
    fputs("]", f);
}

/* trtexec's --exportLayerInfo layout (as with --profilingVerbosity=detailed): {"Layers":
 * [{Name, LayerType, Inputs, Outputs, TacticValue...}], "Bindings": [names]}; dimensions at
 * the profile's opt shapes. */
static int export_layer_info(const char *path, const session *s) {
    const trt_engine *e = s->engine;
    FILE *f = fopen(path, "w");
    if (!f) {
        print_error("--exportLayerInfo: cannot open '%s': %s", path, strerror(errno));
        return 1;
    }
    int n = trt_engine_get_num_layers(e), rc = 0;
    fputs("{\"Layers\": [\n", f);
    for (int i = 0; i < n && !rc; i++) {
        trt_layer_info li;
        if (trt_engine_get_layer_info(e, i, &li) != TRT_OK) {
            rc = fail_trt("reading the layer information");
            break;
        }
        fputs(i ? ",\n{ \"Name\" : " : "{ \"Name\" : ", f);
        write_string(f, li.name);
        fputs(", \"LayerType\" : ", f);
        write_string(f, li.op);
        fputs(",\n  \"Inputs\" : ", f);
        write_layer_tensors(f, e, i, 0, li.n_inputs);
        fputs(",\n  \"Outputs\" : ", f);
        write_layer_tensors(f, e, i, 1, li.n_outputs);
        fprintf(f, ",\n  \"TacticValue\" : %d, \"TacticParams\" : [", (int)li.tactic);
        for (int k = 0; k < TRT_LAYER_TACTIC_PARAMS; k++)
            fprintf(f, k ? ", %d" : "%d", (int)li.tactic_params[k]);
        fputs("] }", f);
    }
    fputs("\n],\n\"Bindings\": [", f);
    for (int i = 0; i < trt_engine_get_num_io(e); i++) {
        trt_io_info info;
        if (trt_engine_get_io(e, i, &info) != TRT_OK) continue;
        fputs(i ? ", " : "", f);
        write_string(f, info.name);
    }
    fputs("]}\n", f);
    int bad = ferror(f);
    if (fclose(f) || bad) {
        print_error("--exportLayerInfo: error writing '%s'", path);
        return 1;
    }
    if (!rc) printf("[I] Layer information written to '%s'\n", path);
    return rc;
}

/* trtexec's --exportOutput layout: a list of {name, dimensions "1x1000", values}. */
static int export_output(const char *path, const session *s) {
    FILE *f = fopen(path, "w");
    if (!f) {
        print_error("--exportOutput: cannot open '%s': %s", path, strerror(errno));
        return 1;
    }
    const char *sep = "  ";
    fputs("[\n", f);
    for (int i = 0; i < s->n_io; i++) {
        const binding *b = &s->io[i];
        if (b->is_input) continue;
        fprintf(f, "%s{ \"name\" : ", sep);
        write_string(f, b->name);
        fputs("\n", f);
        sep = ", ";
        fprintf(f, "  %s\"dimensions\" : \"", sep);
        for (int d = 0; d < b->shape.nb_dims; d++)
            fprintf(f, d ? "x%lld" : "%lld", (long long)b->shape.d[d]);
        fprintf(f, "\"\n  %s\"values\" : [ ", sep);
        int64_t n = trt_dims_volume(&b->shape);
        for (int64_t k = 0; k < n; k++) {
            if (k) fputs(sep, f);
            write_value(f, b->host, b->dtype, k);
        }
        fputs(" ]\n  }\n", f);
    }
    fputs("]\n", f);
    int bad = ferror(f);
    if (fclose(f) || bad) {
        print_error("--exportOutput: error writing '%s'", path);
        return 1;
    }
    printf("[I] Outputs written to '%s'\n", path);
    return 0;
}

static int run(options *o) {
    session s = {0};
    void *model = NULL;
    size_t len = 0;
    int rc = 1;
    trt_build_config *cfg = NULL;
    build_workers workers = {0};
    if (o->onnx && read_file(o->onnx, "ONNX model", &model, &len)) goto done;
    if (o->load_engine && read_file(o->load_engine, "engine file", &model, &len)) goto done;
    for (int i = 0; i < o->n_inputs; i++)
        if (read_file(o->inputs[i].path, "input file", &o->inputs[i].data, &o->inputs[i].size))
            goto done;
    if (o->verbose) trt_set_log_level(TRT_LOG_VERBOSE);
    trt_set_log_callback(log_to_console, NULL);
    if (o->list_devices && list_devices()) goto done;
    if (!model) {
        rc = 0;
        goto done;
    }
    if (o->onnx) {
        if (make_config(o, &cfg)) goto done;
        start_build_workers(&workers, o, cfg, model, len);
    }
    if (trt_device_open(o->device, &s.dev) != TRT_OK) {
        fail_trt("opening the device");
        goto done;
    }
    const trt_device_info *di = trt_device_get_info(s.dev);
    printf("[I] Device: %s (%s, %s; %s; driver %s)\n", di->name, di->vendor, di->platform,
           di->device_version, di->driver_version);
    if (make_engine(o, &s, cfg, &workers, model, len)) goto done;
    free(model);
    model = NULL;
    if (o->save_engine) {
        if (trt_engine_save(s.engine, o->save_engine) != TRT_OK) {
            fail_trt("--saveEngine");
            goto done;
        }
        printf("[I] Engine saved to '%s'\n", o->save_engine);
    }
    print_engine(&s);
    if (o->export_layer_info && export_layer_info(o->export_layer_info, &s)) goto done;
    if (o->skip_inference) {
        rc = 0;
        goto done;
    }
    if (trt_context_new(s.engine, &s.ctx) != TRT_OK) {
        fail_trt("creating the execution context");
        goto done;
    }
    int layers = (o->dump_profile || o->export_profile) && !o->separate_profile_run;
    if (trt_context_set_profiling(s.ctx, layers ? TRT_PROFILING_LAYERS : TRT_PROFILING_SPANS) !=
        TRT_OK) {
        fail_trt("enabling profiling");
        goto done;
    }
    if (bind(o, &s) || benchmark(o, &s)) goto done;
    if (o->separate_profile_run && profile_run(&s)) goto done;
    if (o->dump_profile && dump_profile(&s)) goto done;
    if (o->export_profile && export_profile(o->export_profile, &s)) goto done;
    if (o->export_output && export_output(o->export_output, &s)) goto done;
    rc = 0;
done:
    wait_build_workers(&workers, 1);
    trt_build_config_free(cfg);
    free(model);
    for (int i = 0; s.io && i < s.n_io; i++) free(s.io[i].host);
    free(s.io);
    free(s.latency);
    free(s.compute);
    free(s.h2d);
    free(s.d2h);
    trt_context_free(s.ctx);
    trt_engine_free(s.engine);
    trt_device_free(s.dev);
    trt_set_log_callback(NULL, NULL);
    return rc;
}

int main(int argc, char **argv) {
    options o = {0};
    setvbuf(stdout, NULL, _IOLBF, 0); /* keep [I] lines in order with [E] lines on stderr */
    int rc = parse_args(argc, argv, &o);
    if (!rc && o.help) {
        fputs(usage_text, stdout);
    } else {
        if (!rc) rc = run(&o);
        printf("&&&& %s trtinfer-exec\n", rc ? "FAILED" : "PASSED");
    }
    options_free(&o);
    return rc;
}
