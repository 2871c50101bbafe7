#!/bin/sh
# check_ptx.sh — syntax-checks the inline PTX of an OpenCL C kernel file without an NVIDIA
# GPU: clang compiles it to PTX for nvptx64, ptxas assembles that PTX for an sm_80+ target.
#
# usage: kernels/check_ptx.sh [--no-common] FILE.cl [-DNAME=VALUE ...]
#
# Programs are built as common.cl followed by the file (runtime/program.c), so common.cl from
# the file's folder is prepended unless --no-common is given. The capability macros of
# runtime/caps.c (TRT_CAP_MMA_F16, TRT_CAP_MMA_S8, TRT_CAP_LDMATRIX, TRT_CAP_CP_ASYNC) and
# TRT_NV_PTX (runtime/program.c) are defined, as on an NVIDIA device whose probe passed;
# -D/-U arguments are passed on to clang. The OpenCL work-item functions and barrier() are
# mapped to NVPTX builtins by a shim; the other OpenCL built-ins (exp, select, ...), which
# NVIDIA's compiler provides and clang alone leaves as bodiless functions, are declared
# .extern and ptxas assembles with --compile-only (-c), which accepts unresolved externs but
# checks every instruction.
#
# Environment: CLANG (default clang-15), PTXAS (default ptxas, else
# /usr/local/cuda/bin/ptxas), ARCH (default sm_90), PTX_VERSION (default 8.0),
# KEEP=DIR to keep the generated .cl and .ptx there. Exit status 0 when ptxas accepts it.
set -eu
common=1
if [ "${1:-}" = "--no-common" ]; then common=0; shift; fi
if [ $# -lt 1 ] || [ ! -f "$1" ]; then
    echo "usage: $0 [--no-common] FILE.cl [-DNAME=VALUE ...] (FILE.cl must exist)" >&2
    exit 2
fi
src=$1; shift
CLANG=${CLANG:-clang-15}
PTXAS=${PTXAS:-$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)}
ARCH=${ARCH:-sm_90}
PTX_VERSION=${PTX_VERSION:-8.0}
for tool in "$CLANG" "$PTXAS"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$0: '$tool' not found: install clang (CLANG=...) and the CUDA toolkit's ptxas" \
             "(PTXAS=...)" >&2
        exit 2
    fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/shim.h" <<'SHIM'
static inline size_t trt_shim_sreg(uint d, uint x, uint y, uint z) {
    return d == 0 ? x : d == 1 ? y : z;
}
#define get_local_id(d) trt_shim_sreg((d), __nvvm_read_ptx_sreg_tid_x(), \
    __nvvm_read_ptx_sreg_tid_y(), __nvvm_read_ptx_sreg_tid_z())
#define get_local_size(d) trt_shim_sreg((d), __nvvm_read_ptx_sreg_ntid_x(), \
    __nvvm_read_ptx_sreg_ntid_y(), __nvvm_read_ptx_sreg_ntid_z())
#define get_group_id(d) trt_shim_sreg((d), __nvvm_read_ptx_sreg_ctaid_x(), \
    __nvvm_read_ptx_sreg_ctaid_y(), __nvvm_read_ptx_sreg_ctaid_z())
#define get_num_groups(d) trt_shim_sreg((d), __nvvm_read_ptx_sreg_nctaid_x(), \
    __nvvm_read_ptx_sreg_nctaid_y(), __nvvm_read_ptx_sreg_nctaid_z())
#define get_global_id(d) (get_group_id(d) * get_local_size(d) + get_local_id(d))
#define get_global_size(d) (get_num_groups(d) * get_local_size(d))
#define barrier(flags) __nvvm_bar_sync(0)
SHIM
dir=$(dirname "$src")
if [ "$common" = 1 ] && [ -f "$dir/common.cl" ] && [ "$(basename "$src")" != common.cl ]; then
    cat "$dir/common.cl" "$src" > "$tmp/prog.cl"
else
    cat "$src" > "$tmp/prog.cl"
fi
"$CLANG" -cl-std=CL1.2 -target nvptx64-nvidia-nvcl -O2 -S -Xclang -finclude-default-header \
    -include "$tmp/shim.h" -Dasm=__asm__ -DTRT_CAP_MMA_F16=1 -DTRT_CAP_MMA_S8=1 \
    -DTRT_CAP_LDMATRIX=1 -DTRT_CAP_CP_ASYNC=1 -DTRT_NV_PTX=1 "$@" "$tmp/prog.cl" -o "$tmp/prog.ptx"
sed -i -e "s/^\.version .*/.version $PTX_VERSION/" -e "s/^\.target .*/.target $ARCH/" \
    "$tmp/prog.ptx"
# Arch-specific targets (sm_90a): lift the instructions kernels hide behind "// TRT_SM90A ",
# as runtime/ptx_arch.c does on the device.
case "$ARCH" in *a) sed -i -e 's#// TRT_SM90A ##' "$tmp/prog.ptx" ;; esac
# Bodiless ".func ... ;" prototypes of functions the module never defines (library
# built-ins) become ".extern .func"; prototypes of functions defined further down stay.
python3 - "$tmp/prog.ptx" <<'PY'
import re, sys
path = sys.argv[1]
ptx = open(path).read()
head = r"^\.func\s*(?:\([^)]*\))?\s*([A-Za-z_$][\w$]*)\s*(?:\([^)]*\))?\s*"
defined = set(re.findall(head + r"\{", ptx, re.M))
ptx = re.sub(head + r";", lambda m: m.group(0) if m.group(1) in defined
             else ".extern " + m.group(0), ptx, flags=re.M)
open(path, "w").write(ptx)
PY
if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$tmp/prog.cl" "$tmp/prog.ptx" "$KEEP/"; fi
# OpenCL built-ins are overloaded, hence mangled (_Z...); an unmangled extern is a function of
# the file without an out-of-line body, e.g. a plain C99 "inline" one that clang did not
# inline: NVIDIA's compiler may fail to link it too ("static inline" is safe).
own=$(sed -n 's/^\.extern \.func.* \([A-Za-z_][A-Za-z0-9_]*\)$/\1/p' "$tmp/prog.ptx" | grep -v '^_Z' || true)
if [ -n "$own" ]; then
    echo "$src: functions called but never emitted (make them 'static inline'):" $own >&2
    exit 1
fi
"$PTXAS" -arch="$ARCH" -c "$tmp/prog.ptx" -o "$tmp/prog.o"
# (wgmma.mma_async sits inside a "{ .reg .pred p; ... }" block, so not at the line start;
# statements still behind the TRT_SM90A comment marker are not counted.)
n=$(grep -v '//' "$tmp/prog.ptx" |
    grep -c -E '^[[:space:]]*(mma|ldmatrix|cp\.async|wmma|wgmma)\.|[{;][[:space:]]*wgmma\.' || true)
echo "$src: ptxas -arch=$ARCH accepts it ($n tensor-core/async PTX instructions)"
