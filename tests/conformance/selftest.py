#!/usr/bin/env python3
"""Checks that run_cases can fail: builds cases with good and deliberately wrong references
(values, NaN positions, shapes, integers, tolerances, a later data set), an op the engine
lacks, a broken case.json and two exclusions, runs run_cases on them and checks each
verdict, the summary lines and the exit status.

Usage: selftest.py RUN_CASES
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper, numpy_helper

F, I64 = TensorProto.FLOAT, TensorProto.INT64


def model(op, dtype, in_shape, out_shape):
    g = helper.make_graph([helper.make_node(op, ["x", "y"] if op == "Add" else ["x"], ["z"])], op,
                          [helper.make_tensor_value_info(n, dtype, in_shape)
                           for n in (["x", "y"] if op == "Add" else ["x"])],
                          [helper.make_tensor_value_info("z", dtype, out_shape)])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def write(root, name, m, data_sets, meta=None):
    """data_sets: [(inputs dict, outputs dict)]."""
    d = os.path.join(root, name)
    os.makedirs(d)
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(m.SerializeToString())
    for k, (ins, outs) in enumerate(data_sets):
        ds = os.path.join(d, f"test_data_set_{k}")
        os.makedirs(ds)
        for kind, tensors in (("input", ins), ("output", outs)):
            for i, (n, v) in enumerate(tensors.items()):
                with open(os.path.join(ds, f"{kind}_{i}.pb"), "wb") as f:
                    f.write(numpy_helper.from_array(v, n).SerializeToString())
    if meta is not None:
        with open(os.path.join(d, "case.json"), "w") as f:
            f.write(meta if isinstance(meta, str) else json.dumps(meta))


def main():
    run_cases = sys.argv[1]
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 5)).astype(np.float32)
    y = rng.standard_normal((3, 5)).astype(np.float32)
    z = x + y
    add = model("Add", F, [3, 5], [3, 5])

    def off(v, idx, by):
        v = v.copy()
        v[idx] += by
        return v

    nan_ref = z.copy()
    nan_ref[1, 1] = np.nan
    xi = rng.integers(-50, 50, (2, 3)).astype(np.int64)
    yi = rng.integers(-50, 50, (2, 3)).astype(np.int64)
    dyn = model("Add", F, ["N", 5], ["N", 5])
    x4 = rng.standard_normal((4, 5)).astype(np.float32)
    y4 = rng.standard_normal((4, 5)).astype(np.float32)

    # name -> (expected verdict, text the line must contain)
    expect = {
        "good": ("PASS", ""),
        "wrong_value": ("FAIL", "1 of 15 elements exceed rtol=0.001 atol=1e-07; worst at [2,4]"),
        "nan_mismatch": ("FAIL", "NaN/Inf must match exactly"),
        "wrong_shape": ("FAIL", "shape 3x5, expected 5x3"),
        "nmse_tight": ("FAIL", "nmse"),
        "nmse_loose": ("PASS", ""),
        "int64_good": ("PASS", ""),
        "int64_wrong": ("FAIL", "1 of 6 elements differ; first at [0,2]"),
        "second_set_wrong": ("FAIL", "test_data_set_1: output 'z'"),
        "unsupported_op": ("SKIP", "op Sin not supported"),
        "bad_case_json": ("FAIL", "case.json: unknown tolerance 'rtl'"),
        "excluded_failing": ("EXCLUDED", "(a reason) output 'z'"),
        "excluded_passing": ("PASS", "stale exclusion"),
    }
    with tempfile.TemporaryDirectory() as root:
        ok_io = ({"x": x, "y": y}, {"z": z})
        write(root, "good", add, [ok_io])
        write(root, "wrong_value", add, [({"x": x, "y": y}, {"z": off(z, (2, 4), 0.01 + 0.01 * abs(z[2, 4]))})])
        write(root, "nan_mismatch", add, [({"x": x, "y": y}, {"z": nan_ref})])
        write(root, "wrong_shape", add, [({"x": x, "y": y}, {"z": z.T.copy()})])
        small = off(z, (0, 0), 1e-3 * np.sqrt(np.sum(z * z)))  # nmse 1e-6
        write(root, "nmse_tight", add, [({"x": x, "y": y}, {"z": small})], {"tolerance": {"nmse": 1e-7}})
        write(root, "nmse_loose", add, [({"x": x, "y": y}, {"z": small})], {"tolerance": {"nmse": 2e-6}})
        iadd = model("Add", I64, [2, 3], [2, 3])
        write(root, "int64_good", iadd, [({"x": xi, "y": yi}, {"z": xi + yi})])
        write(root, "int64_wrong", iadd, [({"x": xi, "y": yi}, {"z": off(xi + yi, (0, 2), 1)})])
        write(root, "second_set_wrong", dyn, [ok_io, ({"x": x4, "y": y4}, {"z": off(x4 + y4, (3, 0), 1.0)})])
        write(root, "unsupported_op", model("Sin", F, [3, 5], [3, 5]), [({"x": x}, {"z": np.sin(x)})])
        write(root, "bad_case_json", add, [ok_io], {"tolerance": {"rtl": 1e-3}})
        write(root, "excluded_failing", add, [({"x": x, "y": y}, {"z": off(z, (0, 0), 1.0)})])
        write(root, "excluded_passing", add, [ok_io])
        excl = os.path.join(root, "exclusions.txt")
        with open(excl, "w") as f:
            f.write("# comment\n\nexcluded_failing   a reason\nexcluded_passing  another reason\n")
        cases = os.path.join(root, "cases")
        os.makedirs(cases)
        for n in expect:
            os.rename(os.path.join(root, n), os.path.join(cases, n))
        p = subprocess.run([run_cases, "--exclusions", excl, "--report", os.path.join(root, "r.md"), cases],
                           capture_output=True, text=True)
        print(p.stdout)
        print(p.stderr, file=sys.stderr)
        report = open(os.path.join(root, "r.md")).read()

    bad = []
    lines = {m.group(1): (m.group(2), m.group(3)) for m in
             re.finditer(r"^(\S+)\s+(PASS|FAIL|SKIP|EXCLUDED)\s+\d+ ms(.*)$", p.stdout, re.M)}
    for name, (verdict, text) in expect.items():
        got = lines.get(name)
        if not got or got[0] != verdict or text not in got[1]:
            bad.append(f"{name}: expected {verdict} with '{text}', got {got}")
    tail = p.stdout.strip().splitlines()[-2:]
    if tail != ["1 skipped, 1 excluded", "4 passed, 7 failed"]:
        bad.append(f"summary lines: {tail}")
    if p.returncode != 1:
        bad.append(f"exit status {p.returncode}, expected 1")
    if "| Add | 4 | 7 | 0 | 1 |" not in report or "| Sin (unsupported) | 0 | 0 | 1 | 0 |" not in report:
        bad.append("per-op table in the report:\n" + report)
    for b in bad:
        print("SELFTEST FAILURE:", b)
    print("selftest:", "FAILED" if bad else "all verdicts as expected")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
