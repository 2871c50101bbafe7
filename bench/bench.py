#!/usr/bin/env python3
"""bench.py OUTDIR — the benchmark behind bench/run.sh (read that file for the settings).

Phases, in order of priority, each bounded by what is left of BENCH_BUDGET_S:
  1. export the torchvision models (weights=None, seeded, BatchNorm statistics from random
     inputs, eval) to ONNX, opset 17, dynamic batch; the weights are saved for phases 3 and 4;
  2. trtinfer-exec: one engine per batch B (profile min 1, opt = max = B), FP32, and FP16 when
     trtinfer-exec accepts --fp16; its performance summary and a per-layer profile (separate
     profile run) are parsed, and its output on a seeded input is compared with onnxruntime;
  3. PyTorch eager: FP32, and FP16 with channels_last;
  4. torch.compile (default mode): FP32 of every model first, then FP16 channels_last.
Phases 3 and 4 run in a worker process (`bench.py --worker JOBS.json`) that prints one
RESULT line per measurement; the worker is killed at the phase's deadline, so one long
compile cannot overrun the budget. results.md and results.json are rewritten after every
phase.

Timing definitions, the same for every framework:
  GPU compute ms  median device time of one inference (trtinfer: OpenCL profiling events from
                  the first layer's start to the last layer's end; PyTorch: CUDA events around
                  the forward call; on the CPU, host wall time of the forward call);
  img/s           batch / GPU compute median;
  end-to-end ms   mean host wall time of one synchronous inference from a float32 input in
                  pageable host memory to the output in host memory (H2D + compute + D2H).
"""
import datetime
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

MODELS = ["resnet50", "mobilenet_v2", "efficientnet_b0"]
PRETTY = {"resnet50": "ResNet-50", "mobilenet_v2": "MobileNetV2",
          "efficientnet_b0": "EfficientNet-B0"}
SIZE = 224
T0 = time.monotonic()


def log(msg):
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M:%S")
    print(f"[{stamp} +{time.monotonic() - T0:6.1f}s] {msg}", flush=True)


def env_list(name, default):
    v = os.environ.get(name)
    return [x.strip() for x in v.split(",") if x.strip()] if v else default


class Settings:
    def __init__(self):
        self.device = os.environ.get("BENCH_DEVICE", "cuda")
        if self.device not in ("cuda", "cpu"):
            sys.exit(f"bench: BENCH_DEVICE must be cuda or cpu, not '{self.device}'")
        self.quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
        default_budget = 900 if self.quick and self.device == "cpu" else 240
        self.budget = float(os.environ.get("BENCH_BUDGET_S", default_budget))
        self.models = env_list("BENCH_MODELS", ["mobilenet_v2"] if self.quick else MODELS)
        for m in self.models:
            if m not in MODELS:
                sys.exit(f"bench: unknown model '{m}' in BENCH_MODELS; known: {','.join(MODELS)}")
        self.batches = [int(b) for b in env_list("BENCH_BATCHES", ["1"] if self.quick else
                                                 ["1", "8", "32"])]
        self.precisions = [p.lower() for p in env_list("BENCH_PRECISIONS", ["fp32", "fp16"])]
        for p in self.precisions:
            if p not in ("fp32", "fp16"):
                sys.exit(f"bench: unknown precision '{p}' in BENCH_PRECISIONS; known: fp32,fp16")
        self.exec = os.environ.get("TRTINFER_EXEC", "trtinfer-exec")
        self.build_timeout = float(os.environ.get("BENCH_BUILD_TIMEOUT_S", "420"))
        self.commit = os.environ.get("TRTINFER_COMMIT", "unknown")
        self.command = os.environ.get("BENCH_COMMAND", "bench/run.sh OUTDIR")
        self.workdir = os.environ.get("BENCH_WORKDIR") or tempfile.mkdtemp(prefix="bench.")
        self.ort_refs = {}  # onnxruntime's outputs, (onnx path, batch) -> array
        if self.quick:
            self.exec_timing = ["--warmUp=0", "--duration=0", "--iterations=3"]
            self.torch_iters, self.torch_warmup = 3, 1
        else:
            self.exec_timing = ["--warmUp=200", "--duration=1", "--iterations=20"]
            self.torch_iters, self.torch_warmup = 50, 10
        self.deadline = T0 + self.budget

    def left(self):
        return self.deadline - time.monotonic()


# ------------------------------------------------------------------------------ results

class Results:
    def __init__(self, s, outdir):
        self.s, self.outdir = s, outdir
        self.rows = []
        self.phases = {}
        self.env = {}

    def add(self, **row):
        self.rows.append(row)
        return row

    def write(self):
        s = self.s
        data = {"env": self.env, "settings": {
            "device": s.device, "quick": s.quick, "budget_s": s.budget, "models": s.models,
            "batches": s.batches, "trtinfer_exec": s.exec, "trtinfer_exec_timing": s.exec_timing,
            "torch_iterations": s.torch_iters, "torch_warmup": s.torch_warmup,
            "command": s.command}, "phases_s": self.phases, "rows": self.rows}
        with open(os.path.join(self.outdir, "results.json"), "w") as f:
            json.dump(data, f, indent=1)
        with open(os.path.join(self.outdir, "results.md"), "w") as f:
            f.write(self.markdown())

    def markdown(self):
        s, e = self.s, self.env

        def num(v, fmt):
            return fmt % v if isinstance(v, (int, float)) else "—"

        timing = " ".join(s.exec_timing)
        lines = [
            "# trtinfer benchmark", "",
            f"- Date (UTC): {e.get('date_utc', '?')}",
            f"- Device: {e.get('device_name', '?')} (driver {e.get('driver', '?')})"
            f"; trtinfer-exec's OpenCL device: {e.get('exec_device', '?')}",
            f"- torch {e.get('torch', '?')}, torchvision {e.get('torchvision', '?')}, "
            f"CUDA {e.get('cuda', '?')}, cuDNN {e.get('cudnn', '?')}; PyTorch FP32 runs with its "
            f"defaults (cudnn.allow_tf32={e.get('cudnn_allow_tf32', '?')}, "
            f"matmul.allow_tf32={e.get('matmul_allow_tf32', '?')}), cudnn.benchmark=True",
            f"- trtinfer commit: {s.commit}",
            f"- Command: `{s.command}`",
            f"- Models: torchvision, weights=None, torch.manual_seed(0), BatchNorm statistics set "
            f"from 16 random images, eval; ONNX opset 17 with a dynamic batch; input {SIZE}x{SIZE}",
            f"- trtinfer-exec: one engine per batch B, built with profile min 1x3x{SIZE}x{SIZE}, "
            f"opt = max = Bx3x{SIZE}x{SIZE}, run with `{timing}`; GPU compute = its "
            "\"GPU Compute Time\" median, end-to-end = its \"Latency\" mean (input and output "
            "copies included); its output on a seeded normal input (--loadInputs) is compared "
            "with onnxruntime (CPU): relative L2 distance in the notes",
            f"- PyTorch: {s.torch_warmup} warm-up then {s.torch_iters} timed iterations; GPU "
            "compute = median of " + ("CUDA events around" if s.device == "cuda" else
                                      "host wall times of") +
            " the forward call; end-to-end = mean host "
            "time of float32 host tensor -> device (-> half, channels_last) -> forward -> "
            "output on host. torch.compile default mode; it compiles each model once per dtype "
            "at batch 1, and once more (automatic dynamic batch) for the larger batches. "
            "PyTorch's output on trtinfer-exec's input is compared with onnxruntime too (notes): "
            "what FP16 itself does to the model",
            "- img/s = batch / GPU compute median",
            "",
            "| model | batch | precision | framework | GPU compute ms | img/s | end-to-end ms "
            "| notes |",
            "|---|---:|---|---|---:|---:|---:|---|",
        ]
        fw = ["trtinfer", EAGER, COMPILE]
        order = sorted(self.rows, key=lambda r: (
            MODELS.index(r["model"]), str(r["batch"]).zfill(4),
            not r["precision"].startswith("FP32"), fw.index(r["framework"])))
        for r in order:
            lines.append(
                f"| {PRETTY[r['model']]} | {r['batch']} | {r['precision']} | {r['framework']} | "
                f"{num(r.get('compute_ms_median'), '%.3f')} | {num(r.get('img_s'), '%.1f')} | "
                f"{num(r.get('e2e_ms_mean'), '%.3f')} | "
                f"{'; '.join(n for n in (r.get('status'), r.get('note')) if n)} |")
        for model in s.models:
            prof = [r for r in self.rows if r["model"] == model and r["framework"] == "trtinfer"
                    and r.get("profile")]
            if not prof:
                continue
            r = max(prof, key=lambda r: (r["precision"] == "FP32", r["batch"]))
            pr = r["profile"]
            lines += ["", f"### trtinfer layer profile: {PRETTY[model]}, {r['precision']}, batch "
                      f"{r['batch']} ({pr['layers']} layers, separate profile run)", "",
                      "Time by layer type: " + ", ".join(
                          f"{k} {v:.1f}%" for k, v in pr["by_type_percent"].items()), "",
                      "| layer | type | tactic | median ms | % |", "|---|---|---|---:|---:|"]
            for t in pr["top"][:6]:
                lines.append(f"| {t['name'][:90]} | {t['type']} | {t['tactic']} "
                             f"{t['tactic_params'] or ''} | {t['median_ms']:.3f} | "
                             f"{t['percent']:.1f} |")
        lines += ["", "Phase wall times (s): " + ", ".join(
            f"{k} {v:.1f}" for k, v in self.phases.items()), ""]
        return "\n".join(lines)


# ------------------------------------------------------------------------------ environment

def environment(s, res):
    import torch
    import torchvision
    e = res.env
    e["date_utc"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    e["torch"], e["torchvision"] = torch.__version__, torchvision.__version__
    e["cuda"] = torch.version.cuda
    e["cudnn"] = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    e["cudnn_allow_tf32"] = torch.backends.cudnn.allow_tf32
    e["matmul_allow_tf32"] = torch.backends.cuda.matmul.allow_tf32
    if s.device == "cuda":
        e["device_name"] = torch.cuda.get_device_name(0)
        try:
            e["driver"] = subprocess.run(
                ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                capture_output=True, text=True, timeout=30).stdout.strip().splitlines()[0]
        except (OSError, subprocess.SubprocessError, IndexError) as ex:
            e["driver"] = f"nvidia-smi failed: {ex}"
    else:
        import platform
        e["device_name"] = f"CPU ({platform.processor() or platform.machine()}, " \
                           f"{os.cpu_count()} threads)"
        e["driver"] = "n/a"
    for k in ("device_name", "driver", "torch", "cuda"):
        log(f"{k}: {e[k]}")


# ------------------------------------------------------------------------------ export

def build_model(name):
    """Seeded random weights, BatchNorm statistics set from random inputs as training would
    (without that, random networks shrink their activations layer after layer: MobileNetV2's
    logits come out near 1e-9, EfficientNet-B0's near 1e-14), eval mode."""
    import torch
    import torchvision
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None)
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the calibration batches
    model.train()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(4, 3, SIZE, SIZE, generator=g))
    return model.eval()


def load_model(name, workdir):
    """The model that was exported, for the PyTorch measurements."""
    import torch
    import torchvision
    model = getattr(torchvision.models, name)(weights=None)
    model.load_state_dict(torch.load(os.path.join(workdir, f"{name}.pt")))
    return model.eval()


def export_onnx(name, workdir):
    import torch
    model = build_model(name)
    torch.save(model.state_dict(), os.path.join(workdir, f"{name}.pt"))
    path = os.path.join(workdir, f"{name}.onnx")
    x = torch.randn(1, 3, SIZE, SIZE)
    kw = dict(input_names=["input"], output_names=["output"], opset_version=17,
              dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    try:  # the TorchScript exporter needs no onnxscript; torch >= 2.9 defaults to dynamo
        torch.onnx.export(model, (x,), path, dynamo=False, **kw)
    except TypeError:
        torch.onnx.export(model, (x,), path, **kw)
    return path


def bench_input(workdir, batch):
    """Seeded normal float32 input: a raw file for --loadInputs and the array."""
    import numpy as np
    x = np.random.default_rng(batch).standard_normal((batch, 3, SIZE, SIZE)).astype(np.float32)
    path = os.path.join(workdir, f"input-b{batch}.bin")
    if not os.path.exists(path):
        x.astype("<f4").tofile(path)
    return path, x


def ort_reference(onnx_path, x, cache):
    """onnxruntime's (CPU, FP32) output on x, computed once per model and batch."""
    import numpy as np
    import onnxruntime as ort
    key = (onnx_path, x.shape[0])
    if key not in cache:
        sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
        cache[key] = sess.run(["output"], {"input": x})[0].astype(np.float64)
    return cache[key]


def rel_l2(got, ref):
    import numpy as np
    if got.size != ref.size:
        raise ValueError(f"the output has {got.size} values, expected {ref.size}")
    diff = np.asarray(got, np.float64).reshape(ref.shape) - ref
    return float(np.linalg.norm(diff) / np.linalg.norm(ref))


def error_vs_ort(onnx_path, x, export_path, cache):
    """Relative L2 distance of trtinfer-exec's exported output to onnxruntime (CPU)."""
    import numpy as np
    ref = ort_reference(onnx_path, x, cache)
    with open(export_path) as f:
        got = {e["name"]: e["values"] for e in json.load(f)}
    if "output" not in got:
        raise ValueError("the exported outputs have no 'output'")
    return rel_l2(np.asarray(got["output"], np.float64), ref)


# ------------------------------------------------------------------------------ trtinfer-exec

# Relative L2 distance of trtinfer's output to onnxruntime's that a row may show without a
# warning in its notes (the issue's bar for FP32).
REL_L2 = {"FP32": 1e-4, "FP16": 1e-2}

SUMMARY = {
    "throughput_qps": r"\[I\] Throughput: ([0-9.eE+-]+) qps",
    "build_ms": r"\[I\] Built engine from .* in ([0-9.eE+-]+) ms",
}
STATS = {"latency": "Latency", "compute": "GPU Compute Time", "h2d": "H2D Latency",
         "d2h": "D2H Latency"}


def parse_exec(text):
    out = {}
    for k, pat in SUMMARY.items():
        m = re.search(pat, text)
        if m:
            out[k] = float(m.group(1))
    for k, label in STATS.items():
        m = re.search(r"\[I\] " + re.escape(label) +
                      r": min = (\S+) ms, max = (\S+) ms, mean = (\S+) ms, median = (\S+) ms", text)
        if m:
            out[k] = {"min": float(m.group(1)), "max": float(m.group(2)),
                      "mean": float(m.group(3)), "median": float(m.group(4))}
    return out


def first_error(text):
    errs = [ln[4:] for ln in text.splitlines() if ln.startswith("[E] ")]
    return errs[0] if errs else (text.strip().splitlines() or ["no output"])[-1]


def run_exec(s, args, timeout, logf):
    cmd = [s.exec] + args
    logf.write(f"\n$ {' '.join(cmd)}\n")
    logf.flush()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        text, rc = p.stdout + p.stderr, p.returncode
    except subprocess.TimeoutExpired as ex:
        text = (ex.stdout or b"").decode(errors="replace") if isinstance(ex.stdout, bytes) \
            else (ex.stdout or "")
        text, rc = text + f"\n[E] timed out after {timeout:.0f} s", None
    except OSError as ex:
        text, rc = f"[E] cannot run {s.exec}: {ex}", -1
    logf.write(text)
    logf.flush()
    return rc, text


def layer_profile(prof_path, info_path):
    """Time per layer type and the slowest layers, from --exportProfile/--exportLayerInfo."""
    with open(prof_path) as f:
        prof = [e for e in json.load(f) if "name" in e]
    kinds = {}
    with open(info_path) as f:
        for li in json.load(f)["Layers"]:
            kinds[li["Name"]] = (li.get("LayerType"), li.get("TacticValue"), li.get("TacticParams"))
    by_type = {}
    for e in prof:
        t = kinds.get(e["name"], ("?",))[0]
        by_type[t] = by_type.get(t, 0.0) + e["percentage"]
    top = sorted(prof, key=lambda e: -e["medianMs"])[:12]
    return {"layers": len(prof),
            "by_type_percent": dict(sorted(by_type.items(), key=lambda kv: -kv[1])),
            "top": [{"name": e["name"], "type": kinds.get(e["name"], ("?",))[0],
                     "tactic": kinds.get(e["name"], (None, None))[1],
                     "tactic_params": kinds.get(e["name"], (None, None, None))[2],
                     "median_ms": e["medianMs"], "percent": e["percentage"]} for e in top]}


def trtinfer_phase(s, res, onnx_paths, outdir, stop_at):
    dev = "--device=gpu" if s.device == "cuda" else "--device=cpu"
    fp16_refused = None
    refs = s.ort_refs
    with open(os.path.join(outdir, "trtinfer-exec.log"), "a") as logf:
        for prec in [p.upper() for p in s.precisions]:
            for b in s.batches:  # every model at a batch before the next batch
                for model in s.models:
                    row = dict(model=model, batch=b, precision=prec, framework="trtinfer")
                    if prec == "FP16" and fp16_refused:
                        if b == s.batches[0]:  # one row per model: the flag itself is refused
                            res.add(**dict(row, batch=",".join(map(str, s.batches))),
                                    status=fp16_refused)
                        continue
                    left = stop_at - time.monotonic()
                    if model not in onnx_paths:
                        res.add(**row, status="skipped: ONNX export failed")
                        continue
                    if left < 5:
                        res.add(**row, status="skipped: time budget")
                        continue
                    shape = f"input:{{}}x3x{SIZE}x{SIZE}"
                    tag = os.path.join(s.workdir, f"{model}-b{b}-{prec}")
                    in_path, x = bench_input(s.workdir, b)
                    args = [f"--onnx={onnx_paths[model]}", dev,
                            f"--minShapes={shape.format(1)}", f"--optShapes={shape.format(b)}",
                            f"--maxShapes={shape.format(b)}", f"--shapes={shape.format(b)}",
                            f"--loadInputs=input:{in_path}", f"--exportOutput={tag}.out.json",
                            *s.exec_timing] + (["--fp16"] if prec == "FP16" else [])
                    profiling = ["--separateProfileRun", f"--exportProfile={tag}.profile.json",
                                 f"--exportLayerInfo={tag}.layers.json"]
                    t = time.monotonic()
                    rc, text = run_exec(s, args + profiling, min(s.build_timeout, left), logf)
                    note = ""
                    if rc not in (0, None) and "not yet supported" not in text:
                        # The per-layer profile must not cost the row: once more without it.
                        note = f"profile run failed ({first_error(text)}); "
                        rc, text = run_exec(s, args, min(s.build_timeout, stop_at - time.monotonic()),
                                            logf)
                    wall = time.monotonic() - t
                    if rc != 0:
                        err = first_error(text)
                        log(f"trtinfer {model} b{b} {prec}: {err}")
                        if prec == "FP16" and "not yet supported" in err:
                            fp16_refused = f"unsupported: trtinfer-exec --fp16 says \"{err}\""
                            res.add(**dict(row, batch=",".join(map(str, s.batches))),
                                    status=fp16_refused)
                        else:
                            res.add(**row, status=f"failed: {note}{err}", wall_s=wall)
                        continue
                    m = re.search(r"^\[I\] Device: (.*)$", text, re.M)
                    if m:
                        res.env.setdefault("exec_device", m.group(1))
                    p = parse_exec(text)
                    if "compute" not in p or "latency" not in p:
                        res.add(**row, status=f"failed: {note}no performance summary", wall_s=wall)
                        log(f"trtinfer {model} b{b} {prec}: no performance summary")
                        continue
                    prof = None
                    if not note:
                        try:
                            prof = layer_profile(f"{tag}.profile.json", f"{tag}.layers.json")
                        except (OSError, ValueError, KeyError, TypeError) as ex:
                            note = f"profile unreadable ({type(ex).__name__}: {ex}); "
                    try:
                        err = error_vs_ort(onnx_paths[model], x, f"{tag}.out.json", refs)
                        bar = REL_L2[prec]
                        note += f"rel L2 vs ORT {err:.2g}" + (
                            f" (OVER the {bar:g} bar)" if err > bar else "") + "; "
                    except Exception as ex:  # onnxruntime's own errors too
                        err = None
                        note += f"no output check ({type(ex).__name__}: {ex}); "
                    build_s = p["build_ms"] / 1e3 if "build_ms" in p else None
                    r = res.add(**row, status=note + (f"build {build_s:.1f} s" if build_s else ""),
                                rel_l2_vs_ort=err,
                                compute_ms_median=p["compute"]["median"],
                                compute_ms_mean=p["compute"]["mean"],
                                img_s=b * 1e3 / p["compute"]["median"],
                                e2e_ms_mean=p["latency"]["mean"],
                                e2e_ms_median=p["latency"]["median"],
                                exec_throughput_img_s=b * p["throughput_qps"]
                                if "throughput_qps" in p else None,
                                build_s=build_s, raw=p, wall_s=wall, profile=prof)
                    log(f"trtinfer {model} b{b} {prec}: compute {r['compute_ms_median']:.3f} ms, "
                        f"{r['img_s']:.1f} img/s, e2e {r['e2e_ms_mean']:.3f} ms "
                        f"(build {build_s or 0:.1f} s, call {wall:.1f} s)")


# ------------------------------------------------------------------------------ PyTorch

EAGER, COMPILE = "PyTorch eager", "torch.compile"
PREC_LABEL = {"fp32": "FP32", "fp16": "FP16 (channels_last)"}


def torch_jobs(s, mode):
    """(model, mode, dtype) in the order they are worth measuring."""
    if mode == EAGER:
        return [(m, mode, d) for m in s.models for d in s.precisions]
    return [(m, mode, d) for d in s.precisions for m in s.models]


def torch_output_error(s, r, onnx_paths):
    """The relative L2 distance of PyTorch's output (saved by the worker) to onnxruntime's on
    the input trtinfer-exec got: how far FP16 itself moves this model's output, beside
    trtinfer's distance. None where either side is missing."""
    path = r.get("output_npy")
    if not path or r["model"] not in onnx_paths:
        return None
    try:
        import numpy as np
        _, x = bench_input(s.workdir, r["batch"])
        return rel_l2(np.load(path), ort_reference(onnx_paths[r["model"]], x, s.ort_refs))
    except Exception as ex:  # onnxruntime's errors too: a failure costs the note, not the run
        log(f"no output check for {r['mode']} {r['model']} b{r['batch']}: "
            f"{type(ex).__name__}: {ex}")
        return None


def torch_phase(s, res, mode, stop_at, workdir, onnx_paths):
    jobs = torch_jobs(s, mode)
    expected = [(m, md, d, b) for (m, md, d) in jobs for b in s.batches]
    done = set()
    outputs = []  # (row, worker result) with a saved output, compared once the worker ends
    left = stop_at - time.monotonic()
    if left > 10:
        spec = {"device": s.device, "workdir": workdir, "jobs": jobs, "batches": s.batches,
                "iters": s.torch_iters, "warmup": s.torch_warmup}
        path = os.path.join(workdir, f"jobs-{'compile' if mode == COMPILE else 'eager'}.json")
        with open(path, "w") as f:
            json.dump(spec, f)
        p = subprocess.Popen([sys.executable, "-u", os.path.abspath(__file__), "--worker", path],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             start_new_session=True)
        timer = _Killer(p, left)
        for line in p.stdout:
            if line.startswith("RESULT "):
                r = json.loads(line[7:])
                key = (r["model"], r["mode"], r["dtype"], r["batch"])
                done.add(key)
                row = res.add(model=r["model"], batch=r["batch"], precision=PREC_LABEL[r["dtype"]],
                              framework=mode, **{k: v for k, v in r.items() if k not in (
                                  "model", "batch", "mode", "dtype", "output_npy")})
                if r.get("output_npy"):
                    outputs.append((row, r))
                if r.get("output_error"):
                    log(f"{mode} {r['model']} b{r['batch']} {r['dtype']}: output not saved for "
                        f"the comparison with onnxruntime: {r['output_error']}")
                if row.get("status"):
                    log(f"{mode} {r['model']} b{r['batch']} {r['dtype']}: {row['status']}")
                else:
                    log(f"{mode} {r['model']} b{r['batch']} {r['dtype']}: compute "
                        f"{row['compute_ms_median']:.3f} ms, {row['img_s']:.1f} img/s, e2e "
                        f"{row['e2e_ms_mean']:.3f} ms (first call {row['first_call_s']:.1f} s)")
            else:
                print("  worker: " + line.rstrip(), flush=True)
        p.wait()
        timer.cancel()
        # onnxruntime's references after the worker, so that they do not share the CPU (or
        # the GPU host thread) with its timing.
        for row, r in outputs:
            err = torch_output_error(s, r, onnx_paths)
            if err is not None:
                row["rel_l2_vs_ort"] = err
                row["note"] = f"rel L2 vs ORT {err:.2g}"
        if timer.fired:
            log(f"{mode}: worker stopped at the time budget")
        elif p.returncode != 0:
            log(f"{mode}: worker exited with {p.returncode}")
        why = "skipped: time budget" if timer.fired else f"failed: worker exited {p.returncode}"
    else:
        why = "skipped: time budget"
    for (m, md, d, b) in expected:
        if (m, md, d, b) not in done:
            res.add(model=m, batch=b, precision=PREC_LABEL[d], framework=mode, status=why)


class _Killer:
    """Kills a worker's process group (inductor's compile workers included) after `secs`."""

    def __init__(self, proc, secs):
        import threading
        self.fired = False
        self.proc = proc
        self.t = threading.Timer(max(secs, 0.0), self._kill)
        self.t.daemon = True
        self.t.start()

    def _kill(self):
        self.fired = True
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def cancel(self):
        self.t.cancel()


def failure(ex):
    msg = str(ex).strip().splitlines()
    return f"failed: {type(ex).__name__}: {(msg[0] if msg else '')[:200]}"


def worker(spec_path):
    import torch
    with open(spec_path) as f:
        spec = json.load(f)
    dev = torch.device(spec["device"])
    cuda = dev.type == "cuda"
    if cuda:
        torch.backends.cudnn.benchmark = True
    iters, warmup = spec["iters"], spec["warmup"]

    def emit(**r):
        print("RESULT " + json.dumps(r), flush=True)

    def forward_times(fn, x):
        ts = []
        for _ in range(iters):
            if cuda:
                a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                a.record()
                fn(x)
                b.record()
                ts.append((a, b))
            else:
                t = time.perf_counter()
                fn(x)
                ts.append((time.perf_counter() - t) * 1e3)
        if cuda:
            torch.cuda.synchronize()
            ts = [a.elapsed_time(b) for a, b in ts]
        return ts

    def e2e_times(fn, xh, half):
        ts = []
        for _ in range(iters):
            t = time.perf_counter()
            x = xh.to(dev)
            if half:
                x = x.to(dtype=torch.half, memory_format=torch.channels_last)
            fn(x).float().cpu()
            ts.append((time.perf_counter() - t) * 1e3)
        return ts

    for model_name, mode, dtype in spec["jobs"]:
        half = dtype == "fp16"
        try:
            model = load_model(model_name, spec["workdir"]).to(dev)
            if half:
                model = model.half().to(memory_format=torch.channels_last)
            fn = torch.compile(model) if mode == COMPILE else model
        except Exception as ex:  # a model that cannot be set up fails its rows, not the run
            for b in spec["batches"]:
                emit(model=model_name, mode=mode, dtype=dtype, batch=b, status=failure(ex))
            continue
        for b in spec["batches"]:
            r = dict(model=model_name, mode=mode, dtype=dtype, batch=b)
            try:
                torch.manual_seed(1)
                xh = torch.randn(b, 3, SIZE, SIZE)
                x = xh.to(dev)
                if half:
                    x = x.to(dtype=torch.half, memory_format=torch.channels_last)
                with torch.no_grad():
                    t = time.perf_counter()
                    fn(x)
                    if cuda:
                        torch.cuda.synchronize()
                    r["first_call_s"] = time.perf_counter() - t
                    for _ in range(warmup):
                        fn(x)
                    if cuda:
                        torch.cuda.synchronize()
                    ts = forward_times(fn, x)
                    es = e2e_times(fn, xh, half)
                    # The output on trtinfer-exec's input, for the main process to compare
                    # with onnxruntime; a failure here costs the comparison, not the row.
                    try:
                        _, xa = bench_input(spec["workdir"], b)
                        xo = torch.from_numpy(xa).to(dev)
                        if half:
                            xo = xo.to(dtype=torch.half, memory_format=torch.channels_last)
                        import numpy as np
                        path = os.path.join(spec["workdir"], f"torch-{model_name}-b{b}-{dtype}-"
                                            f"{'compile' if mode == COMPILE else 'eager'}.npy")
                        np.save(path, fn(xo).float().cpu().numpy())
                        r["output_npy"] = path
                    except Exception as ex:
                        r["output_error"] = failure(ex)
                med = statistics.median(ts)
                r.update(status="", compute_ms_median=med, compute_ms_mean=statistics.mean(ts),
                         compute_ms_min=min(ts), img_s=b * 1e3 / med,
                         e2e_ms_mean=statistics.mean(es), e2e_ms_median=statistics.median(es),
                         iterations=iters)
            except Exception as ex:
                r["status"] = failure(ex)
                if cuda:
                    torch.cuda.empty_cache()
            emit(**r)
        del fn, model
        if cuda:
            torch.cuda.empty_cache()


# ------------------------------------------------------------------------------ main

def main(outdir):
    s = Settings()
    res = Results(s, outdir)
    log(f"bench: models {','.join(s.models)}, batches {s.batches}, device {s.device}, budget "
        f"{s.budget:.0f} s, trtinfer-exec {s.exec}, commit {s.commit}")
    t = time.monotonic()
    environment(s, res)
    res.write()

    onnx_paths = {}
    for m in s.models:
        t1 = time.monotonic()
        try:
            onnx_paths[m] = export_onnx(m, s.workdir)
            mib = os.path.getsize(onnx_paths[m]) / 2**20
            log(f"exported {m} -> {onnx_paths[m]} ({mib:.1f} MiB, {time.monotonic() - t1:.1f} s)")
        except Exception as ex:
            log(f"export of {m} failed: {type(ex).__name__}: {ex}")
    res.phases["export"] = time.monotonic() - t

    # What each later phase leaves to the ones after it (eager is cheap and matters more than
    # torch.compile; the compile phase takes whatever is left).
    eager_reserve = 15 if s.quick else 45
    t = time.monotonic()
    trtinfer_phase(s, res, onnx_paths, outdir, s.deadline - eager_reserve - 10)
    res.phases["trtinfer"] = time.monotonic() - t
    res.write()

    t = time.monotonic()
    torch_phase(s, res, EAGER, s.deadline - 10, s.workdir, onnx_paths)
    res.phases["eager"] = time.monotonic() - t
    res.write()

    t = time.monotonic()
    torch_phase(s, res, COMPILE, s.deadline - 3, s.workdir, onnx_paths)
    res.phases["compile"] = time.monotonic() - t
    res.write()
    ok = sum(1 for r in res.rows if "compute_ms_median" in r)
    log(f"done: {ok}/{len(res.rows)} rows measured; wrote {outdir}/results.md and results.json")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(sys.argv[2])
    elif len(sys.argv) == 2:
        sys.exit(main(os.path.abspath(sys.argv[1])))
    else:
        sys.exit("usage: bench.py OUTDIR | bench.py --worker JOBS.json")
