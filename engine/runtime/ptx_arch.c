/* ptx_arch.c — lifting marked sm_90a statements out of PTX comments (ptx_arch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/ptx_arch.h"

/* The "sm_90" of the module's ".target sm_90..." directive (at the start of a line), or NULL. */
static const char *target_arch(const char *ptx) {
    for (const char *p = ptx; p; p = strchr(p, '\n')) {
        if (*p == '\n') p++;
        if (strncmp(p, ".target ", 8) == 0) return p + 8;
    }
    return NULL;
}

char *trt__ptx_arch_lifted(const char *ptx, size_t len, char *why, size_t why_size) {
    char scratch[1];
    if (why_size == 0) why = scratch, why_size = sizeof scratch;
    why[0] = 0;
    const size_t mlen = strlen(TRT_PTX_ARCH_MARK);
    /* The binary of a program is not a C string: work on a terminated copy of len bytes. */
    char *src = malloc(len + 1);
    if (!src) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    memcpy(src, ptx, len);
    src[len] = 0;
    if (!strstr(src, TRT_PTX_ARCH_MARK)) {
        free(src);
        return NULL;
    }
    /* sm_90 (made sm_90a) or already sm_90a; then the end of the name. */
    const char *arch = target_arch(src);
    const int has_a = arch && strncmp(arch, "sm_90a", 6) == 0;
    const char next = arch ? arch[has_a ? 6 : 5] : 0;
    if (!arch || strncmp(arch, "sm_90", 5) != 0 ||
        (next != ',' && next != ' ' && next != '\n' && next != '\r' && next != 0)) {
        snprintf(why, why_size,
                 "the PTX is for '%.24s', and its sm_90a statements (wgmma) need an sm_90 device",
                 arch ? arch : "(no .target line)");
        for (char *c = why; *c; c++)
            if (*c == '\n') *c = 0;
        free(src);
        return NULL;
    }
    char *out = malloc(len + 2);
    if (!out) {
        free(src);
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    const char *insert_a = has_a ? NULL : arch + 5;
    size_t o = 0;
    for (const char *s = src; *s;) {
        if (s == insert_a) out[o++] = 'a';
        if (strncmp(s, TRT_PTX_ARCH_MARK, mlen) == 0) {
            s += mlen;
            continue;
        }
        out[o++] = *s++;
    }
    if (src + strlen(src) == insert_a) out[o++] = 'a'; /* ".target sm_90" ends the text */
    out[o] = 0;
    free(src);
    return out;
}

trt_status trt__ptx_lift_arch(cl_context ctx, cl_device_id dev, const char *what,
                              const char *opts, cl_program *p) {
    /* A program whose binary cannot be read is not NVIDIA's PTX, whose binaries always can
     * be: nothing to lift. */
    size_t size = 0;
    if (clGetProgramInfo(*p, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS ||
        size == 0)
        return TRT_OK;
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
        /* No marker: nothing to do. Anything else would leave the marked statements as
         * comments, i.e. a kernel that silently skips them: an error. */
        if (!why[0]) return TRT_OK;
        return trt__error(TRT_ERR_KERNEL_BUILD, "%s: %s", what, why);
    }
    size_t n = strlen(lifted);
    const unsigned char *lb = (const unsigned char *)lifted;
    cl_int status = CL_SUCCESS, err;
    cl_program q = clCreateProgramWithBinary(ctx, 1, &dev, &n, &lb, &status, &err);
    free(lifted);
    if (err != CL_SUCCESS || status != CL_SUCCESS) {
        if (q) clReleaseProgram(q);
        return trt__cl_error(err != CL_SUCCESS ? err : status,
                             "loading the sm_90a PTX of a program");
    }
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
