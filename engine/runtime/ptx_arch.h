/* ptx_arch.h — arch-specific PTX (sm_90a: wgmma) in OpenCL kernels on NVIDIA.
 *
 * NVIDIA's OpenCL compiler writes PTX for the device's base target (".target sm_90"), whose
 * assembler refuses the instructions of the arch-specific target sm_90a (wgmma.*). A kernel
 * that needs them writes each such statement behind the marker TRT_PTX_ARCH_MARK, which
 * makes it a PTX comment the first build ignores; trt__ptx_lift_arch then takes the
 * program's PTX, removes the markers, retargets it to sm_90a and builds that PTX as a
 * program binary. A marked statement must fit on one line. The same edit can cap each
 * kernel's registers (".maxnreg", asked for by TRT_PTX_MAXNREG_OPTION), which NVIDIA's own
 * option does not do for these programs.
 */
#ifndef TRT_RUNTIME_PTX_ARCH_H
#define TRT_RUNTIME_PTX_ARCH_H

#include <stddef.h>

#include "runtime/runtime.h"

#define TRT_PTX_ARCH_MARK "// TRT_SM90A "

/* A build option that caps the registers of every kernel of a program: "-DTRT_PTX_MAXNREG=N",
 * an unused macro to the OpenCL compiler, which trt__ptx_lift_arch writes into the PTX as
 * ".maxnreg N". (NVIDIA's -cl-nv-maxrregcount=N changed no register count of the tensor-core
 * programs on the H200: bench/results/2026-12-03-h200-s10.md.) */
#define TRT_PTX_MAXNREG_OPTION "-DTRT_PTX_MAXNREG="
#define TRT_PTX_MAXNREG_MAX 255 /* PTX's most registers per thread */

/* The PTX text with the markers removed and ".target sm_90" made ".target sm_90a" (left as it
 * is if already sm_90a), as a new malloc'ed string the caller frees. NULL when `ptx` has no
 * marker (nothing to lift: why[0] == 0), and NULL with why[] saying so when its target is
 * not sm_90 or memory ran out. Pure text: tested on the CPU. */
char *trt__ptx_arch_lifted(const char *ptx, size_t len, char *why, size_t why_size);

/* N of the last TRT_PTX_MAXNREG_OPTION in opts (NULL: none); 0 when there is none or N is
 * outside 1..TRT_PTX_MAXNREG_MAX. */
int trt__ptx_maxnreg_option(const char *opts);

/* The PTX text (NUL-terminated) with ".maxnreg N" on a line of its own before the '{' that
 * opens the body of every entry function (".entry name(...)"), except an entry that already
 * has a .maxnreg, as a new malloc'ed string the caller frees; NULL when the text has no entry
 * function (not PTX), N is outside 1..TRT_PTX_MAXNREG_MAX or memory ran out. Pure text:
 * tested on the CPU. */
char *trt__ptx_with_maxnreg(const char *ptx, int maxnreg);

/* If program *p (built, one device) carries marked statements, or `opts` asks for a register
 * cap (TRT_PTX_MAXNREG_OPTION) and its binary is PTX, replaces it by the edited program built
 * with `opts` and releases the old one; else leaves it as it is. On failure
 * (the target is not sm_90, out of memory, the driver refuses the lifted PTX) *p is left as
 * it is (still owned by the caller, never to be used: its marked statements are comments)
 * and the status says why. `what` names the program in messages. */
trt_status trt__ptx_lift_arch(cl_context ctx, cl_device_id dev, const char *what,
                              const char *opts, cl_program *p);

#endif
