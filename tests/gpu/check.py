#!/usr/bin/env python3
"""The GPU correctness check of the tensor-core tactics (tests/gpu/run.sh runs it).

Usage: check.py OUTDIR [--quick]

Environment (run.sh sets the defaults):
  TRTINFER_EXEC   trtinfer-exec binary          RUN_CASES   run_cases binary
  GPU_TESTS_DIR   prepared inputs (tests/gpu/prepare.sh): model_cases/ (make_models.py,
                  references from onnxruntime), optionally gemm_cases/
  GPU_TESTS_WORK  scratch folder (generated GEMM cases, dumps, layer info)
  GPU_TESTS_EXPECT_TC  1/0: whether the device has tensor cores (default: an NVIDIA device)
  GPU_TESTS_COMMAND, TRTINFER_COMMIT  for the report header

Checks (each PASS, FAIL or SKIP in OUTDIR/RESULTS.md):
  models        every case of model_cases as an FP16 engine restricted to tensor-core tactics
                (run_cases --fp16 REL_L2 --tactic-sources tensor_core --all-tactics: layers
                without a tensor-core candidate keep their portable ones; every candidate of
                the allowed sources is run), float outputs rel L2 <= tests/models/fp16_report.py's
                REL_L2 vs onnxruntime FP32
  models-tc     per model, from trtinfer-exec --fp16 --tacticSources=-PORTABLE
                --exportLayerInfo: Conv/MatMul/Gemm layers, how many are eligible (ELIGIBLE
                below) and how many run a tensor-core tactic (TC_TACTICS); FAIL if a model
                with eligible layers runs none on tensor cores
  gemm          gemm_cases.py's sweep, same run_cases call with rel L2 <= GEMM_REL_L2 vs numpy
                FP32; the report lists the worst rel L2 per variant, eligible and not
  gemm-tc       as models-tc for the sweep's variants
Without tensor cores (no NVIDIA device) the *-tc checks are SKIP ("no tensor cores on
<device>") and the FP16 checks still run (the layers then keep their portable kernels).
Exit status 1 iff a check failed.
"""
import datetime
import json
import os
import re
import subprocess
import sys
import time

import numpy as np
from onnx import TensorProto, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "models"))
sys.path.insert(0, HERE)
from fp16_report import REL_L2 as MODEL_REL_L2, rel_l2  # noqa: E402 (the FP16 bound, reused)
import gemm_cases  # noqa: E402

GEMM_REL_L2 = 2e-3
# Tensor-core tactic ids by layer type: engine/ops/conv.h CONV_TACTIC_TENSOR_CORE and
# engine/ops/gemm.c GEMM_TACTIC_TENSOR_CORE.
TC_TACTICS = {"Conv": 5, "MatMul": 4, "Gemm": 4}


def eligible(layer):
    """Whether a layer should have a tensor-core candidate: float16 storage; Conv with one
    group (channels are padded to 8 in NHWC8); MatMul/Gemm with K % 8 == 0 and N % 8 == 0
    (K = A's last dimension, N = the output's). A heuristic of this script, not the engine's
    rule: the report shows the counts so a mismatch is visible."""
    op, ins, outs = layer["LayerType"], layer.get("Inputs", []), layer.get("Outputs", [])
    if op not in TC_TACTICS or len(ins) < 2 or not outs:
        return False
    if ins[0].get("Datatype") != "float16":
        return False
    x, w, y = ins[0]["Dimensions"], ins[1]["Dimensions"], outs[0]["Dimensions"]
    if op == "Conv":
        return len(x) == 4 and len(w) == 4 and x[1] == w[1]
    return len(x) >= 1 and len(y) >= 1 and x[-1] % 8 == 0 and y[-1] % 8 == 0


class Report:
    def __init__(self):
        self.checks, self.sections = [], []

    def check(self, name, status, detail):
        self.checks.append((name, status, detail))
        print(f"{status:4} {name}: {detail}", flush=True)

    def section(self, title, lines):
        self.sections.append((title, lines))

    def failed(self):
        return [c for c in self.checks if c[1] == "FAIL"]


def sh(cmd, timeout=3600):
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr, time.time() - t0


def device_line(exe):
    """trtinfer-exec --listDevices."""
    rc, out, err, _ = sh([exe, "--listDevices"])
    return out + err


def driver_version():
    try:
        rc, out, _, _ = sh(["nvidia-smi", "--query-gpu=name,driver_version",
                            "--format=csv,noheader"], timeout=30)
        if rc == 0 and out.strip():
            return out.strip()
    except (OSError, subprocess.TimeoutExpired):
        pass
    return None


def run_cases(rc_bin, cases, bound, dump, report_md, all_tactics, log):
    cmd = [rc_bin, "--fp16", str(bound), "--tactic-sources", "tensor_core", "--dump", dump,
           "--report", report_md] + (["--all-tactics"] if all_tactics else []) + [cases]
    rc, out, err, secs = sh(cmd)
    with open(log, "w") as f:
        f.write(" ".join(cmd) + "\n" + out + err)
    per_case = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+)\s+(PASS|FAIL|SKIP|EXCLUDED|CRASH)\b\s*(.*)$", line)
        if m:
            per_case[m.group(1)] = (m.group(2), m.group(3).strip())
    summary = next((l for l in reversed(out.splitlines()) if re.search(r"\d+ passed", l)), "")
    return rc, per_case, summary, secs, " ".join(cmd), out + err


def case_profile_args(case):
    path = os.path.join(case, "case.json")
    prof = {}
    if os.path.isfile(path):
        with open(path) as f:
            prof = json.load(f).get("profile", {})
    args = []
    for key, flag in (("min", "--minShapes"), ("opt", "--optShapes"), ("max", "--maxShapes")):
        if prof:
            args.append(flag + "=" + ",".join(f"{n}:{'x'.join(map(str, p[key]))}"
                                              for n, p in prof.items()))
    return args


def layer_counts(exe, case, work, name):
    """(conv/gemm layers, eligible, tensor-core, eligible-not-tc names, error)."""
    info = os.path.join(work, f"layers_{name}.json")
    cmd = [exe, "--onnx=" + os.path.join(case, "model.onnx"), "--fp16",
           "--tacticSources=-PORTABLE", "--skipInference", "--exportLayerInfo=" + info]
    cmd += case_profile_args(case)
    rc, out, err, _ = sh(cmd)
    if rc != 0:
        return None, f"trtinfer-exec failed (rc {rc}): {' '.join(cmd)}\n{(out + err)[-2000:]}"
    with open(info) as f:
        layers = json.load(f)["Layers"]
    gl = [l for l in layers if l["LayerType"] in TC_TACTICS]
    el = [l for l in gl if eligible(l)]
    tc = [l for l in gl if l["TacticValue"] == TC_TACTICS[l["LayerType"]]]
    missed = [l["Name"] for l in el if l not in tc]
    return {"layers": len(layers), "gemm_conv": len(gl), "eligible": len(el), "tc": len(tc),
            "missed": missed, "tc_not_eligible": [l["Name"] for l in tc if l not in el]}, None


def read_pb(path):
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return t.name, numpy_helper.to_array(t)


def dumped_errors(cases, dump, case):
    """{output: rel L2} of one case's data set 0 from run_cases --dump."""
    ds = os.path.join(cases, case, "test_data_set_0")
    errs = {}
    for fn in sorted(os.listdir(ds)):
        if not fn.startswith("output_"):
            continue
        name, ref = read_pb(os.path.join(ds, fn))
        p = os.path.join(dump, case, "test_data_set_0", name.replace("/", "_") + ".bin")
        errs[name] = (rel_l2(np.fromfile(p, dtype=ref.dtype).reshape(ref.shape), ref)
                      if os.path.isfile(p) else None)
    return errs


def tc_check(rep, label, counts, expect_tc, device):
    """models-tc / gemm-tc from {case: counts or error}."""
    rows = ["| case | layers | Conv/MatMul/Gemm | eligible | tensor-core | eligible on portable |",
            "|---|---|---|---|---|---|"]
    bad, errors = [], []
    tot = [0, 0]
    for case, (c, err) in sorted(counts.items()):
        if err:
            errors.append(f"{case}: {err}")
            rows.append(f"| {case} | error | | | | |")
            continue
        tot[0] += c["eligible"]
        tot[1] += c["tc"]
        missed = ", ".join(c["missed"][:6]) + (" ..." if len(c["missed"]) > 6 else "")
        rows.append(f"| {case} | {c['layers']} | {c['gemm_conv']} | {c['eligible']} | {c['tc']} "
                    f"| {missed or '-'} |")
        if c["eligible"] and not c["tc"]:
            bad.append(case)
    rep.section(f"{label}: layers on tensor cores (--tacticSources=-PORTABLE)", rows)
    summary = f"{tot[1]} tensor-core layers, {tot[0]} eligible, over {len(counts)} cases"
    if errors:
        rep.check(label, "FAIL", "; ".join(errors)[:3000])
    elif not expect_tc:
        rep.check(label, "SKIP", f"no tensor cores on {device}: tensor-core checks skipped "
                                 f"({summary})")
    elif bad:
        rep.check(label, "FAIL", f"cases with eligible layers but none on tensor cores: "
                                 f"{', '.join(bad)} ({summary})")
    else:
        rep.check(label, "PASS", summary)


def main():
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    quick = "--quick" in sys.argv[2:]
    exe, rc_bin = os.environ["TRTINFER_EXEC"], os.environ["RUN_CASES"]
    prepared, work = os.environ["GPU_TESTS_DIR"], os.environ["GPU_TESTS_WORK"]
    os.makedirs(out, exist_ok=True)
    os.makedirs(work, exist_ok=True)
    for b in (exe, rc_bin):
        if not os.access(b, os.X_OK):
            sys.exit(f"check.py: {b} is not an executable; build it or set TRTINFER_EXEC / "
                     f"RUN_CASES")
    model_cases = os.path.join(prepared, "model_cases")
    if not os.path.isdir(model_cases):
        sys.exit(f"check.py: {model_cases} is missing; run tests/gpu/prepare.sh on a machine "
                 f"with onnxruntime and carry its output")

    listing = device_line(exe)
    # The device both tools open by default: TRT_DEVICE, else the first GPU, else the first.
    devs = re.findall(r"^\[I\]\s+(\d+): (.*)$", listing, re.M)
    spec = os.environ.get("TRT_DEVICE", "")
    pick = next((d for d in devs if spec and (spec == d[0] or spec.lower() in d[1].lower())),
                None) or next((d for d in devs if ", GPU," in d[1]), None) or \
        (devs[0] if devs else ("?", "unknown device"))
    device = pick[1]
    dev_name = device.split(" (")[0]
    env_tc = os.environ.get("GPU_TESTS_EXPECT_TC")
    expect_tc = env_tc == "1" if env_tc in ("0", "1") else "nvidia" in device.lower()
    rep = Report()
    t_start = time.time()
    print(f"device: {device}\ntensor cores expected: {expect_tc}", flush=True)

    # ---- whole models
    dump = os.path.join(work, "dump_models")
    rc, per, summary, secs, cmd, text = run_cases(
        rc_bin, model_cases, MODEL_REL_L2, dump, os.path.join(out, "models-tc-report.md"),
        not quick, os.path.join(out, "models.log"))
    bad = [f"{c}: {s} {m}" for c, (s, m) in sorted(per.items()) if s not in ("PASS", "SKIP")]
    rows = ["| case | result | worst rel L2 (FP16 vs onnxruntime) |", "|---|---|---|"]
    for c, (s, m) in sorted(per.items()):
        errs = [e for e in dumped_errors(model_cases, dump, c).values() if e is not None] \
            if os.path.isdir(os.path.join(dump, c)) else []
        rows.append(f"| {c} | {s} | {max(errs):.2e} |" if errs else f"| {c} | {s} | - |")
    rep.section(f"models: FP16, tensor-core sources, rel L2 <= {MODEL_REL_L2:g} ({secs:.0f} s)",
                rows + ["", f"`{cmd}`"])
    ok = rc == 0 and per and not bad
    rep.check("models", "PASS" if ok else "FAIL",
              f"{summary or 'no summary line'}" + (f"; {'; '.join(bad)[:3000]}" if bad else "") +
              ("" if per else f"; run_cases rc {rc}: {text[-1500:]}"))
    counts = {}
    for c in sorted(os.listdir(model_cases)):
        if os.path.isfile(os.path.join(model_cases, c, "model.onnx")):
            r, err = layer_counts(exe, os.path.join(model_cases, c), work, c)
            counts[c] = (r, err)
    tc_check(rep, "models-tc", counts, expect_tc, dev_name)

    # ---- GEMM sweep
    gemm_dir = os.path.join(prepared, "gemm_cases")
    if not os.path.isdir(gemm_dir) or quick:
        gemm_dir = os.path.join(work, "gemm_cases")
        t0 = time.time()
        p = subprocess.run([sys.executable, os.path.join(HERE, "gemm_cases.py"), gemm_dir] +
                           (["--quick"] if quick else []), capture_output=True, text=True)
        if p.returncode != 0:
            rep.check("gemm", "FAIL", f"gemm_cases.py failed: {p.stderr[-2000:]}")
            gemm_dir = None
        else:
            print(p.stdout + f"(generated in {time.time() - t0:.0f} s)", flush=True)
    if gemm_dir:
        dump = os.path.join(work, "dump_gemm")
        rc, per, summary, secs, cmd, text = run_cases(
            rc_bin, gemm_dir, GEMM_REL_L2, dump, os.path.join(out, "gemm-tc-report.md"),
            not quick, os.path.join(out, "gemm.log"))
        rows = ["| variant | result | products | worst rel L2, eligible | worst rel L2, "
                "others | over the bound |", "|---|---|---|---|---|---|"]
        over = []
        for c, (s, m) in sorted(per.items()):
            errs = dumped_errors(gemm_dir, dump, c) if os.path.isdir(os.path.join(dump, c)) \
                else {}
            el, ot = [], []
            for name, e in errs.items():
                mm = re.match(r"y_m(\d+)_n(\d+)_k(\d+)", name)
                if e is None or not mm:
                    continue
                n_, k_ = int(mm.group(2)), int(mm.group(3))
                (el if gemm_cases.eligible(n_, k_) else ot).append(e)
                if e > GEMM_REL_L2:
                    over.append(f"{c}/{name} {e:.2e}")
            f = lambda v: f"{max(v):.2e}" if v else "-"  # noqa: E731
            rows.append(f"| {c} | {s} | {len(errs)} | {f(el)} | {f(ot)} | "
                        f"{sum(1 for e in el + ot if e > GEMM_REL_L2)} |")
        rep.section(f"gemm: FP16 sweep vs numpy FP32, rel L2 <= {GEMM_REL_L2:g} ({secs:.0f} s)",
                    rows + ([""] + [f"- over the bound: {o}" for o in over[:40]] if over else []) +
                    ["", f"`{cmd}`"])
        bad = [f"{c}: {s} {m}" for c, (s, m) in sorted(per.items()) if s not in ("PASS",)]
        ok = rc == 0 and per and not bad and not over
        rep.check("gemm", "PASS" if ok else "FAIL",
                  f"{summary or 'no summary line'}" +
                  (f"; {'; '.join(bad)[:2000]}" if bad else "") +
                  (f"; {len(over)} outputs over {GEMM_REL_L2:g}" if over else "") +
                  ("" if per else f"; run_cases rc {rc}: {text[-1500:]}"))
        counts = {c: layer_counts(exe, os.path.join(gemm_dir, c), work, "gemm_" + c)
                  for c in sorted(os.listdir(gemm_dir))
                  if os.path.isfile(os.path.join(gemm_dir, c, "model.onnx"))}
        tc_check(rep, "gemm-tc", counts, expect_tc, dev_name)

    # ---- report
    commit = os.environ.get("TRTINFER_COMMIT") or "unknown"
    lines = ["# Tensor-core tactics: GPU correctness check", "",
             f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
             f"- device: {device}",
             f"- driver: {driver_version() or 'nvidia-smi not available'}",
             f"- commit: {commit}",
             f"- command: `{os.environ.get('GPU_TESTS_COMMAND', ' '.join(sys.argv))}`",
             f"- tensor cores expected: {'yes' if expect_tc else 'no'}"
             + ("" if expect_tc else f" (no tensor cores on {dev_name}: tensor-core checks "
                                      f"skipped, FP16 checks run on portable kernels)"),
             f"- mode: {'quick (no --all-tactics, small GEMM sweep)' if quick else 'full'}; "
             f"{time.time() - t_start:.0f} s", "",
             "| check | result | detail |", "|---|---|---|"]
    for name, status, detail in rep.checks:
        lines.append(f"| {name} | {status} | {detail.replace('|', '/').replace(chr(10), ' ')} |")
    for title, body in rep.sections:
        lines += ["", f"## {title}", ""] + body
    failed = rep.failed()
    lines += ["", f"**{'FAILED: ' + ', '.join(c[0] for c in failed) if failed else 'all passed'}**",
              ""]
    path = os.path.join(out, "RESULTS.md")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {path}")
    print("FAILED: " + ", ".join(c[0] for c in failed) if failed else "all passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
