"""MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool cases (see gen_cases.py).

Tolerance: normalised MSE against onnxruntime. A maximum is exact (NMSE 0 expected; the
tolerance 1e-14 only leaves room for nothing but a differently rounded -0/+0). An average
of K values in float32 has a relative error of about sqrt(K) * 2^-24: NMSE ~ K * 3.6e-15,
so averages get 1e-13 * K (at least 1e-12), ~30 times that.
"""
import numpy as np
from onnx import TensorProto, helper


def _dims(v, sep="-"):
    return sep.join(str(int(x)) for x in v)


def _model(op, x_shape, attrs, opset, dynamic=False):
    """With dynamic, every dimension of x but the channels is symbolic."""
    node = helper.make_node(op, ["x"], ["y"], **attrs)
    xs = list(x_shape)
    if dynamic:
        xs = ["N", xs[1]] + [f"S{i}" for i in range(len(xs) - 2)]
    # The output is declared by rank only: onnx's shape inference keeps a ceil_mode window
    # that starts in the end padding, which onnxruntime (and the engine) drop.
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [None] * len(x_shape))
    g = helper.make_graph([node], op.lower(),
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, xs)], [y])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def _pool(rng, op, x_shape, k, strides=None, pads=None, dils=None, ceil=0, include_pad=0,
          auto_pad=None, opset=None, shapes=None):
    """shapes: several shapes of x (same channels) to run one dynamic engine on."""
    nsp = len(x_shape) - 2
    k = [k] * nsp if isinstance(k, int) else list(k)
    attrs = {"kernel_shape": k}
    name = ["maxpool" if op == "MaxPool" else "avgpool", "k" + _dims(k)]
    if strides is not None:
        attrs["strides"] = strides
        name.append("s" + _dims(strides))
    if pads is not None:
        attrs["pads"] = pads
        name.append("p" + _dims(pads))
    if dils is not None:
        attrs["dilations"] = dils
        name.append("d" + _dims(dils))
    if ceil:
        attrs["ceil_mode"] = 1
        name.append("ceil")
    if include_pad:
        attrs["count_include_pad"] = 1
        name.append("incpad")
    if auto_pad is not None:
        attrs["auto_pad"] = auto_pad
        name.append(auto_pad.lower())
    # AveragePool takes dilations from opset 19 on.
    if opset is None:
        opset = 19 if (dils is not None and op == "AveragePool") else 17
    if opset != 17:
        name.append(f"opset{opset}")
    name.append(_dims(x_shape, "x"))
    if shapes is not None:
        name.append("dyn_" + "_".join(_dims(s, "x") for s in shapes[1:]))
        feeds = [{"x": rng.standard_normal(s).astype(np.float32)} for s in shapes]
    else:
        feeds = {"x": rng.standard_normal(x_shape).astype(np.float32)}
    tol = {"nmse": 1e-14} if op == "MaxPool" else {"nmse": max(1e-12, 1e-13 * int(np.prod(k)))}
    return ("_".join(name), _model(op, x_shape, attrs, opset, shapes is not None), feeds, tol)


def _global(rng, op, x_shape, opset=17):
    kind = "globalavgpool" if op == "GlobalAveragePool" else "globalmaxpool"
    name = f"{kind}_{_dims(x_shape, 'x')}"
    if opset != 17:
        name += f"_opset{opset}"
    s = int(np.prod(x_shape[2:]))
    tol = {"nmse": 1e-14} if op == "GlobalMaxPool" else {"nmse": max(1e-12, 1e-13 * s)}
    return (name, _model(op, x_shape, {}, opset),
            {"x": rng.standard_normal(x_shape).astype(np.float32)}, tol)


def cases():
    rng = np.random.default_rng(777)
    for op in ("MaxPool", "AveragePool"):
        P = lambda *a, **kw: _pool(rng, op, *a, **kw)
        yield P((1, 1, 1, 1), 1)
        yield P((1, 7, 7, 7), 3)
        yield P((1, 93, 7, 7), 2, strides=[2, 2])
        yield P((2, 7, 33, 17), 3, strides=[2, 2], pads=[1, 1, 1, 1])
        yield P((1, 64, 56, 56), 3, strides=[2, 2], pads=[1, 1, 1, 1])
        yield P((1, 3, 641, 481), 3, strides=[2, 2])
        # Asymmetric pads, non-square windows and strides.
        yield P((1, 5, 19, 23), (3, 2), strides=[2, 3], pads=[0, 1, 2, 0])
        yield P((1, 4, 9, 9), 4, pads=[3, 3, 3, 3])
        # ceil_mode, including a last window that would start in the padding.
        yield P((1, 7, 33, 17), 2, strides=[2, 2], ceil=1)
        yield P((1, 3, 7, 7), 3, strides=[2, 2], ceil=1)
        yield P((1, 3, 8, 8), 3, strides=[3, 3], pads=[1, 1, 1, 1], ceil=1)
        yield P((1, 2, 10, 11), 2, strides=[3, 2], pads=[0, 0, 1, 1], ceil=1)
        # Dilations.
        yield P((1, 6, 21, 21), 3, dils=[2, 2])
        yield P((1, 4, 17, 19), (2, 3), strides=[2, 1], dils=[3, 2], pads=[1, 0, 1, 2], ceil=1)
        # auto_pad.
        for ap in ("SAME_UPPER", "SAME_LOWER", "VALID"):
            yield P((1, 7, 33, 17), 4, strides=[2, 3], auto_pad=ap)
        # 1-D and 3-D.
        yield P((1, 7, 33), 3, strides=[2], pads=[1, 0])
        yield P((2, 3, 7, 9, 11), 3, strides=[1, 2, 2], pads=[1, 0, 1, 1, 1, 0])
        yield P((1, 4, 8, 8, 8), 2, strides=[2, 2, 2], ceil=1, pads=[0, 1, 0, 1, 0, 1])
        # Shapes that change at run time, older opsets.
        yield P((1, 8, 14, 14), 2, strides=[2, 2], shapes=[(1, 8, 14, 14), (3, 8, 14, 14)])
        yield P((1, 5, 17, 12), 3, strides=[2, 2], auto_pad="SAME_LOWER",
                shapes=[(1, 5, 17, 12), (2, 5, 9, 30)])
        yield P((1, 5, 17, 12), 3, strides=[2, 2], ceil=1, shapes=[(1, 5, 17, 12), (1, 5, 8, 9)])
        yield P((1, 3, 9, 10), 3, strides=[2, 2], opset=11)
    # MaxPool of 8-bit integers (opset 12+): exact, compared for equality.
    for dt, np_dt in ((TensorProto.UINT8, np.uint8), (TensorProto.INT8, np.int8)):
        name = f"maxpool_k3-3_s2-2_p1-1-1-1_{np.dtype(np_dt).name}_2x7x33x17"
        node = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2],
                                pads=[1, 1, 1, 1])
        g = helper.make_graph([node], "maxpool",
                              [helper.make_tensor_value_info("x", dt, [2, 7, 33, 17])],
                              [helper.make_tensor_value_info("y", dt, [2, 7, 17, 9])])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
        info = np.iinfo(np_dt)
        x = rng.integers(info.min, info.max, size=(2, 7, 33, 17), endpoint=True).astype(np_dt)
        yield (name, m, {"x": x}, None)
    # count_include_pad, alone and with ceil_mode / asymmetric pads / 1-D / 3-D.
    A = lambda *a, **kw: _pool(rng, "AveragePool", *a, include_pad=1, **kw)
    yield A((2, 7, 33, 17), 3, strides=[2, 2], pads=[1, 1, 1, 1])
    yield A((1, 5, 19, 23), (3, 2), strides=[2, 3], pads=[0, 1, 2, 0])
    yield A((1, 3, 8, 8), 3, strides=[3, 3], pads=[1, 1, 1, 1], ceil=1)
    yield A((1, 2, 10, 11), 2, strides=[3, 2], pads=[0, 0, 1, 1], ceil=1)
    yield A((1, 4, 9, 9), 4, pads=[3, 3, 3, 3])
    yield A((1, 7, 33), 3, strides=[2], pads=[1, 0])
    yield A((1, 2, 5, 6, 7), 3, strides=[2, 2, 2], pads=[1, 1, 1, 1, 1, 1], ceil=1)
    yield A((1, 6, 21, 21), 3, dils=[2, 2], pads=[2, 1, 2, 1])
    yield A((1, 7, 33, 17), 4, strides=[2, 3], auto_pad="SAME_UPPER")

    for op in ("GlobalAveragePool", "GlobalMaxPool"):
        for shape in [(1, 1, 1, 1), (1, 93, 7, 7), (2, 7, 33, 17), (1, 3, 641, 481), (1, 7, 5),
                      (2, 4, 3, 5, 6), (1, 2048, 7, 7)]:
            yield _global(rng, op, shape)
        yield _global(rng, op, (1, 5, 9, 9), opset=11)
