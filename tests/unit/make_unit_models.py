#!/usr/bin/env python3
"""Models for the unit tests, written into OUTDIR.

add_relu.onnx: y = Relu(x + b), x float32 [N, 7, 93] with a symbolic batch N, b a constant
[7, 93] with b[i] = ((i % 13) - 6) * 0.25 (flattened index i). test_engine_file.c computes the
expected output from the same formula.
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


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    onnx.save(add_relu(), os.path.join(out, "add_relu.onnx"))


if __name__ == "__main__":
    main()
