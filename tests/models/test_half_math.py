#!/usr/bin/env python3
"""Half arithmetic (HALF_MATH, kernels/common.cl) in the FP16 eltwise kernels, through
trtinfer-exec --fp16 on three small fused chains with inputs whose float16 and float32
results differ by far more than rounding:

  round     (x + 2048) - 2048: float16 has a spacing of 2 above 2048, so 2049 rounds to
            2048 and x = 1 gives 0 (float gives 1). Shows whether the chain computed in
            float16: TRT_HALF_MATH=emulate must give the float16 values, TRT_HALF_MATH=0
            the float ones, and the default what the device's "fp16 yes/no" log line says.
  mask      (x - 1) * -1e9 at x = 1: -1e9 is no float16 number (it would be infinity, and
            0 * infinity is NaN), so the chain must stay in float and give 0.
  softplus  log(exp(x) + 1) at x = 12: exp(12) passes float16's largest value mid-chain
            (float16 would give infinity), so the chain must stay in float: 12.
  leaky     LeakyRelu alone with alpha 1e-6 (a float16 subnormal, 1.3% off) at x = -1000:
            must stay in float, -1e-3 within float16's rounding.

Usage: test_half_math.py TRTINFER_EXEC
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

failures = []


def check(name, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} - {name}" + (f": {detail}" if detail and not ok else ""))
    if not ok:
        failures.append(name)


def const(name, value):
    return helper.make_node("Constant", [], [name], value=helper.make_tensor(
        name, TensorProto.FLOAT, [], [value]))


def chain_model(path, steps, **attrs):
    """x -> steps -> y; steps: [(op, constant or None)], one node each; attrs: of the last."""
    nodes, v = [], "x"
    for k, (op, c) in enumerate(steps):
        ins = [v]
        if c is not None:
            nodes.append(const(f"c{k}", c))
            ins.append(f"c{k}")
        v = "y" if k == len(steps) - 1 else f"v{k}"
        nodes.append(helper.make_node(op, ins, [v], name=f"{op.lower()}_{k}",
                                      **(attrs if k == len(steps) - 1 else {})))
    g = helper.make_graph(nodes, "half_math",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)


def run(exe, model, x, tmp, mode):
    """y of an FP16 engine of model at input x, TRT_HALF_MATH=mode (None: unset); and
    whether the device reported fp16."""
    xin, out = os.path.join(tmp, "x.bin"), os.path.join(tmp, "y.json")
    np.asarray(x, dtype="<f4").tofile(xin)
    env = dict(os.environ, TRT_LOG_LEVEL="2")
    env.pop("TRT_HALF_MATH", None)
    if mode is not None:
        env["TRT_HALF_MATH"] = mode
    p = subprocess.run([exe, f"--onnx={model}", "--fp16", f"--loadInputs=x:{xin}",
                        f"--exportOutput={out}", "--iterations=1", "--warmUp=0", "--duration=0",
                        "--builderOptimizationLevel=0"],
                       capture_output=True, text=True, env=env, timeout=120)
    if p.returncode != 0:
        raise RuntimeError(f"trtinfer-exec failed ({p.returncode}): {p.stderr[-2000:]}")
    m = re.search(r"device \d+: .*, fp16 (yes|no)", p.stdout + p.stderr)
    with open(out) as f:
        y = np.array(json.load(f)[0]["values"], dtype=np.float64)
    return y, m and m.group(1) == "yes"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[-1])
    exe = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        round_m = os.path.join(tmp, "round.onnx")
        chain_model(round_m, [("Add", 2048.0), ("Sub", 2048.0)])
        x = [1.0, 3.0, 0.5, -1.0]
        as_half = np.array([0.0, 4.0, 0.0, -1.0])  # 2049 -> 2048, 2051 -> 2052, 2048.5 -> 2048
        as_float = np.array(x)
        y, _ = run(exe, round_m, x, tmp, "emulate")
        check("round: TRT_HALF_MATH=emulate computes the chain in float16",
              np.array_equal(y, as_half), f"got {y}, want {as_half}")
        y, _ = run(exe, round_m, x, tmp, "0")
        check("round: TRT_HALF_MATH=0 computes the chain in float",
              np.array_equal(y, as_float), f"got {y}, want {as_float}")
        y, fp16 = run(exe, round_m, x, tmp, None)
        want = as_half if fp16 else as_float
        check(f"round: default follows the device (fp16 {'yes' if fp16 else 'no'})",
              np.array_equal(y, want), f"got {y}, want {want}")

        mask_m = os.path.join(tmp, "mask.onnx")
        chain_model(mask_m, [("Sub", 1.0), ("Mul", -1e9)])
        soft_m = os.path.join(tmp, "softplus.onnx")
        chain_model(soft_m, [("Exp", None), ("Add", 1.0), ("Log", None)])
        leaky_m = os.path.join(tmp, "leaky.onnx")
        chain_model(leaky_m, [("LeakyRelu", None)], alpha=1e-6)
        xs = np.array([12.0, 0.0, -3.0, 11.5])
        soft_ref = np.log1p(np.exp(xs))
        for mode in ("emulate", None):
            tag = f"TRT_HALF_MATH={mode}" if mode else "default"
            y, _ = run(exe, mask_m, [1.0] * 4, tmp, mode)
            check(f"mask ({tag}): a constant outside float16 keeps the chain in float",
                  np.array_equal(y, np.zeros(4)), f"got {y}, want 0")
            y, _ = run(exe, soft_m, xs, tmp, mode)
            ok = np.all(np.isfinite(y)) and np.all(np.abs(y - soft_ref) <= 1e-2 * soft_ref)
            check(f"softplus ({tag}): Exp inside a chain keeps it in float", ok,
                  f"got {y}, want {soft_ref} (relative 1e-2)")
            y, _ = run(exe, leaky_m, [-1000.0, 1.0, -1.0, 0.0], tmp, mode)
            want = np.array([-1e-3, 1.0, -1e-6, 0.0])
            ok = np.all(np.abs(y - want) <= 1e-3 * np.abs(want) + 1e-7)
            check(f"leaky ({tag}): an alpha outside float16's normals keeps LeakyRelu in float",
                  ok, f"got {y}, want {want} (relative 1e-3)")
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
