/* ptx_arch.c — lifting marked sm_90a statements out of PTX comments (ptx_arch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/ptx_arch.h"

char *trt__ptx_arch_lifted(const char *ptx, size_t len, char *why, size_t why_size) {
    if (why_size) why[0] = 0;
    const size_t mlen = strlen(TRT_PTX_ARCH_MARK);
    /* The binary of a program is not a C string: work on a terminated copy of len bytes. */
    char *src = malloc(len + 1);
    if (!src) return NULL;
    memcpy(src, ptx, len);
    src[len] = 0;
    if (!strstr(src, TRT_PTX_ARCH_MARK)) {
        free(src);
        return NULL;
    }
    const char *target = strstr(src, "\n.target sm_90");
    const char next = target ? target[14] : 0;
    if (!target || (next != ',' && next != ' ' && next != '\n' && next != '\r')) {
        const char *t = strstr(src, ".target ");
        snprintf(why, why_size,
                 "the PTX is for '%.24s', and its sm_90a statements (wgmma) need an sm_90 device",
                 t ? t + 8 : "(no .target line)");
        for (char *c = why; *c; c++)
            if (*c == '\n') *c = 0;
        free(src);
        return NULL;
    }
    char *out = malloc(len + 2);
    if (!out) {
        free(src);
        return NULL;
    }
    size_t o = 0;
    for (const char *s = src; *s;) {
        if (s == target + 14) out[o++] = 'a';
        if (strncmp(s, TRT_PTX_ARCH_MARK, mlen) == 0) {
            s += mlen;
            continue;
        }
        out[o++] = *s++;
    }
    out[o] = 0;
    free(src);
    return out;
}

trt_status trt__ptx_lift_arch(cl_context ctx, cl_device_id dev, const char *what,
                              const char *opts, cl_program *p) {
    size_t size = 0;
    if (clGetProgramInfo(*p, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS ||
        size == 0)
        return TRT_OK; /* no binary to look at: not NVIDIA's PTX */
    unsigned char *bin = malloc(size);
    if (!bin) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
    if (clGetProgramInfo(*p, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL) != CL_SUCCESS) {
        free(bin);
        return TRT_OK;
    }
    char why[160];
    char *lifted = trt__ptx_arch_lifted((const char *)bin, size, why, sizeof why);
    free(bin);
    if (!lifted) {
        if (!why[0]) return TRT_OK;
        return trt__error(TRT_ERR_KERNEL_BUILD, "%s: %s", what, why);
    }
    size_t n = strlen(lifted);
    const unsigned char *lb = (const unsigned char *)lifted;
    cl_int status = CL_SUCCESS, err;
    cl_program q = clCreateProgramWithBinary(ctx, 1, &dev, &n, &lb, &status, &err);
    free(lifted);
    if (err != CL_SUCCESS || status != CL_SUCCESS)
        return trt__cl_error(err != CL_SUCCESS ? err : status,
                             "loading the sm_90a PTX of a program");
    err = clBuildProgram(q, 1, &dev, opts, NULL, NULL);
    if (err != CL_SUCCESS) {
        char log[1600] = "";
        clGetProgramBuildInfo(q, dev, CL_PROGRAM_BUILD_LOG, sizeof log - 1, log, NULL);
        clReleaseProgram(q);
        return trt__error(TRT_ERR_KERNEL_BUILD,
                          "%s: the driver refused its sm_90a PTX (wgmma): %.1500s", what, log);
    }
    clReleaseProgram(*p);
    *p = q;
    return TRT_OK;
}
