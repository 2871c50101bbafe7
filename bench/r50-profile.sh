#!/bin/bash
# bench/r50-profile.sh OUTDIR — ResNet-50's per-layer profile on the GPU machine: exports
# torchvision's ResNet-50 (random weights, opset 17, dynamic batch) once to /tmp/r50, then
# for each batch B of R50_BATCHES (default "1 32") builds an FP16 engine with trtinfer-exec
# and runs it with --dumpProfile --separateProfileRun, writing OUTDIR/r50-bB.log (the profile
# table and GPU Compute Time) and OUTDIR/r50-bB-layers.json (each layer's tactic).
# Not a benchmark of record (no PyTorch beside it): bench/run.sh is. Used for the per-layer
# comparisons in bench/results/*session-notes.md and *s7-persistent.md, as
#   . .gpu/gpu-env.sh .gpu/debs && R50_BATCHES=128 bench/r50-profile.sh "$OUT/r50"
# Environment: R50_BATCHES, R50_EXTRA (more trtinfer-exec options), TRTINFER_EXEC (default
# .gpu/build/tools/trtinfer-exec), R50_TORCH=1 (also each conv alone in PyTorch/cuDNN,
# bench/r50-torch-layers.py, and the two side by side, bench/r50-compare.py:
# OUTDIR/compare-bB.txt).
set -u
out=${1:?usage: bench/r50-profile.sh OUTDIR}
# A TERM or INT to this script (a caller's `timeout`) stops the command it waits for as well:
# without that, an engine build went on alone and shared the GPU with whatever the caller ran
# next (bench/results/2026-12-03-h200-s9.md, call 1).
child=
trap '[ -n "$child" ] && kill "$child" 2>/dev/null; exit 143' TERM INT
run() {
    "$@" &
    child=$!
    wait "$child"
    local rc=$?
    child=
    return $rc
}
mkdir -p "$out"
w=/tmp/r50
mkdir -p $w
exec_=${TRTINFER_EXEC:-.gpu/build/tools/trtinfer-exec}
[ -f $w/r50.onnx ] || python3 - <<'PY'
import torch, torchvision
m = torchvision.models.resnet50(weights=None).eval()
x = torch.randn(1, 3, 224, 224)
torch.onnx.export(m, (x,), "/tmp/r50/r50.onnx", dynamo=False, input_names=["input"],
                  output_names=["output"], opset_version=17,
                  dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
PY
for b in ${R50_BATCHES:-1 32}; do
    run timeout 300 "$exec_" --onnx=$w/r50.onnx --fp16 --shapes=input:${b}x3x224x224 \
        --saveEngine=$w/r50-b$b.engine --dumpProfile --separateProfileRun --duration=2 \
        --exportLayerInfo="$out/r50-b$b-layers.json" ${R50_EXTRA:-} > "$out/r50-b$b.log" 2>&1
    echo "r50 b$b rc=$?"
    grep -i "GPU compute\|throughput" "$out/r50-b$b.log" | head -3
    if [ "${R50_TORCH:-0}" = 1 ]; then
        here=$(dirname "$0")
        run timeout 120 python3 "$here/r50-torch-layers.py" "$out/torch-layers-b$b.json" "$b" \
            > "$out/torch-layers-b$b.txt" 2>&1 && tail -1 "$out/torch-layers-b$b.txt" &&
            python3 "$here/r50-compare.py" "$out/r50-b$b.log" "$out/torch-layers-b$b.json" \
                > "$out/compare-b$b.txt" 2>&1 && tail -14 "$out/compare-b$b.txt"
    fi
done
