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

int trt__ptx_maxnreg_option(const char *opts) {
    long n = 0;
    const size_t olen = strlen(TRT_PTX_MAXNREG_OPTION);
    for (const char *o = opts; o && (o = strstr(o, TRT_PTX_MAXNREG_OPTION)); o += olen)
        n = strtol(o + olen, NULL, 10);
    return n > 0 && n <= TRT_PTX_MAXNREG_MAX ? (int)n : 0;
}

/* Whether the line at p declares an entry function: ".entry " after optional directives
 * such as ".visible " or ".weak ", all at the start of the line. */
static int entry_line(const char *p) {
    while (*p == ' ' || *p == '\t') p++;
    while (*p == '.') {
        if (strncmp(p, ".entry ", 7) == 0 || strncmp(p, ".entry\t", 7) == 0) return 1;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n') p++; /* the directive */
        while (*p == ' ' || *p == '\t') p++;
    }
    return 0;
}

/* Whether the line at p (up to its newline) holds `what`. */
static int line_has(const char *p, const char *what) {
    const char *end = strchr(p, '\n'), *hit = strstr(p, what);
    return hit && (!end || hit < end);
}

char *trt__ptx_with_maxnreg(const char *ptx, int maxnreg) {
    int entries = 0;
    for (const char *l = ptx; l; l = strchr(l, '\n')) {
        if (*l == '\n') l++;
        entries += entry_line(l);
    }
    if (entries == 0 || maxnreg <= 0 || maxnreg > TRT_PTX_MAXNREG_MAX) return NULL;
    char directive[32];
    const int dlen = snprintf(directive, sizeof directive, ".maxnreg %d\n", maxnreg);
    const size_t len = strlen(ptx);
    char *out = malloc(len + (size_t)entries * ((size_t)dlen + 1) + 1); /* + a line break */
    if (!out) return NULL;
    size_t o = 0;
    int in_header = 0; /* from an .entry line to its body's '{' */
    for (const char *l = ptx; *l;) {
        const char *end = strchr(l, '\n');
        const size_t n = end ? (size_t)(end - l) + 1 : strlen(l);
        if (entry_line(l)) in_header = 1;
        if (in_header && line_has(l, ".maxnreg")) in_header = 0; /* has one: left as it is */
        const char *brace = in_header ? memchr(l, '{', n) : NULL;
        if (brace) { /* the body opens on this line: the directive goes on its own line before */
            const size_t head = (size_t)(brace - l);
            memcpy(out + o, l, head);
            o += head;
            if (head > 0) out[o++] = '\n';
            memcpy(out + o, directive, (size_t)dlen);
            o += (size_t)dlen;
            memcpy(out + o, brace, n - head);
            o += n - head;
            in_header = 0;
        } else {
            memcpy(out + o, l, n);
            o += n;
        }
        l += n;
    }
    out[o] = 0;
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
    if (!lifted && why[0]) {
        /* Leaving the marked statements as comments would make a kernel that silently skips
         * them: an error. */
        free(bin);
        return trt__error(TRT_ERR_KERNEL_BUILD, "%s: %s", what, why);
    }
    const int maxnreg = trt__ptx_maxnreg_option(opts);
    if (maxnreg > 0) {
        char *text = lifted;
        if (!text && (text = malloc(size + 1))) { /* unmarked: a terminated copy */
            memcpy(text, bin, size);
            text[size] = 0;
        }
        char *capped = text ? trt__ptx_with_maxnreg(text, maxnreg) : NULL;
        if (capped) {
            free(text);
            lifted = capped;
        } else if (text != lifted) {
            free(text); /* unmarked and not PTX (no entry function): nothing to do */
        } /* else marked: lifted without the cap rather than not at all */
    }
    free(bin);
    if (!lifted) return TRT_OK; /* no marker and no cap: nothing to do */
    size_t n = strlen(lifted);
    const unsigned char *lb = (const unsigned char *)lifted;
    cl_int status = CL_SUCCESS, err;
    cl_program q = clCreateProgramWithBinary(ctx, 1, &dev, &n, &lb, &status, &err);
    free(lifted);
    if (err != CL_SUCCESS || status != CL_SUCCESS) {
        if (q) clReleaseProgram(q);
        return trt__cl_error(err != CL_SUCCESS ? err : status,
                             "loading the edited PTX of a program (sm_90a, register cap)");
    }
    err = clBuildProgram(q, 1, &dev, opts, NULL, NULL);
    if (err != CL_SUCCESS) {
        char log[1600] = "";
        clGetProgramBuildInfo(q, dev, CL_PROGRAM_BUILD_LOG, sizeof log - 1, log, NULL);
        clReleaseProgram(q);
        return trt__error(TRT_ERR_KERNEL_BUILD,
                          "%s: the driver refused its edited PTX (sm_90a wgmma, register cap): "
                          "%.1500s",
                          what, log);
    }
    clReleaseProgram(*p);
    *p = q;
    return TRT_OK;
}
