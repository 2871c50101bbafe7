/* resize.c — Resize: nearest (any rank, any dtype) and linear (float; bilinear over the last
 * two axes, 1-D linear over the last axis, leading axes unchanged), as onnxruntime computes
 * them.
 *
 * Forms: opset 10 takes (X, scales); opset 11+ (X, roi, scales, sizes) with scales or sizes
 * given (the other empty or absent); opset 18+ an `axes` attribute that scales/sizes refer
 * to. scales/sizes must have host values at build time. Supported attributes:
 * coordinate_transformation_mode half_pixel, asymmetric, align_corners, pytorch_half_pixel,
 * tf_half_pixel_for_nn, half_pixel_symmetric; nearest_mode round_prefer_floor,
 * round_prefer_ceil, floor, ceil; keep_aspect_ratio_policy stretch. Cubic, antialias and
 * tf_crop_and_resize are refused.
 *
 * Output sizes and scales follow onnxruntime: from scales, out = (int64)(scale * in) in
 * float; from sizes, scale = (float)out / (float)in. All coordinate arithmetic is float.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ops/op.h"

#define MAXD TRT_MAX_DIMS

enum {
    COORD_HALF_PIXEL,
    COORD_ASYMMETRIC,
    COORD_ALIGN_CORNERS,
    COORD_PYTORCH_HALF_PIXEL,
    COORD_TF_HALF_PIXEL_FOR_NN,
    COORD_HALF_PIXEL_SYMMETRIC
};
enum {
    NEAREST_ROUND_PREFER_FLOOR,
    NEAREST_ROUND_PREFER_CEIL,
    NEAREST_FLOOR,
    NEAREST_CEIL,
    NEAREST_OPSET10
};

typedef struct {
    int32_t linear;  /* 0 nearest, 1 linear */
    int32_t coord;   /* COORD_* */
    int32_t nearest; /* NEAREST_* */
    int32_t opset10; /* inputs are (X, scales) */
    int32_t n_axes;  /* entries of the axes attribute; 0: scales/sizes cover every axis */
    int32_t axes[MAXD];
} resize_params;
_Static_assert(sizeof(resize_params) <= TRT_MAX_PARAMS, "resize_params too large");

static int lookup(const char *s, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

static trt_status unsupported(const trt_node *node, const char *attr, const char *value,
                              const char *supported) {
    return trt__error(TRT_ERR_UNSUPPORTED,
                      "node '%s' (Resize): %s '%s' is not supported (supported: %s)", node->name,
                      attr, value, supported);
}

static trt_status resize_import(trt_node *node, const trt_attrs *a) {
    static const char *const coords[] = {"half_pixel",           "asymmetric",
                                         "align_corners",        "pytorch_half_pixel",
                                         "tf_half_pixel_for_nn", "half_pixel_symmetric"};
    static const char *const nearests[] = {"round_prefer_floor", "round_prefer_ceil", "floor",
                                           "ceil"};
    resize_params *p = TRT_PARAMS(node, resize_params);
    int opset = trt_attrs_opset(a);
    p->opset10 = opset < 11;
    TRT_TRY(trt_op_check_io(node, 2, p->opset10 ? 2 : 4, 1, 1));
    const char *mode = trt_attrs_string(a, "mode", "nearest");
    if (strcmp(mode, "nearest") == 0)
        p->linear = 0;
    else if (strcmp(mode, "linear") == 0)
        p->linear = 1;
    else
        return unsupported(node, "mode", mode, "nearest, linear");
    if (p->opset10) {
        p->coord = COORD_ASYMMETRIC;
        p->nearest = NEAREST_OPSET10;
        return TRT_OK;
    }
    const char *coord = trt_attrs_string(a, "coordinate_transformation_mode", "half_pixel");
    p->coord = lookup(coord, coords, 6);
    if (p->coord < 0)
        return unsupported(node, "coordinate_transformation_mode", coord,
                           "half_pixel, asymmetric, align_corners, pytorch_half_pixel, "
                           "tf_half_pixel_for_nn, half_pixel_symmetric");
    const char *nearest = trt_attrs_string(a, "nearest_mode", "round_prefer_floor");
    p->nearest = lookup(nearest, nearests, 4);
    if (p->nearest < 0)
        return unsupported(node, "nearest_mode", nearest,
                           "round_prefer_floor, round_prefer_ceil, floor, ceil");
    const char *policy = trt_attrs_string(a, "keep_aspect_ratio_policy", "stretch");
    if (strcmp(policy, "stretch") != 0)
        return unsupported(node, "keep_aspect_ratio_policy", policy, "stretch");
    if (trt_attrs_int(a, "antialias", 0) != 0) return unsupported(node, "antialias", "1", "0");
    int64_t axes[MAXD];
    int na = trt_attrs_ints(a, "axes", axes, MAXD);
    if (na > MAXD)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "node '%s' (Resize): %d axes; at most %d are supported", node->name, na,
                          MAXD);
    p->n_axes = na < 0 ? 0 : na;
    for (int i = 0; i < p->n_axes; i++) p->axes[i] = (int32_t)axes[i];
    return TRT_OK;
}

/* Output shape and per-axis scales at the current input shape. */
typedef struct {
    trt_dims out;
    float scale[MAXD];
} resize_plan;

static trt_status err_device_value(const trt_node *node, const char *what) {
    return trt__error(TRT_ERR_UNSUPPORTED,
                      "node '%s' (Resize): the %s is computed on the device; trtinfer needs it to "
                      "be known at build time (constant or derived from input shapes)",
                      node->name, what);
}

static const trt_tensor *given(const trt_node *node, const trt_tensor *ts, int i) {
    if (i >= node->n_inputs || node->inputs[i] < 0) return NULL;
    const trt_tensor *t = &ts[node->inputs[i]];
    return trt_dims_volume(&t->shape) > 0 ? t : NULL;
}

static trt_status plan(const trt_node *node, const trt_tensor *ts, resize_plan *pl) {
    const resize_params *p = TRT_CPARAMS(node, resize_params);
    const trt_tensor *x = &ts[node->inputs[0]];
    const trt_dims *in = &x->shape;
    int r = in->nb_dims;
    const trt_tensor *scales = given(node, ts, p->opset10 ? 1 : 2);
    const trt_tensor *sizes = p->opset10 ? NULL : given(node, ts, 3);
    const trt_tensor *v = sizes ? sizes : scales;
    char d[96];
    trt_dims_str(in, d, sizeof d);
    if (r == 0)
        return trt__error(TRT_ERR_SHAPE, "node '%s' (Resize): the input is a scalar", node->name);
    if (!v)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (Resize): neither scales nor sizes is given", node->name);
    if (!trt_tensor_host(v)) return err_device_value(node, sizes ? "sizes input" : "scales input");
    if (sizes ? v->dtype != TRT_DTYPE_INT64 : v->dtype != TRT_DTYPE_FLOAT32)
        return trt__error(TRT_ERR_INVALID_ARG, "node '%s' (Resize): %s is %s; expected %s",
                          node->name, sizes ? "sizes" : "scales", trt_dtype_name(v->dtype),
                          sizes ? "int64" : "float");
    int n = p->n_axes ? p->n_axes : r;
    if (trt_dims_volume(&v->shape) != n)
        return trt__error(
            TRT_ERR_SHAPE, "node '%s' (Resize): %s has %lld values for %d axes (input shape %s)",
            node->name, sizes ? "sizes" : "scales", (long long)trt_dims_volume(&v->shape), n, d);
    pl->out = *in;
    for (int k = 0; k < MAXD; k++) pl->scale[k] = 1.0f;
    for (int i = 0; i < n; i++) {
        int k = p->n_axes ? trt_axis_norm(p->axes[i], r) : i;
        if (k < 0)
            return trt__error(TRT_ERR_SHAPE,
                              "node '%s' (Resize): axis %d is out of range for shape %s",
                              node->name, p->axes[i], d);
        if (sizes) {
            int64_t o = trt_host_i64(v, i);
            if (o < 0)
                return trt__error(TRT_ERR_SHAPE, "node '%s' (Resize): a size is negative",
                                  node->name);
            pl->out.d[k] = o;
            pl->scale[k] = in->d[k] ? (float)o / (float)in->d[k] : 1.0f;
        } else {
            float s = (float)trt_host_f64(v, i);
            if (!(s > 0.0f))
                return trt__error(TRT_ERR_SHAPE, "node '%s' (Resize): scale %g is not positive",
                                  node->name, s);
            pl->out.d[k] = (int64_t)(s * (float)in->d[k]);
            pl->scale[k] = s;
        }
    }
    if (p->linear) {
        if (x->dtype != TRT_DTYPE_FLOAT32)
            return trt__error(
                TRT_ERR_UNSUPPORTED,
                "node '%s' (Resize): linear mode on %s data; only float32 is supported", node->name,
                trt_dtype_name(x->dtype));
        for (int k = 0; k < r - 2; k++)
            if (pl->out.d[k] != in->d[k] || (in->d[k] > 1 && pl->scale[k] != 1.0f))
                return trt__error(
                    TRT_ERR_UNSUPPORTED,
                    "node '%s' (Resize): linear mode resizes axis %d of shape %s; only the "
                    "last two axes can be interpolated",
                    node->name, k, d);
    }
    return TRT_OK;
}

/* ---------------------------------------------------------------- host evaluation
 * The same float arithmetic as kernels/resize.cl. */

static float src_coord(int coord, float x, float scale, float out_len, float in_len) {
    switch (coord) {
    case COORD_HALF_PIXEL: return (x + 0.5f) / scale - 0.5f;
    case COORD_ASYMMETRIC: return x / scale;
    case COORD_ALIGN_CORNERS:
        return out_len == 1.0f ? 0.0f : x * (in_len - 1.0f) / (out_len - 1.0f);
    case COORD_PYTORCH_HALF_PIXEL: return out_len > 1.0f ? (x + 0.5f) / scale - 0.5f : 0.0f;
    case COORD_TF_HALF_PIXEL_FOR_NN: return (x + 0.5f) / scale;
    default: {
        float adjustment = out_len / (scale * in_len);
        float offset = in_len / 2.0f * (1.0f - adjustment);
        return (float)((double)offset + ((double)x + 0.5) / (double)scale - 0.5);
    }
    }
}

static int64_t nearest_index(int mode, float x, float scale, int64_t in_len) {
    int64_t i;
    switch (mode) {
    case NEAREST_ROUND_PREFER_FLOOR:
        i = x == (float)(int64_t)x + 0.5f ? (int64_t)floorf(x) : (int64_t)roundf(x);
        break;
    case NEAREST_ROUND_PREFER_CEIL: i = (int64_t)roundf(x); break;
    case NEAREST_FLOOR: i = (int64_t)floorf(x); break;
    case NEAREST_CEIL: i = (int64_t)ceilf(x); break;
    default: i = scale < 1.0f ? (int64_t)ceilf(x) : (int64_t)x; break;
    }
    return i < 0 ? 0 : i >= in_len ? in_len - 1 : i;
}

static void linear_taps(int coord, int64_t c, float scale, int64_t out_len, int64_t in_len,
                        int64_t *i1, int64_t *i2, float *w1, float *w2) {
    float x =
        scale == 1.0f ? (float)c : src_coord(coord, (float)c, scale, (float)out_len, (float)in_len);
    x = fmaxf(0.0f, fminf(x, (float)(in_len - 1)));
    int64_t a = (int64_t)x < in_len - 1 ? (int64_t)x : in_len - 1;
    int64_t b = a + 1 < in_len - 1 ? a + 1 : in_len - 1;
    float d1 = fabsf(x - (float)a), d2 = fabsf(x - (float)b);
    if (a == b) d1 = d2 = 0.5f;
    *i1 = a;
    *i2 = b;
    *w1 = d2;
    *w2 = d1;
}

/* [B, H, W] view of a shape for linear mode. */
static void bhw(const trt_dims *s, int64_t v[3]) {
    int r = s->nb_dims;
    v[0] = 1;
    for (int k = 0; k < r - 2; k++) v[0] *= s->d[k];
    v[1] = r >= 2 ? s->d[r - 2] : 1;
    v[2] = r >= 1 ? s->d[r - 1] : 1;
}

static void host_linear(const resize_params *p, const resize_plan *pl, const trt_dims *in,
                        const float *src, float *dst) {
    int64_t iv[3], ov[3];
    bhw(in, iv);
    bhw(&pl->out, ov);
    int r = in->nb_dims;
    float sh = r >= 2 ? pl->scale[r - 2] : 1.0f, sw = pl->scale[r - 1];
    for (int64_t b = 0; b < ov[0]; b++)
        for (int64_t y = 0; y < ov[1]; y++)
            for (int64_t x = 0; x < ov[2]; x++) {
                int64_t y1, y2, x1, x2;
                float wy1, wy2, wx1, wx2;
                linear_taps(p->coord, y, sh, ov[1], iv[1], &y1, &y2, &wy1, &wy2);
                linear_taps(p->coord, x, sw, ov[2], iv[2], &x1, &x2, &wx1, &wx2);
                const float *q = src + b * iv[1] * iv[2];
                int64_t iw = iv[2];
                *dst++ = wx1 * wy1 * q[y1 * iw + x1] + wx2 * wy1 * q[y1 * iw + x2] +
                         wx1 * wy2 * q[y2 * iw + x1] + wx2 * wy2 * q[y2 * iw + x2];
            }
}

static void host_nearest(const resize_params *p, const resize_plan *pl, const trt_dims *in,
                         const char *src, char *dst, size_t es) {
    int r = in->nb_dims;
    int64_t n = trt_dims_volume(&pl->out);
    for (int64_t i = 0; i < n; i++) {
        int64_t rem = i, so = 0, stride = 1;
        for (int k = r - 1; k >= 0; k--) {
            int64_t c = rem % pl->out.d[k];
            rem /= pl->out.d[k];
            float s = pl->scale[k];
            int64_t x = s == 1.0f ? c
                                  : nearest_index(p->nearest,
                                                  src_coord(p->coord, (float)c, s,
                                                            (float)pl->out.d[k], (float)in->d[k]),
                                                  s, in->d[k]);
            so += x * stride;
            stride *= in->d[k];
        }
        memcpy(dst + i * (int64_t)es, src + so * (int64_t)es, es);
    }
}

static trt_status resize_infer(const trt_node *node, trt_tensor *ts) {
    const resize_params *p = TRT_CPARAMS(node, resize_params);
    resize_plan pl;
    TRT_TRY(plan(node, ts, &pl));
    const trt_tensor *x = &ts[node->inputs[0]];
    trt_tensor *out = &ts[node->outputs[0]];
    out->dtype = out->storage = x->dtype;
    out->shape = pl.out;
    for (int k = 0; k < x->shape.nb_dims; k++)
        if (x->shape.d[k] == 0 && pl.out.d[k] > 0)
            return trt__error(TRT_ERR_SHAPE,
                              "node '%s' (Resize): cannot resize an empty axis to %lld", node->name,
                              (long long)pl.out.d[k]);
    const void *src = trt_tensor_host(x);
    if (!src || x->dtype == TRT_DTYPE_FLOAT16 || !trt_host_begin(out)) return TRT_OK;
    if (p->linear)
        host_linear(p, &pl, &x->shape, src, (float *)(void *)out->hostbuf);
    else
        host_nearest(p, &pl, &x->shape, src, (char *)out->hostbuf, trt_dtype_size(x->dtype));
    return TRT_OK;
}

/* ---------------------------------------------------------------- device */

static trt_status resize_prepare(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const resize_params *p = TRT_CPARAMS(node, resize_params);
    size_t es = trt_dtype_size(trt_exec_tensors(ex)[node->inputs[0]].dtype);
    /* Nearest must pick onnxruntime's pixels: divisions correctly rounded where offered. */
    cl_device_fp_config fp = 0;
    clGetDeviceInfo(trt_exec_cl_device(ex), CL_DEVICE_SINGLE_FP_CONFIG, sizeof fp, &fp, NULL);
    char opts[160];
    snprintf(opts, sizeof opts, "-DT=%s -DCOORD=%d -DNEAREST=%d%s",
             es == 1   ? "uchar"
             : es == 2 ? "ushort"
             : es == 8 ? "ulong"
                       : "uint",
             (int)p->coord, (int)p->nearest,
             (fp & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) ? " -cl-fp32-correctly-rounded-divide-sqrt"
                                                        : "");
    return trt_exec_kernel(ex, "resize.cl", opts, p->linear ? "resize_linear" : "resize_nearest",
                           &rt->kernels[0]);
}

static trt_status resize_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const resize_params *p = TRT_CPARAMS(node, resize_params);
    const trt_tensor *ts = trt_exec_tensors(ex);
    resize_plan pl;
    TRT_TRY(plan(node, ts, &pl));
    const trt_dims *in = &ts[node->inputs[0]].shape;
    int r = in->nb_dims;
    cl_mem src = trt_exec_mem(ex, node->inputs[0]), dst = trt_exec_mem(ex, node->outputs[0]);
    cl_long n = trt_dims_volume(&pl.out);
    size_t gws = (size_t)n, lws = 64;
    if (p->linear) {
        int64_t iv[3], ov[3];
        bhw(in, iv);
        bhw(&pl.out, ov);
        cl_int ih = (cl_int)iv[1], iw = (cl_int)iv[2], oh = (cl_int)ov[1], ow = (cl_int)ov[2];
        cl_float sh = r >= 2 ? pl.scale[r - 2] : 1.0f, sw = pl.scale[r - 1];
        trt_karg args[] = {TRT_KARG(src), TRT_KARG(dst), TRT_KARG(n),  TRT_KARG(ih), TRT_KARG(iw),
                           TRT_KARG(oh),  TRT_KARG(ow),  TRT_KARG(sh), TRT_KARG(sw)};
        return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, 9, args);
    }
    cl_int8 od, id;
    cl_float8 sc;
    for (int i = 0; i < 8; i++) {
        int k = i - (8 - r);
        od.s[i] = k >= 0 ? (cl_int)pl.out.d[k] : 1;
        id.s[i] = k >= 0 ? (cl_int)in->d[k] : 1;
        sc.s[i] = k >= 0 ? pl.scale[k] : 1.0f;
    }
    trt_karg args[] = {TRT_KARG(src), TRT_KARG(dst), TRT_KARG(n),
                       TRT_KARG(od),  TRT_KARG(id),  TRT_KARG(sc)};
    return trt_exec_launch(ex, rt->kernels[0], 1, &gws, &lws, 6, args);
}

const trt_op_impl trt_op_impl_RESIZE = {"Resize", resize_import, resize_infer, resize_prepare,
                                        resize_launch};
