#!/usr/bin/env python3
"""Generates the per-op test cases: runs every case of tests/ops/cases_*.py through
onnxruntime (CPU) for the reference and writes one case folder per case, in the layout of
the ONNX backend node tests, for tests/conformance/run_cases:

    OUTDIR/<name>/model.onnx
    OUTDIR/<name>/test_data_set_N/input_K.pb, output_K.pb
    OUTDIR/<name>/case.json            (only when the case sets a tolerance or a profile)

Each cases_*.py defines cases(), yielding tuples

    (name, model, inputs, tol)            or  (name, model, inputs, tol, profile)

  name     unique over all files, [A-Za-z0-9_.-]+; build it from the parameters
           ("conv_k3_s2_pad1_93x93"), never by hand.
  model    an onnx.ModelProto.
  inputs   {graph input name: numpy array} for one data set, or a list of such dicts
           for several (e.g. batch 1 and batch 4 of one dynamic model).
  tol      None (rtol 1e-3, atol 1e-7) or one of {"rtol": r, "atol": a}, {"nmse": x},
           {"rel_l2": x}.
  profile  {input name: {"min": [...], "opt": [...], "max": [...]}}; by default run_cases
           uses min/max over the data sets with opt = the first.

int64 inputs are frozen into the engine at build time (TensorRT's shape tensors), so they
should hold shape-like values.

Usage: gen_cases.py OUTDIR [--filter SUBSTR] [--then RUN_CASES ARGS...]
"""
import argparse
import glob
import importlib.util
import json
import os
import re
import shutil
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
COMMON = os.path.join(os.path.dirname(HERE), "common")
NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
TOL_KEYS = ({"rtol", "atol"}, {"rtol"}, {"atol"}, {"nmse"}, {"rel_l2"})


class CaseError(Exception):
    pass


def load_case_files():
    """Imports every cases_*.py; returns [(path, module)]."""
    for p in (HERE, COMMON):
        if p not in sys.path:
            sys.path.insert(0, p)
    out = []
    for path in sorted(glob.glob(os.path.join(HERE, "cases_*.py"))):
        modname = "trt_" + os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(modname, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        if not hasattr(mod, "cases"):
            raise CaseError(f"{path} defines no cases()")
        out.append((path, mod))
    return out


def check_tol(name, tol):
    if tol is None:
        return None
    if not isinstance(tol, dict) or set(tol) not in TOL_KEYS:
        raise CaseError(f"case {name}: tol must be None, {{rtol, atol}}, {{nmse}} or {{rel_l2}}, got {tol!r}")
    for k, v in tol.items():
        if not isinstance(v, (int, float)) or v < 0:
            raise CaseError(f"case {name}: tolerance {k} must be a non-negative number")
    return {k: float(v) for k, v in tol.items()}


def check_profile(name, profile, model_inputs):
    if profile is None:
        return None
    if not isinstance(profile, dict):
        raise CaseError(f"case {name}: profile must be a dict")
    out = {}
    for inp, p in profile.items():
        if inp not in model_inputs:
            raise CaseError(f"case {name}: profile for '{inp}', which is not a graph input")
        if not isinstance(p, dict) or set(p) != {"min", "opt", "max"}:
            raise CaseError(f"case {name}: profile of '{inp}' needs exactly min, opt and max")
        out[inp] = {k: [int(d) for d in p[k]] for k in ("min", "opt", "max")}
    return out


def reference(name, model, data_sets, input_names, output_names):
    opts = ort.SessionOptions()
    # The reference is the plain op semantics, not ORT's fused rewrites.
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    try:
        sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    except Exception as e:
        raise CaseError(f"case {name}: onnxruntime cannot load the model: {e}") from e
    results = []
    for k, feeds in enumerate(data_sets):
        missing = [n for n in input_names if n not in feeds]
        extra = [n for n in feeds if n not in input_names]
        if missing or extra:
            raise CaseError(f"case {name}: data set {k}: missing inputs {missing}, unknown inputs {extra} "
                            f"(graph inputs: {input_names})")
        try:
            outs = sess.run(output_names, {n: np.asarray(feeds[n]) for n in input_names})
        except Exception as e:
            raise CaseError(f"case {name}: data set {k}: onnxruntime failed: {e}") from e
        results.append(outs)
    return results


def write_case(outdir, name, model, data_sets, results, input_names, output_names, tol, profile):
    d = os.path.join(outdir, name)
    os.makedirs(d)
    onnx.save(model, os.path.join(d, "model.onnx"))
    for k, (feeds, outs) in enumerate(zip(data_sets, results)):
        ds = os.path.join(d, f"test_data_set_{k}")
        os.makedirs(ds)
        for i, n in enumerate(input_names):
            t = numpy_helper.from_array(np.asarray(feeds[n]), n)
            with open(os.path.join(ds, f"input_{i}.pb"), "wb") as f:
                f.write(t.SerializeToString())
        for i, (n, v) in enumerate(zip(output_names, outs)):
            t = numpy_helper.from_array(np.asarray(v), n)
            with open(os.path.join(ds, f"output_{i}.pb"), "wb") as f:
                f.write(t.SerializeToString())
    meta = {}
    if tol is not None:
        meta["tolerance"] = tol
    if profile is not None:
        meta["profile"] = profile
    if meta:
        with open(os.path.join(d, "case.json"), "w") as f:
            json.dump(meta, f, indent=1)
            f.write("\n")


def generate(outdir, name_filter=None):
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    files = load_case_files()
    tmp = outdir.rstrip("/") + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        written, n_seen = write_all(files, tmp, name_filter)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(outdir, ignore_errors=True)
    os.rename(tmp, outdir)
    return [p for p, _ in files], written


def write_all(files, tmp, name_filter):
    seen = {}
    written = 0
    for path, mod in files:
        src = os.path.basename(path)
        for item in mod.cases():
            if not isinstance(item, tuple) or len(item) not in (4, 5):
                raise CaseError(f"{src}: cases() must yield (name, model, inputs, tol[, profile]), got {item!r:.200}")
            name, model, inputs, tol = item[:4]
            profile = item[4] if len(item) == 5 else None
            if not isinstance(name, str) or not NAME_RE.match(name):
                raise CaseError(f"{src}: bad case name {name!r} (use [A-Za-z0-9_.-]+)")
            if name in seen:
                raise CaseError(f"case name '{name}' is used twice: in {seen[name]} and {src}")
            seen[name] = src
            if name_filter and name_filter not in name:
                continue
            if not isinstance(model, onnx.ModelProto):
                raise CaseError(f"case {name} ({src}): model must be an onnx.ModelProto")
            inits = {i.name for i in model.graph.initializer}
            input_names = [i.name for i in model.graph.input if i.name not in inits]
            output_names = [o.name for o in model.graph.output]
            data_sets = inputs if isinstance(inputs, list) else [inputs]
            if not data_sets or not all(isinstance(x, dict) for x in data_sets):
                raise CaseError(f"case {name} ({src}): inputs must be a dict or a non-empty list of dicts")
            tol = check_tol(name, tol)
            profile = check_profile(name, profile, input_names)
            results = reference(name, model, data_sets, input_names, output_names)
            write_case(tmp, name, model, data_sets, results, input_names, output_names, tol, profile)
            written += 1
    return written, len(seen)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--filter", help="only cases whose name contains this")
    ap.add_argument("--then", nargs=argparse.REMAINDER, metavar="CMD",
                    help="then run CMD... OUTDIR in place of this process (the meson test does "
                         "this, so a broken cases file fails the test, not the build)")
    args = ap.parse_args()
    try:
        files, n = generate(args.outdir, args.filter)
    except CaseError as e:
        sys.exit(f"gen_cases: {e}")
    print(f"gen_cases: {n} cases from {len(files)} files into {args.outdir}", flush=True)
    if args.then:
        os.execv(args.then[0], args.then + [args.outdir])


if __name__ == "__main__":
    main()
