#!/usr/bin/env python3
"""bench/r50-compare.py PROFILE.log TORCH.json — ResNet-50's convolutions side by side:
trtinfer's per-layer medians (trtinfer-exec --dumpProfile, bench/r50-profile.sh) and each conv
alone in PyTorch/cuDNN (bench/r50-torch-layers.py), with the bytes a layer must move at least
(input, output, weights and, for a fused residual, the residual; FP16) as a time at the GPU's
measured copy speed. trtinfer's layers include the folded batch-norm bias, the ReLU and the
residual add that PyTorch runs as separate kernels (not timed here)."""
import json
import re
import sys

prof, torch_json = sys.argv[1], sys.argv[2]
ref = json.load(open(torch_json))
batch = ref["batch"]
copy_bps = 2 * 2 * batch * 56 * 56 * 256 / (ref["copy_205MB_ms"] * 1e-3)  # read + write


def key_of_torch(name):
    m = re.fullmatch(r"(layer\d)\.(\d+)\.(conv\d|downsample\.0)", name)
    return (m.group(1), int(m.group(2)), m.group(3)) if m else (name,)


def key_of_onnx(layer):
    m = re.match(r"/(layer\d)/layer\d\.(\d+)/(conv\d|downsample/downsample\.0)/Conv", layer)
    if m:
        return (m.group(1), int(m.group(2)), m.group(3).replace("downsample/", ""))
    m = re.match(r"/(conv1)/Conv", layer)
    return (m.group(1),) if m else None


ours = {}
for line in open(prof):
    m = re.match(r"\[I\]\s+[\d.]+\s+[\d.]+\s+([\d.]+)\s+[\d.]+\s+(.*)$", line)
    if m and "Conv" in m.group(2):
        k = key_of_onnx(m.group(2))
        if k:
            ours[k] = (float(m.group(1)), "/Add" in m.group(2))

print(f"batch {batch}, {ref['device']}; copy speed {copy_bps / 1e12:.2f} TB/s (read + write)")
print(f"{'layer':28s} {'kind':10s} {'trtinfer':>9s} {'cuDNN':>9s} {'ratio':>6s} {'bytes@copy':>10s}")
tot = [0.0, 0.0, 0.0]
groups = {}
for l in ref["layers"]:
    k = key_of_torch(l["name"])
    if k not in ours:
        continue
    ms, res = ours[k]
    n, h, w, c = l["input"][0], l["input"][2], l["input"][3], l["input"][1]
    kh, kw = l["kernel"]
    sh, sw = l["stride"]
    oh, ow, co = (h + 2 * (kh // 2) - kh) // sh + 1, (w + 2 * (kw // 2) - kw) // sw + 1, l["out_channels"]
    nbytes = 2 * (n * h * w * c + n * oh * ow * co * (2 if res else 1) + kh * kw * c * co)
    floor = nbytes / copy_bps * 1e3
    kind = f"{kh}x{kw}/{sh}" + ("+res" if res else "")
    print(f"{l['name']:28s} {kind:10s} {ms:9.4f} {l['ms']:9.4f} {ms / l['ms']:6.2f} {floor:10.4f}")
    g = (k[0] if len(k) > 1 else "conv1") + (" 1x1" if kh == 1 else f" {kh}x{kw}")
    a = groups.setdefault(g, [0.0, 0.0, 0.0])
    for i, v in enumerate((ms, l["ms"], floor)):
        a[i] += v
        tot[i] += v
print()
print(f"{'group':16s} {'trtinfer':>9s} {'cuDNN':>9s} {'bytes@copy':>10s}")
for g, a in groups.items():
    print(f"{g:16s} {a[0]:9.3f} {a[1]:9.3f} {a[2]:10.3f}")
print(f"{'all convs':16s} {tot[0]:9.3f} {tot[1]:9.3f} {tot[2]:10.3f}")
print(f"PyTorch eager whole model (BN, ReLU, adds as kernels of their own): {ref['model_eager_ms']:.3f} ms")
