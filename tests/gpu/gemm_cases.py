#!/usr/bin/env python3
"""GEMM sweep cases for the tensor-core check (tests/gpu/run.sh): MatMul and Gemm at awkward
sizes, references from numpy (float64 math on the float16-rounded operands, stored float32), in run_cases' case layout.

Usage: gemm_cases.py OUTDIR [--quick]

One case per variant; each holds many independent products, one output per (M, N, K), named
y_m<M>_n<N>_k<K>, so that one engine build covers a whole variant:

  matmul_2d        MatMul, A input [M,K], B initializer [K,N]
  matmul_2d_binput MatMul, A and B both graph inputs (B not a constant)
  gemm_b_kn        Gemm transB=0, B initializer [K,N], C bias [N]
  gemm_b_nk        Gemm transB=1, B initializer [N,K], C bias [N]
  matmul_3d        batched MatMul, A input [3,M,K], B initializer [3,K,N]

Sizes come from {1, 7, 64, 93, 128, 641, 1000}: every M with the (N, K) pairs below. The
tensor-core kernels are assumed to need K % 8 == 0 and N % 8 == 0 (B row-major), so the
pairs from {64, 128, 1000} are "eligible"; the others check that such layers fall back to
portable kernels and stay correct. --quick drops M = 641 and 1000 and the largest pairs (for
CPU devices).

Only numpy and onnx.helper are used (no onnxruntime, no checker), so that this also runs on
the GPU machine, whose onnxruntime does not accept models of its onnx.
"""
import argparse
import json
import os
import shutil

import numpy as np
from onnx import TensorProto, helper, numpy_helper

SIZES = [1, 7, 64, 93, 128, 641, 1000]
ELIGIBLE = [64, 128, 1000]
# (N, K) pairs: every eligible pair, and ineligible ones (N or K not a multiple of 8).
PAIRS = [(n, k) for n in ELIGIBLE for k in ELIGIBLE] + \
        [(7, 64), (64, 93), (93, 128), (641, 641), (1, 1000), (1000, 7), (128, 1)]
BATCH = 3
def h64(x):
    """The operand as an FP16 engine holds it (float16, every operand is stored so), in float64:
    references are the exact products of the rounded operands, so the bound measures the
    kernels' accumulation and output rounding, not the rounding of the inputs (which, in a
    K=1000 dot product with cancellation, alone exceeded 2e-3 on one scalar output)."""
    return x.astype(np.float16).astype(np.float64)


VARIANTS = ["matmul_2d", "matmul_2d_binput", "gemm_b_kn", "gemm_b_nk", "matmul_3d"]


def eligible(n, k):
    """The tensor-core requirement assumed by this sweep (see the banner)."""
    return n % 8 == 0 and k % 8 == 0


def combos(variant, quick):
    ms = [m for m in SIZES if not (quick and m >= 641)]
    pairs = [(n, k) for n, k in PAIRS if not (quick and (n == 1000 or k == 1000 or n == 641))]
    if variant in ("matmul_3d", "matmul_2d_binput"):
        # Fewer: batched data is BATCH times larger; B inputs make every pair an input.
        ms = [m for m in ms if m != 1000]
        pairs = [p for p in pairs if p[0] != 1000 or p[1] != 1000]
    return [(m, n, k) for m in ms for (n, k) in pairs]


def build(variant, quick, seed):
    rng = np.random.default_rng(seed)
    uni = lambda *s: rng.uniform(-1.0, 1.0, size=s).astype(np.float32)  # noqa: E731
    nodes, inits, inputs, outputs = [], [], [], []
    feeds, refs = {}, {}
    a_of, b_of = {}, {}
    batched = variant == "matmul_3d"
    for m, n, k in combos(variant, quick):
        if (m, k) not in a_of:
            name = f"a_m{m}_k{k}"
            a = uni(BATCH, m, k) if batched else uni(m, k)
            inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(a.shape)))
            feeds[name] = a
            a_of[(m, k)] = name
        if (n, k) not in b_of:
            name = f"b_n{n}_k{k}"
            b = uni(BATCH, k, n) if batched else uni(k, n)
            store = b.T.copy() if variant == "gemm_b_nk" else b
            if variant == "matmul_2d_binput":
                inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT,
                                                            list(store.shape)))
                feeds[name] = store
            else:
                inits.append(numpy_helper.from_array(store, name))
            b_of[(n, k)] = (name, b)
            if variant.startswith("gemm"):
                c = uni(n)
                inits.append(numpy_helper.from_array(c, f"c_n{n}_k{k}"))
                b_of[(n, k)] = (name, b, c)
        a = feeds[a_of[(m, k)]]
        out = f"y_m{m}_n{n}_k{k}"
        if variant.startswith("gemm"):
            bname, b, c = b_of[(n, k)]
            nodes.append(helper.make_node("Gemm", [a_of[(m, k)], bname, f"c_n{n}_k{k}"], [out],
                                          name=out, transB=int(variant == "gemm_b_nk")))
            ref = h64(a) @ h64(b) + h64(c)
        else:
            bname, b = b_of[(n, k)]
            nodes.append(helper.make_node("MatMul", [a_of[(m, k)], bname], [out], name=out))
            ref = np.matmul(h64(a), h64(b))
        refs[out] = ref.astype(np.float32)
        outputs.append(helper.make_tensor_value_info(out, TensorProto.FLOAT, list(ref.shape)))
    graph = helper.make_graph(nodes, variant, inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="trtinfer-tests-gpu")
    model.ir_version = 8
    return model, feeds, refs


def write_case(outdir, name, model, feeds, refs, rel_l2):
    case = os.path.join(outdir, name)
    shutil.rmtree(case, ignore_errors=True)
    ds = os.path.join(case, "test_data_set_0")
    os.makedirs(ds)
    with open(os.path.join(case, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    for i, vi in enumerate(model.graph.input):
        with open(os.path.join(ds, f"input_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(feeds[vi.name], vi.name).SerializeToString())
    for i, vi in enumerate(model.graph.output):
        with open(os.path.join(ds, f"output_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(refs[vi.name], vi.name).SerializeToString())
    with open(os.path.join(case, "case.json"), "w") as f:
        json.dump({"tolerance": {"rel_l2": rel_l2}}, f)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, for CPU devices")
    ap.add_argument("--rel-l2", type=float, default=2e-3,
                    help="bound written to case.json (run.sh passes its own to run_cases)")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    for i, v in enumerate(VARIANTS):
        model, feeds, refs = build(v, args.quick, seed=4242 + i)
        write_case(args.outdir, v, model, feeds, refs, args.rel_l2)
        n_el = sum(eligible(*map(int, o.name.split("_n")[1].split("_k")))
                   for o in model.graph.output)
        print(f"{v}: {len(model.graph.node)} products ({n_el} tensor-core eligible)")


if __name__ == "__main__":
    main()
