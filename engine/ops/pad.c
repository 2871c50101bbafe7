/* pad.c — Pad: modes constant, reflect, edge and wrap, on any axes, negative pads crop.
 *
 * Forms: opset 2..10 take `pads` and `value` as attributes; opset 11+ take pads and an
 * optional constant_value as inputs, and opset 18+ an optional axes input. pads and axes must
 * have host values at build time; the kernel reads the constant from a device buffer (the
 * constant_value input, or a scratch buffer holding the attribute value or 0). The output is
 * computed on the host when the data and the constant have host values and the output is
 * small, else by kernels/pad.cl.
 */
#include <stdio.h>
#include <string.h>

#include "ops/op.h"

#define MAXD TRT_MAX_DIMS

enum { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE, PAD_WRAP };

typedef struct {
    int32_t mode;
    int32_t n_pads; /* opset < 11: entries of the pads attribute; -1: pads is an input */
    int64_t pads[2 * MAXD];
    float value; /* opset < 11: the value attribute */
} pad_params;
_Static_assert(sizeof(pad_params) <= TRT_MAX_PARAMS, "pad_params too large");

static trt_status pad_import(trt_node *node, const trt_attrs *a) {
    pad_params *p = TRT_PARAMS(node, pad_params);
    const char *mode = trt_attrs_string(a, "mode", "constant");
    static const char *const modes[] = {"constant", "reflect", "edge", "wrap"};
    p->mode = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(mode, modes[i]) == 0) p->mode = i;
    if (p->mode < 0)
        return trt__error(
            TRT_ERR_UNSUPPORTED,
            "node '%s' (Pad): mode '%s' is not supported (constant, reflect, edge, wrap)",
            node->name, mode);
    if (trt_attrs_opset(a) >= 11) {
        p->n_pads = -1;
        return trt_op_check_io(node, 2, 4, 1, 1);
    }
    TRT_TRY(trt_op_check_io(node, 1, 1, 1, 1));
    p->n_pads = trt_attrs_ints(a, "pads", p->pads, 2 * MAXD);
    if (p->n_pads < 0 || p->n_pads > 2 * MAXD)
        return trt__error(
            TRT_ERR_PARSE,
            "node '%s' (Pad): the 'pads' attribute is missing or has more than %d entries",
            node->name, 2 * MAXD);
    p->value = trt_attrs_float(a, "value", 0.0f);
    return TRT_OK;
}

static trt_status err_device_value(const trt_node *node, const char *what) {
    return trt__error(TRT_ERR_UNSUPPORTED,
                      "node '%s' (Pad): the %s is computed on the device; trtinfer needs it to be "
                      "known at build time (constant or derived from input shapes)",
                      node->name, what);
}

static trt_status read_ints(const trt_node *node, const trt_tensor *t, const char *what,
                            int64_t *out, int max, int *n) {
    if (!trt_tensor_host(t)) return err_device_value(node, what);
    int64_t cnt = trt_dims_volume(&t->shape);
    if (t->shape.nb_dims > 1 || t->dtype == TRT_DTYPE_FLOAT32 || t->dtype == TRT_DTYPE_FLOAT16 ||
        cnt > max)
        return trt__error(
            TRT_ERR_INVALID_ARG,
            "node '%s' (Pad): the %s must be a 1-D integer tensor of at most %d values", node->name,
            what, max);
    for (int64_t i = 0; i < cnt; i++) out[i] = trt_host_i64(t, i);
    *n = (int)cnt;
    return TRT_OK;
}

/* The constant when no constant_value input gives it: the opset < 11 attribute or 0. */
static trt_status default_value(const trt_node *node, trt_dtype dtype, uint8_t value[8]) {
    const pad_params *p = TRT_CPARAMS(node, pad_params);
    memset(value, 0, 8);
    if (p->n_pads < 0 || p->value == 0.0f) return TRT_OK;
    if (dtype == TRT_DTYPE_FLOAT16)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "node '%s' (Pad): float16 data with the opset < 11 value attribute",
                          node->name);
    trt_tensor tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.dtype = dtype;
    trt_host_set_f64(&tmp, 0, p->value);
    memcpy(value, tmp.hostbuf, trt_dtype_size(dtype));
    return TRT_OK;
}

/* The padding of the current shapes. Negative pads crop first (as onnxruntime does), then
 * the kept region [crop, crop + kept) of each axis is padded by `lead` in front; the modes
 * reflect, edge and wrap see only the kept region. */
typedef struct {
    int64_t lead[MAXD], crop[MAXD], kept[MAXD];
    trt_dims out;
    int value_input; /* tensor of a non-empty constant_value input, or -1 */
    int value_known; /* `value` holds the constant (in the data's dtype) */
    uint8_t value[8];
} pad_plan;

static trt_status plan(const trt_node *node, const trt_tensor *ts, pad_plan *pl) {
    const pad_params *p = TRT_CPARAMS(node, pad_params);
    const trt_tensor *x = &ts[node->inputs[0]];
    const trt_dims *in = &x->shape;
    int r = in->nb_dims;
    int64_t pads[2 * MAXD], axes[MAXD], begin[MAXD] = {0}, end[MAXD] = {0};
    int np = p->n_pads, na = -1;
    memset(pl, 0, sizeof *pl);
    if (np >= 0) {
        memcpy(pads, p->pads, sizeof pads);
    } else {
        TRT_TRY(read_ints(node, &ts[node->inputs[1]], "pads input", pads, 2 * MAXD, &np));
        if (node->n_inputs > 3 && node->inputs[3] >= 0)
            TRT_TRY(read_ints(node, &ts[node->inputs[3]], "axes input", axes, MAXD, &na));
    }
    char d[96];
    if (np != 2 * (na >= 0 ? na : r))
        return trt__error(TRT_ERR_SHAPE, "node '%s' (Pad): %d pads for %s %d axes (input shape %s)",
                          node->name, np, na >= 0 ? "the" : "an input of", na >= 0 ? na : r,
                          trt_dims_str(in, d, sizeof d));
    int n = np / 2;
    for (int i = 0; i < n; i++) {
        int k = na >= 0 ? trt_axis_norm(axes[i], r) : i;
        if (k < 0)
            return trt__error(TRT_ERR_SHAPE,
                              "node '%s' (Pad): axis %lld is out of range for shape %s", node->name,
                              (long long)axes[i], trt_dims_str(in, d, sizeof d));
        begin[k] = pads[i];
        end[k] = pads[i + n];
    }
    pl->out = *in;
    for (int k = 0; k < r; k++) {
        pl->lead[k] = begin[k] > 0 ? begin[k] : 0;
        pl->crop[k] = begin[k] < 0 ? -begin[k] : 0;
        pl->kept[k] = in->d[k] - pl->crop[k] - (end[k] < 0 ? -end[k] : 0);
        pl->out.d[k] = in->d[k] + begin[k] + end[k];
        if (pl->kept[k] < 0)
            return trt__error(
                TRT_ERR_SHAPE,
                "node '%s' (Pad): negative pads remove more than axis %d of shape %s holds",
                node->name, k, trt_dims_str(in, d, sizeof d));
        if (p->mode != PAD_CONSTANT && pl->kept[k] == 0 && pl->out.d[k] > 0)
            return trt__error(
                TRT_ERR_SHAPE,
                "node '%s' (Pad): cannot pad the empty axis %d of shape %s in this mode",
                node->name, k, trt_dims_str(in, d, sizeof d));
    }
    pl->value_input = -1;
    pl->value_known = 1;
    if (p->n_pads < 0 && node->n_inputs > 2 && node->inputs[2] >= 0) {
        const trt_tensor *c = &ts[node->inputs[2]];
        if (c->dtype != x->dtype)
            return trt__error(TRT_ERR_INVALID_ARG,
                              "node '%s' (Pad): constant_value is %s, the data %s", node->name,
                              trt_dtype_name(c->dtype), trt_dtype_name(x->dtype));
        if (trt_dims_volume(&c->shape) > 0) {
            const void *h = trt_tensor_host(c);
            pl->value_input = node->inputs[2];
            pl->value_known = h != NULL;
            if (h) memcpy(pl->value, h, trt_dtype_size(x->dtype));
        }
        return TRT_OK;
    }
    return default_value(node, x->dtype, pl->value);
}

/* Coordinate in the kept region of output coordinate c on an axis with leading pad b and d
 * kept elements, or -1 for the constant. */
static int64_t src_coord(int mode, int64_t c, int64_t b, int64_t d) {
    int64_t x = c - b;
    if (x >= 0 && x < d) return x;
    switch (mode) {
    case PAD_REFLECT: {
        int64_t per = 2 * (d - 1);
        if (per == 0) return 0;
        x %= per;
        if (x < 0) x += per;
        return x >= d ? per - x : x;
    }
    case PAD_EDGE: return x < 0 ? 0 : d - 1;
    case PAD_WRAP: x %= d; return x < 0 ? x + d : x;
    default: return -1;
    }
}

static trt_status pad_infer(const trt_node *node, trt_tensor *ts) {
    pad_plan pl;
    TRT_TRY(plan(node, ts, &pl));
    const trt_tensor *x = &ts[node->inputs[0]];
    trt_tensor *out = &ts[node->outputs[0]];
    out->dtype = out->storage = x->dtype;
    out->shape = pl.out;
    const char *src = trt_tensor_host(x);
    if (!src || !pl.value_known || out->dtype == TRT_DTYPE_FLOAT16 || !trt_host_begin(out))
        return TRT_OK;
    int mode = TRT_CPARAMS(node, pad_params)->mode, r = pl.out.nb_dims;
    size_t es = trt_dtype_size(x->dtype);
    int64_t n = trt_dims_volume(&pl.out);
    for (int64_t i = 0; i < n; i++) {
        int64_t rem = i, so = 0, stride = 1;
        for (int k = r - 1; k >= 0 && so >= 0; k--) {
            int64_t c = rem % pl.out.d[k], s = src_coord(mode, c, pl.lead[k], pl.kept[k]);
            rem /= pl.out.d[k];
            so = s < 0 ? -1 : so + (pl.crop[k] + s) * stride;
            stride *= x->shape.d[k];
        }
        memcpy((char *)out->hostbuf + i * (int64_t)es,
               so < 0 ? (const char *)pl.value : src + so * (int64_t)es, es);
    }
    return TRT_OK;
}

static const char *elem_cl_type(size_t size) {
    return size == 1 ? "uchar" : size == 2 ? "ushort" : size == 8 ? "ulong" : "uint";
}

static trt_status pad_prepare(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    int mode = TRT_CPARAMS(node, pad_params)->mode;
    trt_dtype dtype = trt_exec_tensors(ex)[node->outputs[0]].dtype;
    if (mode == PAD_CONSTANT) {
        uint8_t value[8];
        TRT_TRY(default_value(node, dtype, value));
        cl_int err;
        rt->scratch =
            clCreateBuffer(trt_exec_cl_context(ex), CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                           sizeof value, value, &err);
        if (err != CL_SUCCESS)
            return trt__error(TRT_ERR_OPENCL,
                              "node '%s' (Pad): allocating the pad value (OpenCL error %d)",
                              node->name, (int)err);
    }
    char opts[64];
    snprintf(opts, sizeof opts, "-DT=%s -DMODE=%d", elem_cl_type(trt_dtype_size(dtype)), mode);
    return trt_exec_kernel(ex, "pad.cl", opts, "pad", &rt->kernels[0]);
}

static trt_status pad_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_tensor *ts = trt_exec_tensors(ex);
    pad_plan pl;
    TRT_TRY(plan(node, ts, &pl));
    const trt_dims *in = &ts[node->inputs[0]].shape;
    int r = in->nb_dims;
    cl_int8 od, id, kd;
    cl_long8 lead, crop;
    for (int i = 0; i < 8; i++) {
        int k = i - (8 - r);
        od.s[i] = k >= 0 ? (cl_int)pl.out.d[k] : 1;
        id.s[i] = k >= 0 ? (cl_int)in->d[k] : 1;
        kd.s[i] = k >= 0 ? (cl_int)pl.kept[k] : 1;
        lead.s[i] = k >= 0 ? pl.lead[k] : 0;
        crop.s[i] = k >= 0 ? pl.crop[k] : 0;
    }
    cl_mem src = trt_exec_mem(ex, node->inputs[0]), dst = trt_exec_mem(ex, node->outputs[0]);
    cl_mem cval = pl.value_input >= 0 ? trt_exec_mem(ex, pl.value_input)
                  : rt->scratch       ? rt->scratch
                                      : src; /* not read outside constant mode */
    cl_long n = trt_dims_volume(&pl.out);
    trt_karg args[] = {TRT_KARG(src), TRT_KARG(dst),  TRT_KARG(n),    TRT_KARG(od),  TRT_KARG(id),
                       TRT_KARG(kd),  TRT_KARG(lead), TRT_KARG(crop), TRT_KARG(cval)};
    size_t gws = (size_t)n, lws = 64;
    return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, 9, args);
}

const trt_op_impl trt_op_impl_PAD = {"Pad", pad_import, pad_infer, pad_prepare, pad_launch};
