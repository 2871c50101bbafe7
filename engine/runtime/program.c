/* program.c — the device's program cache: kernels/<file> + build options -> cl_program.
 * Every program is common.cl followed by the family's file, built once per device. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

static trt_status build(trt_device *dev, const char *file, const char *options,
                        cl_program *out) {
    const char *common = trt__kernel_source("common.cl");
    const char *body = trt__kernel_source(file);
    if (!body || !common)
        return trt__error(TRT_ERR_INTERNAL, "kernel source '%s' is not embedded in the library",
                          file);
    const char *srcs[2] = {common, body};
    cl_int err;
    cl_program p = clCreateProgramWithSource(dev->cl_ctx, 2, srcs, NULL, &err);
    if (err != CL_SUCCESS) return trt__cl_error(err, "creating a program");
    char opts[1024];
    snprintf(opts, sizeof opts, "-cl-std=CL1.2 %s", options ? options : "");
    err = clBuildProgram(p, 1, &dev->id, opts, NULL, NULL);
    if (err != CL_SUCCESS) {
        size_t n = 0;
        clGetProgramBuildInfo(p, dev->id, CL_PROGRAM_BUILD_LOG, 0, NULL, &n);
        char *log = malloc(n + 1);
        if (log) {
            clGetProgramBuildInfo(p, dev->id, CL_PROGRAM_BUILD_LOG, n, log, NULL);
            log[n] = 0;
        }
        trt_status s = trt__error(TRT_ERR_KERNEL_BUILD,
                                  "kernels/%s failed to compile for %s with options '%s': %.1500s",
                                  file, dev->info.name, opts, log ? log : "(no log)");
        free(log);
        clReleaseProgram(p);
        return s;
    }
    *out = p;
    return TRT_OK;
}

trt_status trt__device_program(trt_device *dev, const char *file, const char *options,
                               cl_program *out) {
    if (!options) options = "";
    pthread_mutex_lock(&dev->lock);
    trt_status s = TRT_OK;
    trt_program_entry *e;
    for (e = dev->programs; e; e = e->next)
        if (strcmp(e->file, file) == 0 && strcmp(e->options, options) == 0) break;
    if (!e) {
        cl_program p = NULL;
        s = build(dev, file, options, &p);
        if (s == TRT_OK) {
            e = calloc(1, sizeof *e);
            if (e) {
                e->file = trt__strdup(file);
                e->options = trt__strdup(options);
            }
            if (!e || !e->file || !e->options) {
                if (e) {
                    free(e->file);
                    free(e->options);
                    free(e);
                }
                e = NULL;
                clReleaseProgram(p);
                s = trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory caching a program");
            } else {
                e->program = p;
                e->next = dev->programs;
                dev->programs = e;
            }
        }
    }
    if (e) *out = e->program;
    pthread_mutex_unlock(&dev->lock);
    return s;
}
