#!/usr/bin/env bash
# bench/run.sh OUTDIR — trtinfer-exec against PyTorch (eager and torch.compile) on ResNet-50,
# MobileNetV2 and EfficientNet-B0 at batch 1, 8 and 32. Writes OUTDIR/results.md,
# OUTDIR/results.json (rewritten after every phase, so a cut-off run keeps what it measured),
# OUTDIR/bench.log and OUTDIR/trtinfer-exec.log. Then, with a budget of its own, the FP16 GEMM
# section (bench/gemm.py: trtinfer's MatMul layer vs torch.matmul/cuBLAS): OUTDIR/gemm.md,
# gemm.json, gemm.log, gemm-trtinfer.log.
#
# On the GPU machine:  . .gpu/gpu-env.sh .gpu/debs && bench/run.sh "$OUT"
# Here, on PoCL:       BENCH_DEVICE=cpu BENCH_QUICK=1 bench/run.sh /tmp/bench-out
#
# Environment (all optional):
#   TRTINFER_EXEC    trtinfer-exec binary (default .gpu/build/tools/trtinfer-exec, else
#                    build/tools/trtinfer-exec)
#   TRTINFER_COMMIT  commit of the trtinfer build, for the header (default: git HEAD)
#   BENCH_DEVICE     cuda (default) or cpu (torch on the CPU, trtinfer-exec --device=cpu)
#   BENCH_QUICK=1    MobileNetV2 only, batch 1, a few iterations: proves the script works
#   BENCH_BUDGET_S   wall-time budget of the whole run (default 240; 900 with BENCH_QUICK on
#                    the CPU); what does not fit is recorded as "skipped: time budget".
#                    Bound a run with this, not with a shorter `timeout` around the script:
#                    a signal stops this shell but not the build or PyTorch worker it waits
#                    for, which then run on beside whatever comes next
#   BENCH_BUILD_TIMEOUT_S  the most one trtinfer-exec run (engine build and benchmark) may
#                    take (default 420; an H200 with a cold program cache took over 180 s
#                    for a ResNet-50 FP16 build before --buildWorkers)
#   BENCH_MODELS     comma list out of resnet50,mobilenet_v2,efficientnet_b0
#   BENCH_BATCHES    comma list (default 1,8,32)
#   BENCH_PRECISIONS comma list out of fp32,fp16 (default both; fp16 alone leaves the time
#                    budget to the FP16 rows of every framework)
#   BENCH_WORKDIR    where the ONNX files go (default: a fresh temporary directory, removed)
#   BENCH_GEMM_BUDGET_S  wall-time budget of the GEMM section (default 240; 0 skips it)
#   BENCH_GEMM_SIZES     its shapes (gemm.py --sizes; default "default", "small" with
#                    BENCH_QUICK)
set -euo pipefail
out=${1:?usage: bench/run.sh OUTDIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ -z "${TRTINFER_EXEC:-}" ]; then
    for c in "$root/.gpu/build/tools/trtinfer-exec" "$root/build/tools/trtinfer-exec"; do
        if [ -x "$c" ]; then TRTINFER_EXEC=$c; break; fi
    done
fi
export TRTINFER_EXEC=${TRTINFER_EXEC:-trtinfer-exec}
if [ -z "${TRTINFER_COMMIT:-}" ]; then
    TRTINFER_COMMIT=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
fi
export TRTINFER_COMMIT

# The command as it was typed, with the settings that change what is measured.
cmd="bench/run.sh $1"
for v in BENCH_DEVICE BENCH_QUICK BENCH_BUDGET_S BENCH_MODELS BENCH_BATCHES BENCH_PRECISIONS \
         BENCH_GEMM_BUDGET_S \
         BENCH_GEMM_SIZES; do
    if [ -n "${!v:-}" ]; then cmd="$v=${!v} $cmd"; fi
done
export BENCH_COMMAND=${BENCH_COMMAND:-$cmd}

own_work=0
if [ -z "${BENCH_WORKDIR:-}" ]; then
    BENCH_WORKDIR=$(mktemp -d /tmp/trtinfer-bench.XXXXXX)
    own_work=1
fi
export BENCH_WORKDIR
trap '[ "$own_work" = 1 ] && rm -rf "$BENCH_WORKDIR"' EXIT

python3 -u "$here/bench.py" "$out" 2>&1 | tee "$out/bench.log"
rc=${PIPESTATUS[0]}

gemm_budget=${BENCH_GEMM_BUDGET_S:-240}
if [ "$gemm_budget" != 0 ]; then
    sizes=default
    if [ -n "${BENCH_QUICK:-}" ] && [ "$BENCH_QUICK" != 0 ]; then sizes=small; fi
    echo "== FP16 GEMM vs cuBLAS (bench/gemm.py, budget ${gemm_budget} s)"
    python3 -u "$here/gemm.py" "$out" --budget "$gemm_budget" \
        --sizes "${BENCH_GEMM_SIZES:-$sizes}" --device "${BENCH_DEVICE:-cuda}" 2>&1 |
        tee "$out/gemm.log"
    grc=${PIPESTATUS[0]}
    if [ "$grc" != 0 ]; then
        echo "bench/run.sh: the GEMM section failed (exit $grc); see $out/gemm.log" >&2
        [ "$rc" != 0 ] || rc=$grc
    fi
fi
exit "$rc"
