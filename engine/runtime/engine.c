/* engine.c — an engine on a device: graph + weights uploaded, I/O description, file I/O. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

const trt_profile_entry *trt__engine_profile(const trt_engine *e, int t) {
    for (int i = 0; i < e->meta.n_profiles; i++)
        if (e->meta.profiles[i].tensor == t) return &e->meta.profiles[i];
    return NULL;
}

/* Runs shape inference at one profile point (0 min, 1 opt, 2 max) on g. */
static trt_status infer_at(const trt_engine_meta *meta, trt_graph *g, int which) {
    for (int i = 0; i < meta->n_profiles; i++) {
        const trt_profile_entry *p = &meta->profiles[i];
        g->tensors[p->tensor].shape = which == 0 ? p->min : which == 1 ? p->opt : p->max;
    }
    return trt_graph_infer(g, 0);
}

static int node_reads_on_device(const trt_graph *g, int t) {
    for (int n = 0; n < g->n_nodes; n++) {
        if (g->nodes[n].is_host) continue;
        for (int k = 0; k < g->nodes[n].n_inputs; k++)
            if (g->nodes[n].inputs[k] == t) return 1;
    }
    return 0;
}

trt_status trt__engine_create(trt_device *dev, trt_graph *g, const trt_engine_meta *meta,
                              trt_engine **out) {
    *out = NULL;
    trt_engine *e = calloc(1, sizeof *e);
    trt_status s = TRT_OK;
    if (!e) {
        trt_graph_free(g);
        return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory creating an engine");
    }
    e->dev = dev;
    e->graph = g;
    e->meta = *meta;
    e->n_io = g->n_inputs + g->n_outputs;
    e->io = calloc((size_t)e->n_io + 1, sizeof(int));
    e->io_shapes = calloc((size_t)e->n_io + 1, sizeof(trt_io_shapes));
    e->const_offset = malloc(sizeof(uint64_t) * (size_t)(g->n_tensors + 1));
    if (!e->io || !e->io_shapes || !e->const_offset) {
        s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory creating an engine");
        goto fail;
    }
    for (int i = 0; i < g->n_inputs; i++) e->io[i] = g->inputs[i];
    for (int i = 0; i < g->n_outputs; i++) e->io[g->n_inputs + i] = g->outputs[i];
    for (int n = 0; n < g->n_nodes; n++) {
        if (!g->nodes[n].is_host) e->n_layers++;
        if (!trt_op_get(g->nodes[n].op)) {
            s = trt__error(TRT_ERR_BAD_ENGINE, "engine file names an unknown op (%d); rebuild it",
                           (int)g->nodes[n].op);
            goto fail;
        }
    }

    /* The I/O shapes at min/opt/max, on a scratch copy. */
    {
        trt_graph *scratch = trt_graph_clone(g);
        if (!scratch) {
            s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory creating an engine");
            goto fail;
        }
        trt_io_shapes *shp = e->io_shapes;
        for (int which = 2; which >= 0 && s == TRT_OK; which--) {
            s = infer_at(meta, scratch, which);
            for (int i = 0; s == TRT_OK && i < e->n_io; i++) {
                trt_dims d = scratch->tensors[e->io[i]].shape;
                if (which == 0) shp[i].min = d;
                else if (which == 1) shp[i].opt = d;
                else shp[i].max = d;
            }
        }
        if (s == TRT_OK) s = infer_at(meta, g, 1);
        trt_graph_free(scratch);
        if (s != TRT_OK) goto fail;
    }

    /* Weights: every constant a device node reads, or a constant graph output. */
    uint64_t total = 0;
    for (int t = 0; t < g->n_tensors; t++) {
        const trt_tensor *tt = &g->tensors[t];
        e->const_offset[t] = UINT64_MAX;
        if (!(tt->flags & TRT_TENSOR_CONST)) continue;
        if (!node_reads_on_device(g, t)) continue;
        e->const_offset[t] = total;
        total += trt__align_up(tt->data_size ? tt->data_size : 4, dev->mem_align);
    }
    e->weight_bytes = total;
    if (total) {
        cl_int err;
        e->weights = clCreateBuffer(dev->cl_ctx, CL_MEM_READ_ONLY, total, NULL, &err);
        if (err != CL_SUCCESS) {
            s = trt__cl_error(err, "allocating device memory for the weights");
            goto fail;
        }
        for (int t = 0; t < g->n_tensors; t++) {
            if (e->const_offset[t] == UINT64_MAX || !g->tensors[t].data_size) continue;
            err = clEnqueueWriteBuffer(dev->queue, e->weights, CL_FALSE, e->const_offset[t],
                                       g->tensors[t].data_size, g->tensors[t].data, 0, NULL,
                                       NULL);
            if (err != CL_SUCCESS) {
                s = trt__cl_error(err, "uploading weights");
                goto fail;
            }
        }
        cl_int ferr = clFinish(dev->queue);
        if (ferr != CL_SUCCESS) {
            s = trt__cl_error(ferr, "uploading weights");
            goto fail;
        }
    }
    *out = e;
    return TRT_OK;
fail:
    trt_engine_free(e);
    return s;
}

void trt_engine_free(trt_engine *e) {
    if (!e) return;
    if (e->weights) clReleaseMemObject(e->weights);
    trt_graph_free(e->graph);
    free(e->io);
    free(e->io_shapes);
    free(e->const_offset);
    free(e);
}

trt_status trt_engine_serialize(const trt_engine *e, void **buf, size_t *len) {
    if (!e || !buf || !len) return trt__error(TRT_ERR_INVALID_ARG, "trt_engine_serialize: NULL argument");
    return trt__engine_write(e->graph, &e->meta, buf, len);
}

trt_status trt_engine_save(const trt_engine *e, const char *path) {
    void *buf = NULL;
    size_t len = 0;
    TRT_TRY(trt_engine_serialize(e, &buf, &len));
    trt_status s = trt__write_file(path, buf, len);
    free(buf);
    return s;
}

trt_status trt_engine_deserialize(trt_device *dev, const void *buf, size_t len,
                                  trt_engine **out) {
    if (!dev || !buf || !out)
        return trt__error(TRT_ERR_INVALID_ARG, "trt_engine_deserialize: NULL argument");
    *out = NULL;
    trt_graph *g = NULL;
    trt_engine_meta meta;
    TRT_TRY(trt__engine_read(buf, len, &g, &meta));
    trt_status s = trt__engine_check(&meta, &dev->info);
    if (s != TRT_OK) {
        trt_graph_free(g);
        return s;
    }
    return trt__engine_create(dev, g, &meta, out);
}

trt_status trt_engine_load(trt_device *dev, const char *path, trt_engine **out) {
    if (!path || !out) return trt__error(TRT_ERR_INVALID_ARG, "trt_engine_load: NULL argument");
    void *buf = NULL;
    size_t len = 0;
    TRT_TRY(trt__read_file(path, &buf, &len));
    trt_status s = trt_engine_deserialize(dev, buf, len, out);
    free(buf);
    if (s != TRT_OK) return trt__error_prefix(s, "loading engine '%s'", path);
    return s;
}

int trt_engine_get_num_io(const trt_engine *e) { return e ? e->n_io : 0; }

trt_status trt_engine_get_io(const trt_engine *e, int index, trt_io_info *info) {
    if (!e || !info || index < 0 || index >= e->n_io)
        return trt__error(TRT_ERR_INVALID_ARG, "trt_engine_get_io: index %d out of range", index);
    const trt_tensor *t = &e->graph->tensors[e->io[index]];
    const trt_io_shapes *shp = &e->io_shapes[index];
    memset(info, 0, sizeof *info);
    info->name = t->name;
    info->is_input = index < e->graph->n_inputs;
    info->dtype = t->dtype;
    info->min = shp->min;
    info->opt = shp->opt;
    info->max = shp->max;
    info->dims = shp->opt;
    for (int i = 0; i < info->dims.nb_dims; i++)
        if (shp->min.d[i] != shp->max.d[i]) info->dims.d[i] = -1;
    return TRT_OK;
}

int trt_engine_find_io(const trt_engine *e, const char *name) {
    if (!e || !name) return -1;
    for (int i = 0; i < e->n_io; i++)
        if (strcmp(e->graph->tensors[e->io[i]].name, name) == 0) return i;
    return -1;
}

int trt_engine_get_num_layers(const trt_engine *e) { return e ? e->n_layers : 0; }
uint64_t trt_engine_get_weight_bytes(const trt_engine *e) { return e ? e->weight_bytes : 0; }
uint64_t trt_engine_get_activation_bytes(const trt_engine *e) {
    return e ? e->meta.activation_bytes : 0;
}
trt_device *trt_engine_get_device(const trt_engine *e) { return e ? e->dev : NULL; }
trt_precision trt_engine_get_precision(const trt_engine *e) {
    return e ? (trt_precision)e->meta.precision : TRT_PRECISION_FP32;
}
