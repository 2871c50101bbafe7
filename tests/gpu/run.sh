#!/usr/bin/env bash
# tests/gpu/run.sh [OUTDIR] [--quick] — correctness of the tensor-core tactics on the GPU:
# whole models (tests/models) and a MatMul/Gemm sweep as FP16 engines restricted to
# tensor-core tactics, against onnxruntime / numpy FP32; how many layers run on tensor cores.
# Writes OUTDIR/RESULTS.md (and logs, run_cases reports); exit 1 iff a check failed.
# tests/gpu/check.py describes the checks and their bounds.
#
# Beforehand, here (needs onnxruntime):  tests/gpu/prepare.sh     (-> .gpu/gpu-tests)
# On the GPU machine:  . .gpu/gpu-env.sh .gpu/debs && tests/gpu/run.sh "$OUT"
# Here, on PoCL:       TRTINFER_EXEC=build-x/tools/trtinfer-exec \
#                      RUN_CASES=build-x/tests/conformance/run_cases tests/gpu/run.sh /tmp/gpu --quick
#   (no tensor cores: the tensor-core checks say so and are skipped; the FP16 checks run)
#
# Environment (all optional):
#   TRTINFER_EXEC    default .gpu/build/tools/trtinfer-exec, else build/tools/trtinfer-exec
#   RUN_CASES        default .gpu/bin/run_cases, else .gpu/build/tests/conformance/run_cases,
#                    else build/tests/conformance/run_cases
#   GPU_TESTS_DIR    prepare.sh's output (default .gpu/gpu-tests)
#   GPU_TESTS_WORK   scratch (default: a fresh temporary folder, removed at the end)
#   GPU_TESTS_EXPECT_TC  1/0 overrides "the device has tensor cores iff it is NVIDIA's"
#   TRTINFER_COMMIT  commit for the report (default: git HEAD of this checkout)
#   TRT_DEVICE       the device both tools open (default: the first GPU)
# OUTDIR defaults to $OUT (the GPU machine's result folder), else tests/gpu/out.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out="" quick=""
for a in "$@"; do
    case "$a" in
        --quick) quick=--quick ;;
        -*) echo "tests/gpu/run.sh: unknown option '$a' (usage: run.sh [OUTDIR] [--quick])" >&2; exit 2 ;;
        *) out=$a ;;
    esac
done
out=${out:-${OUT:-$root/tests/gpu/out}}
mkdir -p "$out"
out=$(cd "$out" && pwd)

pick() { # first executable of the arguments
    for c in "$@"; do if [ -x "$c" ]; then echo "$c"; return; fi; done
    echo "$1"
}
export TRTINFER_EXEC=${TRTINFER_EXEC:-$(pick "$root/.gpu/build/tools/trtinfer-exec" \
                                            "$root/build/tools/trtinfer-exec")}
export RUN_CASES=${RUN_CASES:-$(pick "$root/.gpu/bin/run_cases" \
                                     "$root/.gpu/build/tests/conformance/run_cases" \
                                     "$root/build/tests/conformance/run_cases")}
export GPU_TESTS_DIR=${GPU_TESTS_DIR:-$root/.gpu/gpu-tests}
for b in "$TRTINFER_EXEC" "$RUN_CASES"; do
    if [ ! -x "$b" ]; then
        echo "tests/gpu/run.sh: '$b' is not an executable: build it (ninja -C <builddir>) and" \
             "carry it, or set TRTINFER_EXEC / RUN_CASES" >&2
        exit 2
    fi
done
if [ ! -d "$GPU_TESTS_DIR/model_cases" ]; then
    echo "tests/gpu/run.sh: $GPU_TESTS_DIR/model_cases is missing: run tests/gpu/prepare.sh" \
         "on a machine with onnxruntime (not the GPU machine) and carry .gpu/gpu-tests" >&2
    exit 2
fi
if [ -z "${TRTINFER_COMMIT:-}" ]; then
    TRTINFER_COMMIT=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
fi
export TRTINFER_COMMIT
export GPU_TESTS_COMMAND=${GPU_TESTS_COMMAND:-"tests/gpu/run.sh $*"}
own_work=0
if [ -z "${GPU_TESTS_WORK:-}" ]; then
    GPU_TESTS_WORK=$(mktemp -d /tmp/trtinfer-gpu-tests.XXXXXX)
    own_work=1
fi
export GPU_TESTS_WORK
trap '[ "$own_work" = 1 ] && rm -rf "$GPU_TESTS_WORK"' EXIT
# Compiled programs are cached per run, not in the home folder of a borrowed machine.
export TRT_CACHE_DIR=${TRT_CACHE_DIR-$GPU_TESTS_WORK/programs}

echo "trtinfer-exec: $TRTINFER_EXEC"
echo "run_cases:     $RUN_CASES"
echo "inputs:        $GPU_TESTS_DIR"
python3 -u "$here/check.py" "$out" $quick 2>&1 | tee "$out/check.log"
exit "${PIPESTATUS[0]}"
