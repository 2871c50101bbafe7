#!/usr/bin/env python3
"""gemm.py OUTDIR — FP16 GEMM throughput: trtinfer-exec's MatMul layer against torch.matmul
(cuBLAS), on the same shapes, in one run. bench/run.sh calls it after bench.py.

Usage: gemm.py OUTDIR [--sizes default|small|square|conv|transformer|MxNxK,...]
                      [--layout both|kn|nk] [--budget SECONDS] [--device cuda|cpu]
                      [--tacticSources=LIST] [--iterations N]

Shapes (C[M,N] = A[M,K] B[K,N]):
  square       4096^3, 8192^3
  conv         ResNet-50 at batch 32 as implicit GEMMs (M = 32*H*W, N = output channels,
               K = input channels * kernel area): the 3x3 convs of the four stages and four
               1x1 convs
  transformer  8192 tokens, hidden 768 / 1024 / 4096: QKV (N = 3h, K = h), MLP up (N = 4h,
               K = h), MLP down (N = h, K = 4h)
  default      all three; small: tiny shapes that prove the script works on a CPU device
Shapes run in that order until --budget (default 240 s) is spent; the rest are reported as
"skipped: time budget".

Layouts of B (--layout, default both: each shape once in each):
  kn        MatMul with B [K,N] (torch.matmul(a, b));
  nk        Gemm with transB=1 and B [N,K], the layout of a Linear layer's weights as PyTorch
            exports it (torch.nn.functional.linear(a, w)). Only this layout runs on the Hopper
            wgmma kernels (kernels/tc_gemm.cl); B [K,N] runs on the mma.sync ones.

Per shape and layout:
  trtinfer  an ONNX model with that one product (A a float32 graph input [M,K], B a float32
            initializer, random, seeded) built by trtinfer-exec --fp16 (default tactic
            sources, or --tacticSources); the time is the median of the MatMul layer's device
            time from --exportProfile (the GEMM kernel alone: the Cast layers that turn the
            float32 input into float16 and the output back are not counted, and reported
            apart); the tactic the builder chose comes from --exportLayerInfo (tensor core =
            tactic 4, engine/ops/gemm.c GEMM_TACTIC_TENSOR_CORE);
  torch     torch.matmul (kn) or torch.nn.functional.linear (nk) on float16 CUDA tensors of
            the same shapes and layout, median of CUDA-event
            times of single calls after warm-up (cuBLAS; PyTorch's defaults, which allow
            reduced-precision reductions in FP16). Without CUDA in torch (or without torch)
            this column says why and trtinfer still runs.
TFLOP/s = 2*M*N*K / time. Writes OUTDIR/gemm.md (table), OUTDIR/gemm.json, and
OUTDIR/gemm-trtinfer.log (every trtinfer-exec command and its output). Exit status 1 when a
trtinfer-exec run failed or gave no MatMul time (the table says which), 2 for bad usage.

Environment: TRTINFER_EXEC (default .gpu/build/tools/trtinfer-exec, else
build/tools/trtinfer-exec), TRTINFER_COMMIT, BENCH_WORKDIR (where ONNX files go; default a
temporary folder, removed).
"""
import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEMM_TACTIC_TENSOR_CORE = 4

SETS = {
    "square": [("square 4096", 4096, 4096, 4096), ("square 8192", 8192, 8192, 8192)],
    "conv": [
        ("RN50 conv2_x 3x3", 32 * 56 * 56, 64, 64 * 9),
        ("RN50 conv3_x 3x3", 32 * 28 * 28, 128, 128 * 9),
        ("RN50 conv4_x 3x3", 32 * 14 * 14, 256, 256 * 9),
        ("RN50 conv5_x 3x3", 32 * 7 * 7, 512, 512 * 9),
        ("RN50 conv2_x 1x1 64->256", 32 * 56 * 56, 256, 64),
        ("RN50 conv3_x 1x1 512->128", 32 * 28 * 28, 128, 512),
        ("RN50 conv4_x 1x1 256->1024", 32 * 14 * 14, 1024, 256),
        ("RN50 conv5_x 1x1 2048->512", 32 * 7 * 7, 512, 2048),
    ],
    "transformer": [
        (f"tokens 8192 h{h} {what}", 8192, n, k)
        for h in (768, 1024, 4096)
        for what, n, k in (("QKV", 3 * h, h), ("MLP up", 4 * h, h), ("MLP down", h, 4 * h))
    ],
    "small": [("small 64", 64, 64, 64), ("small 96x40x72", 96, 40, 72),
              ("small 128x64x256", 128, 64, 256)],
}
SETS["default"] = SETS["square"] + SETS["conv"] + SETS["transformer"]

T0 = time.monotonic()


def log(msg):
    print(f"[+{time.monotonic() - T0:6.1f}s] {msg}", flush=True)


def shapes_of(spec):
    out = []
    for part in spec.split(","):
        part = part.strip()
        if part in SETS:
            out += SETS[part]
            continue
        m = re.fullmatch(r"(\d+)x(\d+)x(\d+)", part)
        if not m:
            raise SystemExit(f"gemm.py: --sizes: '{part}' is neither one of {sorted(SETS)} nor "
                             f"MxNxK")
        M, N, K = map(int, m.groups())
        out.append((f"{M}x{N}x{K}", M, N, K))
    return out


LAYOUTS = {"kn": "B[K,N] MatMul", "nk": "B[N,K] Gemm transB"}


def write_model(path, M, N, K, seed, layout):
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(seed)
    shape = (K, N) if layout == "kn" else (N, K)
    b = (rng.standard_normal(shape, dtype=np.float32) / np.float32(K ** 0.5))
    node = helper.make_node("MatMul", ["a", "b"], ["c"], name="gemm") if layout == "kn" else \
        helper.make_node("Gemm", ["a", "b"], ["c"], name="gemm", transB=1)
    graph = helper.make_graph(
        [node], "gemm",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [M, K])],
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, [M, N])],
        [numpy_helper.from_array(b, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="trtinfer-bench-gemm")
    model.ir_version = 8
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def first_error(text):
    errs = [ln[4:] for ln in text.splitlines() if ln.startswith("[E] ")]
    return errs[0] if errs else (text.strip().splitlines() or ["no output"])[-1]


def run_trtinfer(exe, onnx_path, work, args, timeout, logf):
    prof, info = os.path.join(work, "profile.json"), os.path.join(work, "layers.json")
    for p in (prof, info):
        if os.path.exists(p):
            os.remove(p)
    cmd = [exe, f"--onnx={onnx_path}", "--fp16", f"--iterations={args.iterations}",
           "--warmUp=200", "--duration=0", f"--exportProfile={prof}", f"--exportLayerInfo={info}",
           f"--device={'gpu' if args.device == 'cuda' else 'cpu'}"]
    if args.tactic_sources:
        cmd.append(f"--tacticSources={args.tactic_sources}")
    logf.write(f"\n$ {' '.join(cmd)}\n")
    logf.flush()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        text, rc = p.stdout + p.stderr, p.returncode
    except subprocess.TimeoutExpired as ex:
        out = ex.stdout.decode(errors="replace") if isinstance(ex.stdout, bytes) else \
            (ex.stdout or "")
        text, rc = out + f"\n[E] timed out after {timeout:.0f} s", None
    except OSError as ex:
        text, rc = f"[E] cannot run {exe}: {ex}", -1
    logf.write(text)
    logf.flush()
    r = {"cmd": " ".join(cmd)}
    m = re.search(r"\[I\] Device: (.*)", text)
    if m:
        r["device"] = m.group(1)
    if rc != 0:
        r["error"] = f"trtinfer-exec failed (rc {rc}): {first_error(text)}"
        return r
    try:
        with open(info) as f:
            layers = json.load(f)["Layers"]
        with open(prof) as f:
            times = {e["name"]: e["medianMs"] for e in json.load(f) if "name" in e}
    except (OSError, ValueError, KeyError) as ex:
        r["error"] = f"cannot read trtinfer-exec's profile or layer info: {ex}"
        return r
    mm = [l for l in layers if l["LayerType"] in ("MatMul", "Gemm")]
    if len(mm) != 1 or mm[0]["Name"] not in times:
        r["error"] = (f"expected one MatMul layer with a profile entry, got layers "
                      f"{[(l['Name'], l['LayerType']) for l in layers]} and profile "
                      f"{sorted(times)}")
        return r
    r["ms"] = times[mm[0]["Name"]]
    r["tactic"] = mm[0]["TacticValue"]
    r["tactic_params"] = [p for p in mm[0].get("TacticParams", []) if p] or []
    r["tensor_core"] = r["tactic"] == GEMM_TACTIC_TENSOR_CORE
    r["other_layers"] = {l["LayerType"]: round(times.get(l["Name"], 0.0), 4)
                         for l in layers if l is not mm[0]}
    if not r["ms"] > 0:
        r["error"] = f"the MatMul layer's median time is {r['ms']} ms"
    return r


class Torch:
    """torch.matmul in FP16 on CUDA, or why not."""

    def __init__(self, device):
        self.why, self.torch = None, None
        if device != "cuda":
            self.why = "torch column off (--device cpu)"
            return
        try:
            import torch
        except ImportError as ex:
            self.why = f"no torch ({ex}): cuBLAS column skipped"
            return
        if not torch.cuda.is_available():
            self.why = f"torch {torch.__version__} has no CUDA device: cuBLAS column skipped"
            return
        self.torch = torch
        self.info = {"torch": torch.__version__, "cuda": torch.version.cuda,
                     "device": torch.cuda.get_device_name(0),
                     "fp16_reduced_precision_reduction":
                         torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction}

    def time(self, M, N, K, iters, layout):
        torch = self.torch
        try:
            g = torch.Generator(device="cuda").manual_seed(0)
            a = torch.randn(M, K, device="cuda", dtype=torch.float16, generator=g)
            shape = (K, N) if layout == "kn" else (N, K)
            b = torch.randn(*shape, device="cuda", dtype=torch.float16, generator=g)
            op = torch.matmul if layout == "kn" else torch.nn.functional.linear
            for _ in range(3):
                c = op(a, b)
            torch.cuda.synchronize()
            ts = []
            for _ in range(iters):
                e0 = torch.cuda.Event(enable_timing=True)
                e1 = torch.cuda.Event(enable_timing=True)
                e0.record()
                c = op(a, b)
                e1.record()
                e1.synchronize()
                ts.append(e0.elapsed_time(e1))
            del a, b, c
            torch.cuda.empty_cache()
            return {"ms": statistics.median(ts)}
        except Exception as ex:  # noqa: BLE001 (a failed shape is reported, not fatal)
            torch.cuda.empty_cache()
            return {"error": f"torch {op.__name__} failed: {type(ex).__name__}: {ex}"}


def tflops(M, N, K, ms):
    return 2.0 * M * N * K / (ms * 1e-3) / 1e12 if ms else None


def markdown(res):
    e = res["env"]
    lines = ["# FP16 GEMM: trtinfer MatMul/Gemm layer vs torch (cuBLAS)", "",
             f"- date: {e['date_utc']} UTC; commit {e['commit']}",
             f"- trtinfer device: {e.get('trtinfer_device', '?')}",
             f"- torch: {e.get('torch', '-')}",
             f"- command: `{e['command']}`",
             "- trtinfer: median device time of the MatMul/Gemm layer (--exportProfile; the Cast "
             "layers at the float32 graph edges excluded), FP16 engine, "
             f"tactic sources {e['tactic_sources']}; torch: median of CUDA events around one "
             "torch.matmul (B[K,N]) or torch.nn.functional.linear (B[N,K]) on float16 tensors. "
             "TFLOP/s = 2MNK / time. Tactic params of tensor-core layers: BM, BN, WM, WN, "
             "stages, wgmma, split-K.", "",
             "| shape | layout | M | N | K | trtinfer ms | trtinfer TFLOP/s | tactic | torch ms "
             "| torch TFLOP/s | trtinfer / torch |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in res["rows"]:
        t, c = r.get("trtinfer", {}), r.get("torch", {})
        tms, cms = t.get("ms"), c.get("ms")
        tt, ct = tflops(r["M"], r["N"], r["K"], tms), tflops(r["M"], r["N"], r["K"], cms)
        tac = "-" if "tactic" not in t else \
            f"{t['tactic']}{' (tensor core ' + str(t.get('tactic_params')) + ')' if t.get('tensor_core') else ''}"
        tcol = t.get("skipped") or t.get("error") or f"{tms:.4f}"
        ccol = c.get("skipped") or c.get("error") or f"{cms:.4f}"
        ratio = f"{tt / ct:.2f}" if tt and ct and not t.get("error") else "-"
        lines.append(f"| {r['name']} | {LAYOUTS[r.get('layout', 'kn')]} | {r['M']} | {r['N']} | "
                     f"{r['K']} | {tcol} | "
                     f"{f'{tt:.3g}' if tt and not t.get('error') else '-'} | {tac} | {ccol} | "
                     f"{f'{ct:.3g}' if ct else '-'} | {ratio} |")
    if res.get("notes"):
        lines += [""] + [f"- {n}" for n in res["notes"]]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--sizes", default="default")
    ap.add_argument("--budget", type=float, default=240.0)
    ap.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    ap.add_argument("--tacticSources", dest="tactic_sources", default=None)
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--layout", choices=("both", "kn", "nk"), default="both")
    args = ap.parse_args()
    shapes = shapes_of(args.sizes)
    exe = os.environ.get("TRTINFER_EXEC")
    if not exe:
        for c in (os.path.join(ROOT, ".gpu/build/tools/trtinfer-exec"),
                  os.path.join(ROOT, "build/tools/trtinfer-exec")):
            if os.access(c, os.X_OK):
                exe = c
                break
    if not exe or not os.access(exe, os.X_OK):
        sys.exit(f"gemm.py: no trtinfer-exec (TRTINFER_EXEC={exe}); build it or set "
                 f"TRTINFER_EXEC")
    try:
        import numpy  # noqa: F401
        import onnx  # noqa: F401
    except ImportError as ex:
        sys.exit(f"gemm.py: needs numpy and onnx to write the models: {ex}")
    os.makedirs(args.outdir, exist_ok=True)
    deadline = time.monotonic() + args.budget
    own = not os.environ.get("BENCH_WORKDIR")
    work = tempfile.mkdtemp(prefix="trtinfer-gemm.") if own else os.environ["BENCH_WORKDIR"]
    os.makedirs(work, exist_ok=True)
    commit = os.environ.get("TRTINFER_COMMIT")
    if not commit:
        p = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"],
                           capture_output=True, text=True)
        commit = p.stdout.strip() or "unknown"
    res = {"env": {"date_utc": datetime.datetime.now(datetime.timezone.utc)
                   .strftime("%Y-%m-%d %H:%M:%S"), "commit": commit, "trtinfer_exec": exe,
                   "command": "bench/gemm.py " + " ".join(sys.argv[1:]),
                   "tactic_sources": args.tactic_sources or "all (default)"},
           "rows": [], "notes": []}
    th = Torch(args.device)
    if th.why:
        log(th.why)
        res["notes"].append(th.why)
        res["env"]["torch"] = th.why
    else:
        res["env"]["torch"] = ", ".join(f"{k} {v}" for k, v in th.info.items())
        log(f"torch: {res['env']['torch']}")
    failed = []

    def save():
        with open(os.path.join(args.outdir, "gemm.json"), "w") as f:
            json.dump(res, f, indent=1)
        with open(os.path.join(args.outdir, "gemm.md"), "w") as f:
            f.write(markdown(res))

    logf = open(os.path.join(args.outdir, "gemm-trtinfer.log"), "w")
    try:
        layouts = ("kn", "nk") if args.layout == "both" else (args.layout,)
        runs = [(s, lay) for s in shapes for lay in layouts]
        for i, ((name, M, N, K), layout) in enumerate(runs):
            row = {"name": name, "layout": layout, "M": M, "N": N, "K": K}
            res["rows"].append(row)
            left = deadline - time.monotonic()
            if left < 5:
                row["trtinfer"] = row["torch"] = {"skipped": "skipped: time budget"}
                continue
            log(f"{name} ({LAYOUTS[layout]}): M={M} N={N} K={K}")
            path = os.path.join(work, "gemm.onnx")
            write_model(path, M, N, K, seed=i, layout=layout)
            t = run_trtinfer(exe, path, work, args, max(5.0, deadline - time.monotonic()), logf)
            os.remove(path)
            row["trtinfer"] = t
            res["env"].setdefault("trtinfer_device", t.get("device", "?"))
            if "error" in t:
                failed.append(name)
                log(f"  trtinfer: FAILED: {t['error']}")
                if "opening the device" in t["error"]:
                    # Every other shape would fail the same way.
                    for (name2, M2, N2, K2), layout2 in runs[i + 1:]:
                        res["rows"].append({"name": name2, "layout": layout2, "M": M2,
                                            "N": N2, "K": K2,
                                            "trtinfer": {"skipped": "not run: no device"},
                                            "torch": {"skipped": "not run"}})
                    save()
                    break
            else:
                log(f"  trtinfer: {t['ms']:.4f} ms, {tflops(M, N, K, t['ms']):.2f} TFLOP/s, tactic "
                    f"{t['tactic']}{' (tensor core)' if t['tensor_core'] else ''}; other layers "
                    f"{t['other_layers']}")
            if th.why:
                row["torch"] = {"skipped": "-"}
            elif deadline - time.monotonic() < 2:
                row["torch"] = {"skipped": "skipped: time budget"}
            else:
                row["torch"] = th.time(M, N, K, args.iterations, layout)
                c = row["torch"]
                log(f"  torch: {c['error']}" if "error" in c else
                    f"  torch: {c['ms']:.4f} ms, {tflops(M, N, K, c['ms']):.2f} TFLOP/s")
            save()
    finally:
        logf.close()
        if own:
            shutil.rmtree(work, ignore_errors=True)
    skipped = [r["name"] for r in res["rows"] if r["trtinfer"].get("skipped")]
    if skipped:
        res["notes"].append(f"not run, time budget of {args.budget:.0f} s spent: "
                            f"{', '.join(skipped)}")
    if failed:
        res["notes"].append(f"trtinfer-exec FAILED on: {', '.join(failed)} (see "
                            f"gemm-trtinfer.log)")
    save()
    print(markdown(res))
    if failed:
        print(f"gemm.py: FAILED: trtinfer-exec failed on {', '.join(failed)}; see "
              f"{os.path.join(args.outdir, 'gemm-trtinfer.log')}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
