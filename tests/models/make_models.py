#!/usr/bin/env python3
"""Whole-model test cases for trtinfer, with references from onnxruntime (CPU).

Usage: make_models.py OUTDIR [--only NAME[,NAME...]]

Writes one case per model in the layout of the ONNX backend node tests, which
tests/conformance/run_cases reads:

  OUTDIR/<name>/model.onnx
  OUTDIR/<name>/test_data_set_<k>/input_<i>.pb, output_<i>.pb   (TensorProto, named)
  OUTDIR/<name>/case.json   {"tolerance": {"rel_l2": 1e-4},
                             "profile": {"<input>": {"min": [..], "opt": [..], "max": [..]}}}

Models are built with onnx.helper and numpy only (opset 17, seeded random weights):
  resnet_small       ResNet-style classifier, dynamic batch (data sets at batch 1 and 4)
  resnet50_deep      ResNet-50's depth (53 convolutions) at 1/8 of its width (batch 1 and 2)
  yolo_small         YOLOv8-style detector: SiLU convs, C2f, SPPF, FPN upsample, DFL head,
                     dynamic batch through Shape->Gather->Unsqueeze->Concat->Reshape (1 and 3)
  transformer_small  pre-norm encoder block: LayerNorm, attention and erf-GELU spelled out in
                     primitive ops as exporters write them, dynamic batch (1 and 2)
  ops_*              small models that together use every op of engine/ops/ops.def plus
                     Constant (tests/models/check_coverage.py checks that)
  precision_edges    where FP16 engines switch between float16 and float32 storage
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
REL_L2 = 1e-4


class Graph:
    """A tiny graph builder: nodes, initializers and inputs with generated names."""

    def __init__(self, name, seed):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.inputs = [], [], []
        self.count = {}

    def _name(self, prefix):
        k = self.count.get(prefix, 0)
        self.count[prefix] = k + 1
        return f"{prefix}_{k}"

    def input(self, name, shape, dtype=TensorProto.FLOAT):
        self.inputs.append(helper.make_tensor_value_info(name, dtype, shape))
        return name

    def init(self, array, prefix="w"):
        name = self._name(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def i64(self, values, prefix="c"):
        return self.init(np.array(values, dtype=np.int64), prefix)

    def f32(self, values, prefix="c"):
        return self.init(np.array(values, dtype=np.float32), prefix)

    def constant(self, array):
        """A Constant node (what PyTorch exports for literals), not an initializer."""
        out = self._name("const")
        tensor = numpy_helper.from_array(np.asarray(array), out + "_value")
        self.nodes.append(helper.make_node("Constant", [], [out], name=out, value=tensor))
        return out

    def op(self, op_type, inputs, outputs=1, name=None, **attrs):
        """Adds a node; `outputs` is a count or a list of names. Returns the output name(s)."""
        node_name = name or self._name(op_type.lower())
        if isinstance(outputs, int):
            outs = [node_name] if outputs == 1 else [f"{node_name}_{i}" for i in range(outputs)]
        else:
            outs = list(outputs)
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, name=node_name, **attrs))
        return outs[0] if len(outs) == 1 else outs

    def randn(self, *shape, scale=1.0):
        return (self.rng.standard_normal(shape) * scale).astype(np.float32)

    def model(self, outputs):
        """outputs: list of (name, TensorProto dtype). Returns a checked ModelProto."""
        out_vi = [helper.make_tensor_value_info(n, t, None) for n, t in outputs]
        graph = helper.make_graph(self.nodes, self.name, self.inputs, out_vi, self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="trtinfer-tests")
        m.ir_version = 8
        # Output shapes (symbolic where dynamic) as exporters write them, from ONNX's inference.
        m = onnx.shape_inference.infer_shapes(m, strict_mode=True, data_prop=True)
        del m.graph.value_info[:]
        onnx.checker.check_model(m, full_check=True)
        return m

    # ---- layers -----------------------------------------------------------------------

    def conv(self, x, cin, cout, k, stride=1, pad=None, group=1, bias=True, dilation=1,
             outputs=1, gain=1.0):
        kh, kw = (k, k) if isinstance(k, int) else k
        if pad is None:
            pad = [dilation * (kh // 2), dilation * (kw // 2)] * 2
        fan_in = cin // group * kh * kw
        w = self.init(self.randn(cout, cin // group, kh, kw,
                                 scale=gain * np.sqrt(2.0 / fan_in)))
        ins = [x, w] + ([self.init(self.randn(cout, scale=0.1), "b")] if bias else [])
        return self.op("Conv", ins, outputs, kernel_shape=[kh, kw], strides=[stride, stride],
                       pads=pad, group=group, dilations=[dilation, dilation])

    def bn(self, x, c):
        r = self.rng
        gamma = self.f32(r.uniform(0.5, 1.5, c), "bn_scale")
        beta = self.f32(r.normal(0, 0.1, c), "bn_bias")
        mean = self.f32(r.normal(0, 0.1, c), "bn_mean")
        var = self.f32(r.uniform(0.5, 1.5, c), "bn_var")
        return self.op("BatchNormalization", [x, gamma, beta, mean, var], epsilon=1e-5)

    def silu(self, x):
        return self.op("Mul", [x, self.op("Sigmoid", [x])])

    def conv_silu(self, x, cin, cout, k, stride=1):
        return self.silu(self.conv(x, cin, cout, k, stride))

    def batch_reshape(self, x, rest):
        """Reshape to [batch] + rest with the batch read at run time, as torch.onnx writes
        x.view(x.shape[0], ...): Shape -> Gather -> Unsqueeze -> Concat -> Reshape."""
        batch = self.op("Gather", [self.op("Shape", [x]), self.constant(np.array(0, np.int64))],
                        axis=0)
        batch = self.op("Unsqueeze", [batch, self.constant(np.array([0], np.int64))])
        shape = self.op("Concat", [batch, self.constant(np.array(rest, np.int64))], axis=0)
        return self.op("Reshape", [x, shape])


# ---------------------------------------------------------------------------- models


def resnet_small():
    g = Graph("resnet_small", 1)
    x = g.input("images", ["batch", 3, 64, 64])

    def cbr(x, cin, cout, k, stride, relu=True):
        y = g.bn(g.conv(x, cin, cout, k, stride, bias=False), cout)
        return g.op("Relu", [y]) if relu else y

    def basic_block(x, cin, cout, stride):
        y = cbr(x, cin, cout, 3, stride)
        y = cbr(y, cout, cout, 3, 1, relu=False)
        skip = x if stride == 1 and cin == cout else cbr(x, cin, cout, 1, stride, relu=False)
        return g.op("Relu", [g.op("Add", [y, skip])])

    y = cbr(x, 3, 16, 3, 2)                                                   # 32x32
    y = g.op("MaxPool", [y], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])  # 16x16
    y = basic_block(y, 16, 16, 1)
    y = basic_block(y, 16, 32, 2)                                             # 8x8
    y = basic_block(y, 32, 64, 2)                                             # 4x4
    y = g.op("Flatten", [g.op("GlobalAveragePool", [y])], axis=1)
    w = g.init(g.randn(10, 64, scale=np.sqrt(1.0 / 64)))
    g.op("Gemm", [y, w, g.init(g.randn(10, scale=0.1), "b")], ["logits"], transB=1)
    g.op("Softmax", ["logits"], ["probs"], axis=1)
    model = g.model([("logits", TensorProto.FLOAT), ("probs", TensorProto.FLOAT)])
    profile = {"images": {"min": [1, 3, 64, 64], "opt": [4, 3, 64, 64], "max": [8, 3, 64, 64]}}
    return model, profile, [{"images": (1, 3, 64, 64)}, {"images": (4, 3, 64, 64)}]


def resnet50_deep():
    """ResNet-50's depth (v1.5 bottlenecks 3, 4, 6, 3; 53 convolutions) at an eighth of its
    width, on 64x64 images: how far FP16 storage and kernels drift through a deep network.
    The last convolution of each residual branch has half the usual weight scale, so that
    the sum along the skip path grows slowly, as BatchNorm keeps it in a trained network."""
    g = Graph("resnet50_deep", 3)
    x = g.input("images", ["batch", 3, 64, 64])

    def cbr(x, cin, cout, k, stride, relu=True, gain=1.0):
        y = g.bn(g.conv(x, cin, cout, k, stride, bias=False, gain=gain), cout)
        return g.op("Relu", [y]) if relu else y

    def bottleneck(x, cin, mid, stride):
        y = cbr(x, cin, mid, 1, 1)
        y = cbr(y, mid, mid, 3, stride)
        y = cbr(y, mid, mid * 4, 1, 1, relu=False, gain=0.5)
        skip = x if stride == 1 and cin == mid * 4 else cbr(x, cin, mid * 4, 1, stride,
                                                               relu=False)
        return g.op("Relu", [g.op("Add", [y, skip])])

    y = cbr(x, 3, 8, 7, 2)                                                    # 32x32
    y = g.op("MaxPool", [y], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])  # 16x16
    cin = 8
    for mid, blocks, stride in [(8, 3, 1), (16, 4, 2), (32, 6, 2), (64, 3, 2)]:  # 16, 8, 4, 2
        for i in range(blocks):
            y = bottleneck(y, cin, mid, stride if i == 0 else 1)
            cin = mid * 4
    y = g.op("Flatten", [g.op("GlobalAveragePool", [y])], axis=1)
    w = g.init(g.randn(10, cin, scale=np.sqrt(1.0 / cin)))
    g.op("Gemm", [y, w, g.init(g.randn(10, scale=0.1), "b")], ["logits"], transB=1)
    model = g.model([("logits", TensorProto.FLOAT)])
    profile = {"images": {"min": [1, 3, 64, 64], "opt": [2, 3, 64, 64], "max": [4, 3, 64, 64]}}
    return model, profile, [{"images": (1, 3, 64, 64)}, {"images": (2, 3, 64, 64)}]


def yolo_small():
    g = Graph("yolo_small", 2)
    nc, bins = 4, 16
    x = g.input("images", ["batch", 3, 64, 64])
    y = g.conv_silu(x, 3, 8, 3, 2)                         # 32x32
    y = g.conv_silu(y, 8, 16, 3, 2)                        # 16x16

    # C2f: split in two, a bottleneck with a shortcut on the second half, concat all.
    y = g.conv_silu(y, 16, 16, 1)
    a, b = g.op("Split", [y, g.i64([8, 8])], 2, axis=1)
    m = g.conv_silu(g.conv_silu(b, 8, 8, 3), 8, 8, 3)
    m = g.op("Add", [b, m])
    p3_in = g.conv_silu(g.op("Concat", [a, b, m], axis=1), 24, 16, 1)

    y = g.conv_silu(p3_in, 16, 32, 3, 2)                   # 8x8
    # SPPF: three chained 5x5 max pools.
    y = g.conv_silu(y, 32, 16, 1)
    pools = [y]
    for _ in range(3):
        pools.append(g.op("MaxPool", [pools[-1]], kernel_shape=[5, 5], strides=[1, 1],
                          pads=[2, 2, 2, 2]))
    p4 = g.conv_silu(g.op("Concat", pools, axis=1), 64, 32, 1)

    # FPN: nearest x2 upsample as torch.nn.Upsample exports it, concat with the stride-8 map.
    up = g.op("Resize", [p4, "", g.f32([1, 1, 2, 2])], mode="nearest",
              coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    p3 = g.conv_silu(g.op("Concat", [up, p3_in], axis=1), 48, 16, 1)

    # Head per level: box distribution (4 x 16 bins) and class logits.
    levels, anchors, strides = [], [], []
    for feat, c, hw, stride in ((p3, 16, 16, 4), (p4, 32, 8, 8)):
        box = g.conv(g.conv_silu(feat, c, 16, 3), 16, 4 * bins, 1)
        cls = g.conv(g.conv_silu(feat, c, 16, 3), 16, nc, 1)
        cat = g.op("Concat", [box, cls], axis=1)
        levels.append(g.batch_reshape(cat, [4 * bins + nc, -1]))
        gy, gx = np.meshgrid(np.arange(hw) + 0.5, np.arange(hw) + 0.5, indexing="ij")
        anchors.append(np.stack([gx.ravel(), gy.ravel()]))
        strides.append(np.full(hw * hw, stride))
    n_anchors = sum(a.shape[1] for a in anchors)
    preds = g.op("Concat", levels, axis=2)                 # [N, 68, 320]
    box, cls = g.op("Split", [preds, g.i64([4 * bins, nc])], 2, axis=1)

    # DFL as YOLOv8 exports it (view, transpose, softmax over the bins), with the expectation
    # over the bins as multiply-and-sum instead of a 1x1 conv.
    dist = g.batch_reshape(box, [4, bins, n_anchors])
    dist = g.op("Transpose", [dist], perm=[0, 2, 1, 3])  # [N, 16, 4, A]
    dist = g.op("Softmax", [dist], axis=1)
    dist = g.op("Mul", [dist, g.f32(np.arange(bins, dtype=np.float32).reshape(1, bins, 1, 1))])
    dist = g.op("ReduceSum", [dist, g.i64([1])], keepdims=0)  # [N, 4, A]

    # dist2bbox (xywh), scaled by the level strides.
    lt, rb = g.op("Split", [dist, g.i64([2, 2])], 2, axis=1)
    anchor_pts = g.f32(np.concatenate(anchors, axis=1))
    x1y1 = g.op("Sub", [anchor_pts, lt])
    x2y2 = g.op("Add", [anchor_pts, rb])
    cxy = g.op("Div", [g.op("Add", [x1y1, x2y2]), g.f32(2.0)])
    wh = g.op("Sub", [x2y2, x1y1])
    dbox = g.op("Mul", [g.op("Concat", [cxy, wh], axis=1),
                        g.f32(np.concatenate(strides).reshape(1, -1))])
    g.op("Concat", [dbox, g.op("Sigmoid", [cls])], ["output0"], axis=1)
    model = g.model([("output0", TensorProto.FLOAT)])
    profile = {"images": {"min": [1, 3, 64, 64], "opt": [2, 3, 64, 64], "max": [4, 3, 64, 64]}}
    return model, profile, [{"images": (1, 3, 64, 64)}, {"images": (3, 3, 64, 64)}]


def transformer_small():
    g = Graph("transformer_small", 3)
    seq, dim, heads = 16, 32, 4
    hd = dim // heads
    x = g.input("tokens", ["batch", seq, dim])

    def layer_norm(x):
        mean = g.op("ReduceMean", [x], axes=[-1], keepdims=1)
        d = g.op("Sub", [x, mean])
        var = g.op("ReduceMean", [g.op("Pow", [d, g.f32(2.0)])], axes=[-1], keepdims=1)
        y = g.op("Div", [d, g.op("Sqrt", [g.op("Add", [var, g.f32(1e-5)])])])
        y = g.op("Mul", [y, g.f32(g.rng.uniform(0.5, 1.5, dim))])
        return g.op("Add", [y, g.f32(g.rng.normal(0, 0.1, dim))])

    def linear(x, cin, cout):
        w = g.init(g.randn(cin, cout, scale=np.sqrt(1.0 / cin)))
        return g.op("Add", [g.op("MatMul", [x, w]), g.init(g.randn(cout, scale=0.1), "b")])

    def split_heads(t):   # [N, S, D] -> [N, H, S, hd]
        return g.op("Transpose", [g.batch_reshape(t, [seq, heads, hd])], perm=[0, 2, 1, 3])

    h = layer_norm(x)
    q, k, v = (split_heads(linear(h, dim, dim)) for _ in range(3))
    scores = g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])])
    attn = g.op("Softmax", [g.op("Div", [scores, g.f32(np.sqrt(hd))])], axis=-1)
    ctx = g.op("Transpose", [g.op("MatMul", [attn, v])], perm=[0, 2, 1, 3])
    x = g.op("Add", [x, linear(g.batch_reshape(ctx, [seq, dim]), dim, dim)])

    h = linear(layer_norm(x), dim, 4 * dim)
    # GELU as torch exports it: 0.5 * x * (1 + erf(x / sqrt(2))).
    erf = g.op("Erf", [g.op("Div", [h, g.f32(np.sqrt(2.0))])])
    h = g.op("Mul", [g.op("Mul", [h, g.op("Add", [erf, g.f32(1.0)])]), g.f32(0.5)])
    g.op("Add", [x, linear(h, 4 * dim, dim)], ["encoded"])
    model = g.model([("encoded", TensorProto.FLOAT)])
    profile = {"tokens": {"min": [1, seq, dim], "opt": [2, seq, dim], "max": [4, seq, dim]}}
    return model, profile, [{"tokens": (1, seq, dim)}, {"tokens": (2, seq, dim)}]


def ops_conv():
    g = Graph("ops_conv", 10)
    x = g.input("x", [1, 8, 16, 16])
    y = g.bn(g.conv(x, 8, 16, 3), 16)
    g.op("Identity", [y], ["conv_bn"])
    g.conv(y, 16, 16, 3, stride=2, group=16, outputs=["depthwise"])
    g.op("Conv", [x, g.init(g.randn(8, 8, 3, 3, scale=0.2))], ["dilated"], kernel_shape=[3, 3],
         pads=[2, 2, 2, 2], dilations=[2, 2])
    g.op("Conv", [x, g.init(g.randn(12, 4, 1, 1, scale=0.5)), g.f32(g.randn(12))], ["grouped"],
         group=2, kernel_shape=[1, 1])
    g.op("Conv", [x, g.init(g.randn(8, 8, 1, 7, scale=0.2))], ["k1x7"], kernel_shape=[1, 7],
         pads=[0, 3, 0, 3])
    g.op("Conv", [x, g.init(g.randn(4, 8, 3, 3, scale=0.2))], ["strided_asym"],
         kernel_shape=[3, 3], strides=[2, 1], pads=[0, 1, 1, 0])
    g.op("ConvTranspose", [x, g.init(g.randn(8, 4, 4, 4, scale=0.2)), g.f32(g.randn(4))],
         ["deconv"], kernel_shape=[4, 4], strides=[2, 2], pads=[1, 1, 1, 1])
    g.op("ConvTranspose", [x, g.init(g.randn(8, 2, 3, 3, scale=0.2))], ["deconv_grouped"],
         kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1],
         group=2)
    g.op("Identity", [g.bn(x, 8)], ["bn"])
    outs = ["conv_bn", "depthwise", "dilated", "grouped", "k1x7", "strided_asym", "deconv",
            "deconv_grouped", "bn"]
    return g.model([(o, TensorProto.FLOAT) for o in outs]), None, [{"x": (1, 8, 16, 16)}]


def ops_pool():
    g = Graph("ops_pool", 11)
    x = g.input("x", [2, 8, 15, 15])
    g.op("MaxPool", [x], ["max_3x3_s2"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    g.op("MaxPool", [x], ["max_2x2_ceil"], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)
    g.op("AveragePool", [x], ["avg_3x3_excl"], kernel_shape=[3, 3], strides=[2, 2],
         pads=[1, 1, 1, 1], count_include_pad=0)
    g.op("AveragePool", [x], ["avg_3x3_incl"], kernel_shape=[3, 3], strides=[1, 1],
         pads=[1, 1, 1, 1], count_include_pad=1)
    g.op("AveragePool", [x], ["avg_2x2"], kernel_shape=[2, 2], strides=[2, 2])
    g.op("GlobalAveragePool", [x], ["gap"])
    g.op("GlobalMaxPool", [x], ["gmp"])
    outs = ["max_3x3_s2", "max_2x2_ceil", "avg_3x3_excl", "avg_3x3_incl", "avg_2x2", "gap", "gmp"]
    return g.model([(o, TensorProto.FLOAT) for o in outs]), None, [{"x": (2, 8, 15, 15)}]


def ops_unary():
    g = Graph("ops_unary", 12)
    x = g.input("x", [2, 16, 8, 8])
    pos = g.op("Abs", [x], ["abs"])
    g.op("Relu", [x], ["relu"])
    g.op("LeakyRelu", [x], ["leaky_relu"], alpha=0.1)
    g.op("Clip", [x, g.constant(np.float32(-1.0)), g.constant(np.float32(1.5))], ["clip"])
    g.op("Clip", [x, "", g.constant(np.float32(6.0))], ["clip_max_only"])
    g.op("Sigmoid", [x], ["sigmoid"])
    g.op("HardSigmoid", [x], ["hard_sigmoid"], alpha=1.0 / 6, beta=0.5)
    g.op("HardSwish", [x], ["hard_swish"])
    g.op("Tanh", [x], ["tanh"])
    g.op("Erf", [x], ["erf"])
    g.op("Exp", [x], ["exp"])
    g.op("Log", [g.op("Add", [pos, g.f32(0.1)])], ["log"])
    g.op("Sqrt", [pos], ["sqrt"])
    g.op("Neg", [x], ["neg"])
    g.op("Reciprocal", [g.op("Add", [pos, g.f32(0.5)])], ["reciprocal"])
    scaled = g.op("Mul", [x, g.f32(4.0)])
    g.op("Floor", [scaled], ["floor"])
    g.op("Ceil", [scaled], ["ceil"])
    outs = ["abs", "relu", "leaky_relu", "clip", "clip_max_only", "sigmoid", "hard_sigmoid",
            "hard_swish", "tanh", "erf", "exp", "log", "sqrt", "neg", "reciprocal", "floor",
            "ceil"]
    # Wide enough to cross every kink (HardSwish at +-3, Clip at 6).
    return g.model([(o, TensorProto.FLOAT) for o in outs]), None, [{"x": ((2, 16, 8, 8), 3.0)}]


def ops_binary():
    g = Graph("ops_binary", 13)
    a = g.input("a", [2, 16, 8, 8])
    b = g.input("b", [16, 1, 8])  # broadcasts against a
    g.op("Add", [a, b], ["add"])
    g.op("Sub", [a, b], ["sub"])
    g.op("Mul", [a, b], ["mul"])
    g.op("Div", [a, g.op("Add", [g.op("Abs", [b]), g.f32(0.5)])], ["div"])
    g.op("Pow", [g.op("Add", [g.op("Abs", [a]), g.f32(0.1)]), b], ["pow"])
    g.op("Pow", [a, g.constant(np.float32(2.0))], ["square"])
    g.op("Min", [a, b, g.f32(0.5)], ["min"])
    g.op("Max", [a, b], ["max"])
    g.op("Equal", [g.op("Floor", [a]), g.op("Floor", [b])], ["equal"])
    g.op("Less", [a, b], ["less"])
    g.op("Greater", [a, g.f32(0.0)], ["greater"])
    g.op("Where", [g.op("Greater", [a, b]), a, g.op("Mul", [b, g.f32(2.0)])], ["where"])
    g.op("Where", [g.op("Less", [a, g.f32(-0.5)]), g.f32(-1.0), a], ["where_scalar"])
    floats = ["add", "sub", "mul", "div", "pow", "square", "min", "max", "where", "where_scalar"]
    outs = [(o, TensorProto.FLOAT) for o in floats]
    outs += [(o, TensorProto.BOOL) for o in ("equal", "less", "greater")]
    return g.model(outs), None, [{"a": ((2, 16, 8, 8), 2.0), "b": ((16, 1, 8), 2.0)}]


def ops_gemm():
    g = Graph("ops_gemm", 14)
    x = g.input("x", [4, 32])
    s = g.input("seq", [2, 3, 8, 16])
    g.op("Gemm", [x, g.init(g.randn(16, 32, scale=0.2)), g.f32(g.randn(16))], ["fc"], transB=1)
    g.op("Gemm", [x, g.init(g.randn(32, 10, scale=0.2)), g.f32(g.randn(1, 10))], ["gemm_scaled"],
         alpha=0.5, beta=2.0)
    g.op("Gemm", [g.init(g.randn(32, 6, scale=0.2)), x], ["gemm_tt"], transA=1, transB=1)
    g.op("MatMul", [s, g.init(g.randn(16, 12, scale=0.3))], ["proj"])
    g.op("MatMul", [s, g.op("Transpose", [s], perm=[0, 1, 3, 2])], ["scores"])
    g.op("MatMul", [g.init(g.randn(3, 5, 8, scale=0.3)), s], ["bcast"])
    g.op("MatMul", [x, g.init(g.randn(32, scale=0.2))], ["matvec"])
    outs = ["fc", "gemm_scaled", "gemm_tt", "proj", "scores", "bcast", "matvec"]
    return (g.model([(o, TensorProto.FLOAT) for o in outs]), None,
            [{"x": (4, 32), "seq": (2, 3, 8, 16)}])


def ops_shape():
    g = Graph("ops_shape", 15)
    x = g.input("x", ["batch", 4, 6, 8])
    shape = g.op("Shape", [x])
    g.op("Identity", [shape], ["shape"])
    g.op("Identity", [g.batch_reshape(x, [-1])], ["flat"])
    g.op("Flatten", [g.op("Transpose", [x], perm=[0, 2, 3, 1])], ["nhwc_flat"], axis=2)
    lo, hi = g.op("Split", [x, g.i64([2, 4])], 2, axis=2)
    g.op("Concat", [hi, lo], ["rolled"], axis=2)
    g.op("Slice", [x, g.i64([1, 7]), g.i64([3, -(2**63 - 1)]), g.i64([1, 3]), g.i64([1, -2])],
         ["sliced"])
    g.op("Slice", [x, g.i64([2]), g.i64([2**63 - 1]), g.i64([-2])], ["sliced_tail"])
    u = g.op("Unsqueeze", [x, g.i64([2])])                               # [N, 4, 1, 6, 8]
    g.op("Squeeze", [g.op("ReduceMax", [u], axes=[4], keepdims=1), g.i64([2, 4])], ["squeezed"])
    g.op("Gather", [x, g.i64([3, 0, 2])], ["gathered"], axis=1)
    g.op("Gather", [x, g.constant(np.array(5, np.int64))], ["gathered_scalar"], axis=3)
    as_int = g.op("Cast", [g.op("Mul", [x, g.f32(4.0)])], to=TensorProto.INT32)
    g.op("Cast", [as_int], ["quantized"], to=TensorProto.FLOAT)
    half = g.op("ConstantOfShape", [shape], value=helper.make_tensor("v", TensorProto.FLOAT,
                                                                      [1], [0.5]))
    g.op("Add", [x, half], ["plus_half"])
    width = g.op("Gather", [shape, g.constant(np.array(3, np.int64))], axis=0)
    pos = g.op("Range", [g.constant(np.array(0, np.int64)), width,
                         g.constant(np.array(1, np.int64))])
    pos = g.op("Mul", [g.op("Cast", [pos], to=TensorProto.FLOAT), g.f32(0.125)])
    g.op("Add", [x, pos], ["positions"])
    g.op("Expand", [g.f32(g.randn(1, 4, 1, 1)), shape], ["expanded"])
    outs = [("shape", TensorProto.INT64)] + [(o, TensorProto.FLOAT) for o in (
        "flat", "nhwc_flat", "rolled", "sliced", "sliced_tail", "squeezed", "gathered",
        "gathered_scalar", "quantized", "plus_half", "positions", "expanded")]
    profile = {"x": {"min": [1, 4, 6, 8], "opt": [2, 4, 6, 8], "max": [4, 4, 6, 8]}}
    return g.model(outs), profile, [{"x": (1, 4, 6, 8)}, {"x": (3, 4, 6, 8)}]


def ops_pad_resize():
    g = Graph("ops_pad_resize", 16)
    x = g.input("x", [1, 8, 12, 12])
    g.op("Pad", [x, g.i64([0, 0, 1, 2, 0, 0, 2, 1]), g.f32(0.5)], ["pad_constant"],
         mode="constant")
    g.op("Pad", [x, g.i64([0, 0, 2, 2, 0, 0, 2, 2])], ["pad_reflect"], mode="reflect")
    g.op("Pad", [x, g.i64([0, 0, 1, 1, 0, 0, 1, 1])], ["pad_edge"], mode="edge")
    g.op("Resize", [x, "", g.f32([1, 1, 2, 2])], ["nearest_x2"], mode="nearest",
         coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    g.op("Resize", [x, "", g.f32([1, 1, 2, 2])], ["bilinear_x2"], mode="linear",
         coordinate_transformation_mode="half_pixel")
    g.op("Resize", [x, "", "", g.i64([1, 8, 20, 20])], ["bilinear_align_corners"],
         mode="linear", coordinate_transformation_mode="align_corners")
    g.op("Resize", [x, "", "", g.i64([1, 8, 6, 6])], ["linear_down"], mode="linear",
         coordinate_transformation_mode="pytorch_half_pixel")
    outs = ["pad_constant", "pad_reflect", "pad_edge", "nearest_x2", "bilinear_x2",
            "bilinear_align_corners", "linear_down"]
    return g.model([(o, TensorProto.FLOAT) for o in outs]), None, [{"x": (1, 8, 12, 12)}]


def ops_reduce():
    g = Graph("ops_reduce", 17)
    x = g.input("x", [2, 10, 16])
    g.op("Softmax", [x], ["softmax"], axis=-1)
    g.op("Softmax", [x], ["softmax_axis1"], axis=1)
    g.op("ReduceMean", [x], ["mean_last"], axes=[-1], keepdims=1)
    g.op("ReduceMax", [x], ["max_axis1"], axes=[1], keepdims=0)
    g.op("ReduceSum", [x, g.i64([0, 2])], ["sum_0_2"], keepdims=0)
    g.op("ReduceSum", [x], ["sum_all"], keepdims=1)
    g.op("ArgMax", [x], ["argmax_axis1"], axis=1, keepdims=0)
    g.op("ArgMax", [x], ["argmax_last"], axis=-1, keepdims=1)
    g.op("TopK", [x, g.i64([5])], ["top5_values", "top5_indices"], axis=-1, largest=1, sorted=1)
    g.op("TopK", [x, g.i64([3])], ["bottom3_values", "bottom3_indices"], axis=1, largest=0,
         sorted=1)
    f, i = TensorProto.FLOAT, TensorProto.INT64
    outs = [("softmax", f), ("softmax_axis1", f), ("mean_last", f), ("max_axis1", f),
            ("sum_0_2", f), ("sum_all", f), ("argmax_axis1", i), ("argmax_last", i),
            ("top5_values", f), ("top5_indices", i), ("bottom3_values", f),
            ("bottom3_indices", i)]
    return g.model(outs), None, [{"x": (2, 10, 16)}]


def precision_edges():
    """Where FP16 engines switch storage (engine/passes/precision.c): a weight read by a
    float16 layer and a float32 one, an output also read by a float16 layer, Split outputs,
    Gather of a float16 tensor, Concat of float16 and float32 tensors, and a fused chain
    ending in Exp whose results pass float16's range."""
    g = Graph("precision_edges", 18)
    x = g.input("x", ["batch", 4, 6, 8])
    w = g.f32(g.randn(4, 1, 1))
    a = g.op("Add", [x, w], ["shifted"])
    g.op("Where", [g.op("Greater", [x, g.f32(0.0)]), x, w], ["selected"])
    m = g.op("MatMul", [a, g.init(g.randn(8, 8, scale=0.3))])
    s0, s1 = g.op("Split", [m, g.i64([4, 4])], 2, axis=3)
    g.op("Relu", [s0], ["split_relu"])
    g.op("Sigmoid", [s1], ["split_sigmoid"])
    g.op("Gather", [m, g.i64([2, 0])], ["gathered"], axis=1)
    g.op("Concat", [g.op("Relu", [x]), g.op("Softmax", [x], axis=3)], ["mixed_concat"], axis=1)
    g.op("Exp", [g.op("Mul", [x, g.f32(4.0)])], ["exp_scaled"])
    outs = ["shifted", "selected", "split_relu", "split_sigmoid", "gathered", "mixed_concat",
            "exp_scaled"]
    profile = {"x": {"min": [1, 4, 6, 8], "opt": [2, 4, 6, 8], "max": [4, 4, 6, 8]}}
    return (g.model([(o, TensorProto.FLOAT) for o in outs]), profile,
            [{"x": (2, 4, 6, 8)}, {"x": (3, 4, 6, 8)}])


MODELS = [resnet_small, resnet50_deep, yolo_small, transformer_small, ops_conv, ops_pool, ops_unary,
          ops_binary, ops_gemm, ops_shape, ops_pad_resize, ops_reduce, precision_edges]


# ---------------------------------------------------------------------------- writing


def make_inputs(model, data_set, seed):
    """data_set: {input: shape | (shape, scale)} -> {input: float32 array ~ N(0, scale^2)}."""
    rng = np.random.default_rng(seed)
    feeds = {}
    for vi in model.graph.input:
        spec = data_set[vi.name]
        shape, scale = (spec, 1.0) if isinstance(spec[0], int) else spec
        feeds[vi.name] = (rng.standard_normal(shape) * scale).astype(np.float32)
    return feeds


def reference(model, feeds):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), opts,
                                providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, feeds)))


def write_case(outdir, name, model, profile, data_sets):
    case = os.path.join(outdir, name)
    shutil.rmtree(case, ignore_errors=True)
    os.makedirs(case)
    onnx.save(model, os.path.join(case, "model.onnx"))
    for k, data_set in enumerate(data_sets):
        feeds = make_inputs(model, data_set, seed=1000 + k)
        outs = reference(model, feeds)
        ds = os.path.join(case, f"test_data_set_{k}")
        os.makedirs(ds)
        for i, vi in enumerate(model.graph.input):
            with open(os.path.join(ds, f"input_{i}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(feeds[vi.name], vi.name).SerializeToString())
        for i, vi in enumerate(model.graph.output):
            with open(os.path.join(ds, f"output_{i}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(outs[vi.name], vi.name).SerializeToString())
    config = {"tolerance": {"rel_l2": REL_L2}}
    if profile:
        config["profile"] = profile
    with open(os.path.join(case, "case.json"), "w") as f:
        json.dump(config, f)
        f.write("\n")


def build_all(only=None):
    """[(name, model, profile, data_sets)] for every model (or those named in `only`)."""
    out = []
    for fn in MODELS:
        if only and fn.__name__ not in only:
            continue
        model, profile, data_sets = fn()
        out.append((fn.__name__, model, profile, data_sets))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--only", help="comma-separated model names")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    known = {fn.__name__ for fn in MODELS}
    if only and only - known:
        sys.exit(f"make_models.py: unknown model(s) {sorted(only - known)}; known: {sorted(known)}")
    os.makedirs(args.outdir, exist_ok=True)
    for name, model, profile, data_sets in build_all(only):
        write_case(args.outdir, name, model, profile, data_sets)
        print(f"{name}: {len(model.graph.node)} nodes, {len(data_sets)} data set(s)")


if __name__ == "__main__":
    main()
