/* norm.c — BatchNormalization (inference mode) on the kernels of kernels/norm.cl.
 *
 * Training mode (training_mode = 1, or the running-statistics outputs of older opsets) and
 * the pre-opset-9 per-element statistics (spatial = 0) are refused as unsupported.
 */
#include <stdio.h>

#include "ops/norm.h"
#include "ops/op.h"


static trt_status bn_import(trt_node *node, const trt_attrs *attrs) {
    TRT_TRY(trt_op_check_io(node, 5, 5, 1, 5));
    if (trt_attrs_int(attrs, "training_mode", 0) != 0)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "node '%s' (BatchNormalization): training_mode = 1 is not supported; "
                          "export the model for inference (training_mode = 0)",
                          node->name);
    for (int o = 1; o < node->n_outputs; o++)
        if (node->outputs[o] >= 0)
            return trt__error(TRT_ERR_UNSUPPORTED,
                              "node '%s' (BatchNormalization): output %d (running or saved "
                              "statistics) exists only in training; export the model for "
                              "inference",
                              node->name, o);
    if (trt_attrs_int(attrs, "spatial", 1) == 0)
        return trt__error(TRT_ERR_UNSUPPORTED,
                          "node '%s' (BatchNormalization): spatial = 0 (statistics per element "
                          "instead of per channel) is not supported",
                          node->name);
    TRT_PARAMS(node, trt_norm_params)->epsilon = trt_attrs_float(attrs, "epsilon", 1e-5f);
    return TRT_OK;
}

static trt_status bn_infer(const trt_node *node, trt_tensor *t) {
    static const char *const what[5] = {"X", "scale", "B", "input_mean", "input_var"};
    const trt_tensor *x = &t[node->inputs[0]];
    char s[128];
    for (int i = 0; i < 5; i++) {
        if (node->inputs[i] < 0)
            return trt__error(TRT_ERR_PARSE, "node '%s' (BatchNormalization): input %s is missing",
                              node->name, what[i]);
        const trt_tensor *in = &t[node->inputs[i]];
        if (in->dtype != TRT_DTYPE_FLOAT32)
            return trt__error(TRT_ERR_UNSUPPORTED,
                              "node '%s' (BatchNormalization): input %s ('%s') is %s; only "
                              "float32 is supported",
                              node->name, what[i], in->name, trt_dtype_name(in->dtype));
    }
    if (x->shape.nb_dims < 2)
        return trt__error(TRT_ERR_SHAPE,
                          "node '%s' (BatchNormalization): X is %s; expected (N, C, ...)",
                          node->name, trt_dims_str(&x->shape, s, sizeof s));
    for (int i = 1; i < 5; i++) {
        const trt_dims *d = &t[node->inputs[i]].shape;
        if (d->nb_dims != 1 || d->d[0] != x->shape.d[1])
            return trt__error(TRT_ERR_SHAPE,
                              "node '%s' (BatchNormalization): %s is %s; expected %lld values, "
                              "one per channel of X",
                              node->name, what[i], trt_dims_str(d, s, sizeof s),
                              (long long)x->shape.d[1]);
    }
    trt_tensor *y = &t[node->outputs[0]];
    y->dtype = x->dtype;
    y->shape = x->shape;
    return TRT_OK;
}

static trt_status bn_prepare(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    if (node->tactic != 0)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "node '%s' (BatchNormalization): unknown tactic %d; rebuild the engine",
                          node->name, node->tactic);
    char opts[64];
    snprintf(opts, sizeof opts, "-DT=%s",
             trt_dtype_cl_name(trt_exec_tensors(ex)[node->outputs[0]].dtype));
    return trt_exec_kernel(ex, "norm.cl", opts, "batchnorm", &rt->kernels[0]);
}

static trt_status bn_launch(trt_exec *ex, const trt_node *node, trt_node_rt *rt) {
    const trt_dims *xs = &trt_exec_tensors(ex)[node->inputs[0]].shape;
    int64_t s = 1;
    for (int i = 2; i < xs->nb_dims; i++) s *= xs->d[i];
    cl_mem m[6];
    for (int i = 0; i < 5; i++) m[i] = trt_exec_mem(ex, node->inputs[i]);
    m[5] = trt_exec_mem(ex, node->outputs[0]);
    cl_int C = (cl_int)xs->d[1], S = (cl_int)s, rows = (cl_int)(xs->d[0] * xs->d[1]);
    cl_float eps = TRT_CPARAMS(node, trt_norm_params)->epsilon;
    const trt_karg args[] = {TRT_KARG(m[0]), TRT_KARG(m[1]), TRT_KARG(m[2]), TRT_KARG(m[3]),
                             TRT_KARG(m[4]), TRT_KARG(m[5]), TRT_KARG(C),    TRT_KARG(S),
                             TRT_KARG(rows), TRT_KARG(eps)};
    /* A fixed work-group: PoCL compiles a kernel once per work-group size. */
    size_t gws[2] = {(size_t)S, (size_t)rows}, lws[2] = {64, 1};
    return trt_exec_launch(ex, rt->kernels[0], 2, gws, lws, 10, args);
}

const trt_op_impl trt_op_impl_BATCH_NORM = {"BatchNormalization", bn_import, bn_infer,
                                            bn_prepare, bn_launch};
