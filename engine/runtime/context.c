/* context.c — execution contexts: memory binding, shape updates, enqueue, copies, timing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

/* ---------------------------------------------------------------- the op-facing exec API */

trt_status trt_exec_kernel(trt_exec *ex, const char *file, const char *options,
                           const char *kernel_name, cl_kernel *out) {
    cl_program p;
    TRT_TRY(trt__device_program(ex->eng->dev, file, options, &p));
    cl_int err;
    *out = clCreateKernel(p, kernel_name, &err);
    if (err != CL_SUCCESS)
        return trt__error(TRT_ERR_KERNEL_BUILD, "kernel '%s' not found in kernels/%s (%s)",
                          kernel_name, file, trt__cl_error_str(err));
    return TRT_OK;
}

cl_mem trt_exec_mem(trt_exec *ex, int t) {
    if (t < 0 || t >= ex->g->n_tensors) return NULL;
    return ex->user[t] ? ex->user[t] : ex->mem[t];
}
trt_tensor *trt_exec_tensors(trt_exec *ex) { return ex->g->tensors; }
cl_command_queue trt_exec_queue(trt_exec *ex) { return ex->queue; }
cl_context trt_exec_cl_context(trt_exec *ex) { return ex->eng->dev->cl_ctx; }
cl_device_id trt_exec_cl_device(trt_exec *ex) { return ex->eng->dev->id; }
const trt_device_caps *trt_exec_caps(trt_exec *ex) { return &ex->eng->dev->caps; }

unsigned trt_exec_compute_units(trt_exec *ex) { return ex->eng->dev->info.compute_units; }

const char *trt_exec_half_math_opts(trt_exec *ex, const trt_tensor *t) {
    if (!trt_tensor_is_half(t)) return "";
    const char *env = getenv("TRT_HALF_MATH");
    if (env && strcmp(env, "0") == 0) return "";
    if (env && strcmp(env, "emulate") == 0) return " -DHALF_MATH -DHALF_MATH_EMULATE";
    return ex->eng->dev->caps.fp16 ? " -DHALF_MATH" : "";
}

static void keep_event(cl_event *slot, cl_event ev) {
    if (*slot) clReleaseEvent(*slot);
    *slot = ev;
}

/* ---------------------------------------------------------------- per-layer profile state */

/* Enqueues kept for the median (ring); the average covers every enqueue. */
#define TRT_PROFILE_WINDOW 1024

static double span_ms(cl_event a, cl_event b) {
    if (!a || !b) return 0.0;
    cl_ulong t0 = 0, t1 = 0;
    if (clGetEventProfilingInfo(a, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL) !=
            CL_SUCCESS ||
        clGetEventProfilingInfo(b, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL) != CL_SUCCESS)
        return 0.0;
    return t1 > t0 ? (double)(t1 - t0) * 1e-6 : 0.0;
}

static void drop_layer_events(trt_layer_stats *cp) {
    for (int l = 0; cp->ev && l < cp->n_layers; l++) {
        keep_event(&cp->ev[l].first, NULL);
        keep_event(&cp->ev[l].last, NULL);
    }
}

static void reset_layers(trt_layer_stats *cp) {
    cp->runs = 0;
    for (int l = 0; l < cp->n_layers; l++) cp->sum_ms[l] = 0.0;
}

/* Adds the pending enqueue's layer times to the profile (waiting for it to finish) and
 * frees its events. */
static trt_status read_layer_events(trt_exec *ex) {
    trt_layer_stats *cp = &ex->prof;
    if (!cp->pending) return TRT_OK;
    cp->pending = 0;
    cl_int err = clFinish(ex->queue);
    float *row = cp->window + (size_t)(cp->runs % TRT_PROFILE_WINDOW) * (size_t)cp->n_layers;
    for (int l = 0; l < cp->n_layers; l++) {
        double ms = span_ms(cp->ev[l].first, cp->ev[l].last);
        cp->sum_ms[l] += ms;
        row[l] = (float)ms;
        keep_event(&cp->ev[l].first, NULL);
        keep_event(&cp->ev[l].last, NULL);
    }
    cp->runs++;
    if (err != CL_SUCCESS) return trt__cl_error(err, "waiting for the profiled enqueue");
    return TRT_OK;
}

/* Whether the next command needs an event: every command while layers are profiled; else
 * only an enqueue's first (its end is a marker: trt__exec_close_span), as CUDA events around
 * a whole forward are for PyTorch and trtexec; an event per command may put the driver's
 * timestamp work between every two kernels into the span (not measured apart on its own). */
static int wants_event(const trt_exec *ex) {
    return ex->profiling && (!ex->launched_in_enqueue || ex->prof.cur >= 0);
}

/* Tracks the first and last command of an enqueue, and of each layer, for profiling: each
 * slot keeps its own reference to ev (the caller keeps its own). */
static void track_compute(trt_exec *ex, cl_event ev) {
    if (!ex->launched_in_enqueue) {
        clRetainEvent(ev);
        keep_event(&ex->ev_first, ev);
        ex->launched_in_enqueue = 1;
    }
    clRetainEvent(ev);
    keep_event(&ex->ev_last, ev);
    trt_layer_stats *cp = &ex->prof;
    if (cp->cur < 0) return;
    trt_layer_events *le = &cp->ev[cp->cur];
    if (!le->first) {
        clRetainEvent(ev);
        le->first = ev;
    }
    clRetainEvent(ev);
    keep_event(&le->last, ev);
}

trt_status trt_exec_launch(trt_exec *ex, cl_kernel k, int work_dim, const size_t *gws,
                           const size_t *lws, int n, const trt_karg *args) {
    size_t g[3];
    for (int i = 0; i < work_dim; i++) {
        if (gws[i] == 0) return TRT_OK;
        g[i] = gws[i];
        if (lws && lws[i]) g[i] = (gws[i] + lws[i] - 1) / lws[i] * lws[i];
    }
    for (int i = 0; i < n; i++) {
        cl_int err = clSetKernelArg(k, (cl_uint)i, args[i].size, args[i].ptr);
        if (err != CL_SUCCESS) {
            char what[64];
            snprintf(what, sizeof what, "setting kernel argument %d", i);
            return trt__cl_error(err, what);
        }
    }
    cl_event ev = NULL;
    cl_int err = clEnqueueNDRangeKernel(ex->queue, k, (cl_uint)work_dim, NULL, g, lws, 0, NULL,
                                        wants_event(ex) ? &ev : NULL);
    if (err != CL_SUCCESS) return trt__cl_error(err, "launching a kernel");
    if (ev) {
        track_compute(ex, ev);
        clReleaseEvent(ev);
    }
    return TRT_OK;
}

trt_status trt_exec_copy(trt_exec *ex, int dst, size_t dst_off, int src, size_t src_off,
                         size_t bytes) {
    if (!bytes) return TRT_OK;
    cl_event ev = NULL;
    cl_int err = clEnqueueCopyBuffer(ex->queue, trt_exec_mem(ex, src), trt_exec_mem(ex, dst),
                                     src_off, dst_off, bytes, 0, NULL,
                                     wants_event(ex) ? &ev : NULL);
    if (err != CL_SUCCESS) return trt__cl_error(err, "copying between device buffers");
    if (ev) {
        track_compute(ex, ev);
        clReleaseEvent(ev);
    }
    return TRT_OK;
}

trt_status trt__exec_close_span(trt_exec *ex) {
    if (!ex->profiling || !ex->launched_in_enqueue) return TRT_OK;
    cl_event ev = NULL;
    cl_int err = clEnqueueMarkerWithWaitList(ex->queue, 0, NULL, &ev);
    if (err != CL_SUCCESS) return trt__cl_error(err, "marking the end of the enqueue");
    keep_event(&ex->ev_last, ev);
    return TRT_OK;
}

/* ---------------------------------------------------------------- creation */

static trt_status sub_buffer(cl_mem parent, uint64_t off, uint64_t size, cl_mem *out) {
    cl_buffer_region r = {(size_t)off, (size_t)(size ? size : 4)};
    cl_int err;
    *out = clCreateSubBuffer(parent, 0, CL_BUFFER_CREATE_TYPE_REGION, &r, &err);
    if (err != CL_SUCCESS) return trt__cl_error(err, "creating a sub-buffer");
    return TRT_OK;
}

static int tensor_index(const trt_context *ctx, const char *name, int io_only) {
    if (!name) return -1;
    const trt_engine *e = ctx->ex.eng;
    if (io_only) {
        int i = trt_engine_find_io(e, name);
        return i < 0 ? -1 : e->io[i];
    }
    return trt_graph_find_tensor(ctx->ex.g, name);
}

trt_status trt_context_new(trt_engine *e, trt_context **out) {
    if (!e || !out) return trt__error(TRT_ERR_INVALID_ARG, "trt_context_new: NULL argument");
    *out = NULL;
    trt_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory creating a context");
    trt_exec *ex = &ctx->ex;
    ex->prof.cur = -1;
    trt_status s = TRT_OK;
    trt_device *dev = e->dev;
    ex->eng = e;
    ex->g = trt_graph_clone(e->graph);
    int nt = e->graph->n_tensors, nn = e->graph->n_nodes;
    ex->mem = calloc((size_t)nt + 1, sizeof(cl_mem));
    ex->own = calloc((size_t)nt + 1, sizeof(cl_mem));
    ex->user = calloc((size_t)nt + 1, sizeof(cl_mem));
    ex->upload = calloc((size_t)nt + 1, 1);
    ex->rt = calloc((size_t)nn + 1, sizeof(trt_node_rt));
    if (!ex->g || !ex->mem || !ex->own || !ex->user || !ex->upload || !ex->rt) {
        s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory creating a context");
        goto fail;
    }
    cl_int err;
    ex->queue = clCreateCommandQueue(dev->cl_ctx, dev->id, CL_QUEUE_PROFILING_ENABLE, &err);
    if (err != CL_SUCCESS) {
        s = trt__cl_error(err, "creating the context's queue");
        goto fail;
    }
    if (e->meta.activation_bytes) {
        ex->arena = clCreateBuffer(dev->cl_ctx, CL_MEM_READ_WRITE, e->meta.activation_bytes, NULL,
                                   &err);
        if (err != CL_SUCCESS) {
            s = trt__cl_error(err, "allocating activation memory");
            goto fail;
        }
    }
    for (int t = 0; t < nt; t++) {
        const trt_tensor *tt = &ex->g->tensors[t];
        if (tt->flags & TRT_TENSOR_CONST) {
            if (e->const_offset[t] != UINT64_MAX && !(tt->flags & TRT_TENSOR_OUTPUT)) {
                s = sub_buffer(e->weights, e->const_offset[t], tt->data_size, &ex->own[t]);
                if (s != TRT_OK) goto fail;
                ex->mem[t] = ex->own[t];
            }
            if (!(tt->flags & TRT_TENSOR_OUTPUT)) continue;
        }
        if (tt->flags & (TRT_TENSOR_INPUT | TRT_TENSOR_OUTPUT)) {
            ex->own[t] = clCreateBuffer(dev->cl_ctx, CL_MEM_READ_WRITE,
                                        tt->capacity ? tt->capacity : 4, NULL, &err);
            if (err != CL_SUCCESS) {
                s = trt__cl_error(err, "allocating an input/output buffer");
                goto fail;
            }
            ex->mem[t] = ex->own[t];
        } else if (tt->capacity) {
            /* Tensors of one memory-plan slot share its sub-buffer. */
            for (int u = 0; u < t && !ex->mem[t]; u++) {
                const trt_tensor *tu = &ex->g->tensors[u];
                if (ex->own[u] && !(tu->flags & (TRT_TENSOR_CONST | TRT_TENSOR_INPUT | TRT_TENSOR_OUTPUT)) &&
                    tu->offset == tt->offset && tu->capacity == tt->capacity)
                    ex->mem[t] = ex->own[u];
            }
            if (ex->mem[t]) continue;
            s = sub_buffer(ex->arena, tt->offset, tt->capacity, &ex->own[t]);
            if (s != TRT_OK) goto fail;
            ex->mem[t] = ex->own[t];
        }
    }
    for (int n = 0; n < nn; n++) {
        const trt_node *node = &ex->g->nodes[n];
        const trt_op_impl *impl = trt_op_get(node->op);
        if (node->is_host || !impl->prepare) continue;
        s = impl->prepare(ex, node, &ex->rt[n]);
        if (s != TRT_OK) {
            trt__error_prefix(s, "preparing node '%s' (%s)", node->name, trt_op_name(node->op));
            goto fail;
        }
    }
    ex->shapes_dirty = 1;
    *out = ctx;
    return TRT_OK;
fail:
    trt_context_free(ctx);
    return s;
}

void trt_context_free(trt_context *ctx) {
    if (!ctx) return;
    trt_exec *ex = &ctx->ex;
    if (ex->queue) clFinish(ex->queue);
    if (ex->rt && ex->g) {
        for (int n = 0; n < ex->g->n_nodes; n++) {
            for (int k = 0; k < TRT_MAX_NODE_KERNELS; k++)
                if (ex->rt[n].kernels[k]) clReleaseKernel(ex->rt[n].kernels[k]);
            if (ex->rt[n].scratch) clReleaseMemObject(ex->rt[n].scratch);
            free(ex->rt[n].extra);
        }
    }
    if (ex->own && ex->g)
        /* Newest sub-buffer first: NVIDIA's driver crashes releasing a used sub-buffer
         * before a newer one that overlaps it. */
        for (int t = ex->g->n_tensors - 1; t >= 0; t--)
            if (ex->own[t]) clReleaseMemObject(ex->own[t]);
    cl_event *evs[] = {&ex->ev_first, &ex->ev_last, &ex->ev_h2d_first,
                       &ex->ev_h2d_last, &ex->ev_d2h_first, &ex->ev_d2h_last};
    for (size_t i = 0; i < sizeof evs / sizeof *evs; i++)
        if (*evs[i]) clReleaseEvent(*evs[i]);
    trt_layer_stats *cp = &ex->prof;
    drop_layer_events(cp);
    free(cp->node_layer);
    free(cp->ev);
    free(cp->sum_ms);
    free(cp->window);
    free(cp->scratch);
    if (ex->arena) clReleaseMemObject(ex->arena);
    if (ex->queue) clReleaseCommandQueue(ex->queue);
    free(ex->rt);
    free(ex->mem);
    free(ex->own);
    free(ex->user);
    free(ex->upload);
    trt_graph_free(ex->g);
    free(ctx);
}

/* ---------------------------------------------------------------- shapes */

trt_status trt_context_set_input_shape(trt_context *ctx, const char *name, const trt_dims *dims) {
    if (!ctx || !dims) return trt__error(TRT_ERR_INVALID_ARG, "trt_context_set_input_shape: NULL argument");
    int t = tensor_index(ctx, name, 1);
    if (t < 0 || !(ctx->ex.g->tensors[t].flags & TRT_TENSOR_INPUT))
        return trt__error(TRT_ERR_NOT_FOUND, "the engine has no input called '%s'", name ? name : "(null)");
    const trt_profile_entry *p = trt__engine_profile(ctx->ex.eng, t);
    int ok = p && dims->nb_dims == p->min.nb_dims;
    for (int i = 0; ok && i < dims->nb_dims; i++)
        if (dims->d[i] < p->min.d[i] || dims->d[i] > p->max.d[i]) ok = 0;
    if (!ok) {
        char a[128], lo[128], hi[128];
        trt_dims_str(dims, a, sizeof a);
        if (!p) return trt__error(TRT_ERR_SHAPE, "input '%s' has no profile", name);
        return trt__error(TRT_ERR_SHAPE,
                          "input '%s': shape %s is outside the engine's optimization profile "
                          "(min %s, max %s); rebuild the engine with --minShapes/--maxShapes "
                          "that cover it",
                          name, a, trt_dims_str(&p->min, lo, sizeof lo),
                          trt_dims_str(&p->max, hi, sizeof hi));
    }
    if (!trt_dims_equal(&ctx->ex.g->tensors[t].shape, dims)) {
        ctx->ex.g->tensors[t].shape = *dims;
        ctx->ex.shapes_dirty = 1;
    }
    return TRT_OK;
}

trt_status trt__context_update_shapes(trt_context *ctx) {
    trt_exec *ex = &ctx->ex;
    if (!ex->shapes_dirty) return TRT_OK;
    /* Host values may still be read by queued uploads: let them finish first. */
    clFinish(ex->queue);
    trt_graph *g = ex->g;
    TRT_TRY(trt_graph_infer(g, 0));
    for (int t = 0; t < g->n_tensors; t++) {
        trt_tensor *tt = &g->tensors[t];
        ex->upload[t] = 0;
        if (tt->flags & TRT_TENSOR_CONST) continue;
        if (!ex->mem[t]) continue;
        uint64_t need = trt_tensor_bytes(tt);
        if (need > tt->capacity && !(tt->flags & TRT_TENSOR_INPUT && !tt->capacity)) {
            char d[128];
            return trt__error(TRT_ERR_SHAPE,
                              "tensor '%s' needs %llu bytes at shape %s but the engine planned "
                              "%llu; rebuild the engine with a profile that covers these shapes",
                              tt->name, (unsigned long long)need, trt_dims_str(&tt->shape, d, sizeof d),
                              (unsigned long long)tt->capacity);
        }
        if (tt->has_host && tt->producer >= 0 && g->nodes[tt->producer].is_host) ex->upload[t] = 1;
    }
    ex->shapes_dirty = 0;
    return TRT_OK;
}

trt_status trt_context_get_tensor_shape(trt_context *ctx, const char *name, trt_dims *out) {
    if (!ctx || !out) return trt__error(TRT_ERR_INVALID_ARG, "trt_context_get_tensor_shape: NULL argument");
    int t = tensor_index(ctx, name, 0);
    if (t < 0) return trt__error(TRT_ERR_NOT_FOUND, "no tensor called '%s'", name ? name : "(null)");
    TRT_TRY(trt__context_update_shapes(ctx));
    *out = ctx->ex.g->tensors[t].shape;
    return TRT_OK;
}

/* ---------------------------------------------------------------- copies and enqueue */

static trt_status io_copy(trt_context *ctx, const char *name, void *host, size_t bytes,
                          int to_device) {
    if (!ctx || !host) return trt__error(TRT_ERR_INVALID_ARG, "NULL argument");
    trt_exec *ex = &ctx->ex;
    int t = tensor_index(ctx, name, 1);
    uint32_t want = to_device ? TRT_TENSOR_INPUT : TRT_TENSOR_OUTPUT;
    if (t < 0 || !(ex->g->tensors[t].flags & want))
        return trt__error(TRT_ERR_NOT_FOUND, "the engine has no %s called '%s'",
                          to_device ? "input" : "output", name ? name : "(null)");
    TRT_TRY(trt__context_update_shapes(ctx));
    const trt_tensor *tt = &ex->g->tensors[t];
    uint64_t need = trt_tensor_bytes(tt);
    if (bytes != need) {
        char d[128];
        return trt__error(TRT_ERR_SHAPE, "'%s' has shape %s (%s): %llu bytes, but %zu were given",
                          name, trt_dims_str(&tt->shape, d, sizeof d), trt_dtype_name(tt->dtype),
                          (unsigned long long)need, bytes);
    }
    if (!bytes) return TRT_OK;
    cl_event ev = NULL;
    cl_int err;
    if (to_device)
        err = clEnqueueWriteBuffer(ex->queue, trt_exec_mem(ex, t), CL_FALSE, 0, bytes, host, 0,
                                   NULL, ex->profiling ? &ev : NULL);
    else
        err = clEnqueueReadBuffer(ex->queue, trt_exec_mem(ex, t), CL_FALSE, 0, bytes, host, 0,
                                  NULL, ex->profiling ? &ev : NULL);
    if (err != CL_SUCCESS)
        return trt__cl_error(err, to_device ? "copying an input to the device"
                                            : "copying an output from the device");
    if (ev) {
        cl_event *first = to_device ? &ex->ev_h2d_first : &ex->ev_d2h_first;
        cl_event *last = to_device ? &ex->ev_h2d_last : &ex->ev_d2h_last;
        if (!*first) {
            *first = ev;
            clRetainEvent(ev);
        }
        keep_event(last, ev);
    }
    return TRT_OK;
}

trt_status trt_context_write_input(trt_context *ctx, const char *name, const void *src,
                                   size_t bytes) {
    return io_copy(ctx, name, (void *)src, bytes, 1);
}

trt_status trt_context_read_output(trt_context *ctx, const char *name, void *dst, size_t bytes) {
    return io_copy(ctx, name, dst, bytes, 0);
}

trt_status trt_context_enqueue(trt_context *ctx) {
    if (!ctx) return trt__error(TRT_ERR_INVALID_ARG, "trt_context_enqueue: NULL context");
    trt_exec *ex = &ctx->ex;
    TRT_TRY(trt__context_update_shapes(ctx));
    trt_layer_stats *cp = &ex->prof;
    TRT_TRY(read_layer_events(&ctx->ex));
    trt_graph *g = ex->g;
    /* A new enqueue starts new D2H/compute spans. */
    cl_event *reset[] = {&ex->ev_d2h_first, &ex->ev_d2h_last};
    for (int i = 0; i < 2; i++) keep_event(reset[i], NULL);
    ex->launched_in_enqueue = 0;
    for (int t = 0; t < g->n_tensors; t++) {
        const trt_tensor *tt = &g->tensors[t];
        int from_const = (tt->flags & TRT_TENSOR_CONST) && (tt->flags & TRT_TENSOR_OUTPUT);
        if (!ex->upload[t] && !from_const) continue;
        size_t bytes = (size_t)trt_tensor_bytes(tt);
        if (!bytes) continue;
        cl_mem m = (tt->flags & TRT_TENSOR_OUTPUT) ? trt_exec_mem(ex, t) : ex->mem[t];
        cl_int err = clEnqueueWriteBuffer(ex->queue, m, CL_FALSE, 0, bytes, trt_tensor_host(tt),
                                          0, NULL, NULL);
        if (err != CL_SUCCESS) return trt__cl_error(err, "uploading a shape-derived tensor");
    }
    for (int n = 0; n < g->n_nodes; n++) {
        const trt_node *node = &g->nodes[n];
        const trt_op_impl *impl = trt_op_get(node->op);
        if (node->is_host || !impl->launch) continue;
        cp->cur = ex->profiling >= TRT_PROFILING_LAYERS ? cp->node_layer[n] : -1;
        trt_status s = impl->launch(ex, node, &ex->rt[n]);
        cp->cur = -1;
        if (s != TRT_OK) {
            drop_layer_events(cp);
            return trt__error_prefix(s, "running node '%s' (%s)", node->name,
                                     trt_op_name(node->op));
        }
    }
    TRT_TRY(trt__exec_close_span(ex));
    cp->pending = ex->profiling >= TRT_PROFILING_LAYERS;
    return TRT_OK;
}

trt_status trt_context_wait(trt_context *ctx) {
    if (!ctx) return trt__error(TRT_ERR_INVALID_ARG, "trt_context_wait: NULL context");
    cl_int err = clFinish(ctx->ex.queue);
    if (err != CL_SUCCESS) return trt__cl_error(err, "waiting for the queue");
    return read_layer_events(&ctx->ex);
}

static trt_status layer_arrays(trt_exec *ex) {
    trt_layer_stats *cp = &ex->prof;
    if (cp->ev) return TRT_OK;
    const trt_graph *g = ex->g;
    int nl = ex->eng->n_layers;
    cp->node_layer = malloc(sizeof(int) * (size_t)(g->n_nodes + 1));
    cp->ev = calloc((size_t)nl + 1, sizeof *cp->ev);
    cp->sum_ms = calloc((size_t)nl + 1, sizeof(double));
    cp->window = calloc((size_t)TRT_PROFILE_WINDOW * (size_t)(nl + 1), sizeof(float));
    cp->scratch = malloc(sizeof(double) * TRT_PROFILE_WINDOW);
    if (!cp->node_layer || !cp->ev || !cp->sum_ms || !cp->window || !cp->scratch) {
        free(cp->node_layer);
        free(cp->ev);
        free(cp->sum_ms);
        free(cp->window);
        free(cp->scratch);
        cp->node_layer = NULL;
        cp->ev = NULL;
        cp->sum_ms = NULL;
        cp->window = NULL;
        cp->scratch = NULL;
        return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory for the per-layer profile");
    }
    for (int n = 0, l = 0; n < g->n_nodes; n++) cp->node_layer[n] = g->nodes[n].is_host ? -1 : l++;
    cp->n_layers = nl;
    return TRT_OK;
}

trt_status trt_context_set_profiling(trt_context *ctx, int level) {
    if (!ctx) return trt__error(TRT_ERR_INVALID_ARG, "trt_context_set_profiling: NULL context");
    if (level < TRT_PROFILING_OFF || level > TRT_PROFILING_LAYERS)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "trt_context_set_profiling: level %d is not one of TRT_PROFILING_OFF "
                          "(0), TRT_PROFILING_SPANS (1), TRT_PROFILING_LAYERS (2)",
                          level);
    trt_layer_stats *cp = &ctx->ex.prof;
    TRT_TRY(read_layer_events(&ctx->ex));
    if (level == TRT_PROFILING_LAYERS && ctx->ex.profiling != TRT_PROFILING_LAYERS) {
        TRT_TRY(layer_arrays(&ctx->ex));
        reset_layers(cp);
    }
    ctx->ex.profiling = level;
    return TRT_OK;
}

trt_status trt_context_get_timing(trt_context *ctx, trt_timing *out) {
    if (!ctx || !out) return trt__error(TRT_ERR_INVALID_ARG, "trt_context_get_timing: NULL argument");
    trt_exec *ex = &ctx->ex;
    if (!ex->profiling)
        return trt__error(TRT_ERR_STATE, "profiling is off: call trt_context_set_profiling first");
    out->h2d_ms = span_ms(ex->ev_h2d_first, ex->ev_h2d_last);
    out->compute_ms = span_ms(ex->ev_first, ex->ev_last);
    out->d2h_ms = span_ms(ex->ev_d2h_first, ex->ev_d2h_last);
    /* The next writes start a new H2D span. */
    keep_event(&ex->ev_h2d_first, NULL);
    keep_event(&ex->ev_h2d_last, NULL);
    return TRT_OK;
}

/* ---------------------------------------------------------------- layers */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(double *v, long n) {
    if (n <= 0) return 0.0;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

trt_status trt_context_get_layer_profile(trt_context *ctx, int index, trt_layer_profile *out) {
    if (!ctx || !out)
        return trt__error(TRT_ERR_INVALID_ARG, "trt_context_get_layer_profile: NULL argument");
    trt_layer_stats *cp = &ctx->ex.prof;
    if (!cp->ev)
        return trt__error(TRT_ERR_STATE, "no per-layer profile: call trt_context_set_profiling("
                                         "ctx, TRT_PROFILING_LAYERS) before enqueueing");
    if (index < TRT_LAYER_TOTAL || index >= cp->n_layers)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "trt_context_get_layer_profile: layer %d out of range (the engine has "
                          "%d layers; -1 is the total)",
                          index, cp->n_layers);
    TRT_TRY(read_layer_events(&ctx->ex));
    memset(out, 0, sizeof *out);
    long kept = cp->runs < TRT_PROFILE_WINDOW ? cp->runs : TRT_PROFILE_WINDOW;
    double sum = 0.0;
    if (index == TRT_LAYER_TOTAL) {
        out->name = "Total";
        out->op = "";
        for (int l = 0; l < cp->n_layers; l++) sum += cp->sum_ms[l];
        for (long r = 0; r < kept; r++) {
            const float *row = cp->window + (size_t)r * (size_t)cp->n_layers;
            double t = 0.0;
            for (int l = 0; l < cp->n_layers; l++) t += row[l];
            cp->scratch[r] = t;
        }
    } else {
        int n = 0;
        while (cp->node_layer[n] != index) n++;
        out->name = ctx->ex.g->nodes[n].name;
        out->op = trt_op_name(ctx->ex.g->nodes[n].op);
        sum = cp->sum_ms[index];
        for (long r = 0; r < kept; r++)
            cp->scratch[r] = cp->window[(size_t)r * (size_t)cp->n_layers + (size_t)index];
    }
    out->runs = cp->runs;
    out->total_ms = sum;
    out->average_ms = cp->runs ? sum / (double)cp->runs : 0.0;
    out->median_ms = median_of(cp->scratch, kept);
    return TRT_OK;
}

trt_status trt_context_reset_layer_profile(trt_context *ctx) {
    if (!ctx)
        return trt__error(TRT_ERR_INVALID_ARG, "trt_context_reset_layer_profile: NULL context");
    trt_layer_stats *cp = &ctx->ex.prof;
    if (!cp->ev) return TRT_OK;
    TRT_TRY(read_layer_events(&ctx->ex));
    reset_layers(cp);
    return TRT_OK;
}

/* The node of device layer `index`, or NULL. */
static const trt_node *layer_node(const trt_engine *e, int index) {
    if (!e || index < 0 || index >= e->n_layers) return NULL;
    for (int n = 0, l = 0; n < e->graph->n_nodes; n++)
        if (!e->graph->nodes[n].is_host && l++ == index) return &e->graph->nodes[n];
    return NULL;
}

trt_status trt_engine_get_layer_info(const trt_engine *e, int index, trt_layer_info *info) {
    const trt_node *node = layer_node(e, index);
    if (!node || !info)
        return trt__error(TRT_ERR_INVALID_ARG, "trt_engine_get_layer_info: layer %d out of range "
                                               "(the engine has %d layers)",
                          index, e ? e->n_layers : 0);
    memset(info, 0, sizeof *info);
    info->name = node->name;
    info->op = trt_op_name(node->op);
    info->tactic = node->tactic;
    _Static_assert(TRT_LAYER_TACTIC_PARAMS == TRT_MAX_TACTIC_PARAMS, "tactic parameter count");
    memcpy(info->tactic_params, node->tactic_params, sizeof info->tactic_params);
    info->n_inputs = node->n_inputs;
    info->n_outputs = node->n_outputs;
    return TRT_OK;
}

trt_status trt_engine_get_layer_tensor(const trt_engine *e, int index, int is_output, int k,
                                       trt_layer_tensor *out) {
    const trt_node *node = layer_node(e, index);
    int n = !node ? 0 : is_output ? node->n_outputs : node->n_inputs;
    if (!node || !out || k < 0 || k >= n)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "trt_engine_get_layer_tensor: layer %d %s %d out of range", index,
                          is_output ? "output" : "input", k);
    memset(out, 0, sizeof *out);
    int t = is_output ? node->outputs[k] : node->inputs[k];
    if (t < 0) return TRT_OK;
    const trt_tensor *tt = &e->graph->tensors[t];
    out->name = tt->name;
    out->dtype = tt->dtype;
    out->storage = tt->storage;
    out->dims = tt->shape;
    out->is_constant = (tt->flags & TRT_TENSOR_CONST) != 0;
    return TRT_OK;
}

/* ---------------------------------------------------------------- OpenCL interop */

cl_command_queue trt_context_get_cl_queue(const trt_context *ctx) {
    return ctx ? ctx->ex.queue : NULL;
}

trt_status trt_context_get_tensor_mem(trt_context *ctx, const char *name, cl_mem *out) {
    if (!ctx || !out) return trt__error(TRT_ERR_INVALID_ARG, "NULL argument");
    int t = tensor_index(ctx, name, 1);
    if (t < 0) return trt__error(TRT_ERR_NOT_FOUND, "the engine has no input or output called '%s'", name ? name : "(null)");
    *out = trt_exec_mem(&ctx->ex, t);
    return TRT_OK;
}

trt_status trt_context_set_tensor_mem(trt_context *ctx, const char *name, cl_mem mem) {
    if (!ctx) return trt__error(TRT_ERR_INVALID_ARG, "NULL context");
    int t = tensor_index(ctx, name, 1);
    if (t < 0) return trt__error(TRT_ERR_NOT_FOUND, "the engine has no input or output called '%s'", name ? name : "(null)");
    ctx->ex.user[t] = mem;
    return TRT_OK;
}
