#!/usr/bin/env python3
"""FP16 engines against onnxruntime FP32 on the whole-model cases, with a report table.

Usage: fp16_report.py RUN_CASES CASES_DIR REPORT_MD

CASES_DIR is make_models.py's output. Every case runs twice through run_cases
(tests/conformance): built in FP32, and built with --fp16 (float16 weights and activations,
float32 inputs and outputs), each with --all-tactics (every candidate kernel of the tuned
layers, not only those the tactic timing picks on this device, is held to the same bounds;
the table shows the picked ones). Besides those cases, resnet_small also runs on 64 extra random
images (8 data sets of batch 8, references from onnxruntime) so that top-1 agreement is
measured on more than the 5 images of its case.

Pass criteria (stated bounds, not tuned to the results):
  * every float output of every case: relative L2 error vs onnxruntime FP32
    ||fp16 - ref|| / ||ref|| <= 1e-2 (float16 keeps 11 significant bits, 4.9e-4 relative
    per rounding; 1e-2 leaves room for rounding that accumulates through ~20 layers);
  * integer and bool outputs exactly equal (run_cases checks both);
  * top-1 agreement of the classifier outputs (resnet_small 'logits' and 'probs', argmax
    over the last axis) with onnxruntime >= 99% of rows, over the case's rows and the 64
    extra images together.
The table (per case, data set and output: rel L2 FP16 and FP32 vs onnxruntime, FP16 vs
FP32, top-1 agreement where the output has rows of classes) goes to REPORT_MD.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

REL_L2 = 1e-2
TOP1 = 0.99
CLASSIFIER = {("resnet_small", "logits"), ("resnet_small", "probs")}
EXTRA_SETS, EXTRA_BATCH = 8, 8


def rel_l2(got, ref):
    got, ref = got.astype(np.float64).ravel(), ref.astype(np.float64).ravel()
    den = np.linalg.norm(ref)
    num = np.linalg.norm(got - ref)
    return float(num / den) if den > 0 else float(num)


def run(run_cases, cases, dump, fp16):
    cmd = [run_cases, "--all-tactics", "--dump", dump] + (["--fp16", str(REL_L2)] if fp16 else [])
    cmd.append(cases)
    p = subprocess.run(cmd, capture_output=True, text=True)
    print(p.stdout, end="")
    print(p.stderr, end="", file=sys.stderr)
    return p.returncode


def extra_resnet(cases, out):
    """resnet_small on EXTRA_SETS x EXTRA_BATCH random images, references from onnxruntime."""
    import onnxruntime as ort
    src = os.path.join(cases, "resnet_small")
    dst = os.path.join(out, "resnet_small")
    os.makedirs(dst)
    shutil.copy(os.path.join(src, "model.onnx"), dst)
    model = onnx.load(os.path.join(dst, "model.onnx"))
    name = model.graph.input[0].name
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim][1:]
    full = [EXTRA_BATCH] + shape
    with open(os.path.join(dst, "case.json"), "w") as f:
        json.dump({"tolerance": {"rel_l2": 1e-4},
                   "profile": {name: {"min": full, "opt": full, "max": full}}}, f)
    sess = ort.InferenceSession(os.path.join(dst, "model.onnx"),
                                providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(1234)
    for k in range(EXTRA_SETS):
        d = os.path.join(dst, f"test_data_set_{k}")
        os.makedirs(d)
        x = rng.standard_normal(full).astype(np.float32)
        with open(os.path.join(d, "input_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(x, name).SerializeToString())
        outs = sess.run(None, {name: x})
        for i, (o, v) in enumerate(zip(sess.get_outputs(), outs)):
            with open(os.path.join(d, f"output_{i}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(v, o.name).SerializeToString())


def rows(cases, d16, d32, label):
    """One row per case, data set and output."""
    out = []
    for case in sorted(os.listdir(cases)):
        cdir = os.path.join(cases, case)
        if not os.path.isfile(os.path.join(cdir, "model.onnx")):
            continue
        for ds in sorted(x for x in os.listdir(cdir) if x.startswith("test_data_set_")):
            ddir = os.path.join(cdir, ds)
            for fn in sorted(x for x in os.listdir(ddir) if x.startswith("output_")):
                t = onnx.TensorProto()
                with open(os.path.join(ddir, fn), "rb") as f:
                    t.ParseFromString(f.read())
                ref = numpy_helper.to_array(t)
                got = {}
                for key, root in (("fp16", d16), ("fp32", d32)):
                    p = os.path.join(root, case, ds, t.name.replace("/", "_") + ".bin")
                    got[key] = (np.fromfile(p, dtype=ref.dtype).reshape(ref.shape)
                                if os.path.isfile(p) else None)
                r = {"case": label or case, "set": ds.replace("test_data_set_", ""),
                     "output": t.name, "shape": "x".join(map(str, ref.shape)) or "scalar",
                     "float": ref.dtype.kind == "f", "ref": ref, **got}
                out.append(r)
    return out


def fmt(v):
    return "-" if v is None else f"{v:.2e}"


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    run_cases, cases, report = sys.argv[1:]
    tmp = tempfile.mkdtemp(prefix="fp16_report_")
    failures = []
    try:
        extra = os.path.join(tmp, "extra")
        extra_resnet(cases, extra)
        all_rows = []
        for src, label in ((cases, None), (extra, "resnet_small (64 random images)")):
            d16, d32 = os.path.join(tmp, "d16"), os.path.join(tmp, "d32")
            shutil.rmtree(d16, ignore_errors=True)
            shutil.rmtree(d32, ignore_errors=True)
            if run(run_cases, src, d32, False) != 0:
                failures.append(f"FP32 run of {src} failed")
            if run(run_cases, src, d16, True) != 0:
                failures.append(f"FP16 run of {src} failed (bound rel L2 <= {REL_L2})")
            all_rows += rows(src, d16, d32, label)

        top1 = {}
        lines = ["# FP16 vs FP32 (trtinfer) against onnxruntime FP32", "",
                 f"Bounds: float outputs rel L2 (FP16 vs onnxruntime) <= {REL_L2:g}; integer "
                 f"outputs exact; top-1 agreement of resnet_small logits/probs >= "
                 f"{TOP1:.0%} of rows.", "",
                 "| case | set | output | shape | rel L2 FP16 | rel L2 FP32 | FP16 vs FP32 "
                 "| top-1 FP16 = ref |",
                 "|---|---|---|---|---|---|---|---|"]
        for r in all_rows:
            e16 = e32 = e1632 = None
            agree = "-"
            ref, g16, g32 = r["ref"], r["fp16"], r["fp32"]
            if g16 is None:
                failures.append(f"{r['case']} set {r['set']} '{r['output']}': no FP16 output")
            if r["float"]:
                if g16 is not None:
                    e16 = rel_l2(g16, ref)
                    if not e16 <= REL_L2:
                        failures.append(f"{r['case']} set {r['set']} '{r['output']}': rel L2 "
                                        f"{e16:.3g} > {REL_L2:g}")
                if g32 is not None:
                    e32 = rel_l2(g32, ref)
                if g16 is not None and g32 is not None:
                    e1632 = rel_l2(g16, g32)
                if g16 is not None and ref.ndim == 2 and ref.shape[1] > 1:
                    same = np.argmax(g16, axis=1) == np.argmax(ref, axis=1)
                    agree = f"{int(same.sum())}/{len(same)}"
                    key = (r["case"].split(" ")[0], r["output"])
                    if key in CLASSIFIER:
                        a, n = top1.get(key, (0, 0))
                        top1[key] = (a + int(same.sum()), n + len(same))
            elif g16 is not None:
                agree = "exact" if np.array_equal(g16, ref) else "DIFFERS"
            lines.append(f"| {r['case']} | {r['set']} | {r['output']} | {r['shape']} | "
                         f"{fmt(e16)} | {fmt(e32)} | {fmt(e1632)} | {agree} |")
        lines.append("")
        for key in sorted(CLASSIFIER):
            a, n = top1.get(key, (0, 0))
            frac = a / n if n else 0.0
            lines.append(f"Top-1 agreement {key[0]} '{key[1]}': {a}/{n} = {frac:.1%}")
            if not n or frac < TOP1:
                failures.append(f"top-1 agreement {key}: {a}/{n} < {TOP1:.0%}")
        text = "\n".join(lines) + "\n"
        with open(report, "w") as f:
            f.write(text)
        print(text)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAIL -", f)
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
