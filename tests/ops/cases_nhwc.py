"""Small Conv networks for the NHWC8 layout (see gen_cases.py for the protocol).

The 'ops' test runs them like every case (LINEAR, fused epilogues); 'ops-nhwc8'
(tests/ops/run_nhwc8.py) runs them with TRT_LAYOUT=nhwc8, where every 2-D Conv with
group 1 or depthwise runs the NHWC8 kernels of conv_nhwc.c, and the pools between two such
Convs run NHWC8 once the layout pass lets them. Each case is a chain with a fused epilogue
(bias, residual Add, activation) or a pool inside an NHWC8 region, on awkward sizes: channel
counts that are not multiples of 8 (3, 13, 24, 40), 1x1 and 7x93 images, strides 2,
dilation 2, depthwise convolutions.

Tolerance: normalised MSE, as cases_conv.py: float32 accumulation over up to ~600 products
per output through two or three layers; 1e-10 is ~100 times the rounding noise and far below
any indexing mistake (~1e-2).
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

TOL = {"nmse": 1e-10}


class _Net:
    """A graph under construction: x (N, C, H, W) in, named nodes appended in order."""

    def __init__(self, rng, x_shape):
        self.rng = rng
        self.nodes, self.inits, self.inputs = [], [], []
        self.feeds = {}
        self.n = 0
        self.add_input("x", x_shape)

    def add_input(self, name, shape):
        self.inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape)))
        self.feeds[name] = self.rng.standard_normal(shape).astype(np.float32)
        return name

    def tmp(self):
        self.n += 1
        return f"t{self.n}"

    def node(self, op, inputs, **attrs):
        out = self.tmp()
        self.nodes.append(helper.make_node(op, inputs, [out], name=f"{op}_{self.n}", **attrs))
        return out

    def conv(self, x, c, k, r, stride=1, dil=1, group=1, pad=None, bias=True):
        """Conv with a (r x r) kernel; pad defaults to 'same' for stride 1."""
        pad = (r - 1) * dil // 2 if pad is None else pad
        w = self.rng.standard_normal((k, c // group, r, r)).astype(np.float32)
        w *= np.float32(1.0 / np.sqrt(c // group * r * r))  # keeps values O(1) through a chain
        names = [x, f"w{self.n + 1}"]
        self.inits.append(numpy_helper.from_array(w, names[1]))
        if bias:
            names.append(f"b{self.n + 1}")
            self.inits.append(numpy_helper.from_array(
                self.rng.standard_normal(k).astype(np.float32), names[2]))
        return self.node("Conv", names, kernel_shape=[r, r], strides=[stride, stride],
                         dilations=[dil, dil], group=group, pads=[pad] * 4)

    def model(self, y):
        out = helper.make_tensor_value_info(y, TensorProto.FLOAT, None)
        g = helper.make_graph(self.nodes, "nhwc", self.inputs, [out], self.inits)
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def _shape(s):
    return "x".join(str(v) for v in s)


def _residual(rng, x_shape, k, stride, dil, act):
    """conv1 (C -> k, stride) then act(conv2(a) + a): conv2 gets the residual a fused in."""
    net = _Net(rng, x_shape)
    a = net.conv("x", x_shape[1], k, 3, stride=stride)
    y = net.node("Add", [net.conv(a, k, k, 3, dil=dil), a])
    y = net.node(act, [y])
    name = f"nhwc_residual_{act.lower()}_c{x_shape[1]}_k{k}_s{stride}_d{dil}_{_shape(x_shape)}"
    return name, net.model(y), net.feeds, TOL


def _input_residual(rng, x_shape, k):
    """relu(conv(x) + r) with r a graph input: the residual comes into the region LINEAR."""
    net = _Net(rng, x_shape)
    r = net.add_input("r", (x_shape[0], k, x_shape[2], x_shape[3]))
    y = net.node("Relu", [net.node("Add", [net.conv("x", x_shape[1], k, 3), r])])
    return f"nhwc_inresidual_c{x_shape[1]}_k{k}_{_shape(x_shape)}", net.model(y), net.feeds, TOL


def _depthwise(rng, x_shape, k, stride, dil):
    """MobileNet block: 1x1 expand, depthwise 3x3 + Clip(0, 6), 1x1 project without bias."""
    net = _Net(rng, x_shape)
    a = net.node("Relu", [net.conv("x", x_shape[1], k, 1)])
    d = net.conv(a, k, k, 3, stride=stride, dil=dil, group=k)
    d = net.node("Clip", [d, "lo", "hi"])
    net.inits += [numpy_helper.from_array(np.array(0, np.float32), "lo"),
                  numpy_helper.from_array(np.array(6, np.float32), "hi")]
    y = net.conv(d, k, 13, 1, bias=False)
    name = f"nhwc_depthwise_c{x_shape[1]}_k{k}_s{stride}_d{dil}_{_shape(x_shape)}"
    return name, net.model(y), net.feeds, TOL


def _pooled(rng, x_shape, k, op, **attrs):
    """conv -> pool -> conv, so the pool sits inside the NHWC8 region."""
    net = _Net(rng, x_shape)
    a = net.node("Sigmoid", [net.conv("x", x_shape[1], k, 3)])
    p = net.node(op, [a], **attrs)
    if op.startswith("Global"):
        y = net.conv(p, k, 24, 1)
    else:
        y = net.conv(p, k, 8, 3)
    short = {"kernel_shape": "k", "strides": "s", "pads": "p", "dilations": "d",
             "ceil_mode": "ceil", "count_include_pad": "incpad"}
    tag = "_".join(short[a] + ("" if a in ("ceil_mode", "count_include_pad") else
                               "-".join(str(v) for v in b)) for a, b in attrs.items())
    name = f"nhwc_{op.lower()}_{tag + '_' if tag else ''}c{x_shape[1]}_k{k}_{_shape(x_shape)}"
    return name, net.model(y), net.feeds, TOL


def cases():
    rng = np.random.default_rng(8)
    for c, k, shape in ((3, 8, (7, 7)), (13, 24, (7, 93)), (64, 40, (9, 11)), (13, 40, (1, 1))):
        x = (1, c) + shape
        yield _residual(rng, x, k, 1, 1, "Relu")
        if min(shape) > 1:
            yield _residual(rng, x, k, 2, 2, "Relu")
    yield _residual(rng, (2, 13, 12, 10), 24, 1, 2, "Sigmoid")
    yield _input_residual(rng, (2, 13, 7, 9), 24)
    yield _input_residual(rng, (1, 3, 1, 1), 40)
    yield _depthwise(rng, (1, 13, 7, 93), 24, 1, 1)
    yield _depthwise(rng, (2, 3, 12, 11), 40, 2, 1)
    yield _depthwise(rng, (1, 64, 9, 9), 64, 1, 2)
    x = (2, 13, 15, 17)
    yield _pooled(rng, x, 24, "MaxPool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    yield _pooled(rng, x, 13, "MaxPool", kernel_shape=[2, 3], strides=[2, 1], dilations=[2, 2],
                  ceil_mode=1)
    yield _pooled(rng, x, 40, "AveragePool", kernel_shape=[3, 3], strides=[2, 2],
                  pads=[1, 0, 1, 1], count_include_pad=1, ceil_mode=1)
    yield _pooled(rng, x, 24, "AveragePool", kernel_shape=[3, 2], strides=[1, 2],
                  pads=[1, 1, 0, 1])
    yield _pooled(rng, x, 40, "GlobalAveragePool")
    yield _pooled(rng, (1, 3, 1, 1), 8, "GlobalAveragePool")
    yield _pooled(rng, x, 13, "GlobalMaxPool")
