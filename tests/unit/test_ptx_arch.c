/* test_ptx_arch.c — runtime/ptx_arch.c's text transformation: lifting the "// TRT_SM90A "
 * statements out of PTX comments and retargeting the module to sm_90a. (That the driver
 * then accepts the PTX is shown on the GPU: tests/gpu/tc_kernel_check, tests/gpu/run.sh.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/ptx_arch.h"

#include "../common/check.h"


static const char marked[] = ".version 9.0\n"
                             ".target sm_90, texmode_independent\n"
                             ".address_size 64\n"
                             "\t// begin inline asm\n"
                             "\t// TRT_SM90A wgmma.fence.sync.aligned;\n"
                             "\t// end inline asm\n"
                             "\t// TRT_SM90A { .reg .pred p; setp.ne.b32 p, %r1, 0; }\n"
                             "\tret;\n";

int main(void) {
    char why[160];
    /* Lifted: markers gone, statements kept, target sm_90a, nothing else changed. */
    char *out = trt__ptx_arch_lifted(marked, strlen(marked), why, sizeof why);
    CHECK(out != NULL, "a marked sm_90 module is lifted");
    if (out) {
        CHECK(strstr(out, "TRT_SM90A") == NULL, "no marker is left");
        CHECK(strstr(out, "\n.target sm_90a, texmode_independent\n") != NULL,
              "the target becomes sm_90a, its other fields kept");
        CHECK(strstr(out, "\n\twgmma.fence.sync.aligned;\n") != NULL,
              "the marked statement is now an instruction");
        CHECK(strstr(out, "\n\t{ .reg .pred p; setp.ne.b32 p, %r1, 0; }\n") != NULL,
              "a second marked statement too");
        CHECK(strstr(out, "\t// begin inline asm\n") != NULL, "other comments stay");
        CHECK(strlen(out) == strlen(marked) - 2 * strlen(TRT_PTX_ARCH_MARK) + 1,
              "only the markers are removed and one 'a' added");
        free(out);
    }
    /* A binary is not terminated: only len bytes count (the marker past len is not seen). */
    const size_t head = (size_t)(strstr(marked, "\t// TRT_SM90A") - marked);
    out = trt__ptx_arch_lifted(marked, head, why, sizeof why);
    CHECK(out == NULL && why[0] == 0, "bytes past len are not read");
    free(out);
    /* Nothing marked: nothing to do, and no complaint. */
    static const char plain[] = ".version 9.0\n.target sm_90\n.address_size 64\n\tret;\n";
    out = trt__ptx_arch_lifted(plain, strlen(plain), why, sizeof why);
    CHECK(out == NULL && why[0] == 0, "an unmarked module is left alone");
    free(out);
    /* Marked, but for another GPU: refused, saying which target it was. */
    static const char other[] =
        ".version 9.0\n.target sm_89\n\t// TRT_SM90A wgmma.fence.sync.aligned;\n";
    out = trt__ptx_arch_lifted(other, strlen(other), why, sizeof why);
    CHECK(out == NULL && strstr(why, "sm_89") != NULL, "another target is refused by name");
    free(out);
    /* sm_90 must be the whole name: sm_900 is not it. */
    static const char longer[] = ".version 9.0\n.target sm_900\n\t// TRT_SM90A x;\n";
    out = trt__ptx_arch_lifted(longer, strlen(longer), why, sizeof why);
    CHECK(out == NULL && why[0] != 0, "sm_900 is not taken for sm_90");
    free(out);
    /* Already sm_90a (some other tool's PTX): markers stripped, target kept. */
    static const char has_a[] = ".target sm_90a\n\t// TRT_SM90A wgmma.fence.sync.aligned;\n";
    out = trt__ptx_arch_lifted(has_a, strlen(has_a), why, sizeof why);
    CHECK(out && strcmp(out, ".target sm_90a\n\twgmma.fence.sync.aligned;\n") == 0,
          "an sm_90a module keeps its target, loses its markers");
    free(out);
    /* .target on the first line, and at the very end of the text. */
    static const char last[] = "\t// TRT_SM90A x;\n.target sm_90";
    out = trt__ptx_arch_lifted(last, strlen(last), why, sizeof why);
    CHECK(out && strcmp(out, "\tx;\n.target sm_90a") == 0, "a target that ends the text");
    free(out);
    static const char first[] = ".target sm_90\n// TRT_SM90A x;\n";
    out = trt__ptx_arch_lifted(first, strlen(first), NULL, 0);
    CHECK(out && strcmp(out, ".target sm_90a\nx;\n") == 0,
          "a target on the first line; no room for a reason is fine");
    free(out);

    /* The register cap option: the last one counts; none, or a non-positive one, is 0. */
    CHECK(trt__ptx_maxnreg_option(NULL) == 0, "no options: no cap");
    CHECK(trt__ptx_maxnreg_option("-DBM=64 -DTC_WGMMA=1") == 0, "no cap option: no cap");
    CHECK(trt__ptx_maxnreg_option("-DBM=64 -DTRT_PTX_MAXNREG=168 -DTC_PERSIST=1") == 168,
          "the cap in the middle of the options");
    CHECK(trt__ptx_maxnreg_option("-DTRT_PTX_MAXNREG=168 -DTRT_PTX_MAXNREG=128") == 128,
          "the last cap counts");
    CHECK(trt__ptx_maxnreg_option("-DTRT_PTX_MAXNREG=-4") == 0, "a negative cap is none");

    /* .maxnreg goes between each entry's parameter list (and its other directives) and its
     * body, and nowhere else; functions that are not entries are left alone. */
    static const char module[] = ".version 8.0\n"
                                 ".target sm_90a\n"
                                 ".func (.reg .b32 r) helper(.reg .b32 x)\n"
                                 "{\n\tret;\n}\n"
                                 ".entry tc_conv(\n"
                                 "\t.param .u64 tc_conv_param_0\n"
                                 ")\n"
                                 ".reqntid 128, 1, 1\n"
                                 "{\n"
                                 "\t{ .reg .pred p; }\n"
                                 "\tret;\n"
                                 "}\n"
                                 "\t// .globl\ttc_gemm\n"
                                 ".visible .entry tc_gemm(\n"
                                 "\t.param .u64 tc_gemm_param_0\n"
                                 ")\n"
                                 "{\n"
                                 "\tret;\n"
                                 "}\n";
    out = trt__ptx_with_maxnreg(module, 168);
    CHECK(out != NULL, "a module with entries gets its cap");
    if (out) {
        const char *a = strstr(out, ")\n.reqntid 128, 1, 1\n.maxnreg 168\n{\n\t{ .reg");
        const char *b = strstr(out, "tc_gemm_param_0\n)\n.maxnreg 168\n{\n\tret;");
        CHECK(a != NULL, "the first entry: after its directives, before its body");
        CHECK(b != NULL, "the second (.visible) entry too");
        CHECK(strstr(out, "helper(.reg .b32 x)\n{") != NULL, "a .func is left alone");
        CHECK(strlen(out) == strlen(module) + 2 * strlen(".maxnreg 168\n"),
              "nothing else is added or lost");
        free(out);
    }
    /* The body opening on the header's line: the directive goes between; an entry that has
     * a cap keeps it. */
    static const char same_line[] = ".entry a(\n\t.param .u32 x\n) {\n\tret;\n}\n"
                                    ".entry b() {\n\tret;\n}\n"
                                    ".entry c()\n.maxnreg 64\n{\n\tret;\n}\n";
    out = trt__ptx_with_maxnreg(same_line, 168);
    CHECK(out && strcmp(out, ".entry a(\n\t.param .u32 x\n) \n.maxnreg 168\n{\n\tret;\n}\n"
                              ".entry b() \n.maxnreg 168\n{\n\tret;\n}\n"
                              ".entry c()\n.maxnreg 64\n{\n\tret;\n}\n") == 0,
          "a '{' on the header's line, and an entry with a cap of its own");
    free(out);
    CHECK(trt__ptx_with_maxnreg(module, 256) == NULL, "a cap over 255: NULL");
    CHECK(trt__ptx_maxnreg_option("-DTRT_PTX_MAXNREG=256") == 0 &&
              trt__ptx_maxnreg_option("-DTRT_PTX_MAXNREG=99999999999999999999") == 0,
          "an option over 255 is no cap");
    CHECK(trt__ptx_with_maxnreg(plain, 128) == NULL, "no entry function: NULL (not PTX)");
    CHECK(trt__ptx_with_maxnreg(module, 0) == NULL, "no cap: NULL");
    return check_summary();
}
