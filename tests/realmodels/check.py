#!/usr/bin/env python3
"""check.py — real models through trtinfer against onnxruntime (CPU), by hand (too slow for CI
on PoCL; not registered in meson).

Usage: tests/realmodels/check.py [--exec build/tools/trtinfer-exec] [--device cpu]
                                 [--models resnet50,mobilenet_v2,efficientnet_b0,yolov8n]
                                 [--batches 1,2] [--bn calibrated|init] [--workdir DIR]
                                 [--json FILE] [--no-bisect]

Models, all with random weights (torch.manual_seed(0)), BatchNorm statistics calibrated on
random inputs (--bn init keeps them as initialised), eval mode, exported with PyTorch's
TorchScript exporter at opset 17 with a dynamic batch:
  resnet50, mobilenet_v2, efficientnet_b0   torchvision, weights=None, 1x3x224x224
  yolov8n                                   ultralytics' yolov8n.yaml built from its config
                                            (no download), Conv+BN fused and the Detect head
                                            in export mode as ultralytics' ONNX export does,
                                            1x3x640x640 -> 1x84x8400; skipped when ultralytics
                                            is not installed (to keep the installed torch:
                                            `pip install --no-deps ultralytics` then `pip
                                            install opencv-python-headless pyyaml scipy
                                            psutil polars ultralytics-thop matplotlib`)
Each model gets one engine (profile min 1, opt 1, max = the largest batch) built and saved by
trtinfer-exec, then run with --loadEngine at every batch on seeded normal inputs
(--loadInputs / --exportOutput). The error per output is the relative L2 distance to
onnxruntime, ||trt - ort|| / ||ort||; the bar is 1e-4 (FP32). PyTorch's own distance to
onnxruntime is printed beside it as the noise floor of the reference.

When an output misses the bar, the first failing node is searched for (unless --no-bisect):
a binary search over the nodes in topological order, each probe adding one node's output to
the graph's outputs and comparing it at batch 1. Exit status: 0 when every output is within
the bar, 1 otherwise.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort

REL_L2 = 1e-4
TORCHVISION = ("resnet50", "mobilenet_v2", "efficientnet_b0")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def calibrate_bn(model, size):
    """Sets every BatchNorm's running statistics to the batch statistics of random inputs, as
    training would: without it, random-weight networks shrink their activations layer after
    layer (MobileNetV2's logits come out near 1e-9, EfficientNet-B0's near 1e-14)."""
    import torch
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the calibration batches
    model.train()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(4, 3, size, size, generator=g))
    return model.eval()


def build_torch(name, bn):
    """(model, input size) with seeded random weights; None when it cannot be built here."""
    import torch
    torch.manual_seed(0)
    if name in TORCHVISION:
        import torchvision
        model = getattr(torchvision.models, name)(weights=None)
        return (calibrate_bn(model, 224) if bn == "calibrated" else model.eval()), 224
    if name == "yolov8n":
        try:
            from ultralytics.nn.modules import Detect
            from ultralytics.nn.tasks import DetectionModel
        except ImportError as ex:
            print(f"  skipped: ultralytics is not importable ({ex}); pip install ultralytics")
            return None
        model = DetectionModel("yolov8n.yaml", verbose=False)
        model = calibrate_bn(model, 640) if bn == "calibrated" else model.eval()
        model = model.fuse(verbose=False)
        for m in model.modules():
            if isinstance(m, Detect):
                m.export, m.format, m.dynamic = True, "onnx", True
        return model, 640
    raise SystemExit(f"unknown model '{name}'")


def export(model, size, path):
    import torch
    x = torch.randn(1, 3, size, size)
    kw = dict(input_names=["input"], output_names=["output"], opset_version=17,
              dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    with torch.no_grad():
        try:
            torch.onnx.export(model, (x,), path, dynamo=False, **kw)
        except TypeError:  # torch without the dynamo switch
            torch.onnx.export(model, (x,), path, **kw)


def rel_l2(got, ref):
    got, ref = np.asarray(got, np.float64).ravel(), np.asarray(ref, np.float64).ravel()
    den = np.linalg.norm(ref)
    return float(np.linalg.norm(got - ref) / den) if den else float(np.linalg.norm(got))


def run_exec(args, what):
    try:
        p = subprocess.run(args, capture_output=True, text=True)
    except OSError as ex:
        raise RuntimeError(f"{what}: cannot run {args[0]}: {ex}") from ex
    if p.returncode != 0:
        errs = [ln for ln in (p.stdout + p.stderr).splitlines() if ln.startswith("[E]")]
        raise RuntimeError(f"{what}: trtinfer-exec exited {p.returncode}: "
                           + (" | ".join(errs) or (p.stdout + p.stderr)[-2000:]))
    return p.stdout


def load_export(path):
    with open(path) as f:
        doc = json.load(f)
    out = {}
    for e in doc:
        shape = [int(d) for d in e["dimensions"].split("x")] if e["dimensions"] else []
        out[e["name"]] = np.array(e["values"], np.float64).reshape(shape)
    return out


class Runner:
    def __init__(self, exe, device, workdir):
        self.exe, self.device, self.workdir = exe, device, workdir

    def build(self, onnx_path, input_name, in_shape, max_batch, engine):
        dims = "x".join(map(str, in_shape[1:]))
        run_exec([self.exe, f"--onnx={onnx_path}", f"--device={self.device}",
                  f"--minShapes={input_name}:1x{dims}", f"--optShapes={input_name}:1x{dims}",
                  f"--maxShapes={input_name}:{max_batch}x{dims}", f"--saveEngine={engine}",
                  "--skipInference"], f"building {onnx_path}")

    def infer(self, engine, input_name, x, tag):
        xin = os.path.join(self.workdir, f"{tag}.bin")
        out = os.path.join(self.workdir, f"{tag}.json")
        x.astype("<f4").tofile(xin)
        shape = "x".join(map(str, x.shape))
        run_exec([self.exe, f"--loadEngine={engine}", f"--device={self.device}",
                  f"--shapes={input_name}:{shape}", f"--loadInputs={input_name}:{xin}",
                  f"--exportOutput={out}", "--warmUp=0", "--duration=0", "--iterations=1"],
                 f"running {engine} at {shape}")
        return load_export(out)


def ort_run(path, feeds, outputs=None):
    so = ort.SessionOptions()
    so.log_severity_level = 3
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    names = outputs or [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, feeds)))


def bisect(onnx_path, runner, input_name, x, workdir, tag):
    """First node (topological order) whose float output misses the bar at this input."""
    model = onnx.load(onnx_path)
    g = model.graph
    graph_outs = {o.name for o in g.output}
    # Candidate probe points: each node's first output, when it is a float tensor that the
    # shape inference knows (host-computed shape arithmetic is skipped).
    inferred = onnx.shape_inference.infer_shapes(model)
    types = {v.name: v.type for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
    probes = [i for i, n in enumerate(g.node)
              if n.output and n.output[0] in types
              and types[n.output[0]].tensor_type.elem_type == onnx.TensorProto.FLOAT
              and n.op_type not in ("Shape", "Constant")]
    cache = {}

    def error_at(k):
        if k in cache:
            return cache[k]
        node = g.node[k]
        name = node.output[0]
        m = onnx.load(onnx_path)
        if name not in graph_outs:
            m.graph.output.append(onnx.ValueInfoProto(name=name, type=types[name]))
        probe = os.path.join(workdir, f"{tag}-probe{k}.onnx")
        onnx.save(m, probe)
        ref = ort_run(probe, {input_name: x}, [name])[name]
        engine = os.path.join(workdir, f"{tag}-probe{k}.engine")
        runner.build(probe, input_name, list(x.shape), x.shape[0], engine)
        got = runner.infer(engine, input_name, x, f"{tag}-probe{k}")[name]
        e = rel_l2(got, ref)
        cache[k] = e
        print(f"    probe node {k} '{node.name}' ({node.op_type}) -> {name}: rel L2 {e:.3g}",
              flush=True)
        return e

    lo, hi = 0, len(probes) - 1  # invariant: the first bad probe is in probes[lo..hi]
    if error_at(probes[hi]) <= REL_L2:
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if error_at(probes[mid]) > REL_L2:
            hi = mid
        else:
            lo = mid + 1
    k = probes[lo]
    node = g.node[k]
    return {"index": k, "name": node.name, "op": node.op_type, "inputs": list(node.input),
            "outputs": list(node.output), "rel_l2": cache[k],
            "previous_probe": cache.get(probes[lo - 1]) if lo > 0 else None,
            "attributes": {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute
                           if a.type != onnx.AttributeProto.TENSOR}}


def check_model(name, args, runner, workdir):
    built = build_torch(name, args.bn)
    if built is None:
        return [{"model": name, "status": "skipped"}]
    model, size = built
    path = os.path.join(workdir, f"{name}.onnx")
    t = time.monotonic()
    export(model, size, path)
    print(f"  exported {path} ({os.path.getsize(path) / 2**20:.1f} MiB, "
          f"{time.monotonic() - t:.1f} s)", flush=True)
    engine = os.path.join(workdir, f"{name}.engine")
    t = time.monotonic()
    runner.build(path, "input", [1, 3, size, size], max(args.batches), engine)
    print(f"  engine built ({time.monotonic() - t:.1f} s; profile 1..{max(args.batches)})",
          flush=True)
    import torch
    rows = []
    for b in args.batches:
        x = np.random.default_rng(100 + b).standard_normal((b, 3, size, size)).astype(np.float32)
        ref = ort_run(path, {"input": x})
        with torch.no_grad():
            pt = model(torch.from_numpy(x))
        pt = {"output": (pt[0] if isinstance(pt, (tuple, list)) else pt).numpy()}
        t = time.monotonic()
        got = runner.infer(engine, "input", x, f"{name}-b{b}")
        dt = time.monotonic() - t
        for out, r in ref.items():
            row = {"model": name, "batch": b, "output": out, "shape": list(r.shape)}
            if out not in got:
                row.update(status="FAIL", detail=f"trtinfer exported {sorted(got)}")
            elif list(got[out].shape) != list(r.shape):
                row.update(status="FAIL", detail=f"shape {list(got[out].shape)}")
            else:
                e = rel_l2(got[out], r)
                row.update(rel_l2=e, max_abs=float(np.max(np.abs(got[out] - r))),
                           ref_max_abs=float(np.max(np.abs(r))),
                           torch_vs_ort=rel_l2(pt[out], r) if out in pt else None,
                           status="ok" if e <= REL_L2 else "FAIL")
                if name == "yolov8n":
                    # Boxes (pixels) dominate the norm; the class scores (sigmoids near 1e-5
                    # with the head's initial bias) apart, against PyTorch too.
                    row["rel_l2_boxes"] = rel_l2(got[out][:, :4], r[:, :4])
                    row["rel_l2_scores"] = rel_l2(got[out][:, 4:], r[:, 4:])
                    row["scores_torch_vs_ort"] = rel_l2(pt[out][:, 4:], r[:, 4:])
                    row["scores_trt_vs_torch"] = rel_l2(got[out][:, 4:], pt[out][:, 4:])
            rows.append(row)
            extra = "".join(f", {k} {row[k]:.3g}" for k in ("rel_l2_boxes", "rel_l2_scores",
                                                             "scores_torch_vs_ort",
                                                             "scores_trt_vs_torch")
                            if k in row)
            print(f"  b{b} {out} {row['shape']}: "
                  + (f"rel L2 {row['rel_l2']:.3g} (max abs {row['max_abs']:.3g} of "
                     f"{row['ref_max_abs']:.3g}; torch vs ort {row['torch_vs_ort']:.3g}{extra})"
                     if "rel_l2" in row else row["detail"])
                  + f" {row['status']} [{dt:.1f} s]", flush=True)
    if args.bisect and any(r["status"] == "FAIL" and "rel_l2" in r for r in rows):
        x = np.random.default_rng(101).standard_normal((1, 3, size, size)).astype(np.float32)
        print("  bisecting at batch 1 ...", flush=True)
        found = bisect(path, runner, "input", x, workdir, name)
        print(f"  first failing node: {found}", flush=True)
        rows.append({"model": name, "first_failing_node": found})
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--exec", default=os.path.join(ROOT, "build", "tools", "trtinfer-exec"))
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--models", default=",".join(TORCHVISION + ("yolov8n",)))
    ap.add_argument("--batches", default="1,2")
    ap.add_argument("--workdir")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--bn", choices=("calibrated", "init"), default="calibrated",
                    help="BatchNorm statistics: from random inputs (default) or as initialised")
    ap.add_argument("--no-bisect", dest="bisect", action="store_false")
    args = ap.parse_args()
    args.batches = [int(b) for b in args.batches.split(",")]
    workdir = args.workdir or tempfile.mkdtemp(prefix="realmodels.")
    os.makedirs(workdir, exist_ok=True)
    runner = Runner(args.exec, args.device, workdir)
    print(f"trtinfer-exec {args.exec} on --device={args.device}; onnxruntime {ort.__version__}; "
          f"bar rel L2 <= {REL_L2:g}; workdir {workdir}", flush=True)
    rows = []
    for name in args.models.split(","):
        print(f"{name}:", flush=True)
        try:
            rows += check_model(name, args, runner, workdir)
        except RuntimeError as ex:
            print(f"  FAIL: {ex}", flush=True)
            rows.append({"model": name, "status": "FAIL", "detail": str(ex)})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    bad = [r for r in rows if r.get("status") == "FAIL"]
    checked = [r for r in rows if r.get("status") in ("ok", "FAIL")]
    print(f"{len(checked) - len(bad)} passed, {len(bad)} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
