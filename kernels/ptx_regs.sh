#!/bin/bash
# ptx_regs.sh — registers and spills of each kernel of an OpenCL C file, without an NVIDIA GPU:
# clang compiles common.cl + FILE to LLVM bitcode for nvptx64, libclc supplies the OpenCL
# built-ins (so that, unlike kernels/check_ptx.sh's PTX, nothing is left as an external call
# that would cost registers of its own), opt inlines everything, llc writes PTX and ptxas -v
# reports each entry function. A proxy for NVIDIA's OpenCL compiler, whose register counts
# (tests/gpu/tc_kernel_check with TC_CHECK_OPTS=-cl-nv-verbose) are the ones that count:
# use it to compare two versions of a kernel.
#
# usage: kernels/ptx_regs.sh FILE.cl [-DNAME=VALUE ...]
#   e.g. kernels/ptx_regs.sh kernels/tc_gemm.cl -DBM=64 -DBN=64 -DWM=64 -DWN=64 -DSTAGES=4 \
#            -DTC_WGMMA=1 -DTC_PERSIST=1
# prints "tc_conv: 93 registers, 0 bytes spilled; tc_gemm: ...".
#
# Needs Debian's clang-15, llvm-15 (llvm-link, opt, llc) and libclc-15, and the CUDA toolkit's
# ptxas (PTXAS=...). llc-15 knows sm_80 at most: the PTX is made for sm_80 and assembled for
# ARCH (default sm_90a, with the sm_90a statements lifted out of their comments, as
# runtime/ptx_arch.c does on the device). The capability macros of an NVIDIA device whose
# probe passed are defined, as in check_ptx.sh.
set -eu
if [ $# -lt 1 ] || [ ! -f "$1" ]; then
    echo "usage: $0 FILE.cl [-DNAME=VALUE ...] (FILE.cl must exist)" >&2
    exit 2
fi
src=$1; shift
ARCH=${ARCH:-sm_90a}
PTXAS=${PTXAS:-$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)}
LIBCLC=${LIBCLC:-/usr/lib/clc/nvptx64--nvidiacl.bc}
for tool in clang-15 llvm-link-15 opt-15 llc-15 "$PTXAS"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$0: '$tool' not found (apt install clang-15 llvm-15; ptxas: PTXAS=...)" >&2
        exit 2
    fi
done
if [ ! -f "$LIBCLC" ]; then
    echo "$0: $LIBCLC not found (apt install libclc-15, or LIBCLC=...)" >&2
    exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=$(dirname "$src")
if [ -f "$dir/common.cl" ] && [ "$(basename "$src")" != common.cl ]; then
    cat "$dir/common.cl" "$src" > "$tmp/prog.cl"
else
    cat "$src" > "$tmp/prog.cl"
fi
caps="-DTRT_CAP_MMA_F16=1 -DTRT_CAP_MMA_S8=1 -DTRT_CAP_LDMATRIX=1 -DTRT_CAP_CP_ASYNC=1"
case "$ARCH" in sm_90a) caps="$caps -DTRT_CAP_WGMMA=1" ;; esac
# shellcheck disable=SC2086
clang-15 -cl-std=CL1.2 -target nvptx64--nvidiacl -O2 -emit-llvm -c \
    -Xclang -finclude-default-header -Dasm=__asm__ "-Dinline=static inline" $caps \
    -DTRT_NV_PTX=1 "$@" "$tmp/prog.cl" -o "$tmp/prog.bc"
llvm-link-15 --only-needed "$tmp/prog.bc" "$LIBCLC" -o "$tmp/linked.bc"
opt-15 -O3 -inline-threshold=100000 "$tmp/linked.bc" -o "$tmp/opt.bc"
llc-15 -mcpu=sm_80 -mattr=+ptx75 "$tmp/opt.bc" -o "$tmp/prog.ptx"
sed -i -e "s/^\.target .*/.target $ARCH/" -e 's/^\.version .*/.version 8.0/' "$tmp/prog.ptx"
case "$ARCH" in *a) sed -i -e 's#// TRT_SM90A ##' "$tmp/prog.ptx" ;; esac
if grep -q "call\.uni\|call " "$tmp/prog.ptx"; then
    echo "$0: the PTX still calls functions; its register counts include calling overhead" >&2
fi
"$PTXAS" -v -arch="$ARCH" -c "$tmp/prog.ptx" -o /dev/null 2>&1 | python3 -c '
import re, sys
log = sys.stdin.read()
rows = re.findall(r"entry function .(\w+). .*?(\d+) bytes spill stores.*?Used (\d+) registers",
                  log, re.S)
if not rows:
    sys.exit("ptxas reported no entry function:\n" + log)
print("; ".join(f"{name}: {regs} registers, {spill} bytes spilled" for name, spill, regs in rows))
'
