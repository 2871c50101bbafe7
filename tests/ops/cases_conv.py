"""Conv and ConvTranspose cases (see gen_cases.py for the protocol).

Tolerance: normalised MSE against onnxruntime. Both sides accumulate in float32, so each
output carries a rounding error of about sqrt(K) * 2^-24 relative to its magnitude, K being
the number of products summed (C/group * kernel volume): NMSE ~ K * 3.6e-15. The tolerance
is 1e-13 * K (at least 1e-12), above that by a factor of ~30 and far below what any
indexing mistake produces (NMSE ~ 1e-2 and more).
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper, shape_inference


def _dims(v):
    return "-".join(str(int(x)) for x in v)


def _tol(k):
    return {"nmse": max(1e-12, 1e-13 * k)}


def _model(op, x_shape, w, b, attrs, opset=17, weights_as_input=False, dynamic=False):
    """One-node model; W and B are initializers unless weights_as_input. With dynamic, every
    dimension of x but the channels is symbolic."""
    inputs = ["x", "w"] + (["b"] if b is not None else [])
    node = helper.make_node(op, inputs, ["y"], **attrs)
    xs = list(x_shape)
    if dynamic:
        xs = ["N", xs[1]] + [f"S{i}" for i in range(len(xs) - 2)]
    graph_in = [helper.make_tensor_value_info("x", TensorProto.FLOAT, xs)]
    inits = []
    for name, v in (("w", w), ("b", b)):
        if v is None:
            continue
        if weights_as_input:
            graph_in.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(v.shape)))
        else:
            inits.append(numpy_helper.from_array(v, name))
    return _finish(helper.make_graph([node], op.lower(), graph_in, [], inits), opset)


def _finish(graph, opset):
    """The model, its output declared with the shape onnx infers."""
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    inferred = shape_inference.infer_shapes(m, strict_mode=True)
    m.graph.output.extend(v for v in inferred.graph.value_info if v.name == "y")
    return m


def _conv_case(rng, x_shape, oc, k, strides=None, dils=None, group=1, pads=None, auto_pad=None,
               bias=True, kernel_attr=True, opset=17, weights_as_input=False, shapes=None,
               op="Conv", out_pad=None, out_shape=None):
    """shapes: several shapes of x (same channels) to run one dynamic engine on."""
    nsp = len(x_shape) - 2
    k = [k] * nsp if isinstance(k, int) else list(k)
    c = x_shape[1]
    if op == "Conv":
        w_shape = [oc, c // group] + k
        acc = (c // group) * int(np.prod(k))
    else:
        w_shape = [c, oc // group] + k
        acc = (c // group) * int(np.prod(k))
    w = rng.standard_normal(w_shape).astype(np.float32)
    b = rng.standard_normal(oc).astype(np.float32) if bias else None
    attrs = {}
    name = [op.lower(), "k" + _dims(k)]
    if kernel_attr:
        attrs["kernel_shape"] = k
    else:
        name.append("knoattr")
    if strides is not None:
        attrs["strides"] = strides
        name.append("s" + _dims(strides))
    if dils is not None:
        attrs["dilations"] = dils
        name.append("d" + _dims(dils))
    if group != 1:
        attrs["group"] = group
    name.append(f"g{group}")
    if pads is not None:
        attrs["pads"] = pads
        name.append("p" + _dims(pads))
    if auto_pad is not None:
        attrs["auto_pad"] = auto_pad
        name.append(auto_pad.lower())
    if out_pad is not None:
        attrs["output_padding"] = out_pad
        name.append("op" + _dims(out_pad))
    if out_shape is not None:
        attrs["output_shape"] = out_shape
        name.append("os" + _dims(out_shape))
    name.append(f"oc{oc}")
    if not bias:
        name.append("nobias")
    if weights_as_input:
        name.append("winput")
    if opset != 17:
        name.append(f"opset{opset}")
    name.append(_dims(x_shape).replace("-", "x"))
    model = _model(op, x_shape, w, b, attrs, opset, weights_as_input, shapes is not None)
    if shapes is None:
        feeds = {"x": rng.standard_normal(x_shape).astype(np.float32)}
        if weights_as_input:
            feeds["w"] = w
            if b is not None:
                feeds["b"] = b
    else:
        name.append("dyn_" + "_".join(_dims(s).replace("-", "x") for s in shapes[1:]))
        feeds = [{"x": rng.standard_normal(s).astype(np.float32)} for s in shapes]
    return ("_".join(name), model, feeds, _tol(acc))


def cases():
    rng = np.random.default_rng(1234)
    C = _conv_case
    # Awkward channel counts and spatial sizes, 2-D.
    yield C(rng, (1, 1, 1, 1), 1, 1)
    yield C(rng, (1, 1, 7, 7), 1, 3, pads=[1, 1, 1, 1])
    yield C(rng, (1, 7, 7, 7), 7, 3, pads=[1, 1, 1, 1])
    yield C(rng, (1, 93, 7, 7), 93, 3, pads=[1, 1, 1, 1])
    yield C(rng, (1, 7, 33, 17), 93, 3)
    yield C(rng, (2, 7, 33, 17), 16, 3, strides=[2, 2], pads=[0, 1, 2, 1])
    yield C(rng, (1, 3, 641, 481), 16, 3, strides=[2, 2], pads=[1, 1, 1, 1])
    yield C(rng, (1, 64, 56, 56), 64, 3, pads=[1, 1, 1, 1])
    yield C(rng, (1, 3, 64, 64), 8, 7, strides=[2, 2], pads=[3, 3, 3, 3])
    yield C(rng, (1, 5, 19, 23), 6, 5, strides=[3, 2], pads=[2, 0, 1, 2], bias=False)
    # Non-square kernels, strides and dilations; kernel inferred from W.
    yield C(rng, (1, 4, 17, 19), 5, (1, 3), strides=[1, 2], dils=[2, 1], kernel_attr=False)
    yield C(rng, (1, 6, 21, 21), 9, 3, dils=[2, 3], pads=[2, 3, 2, 3])
    yield C(rng, (1, 8, 20, 20), 12, 3, dils=[2, 2], group=4, pads=[2, 2, 2, 2])
    # Padding larger than the kernel: whole windows in the padding give the bias alone.
    yield C(rng, (1, 3, 5, 5), 4, 2, pads=[3, 3, 3, 3])
    # Groups: depthwise (group == C), depthwise with multiplier 2, grouped.
    yield C(rng, (1, 16, 33, 17), 16, 3, group=16, pads=[1, 1, 1, 1])
    yield C(rng, (1, 93, 7, 7), 93, 3, strides=[2, 2], group=93, pads=[1, 1, 1, 1])
    yield C(rng, (1, 32, 15, 15), 64, 3, group=32, pads=[1, 1, 1, 1], bias=False)
    yield C(rng, (2, 12, 9, 11), 18, 3, group=3, strides=[2, 1])
    # auto_pad.
    for ap in ("SAME_UPPER", "SAME_LOWER", "VALID"):
        yield C(rng, (1, 7, 33, 17), 8, 4, strides=[2, 3], auto_pad=ap)
    # 1x1: the tiled path (stride 1, no padding, any group) and the direct one (stride 2).
    yield C(rng, (1, 64, 56, 56), 256, 1)
    yield C(rng, (2, 93, 7, 7), 7, 1)
    yield C(rng, (1, 7, 33, 17), 93, 1, bias=False)
    yield C(rng, (1, 16, 9, 9), 32, 1, group=4)
    yield C(rng, (1, 1, 1, 1), 93, 1)
    yield C(rng, (1, 64, 28, 28), 128, 1, strides=[2, 2])
    # 1-D and 3-D.
    yield C(rng, (1, 7, 33), 16, 3, strides=[2], pads=[1, 0])
    yield C(rng, (2, 93, 50), 93, 5, group=93, pads=[2, 2], dils=[2])
    yield C(rng, (1, 5, 40), 3, 1)
    yield C(rng, (1, 3, 7, 9, 11), 4, 3, strides=[1, 2, 2], pads=[1, 0, 1, 1, 1, 0])
    # (onnxruntime refuses dilations with SAME_*, so no reference for that combination.)
    yield C(rng, (1, 4, 5, 6, 7), 2, (2, 1, 3), strides=[2, 1, 2], group=2, auto_pad="SAME_LOWER")
    # Weights as graph inputs, older opset, dynamic batch.
    yield C(rng, (1, 7, 12, 10), 5, 3, pads=[1, 1, 1, 1], weights_as_input=True)
    yield C(rng, (1, 6, 11, 13), 4, 3, strides=[2, 2], opset=11)
    yield C(rng, (1, 8, 14, 14), 16, 3, pads=[1, 1, 1, 1], shapes=[(1, 8, 14, 14), (3, 8, 14, 14)])
    yield C(rng, (2, 8, 14, 14), 16, 1, shapes=[(2, 8, 14, 14), (1, 8, 14, 14)])
    # Spatial sizes that change at run time: output size and SAME padding follow.
    yield C(rng, (1, 7, 33, 17), 8, 3, strides=[2, 2], auto_pad="SAME_UPPER",
            shapes=[(1, 7, 33, 17), (2, 7, 20, 25), (1, 7, 8, 9)])
    yield C(rng, (1, 6, 12, 12), 5, 3, strides=[2, 2], pads=[1, 1, 0, 0], op="ConvTranspose",
            shapes=[(1, 6, 12, 12), (1, 6, 5, 9)])

    T = lambda *a, **kw: C(*a, op="ConvTranspose", **kw)
    yield T(rng, (1, 8, 7, 7), 4, 3, strides=[2, 2], pads=[1, 1, 1, 1], out_pad=[1, 1])
    yield T(rng, (1, 3, 5, 5), 2, 4, strides=[2, 2], pads=[1, 1, 1, 1])
    yield T(rng, (2, 93, 7, 7), 7, 3)
    yield T(rng, (1, 1, 1, 1), 1, 1)
    yield T(rng, (1, 7, 6, 5), 93, 2, strides=[3, 3], bias=False)
    yield T(rng, (1, 4, 9, 8), 6, 3, strides=[2, 1], dils=[2, 2], group=2, pads=[0, 1, 2, 0])
    yield T(rng, (1, 16, 10, 10), 16, 4, strides=[2, 2], group=16, pads=[1, 1, 1, 1])
    yield T(rng, (1, 5, 6, 7), 3, 3, strides=[2, 2], out_pad=[1, 0], pads=[0, 0, 0, 0],
            kernel_attr=False)
    yield T(rng, (1, 5, 6, 7), 3, 3, strides=[2, 2], out_shape=[13, 14])
    yield T(rng, (1, 5, 6, 7), 3, 3, strides=[2, 2], out_shape=[12, 14], auto_pad="SAME_UPPER")
    yield T(rng, (1, 5, 6, 7), 3, 3, strides=[2, 2], out_shape=[12, 14], auto_pad="SAME_LOWER")
    yield T(rng, (1, 5, 6, 7), 3, 3, strides=[2, 2], auto_pad="SAME_UPPER")
    yield T(rng, (1, 5, 6, 7), 3, 3, strides=[2, 2], auto_pad="SAME_LOWER")
    yield T(rng, (1, 5, 6, 7), 3, 3, strides=[2, 2], auto_pad="VALID")
    yield T(rng, (1, 7, 33), 5, 4, strides=[2], pads=[1, 2], out_pad=[1])
    yield T(rng, (1, 3, 4, 5, 6), 2, 3, strides=[2, 2, 1], pads=[1, 1, 0, 1, 0, 1])
    yield T(rng, (1, 64, 28, 28), 32, 2, strides=[2, 2])
