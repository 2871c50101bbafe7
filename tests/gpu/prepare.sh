#!/usr/bin/env bash
# tests/gpu/prepare.sh [DIR] — the inputs of tests/gpu/run.sh that need onnxruntime, made
# here because the GPU machine's onnxruntime rejects models of its onnx: the whole-model
# cases of tests/models/make_models.py (references from onnxruntime CPU) in DIR/model_cases
# (default DIR: .gpu/gpu-tests, about 2 MB; carry it with .gpu). The GEMM sweep
# (tests/gpu/gemm_cases.py, numpy references, ~300 MB) is made on the GPU machine by run.sh.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${1:-$root/.gpu/gpu-tests}
python3 -c 'import onnx, onnxruntime, numpy' || {
    echo "tests/gpu/prepare.sh: needs python3 with onnx, onnxruntime and numpy" >&2; exit 2; }
rm -rf "$dir/model_cases"
mkdir -p "$dir"
python3 "$root/tests/models/make_models.py" "$dir/model_cases"
git -C "$root" rev-parse --short=12 HEAD > "$dir/PREPARED_AT" 2>/dev/null || true
du -sh "$dir"
echo "prepared $dir; carry it to the GPU machine (run tool: carry [\".gpu\"] or its path)"
