#!/usr/bin/env python3
"""Models for the unit tests, written into OUTDIR.

add_relu.onnx: y = Relu(x + b), x float32 [N, 7, 93] with a symbolic batch N, b a constant
[7, 93] with b[i] = ((i % 13) - 6) * 0.25 (flattened index i). test_engine_file.c computes the
expected output from the same formula.

gemm_matmul.onnx: h = Gemm(x, w, c, transB=1) (node "fc"), y = MatMul(Relu(h), v) (node "mm"),
x float32 [16, 64], w [32, 64], c [32], v [32, 16]: products whose shapes the tensor-core
kernels take (K and N multiples of 8). test_tc_refusal.c only needs them to build and run.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper


def add_relu():
    b = ((np.arange(7 * 93) % 13) - 6).astype(np.float32).reshape(7, 93) * 0.25
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "b"], ["sum"], name="add"),
         helper.make_node("Relu", ["sum"], ["y"], name="relu")],
        "add_relu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 7, 93])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 7, 93])],
        [helper.make_tensor("b", TensorProto.FLOAT, b.shape, b.flatten())])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


def gemm_matmul():
    w = (((np.arange(32 * 64) % 11) - 5) * 0.0625).astype(np.float32).reshape(32, 64)
    c = (((np.arange(32) % 5) - 2) * 0.125).astype(np.float32)
    v = (((np.arange(32 * 16) % 7) - 3) * 0.125).astype(np.float32).reshape(32, 16)
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "w", "c"], ["h"], name="fc", transB=1),
         helper.make_node("Relu", ["h"], ["r"], name="relu"),
         helper.make_node("MatMul", ["r", "v"], ["y"], name="mm")],
        "gemm_matmul",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [16, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [16, 16])],
        [helper.make_tensor("w", TensorProto.FLOAT, w.shape, w.flatten()),
         helper.make_tensor("c", TensorProto.FLOAT, c.shape, c.flatten()),
         helper.make_tensor("v", TensorProto.FLOAT, v.shape, v.flatten())])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    onnx.save(add_relu(), os.path.join(out, "add_relu.onnx"))
    onnx.save(gemm_matmul(), os.path.join(out, "gemm_matmul.onnx"))


if __name__ == "__main__":
    main()
