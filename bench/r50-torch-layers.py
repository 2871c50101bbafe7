#!/usr/bin/env python3
"""bench/r50-torch-layers.py OUT.json [BATCH] — every convolution of torchvision's ResNet-50
timed alone in PyTorch on the GPU (cuDNN, FP16, channels_last, cudnn.benchmark), at the input
shape it has in the model; plus the time to write and to copy a 205 MB FP16 tensor (how fast
this GPU's memory takes the output of ResNet-50's largest layers). A per-layer reference for
trtinfer-exec --dumpProfile (bench/r50-profile.sh); compare them with bench/r50-compare.py.
Not a benchmark of record: bench/run.sh is.
"""
import json
import sys

import torch
import torchvision

out = sys.argv[1]
batch = int(sys.argv[2]) if len(sys.argv) > 2 else 128
dev = "cuda" if torch.cuda.is_available() else "cpu"  # cpu: a dry run of the script
torch.backends.cudnn.benchmark = True
model = torchvision.models.resnet50(weights=None).eval().half().to(dev)
model = model.to(memory_format=torch.channels_last)
convs = [(n, m) for n, m in model.named_modules() if isinstance(m, torch.nn.Conv2d)]
shapes = {}


def record_input_shape(name):
    def hook(_module, inputs, _output):
        shapes.setdefault(name, tuple(inputs[0].shape))
        # None: a forward hook that returns a value replaces the module's output

    return hook


for name, conv in convs:
    conv.register_forward_hook(record_input_shape(name))
x = torch.randn(batch, 3, 224, 224, device=dev, dtype=torch.half)
x = x.contiguous(memory_format=torch.channels_last)


def median_ms(fn, iters=30):
    if dev == "cpu":
        import time
        t0 = time.perf_counter()
        fn()
        return (time.perf_counter() - t0) * 1e3
    for _ in range(5):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(iters):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b))
    times.sort()
    return times[len(times) // 2]


result = {"batch": batch, "device": torch.cuda.get_device_name() if dev == "cuda" else "cpu", "torch": torch.__version__,
          "layers": []}
with torch.no_grad():
    model(x)
    result["model_eager_ms"] = median_ms(lambda: model(x))
    for name, conv in convs:
        inp = torch.randn(shapes[name], device=dev, dtype=torch.half)
        inp = inp.contiguous(memory_format=torch.channels_last)
        ms = median_ms(lambda: conv(inp))
        result["layers"].append({"name": name, "input": list(shapes[name]),
                                 "out_channels": conv.out_channels,
                                 "kernel": list(conv.kernel_size), "stride": list(conv.stride),
                                 "ms": ms})
    big = torch.empty(batch * 56 * 56 * 256, device=dev, dtype=torch.half)
    src = torch.randn_like(big)
    result["write_205MB_ms"] = median_ms(lambda: big.fill_(1.0))
    result["copy_205MB_ms"] = median_ms(lambda: big.copy_(src))
with open(out, "w") as f:
    json.dump(result, f, indent=1)
print(f"eager model {result['model_eager_ms']:.3f} ms; sum of convs "
      f"{sum(l['ms'] for l in result['layers']):.3f} ms; write 205 MB {result['write_205MB_ms']:.4f} ms,"
      f" copy {result['copy_205MB_ms']:.4f} ms")
