"""Cases of Pad (engine/ops/pad.c): modes constant, reflect, edge and wrap; pads on spatial
axes, on every axis, negative (cropping) pads, the opset 18 axes input with negative axes,
opset 11/13 inputs and the opset 2 attribute form; awkward sizes, int64 and uint8 data.
Pad only moves values: {"nmse": 0}. See tests/ops/gen_cases.py for the case format.
"""
import numpy as np
from onnx import helper

from cases_shape import EXACT, data, dims, ints, make, tname


def pad_model(x, mode, pads, value=None, axes=None, opset=18):
    """Pad of graph input 'x' with pads (and constant_value, axes) as initializers, or as
    attributes below opset 11."""
    if opset < 11:
        attrs = {"mode": mode, "pads": pads}
        if value is not None:
            attrs["value"] = float(value)
        node = helper.make_node("Pad", ["x"], ["y"], **attrs)
        return make([node], [("x", x.dtype, x.shape)], [("y", x.dtype)], opset=opset)
    inits = {"pads": np.array(pads, np.int64)}
    names = ["x", "pads"]
    if value is not None or axes is not None:
        names.append("" if value is None else "value")
        if value is not None:
            inits["value"] = np.array(value, x.dtype)
    if axes is not None:
        names.append("axes")
        inits["axes"] = np.array(axes, np.int64)
    node = helper.make_node("Pad", names, ["y"], mode=mode)
    return make([node], [("x", x.dtype, x.shape)], [("y", x.dtype)], inits, opset)


def cases():
    rng = np.random.default_rng(1)
    modes = ["constant", "reflect", "edge", "wrap"]
    # (shape, pads over every axis); reflect needs pads < dim
    for shape, pads in [((1, 3, 33, 17), [0, 0, 1, 2, 0, 0, 3, 4]), ((7,), [2, 3]), ((93,), [0, 5]),
                        ((2, 3, 4), [1, 0, 2, 1, 2, 3]), ((1, 1, 5, 5), [0, 0, -1, 2, 0, 0, 3, -2]),
                        ((1, 1), [0, 0, 0, 0]), ((3, 1, 6), [0, 0, 2, 0, 0, 1])]:
        for mode in modes:
            if mode == "reflect" and any(p >= d for p, d in zip(pads, list(shape) * 2) if p > 0):
                continue
            x = data(rng, shape)
            name = "pad_%s_%s_%s_p%s" % (mode, tname(x.dtype), dims(shape), ints(pads))
            yield name, pad_model(x, mode, pads, opset=19 if mode == "wrap" else 18), {"x": x}, EXACT
    # constant value, opset forms
    x = data(rng, (1, 3, 33, 17))
    for opset in (11, 13):
        yield ("pad_constant_value_f32_1x3x33x17_op%d" % opset,
               pad_model(x, "constant", [0, 0, 1, 1, 0, 0, 1, 1], value=-2.5, opset=opset), {"x": x}, EXACT)
        yield ("pad_reflect_f32_1x3x33x17_op%d" % opset,
               pad_model(x, "reflect", [0, 0, 2, 3, 0, 0, 3, 2], opset=opset), {"x": x}, EXACT)
    x = data(rng, (2, 5, 4))
    yield ("pad_constant_value_f32_2x5x4_op10",
           pad_model(x, "constant", [0, 1, 2, 0, 2, 1], value=1.25, opset=10), {"x": x}, EXACT)
    yield "pad_edge_f32_2x5x4_op10", pad_model(x, "edge", [1, 1, 1, 1, 1, 1], opset=10), {"x": x}, EXACT
    # axes input (opset 18), negative axes, default constant 0
    for axes, pads in [([-1, -2], [1, 2, 3, 4]), ([1], [2, 0]), ([0, 3], [1, 1, 0, 2])]:
        for mode in ("constant", "edge", "reflect"):
            x = data(rng, (2, 3, 6, 7))
            name = "pad_%s_axes%s_f32_2x3x6x7_p%s" % (mode, ints(axes), ints(pads))
            yield name, pad_model(x, mode, pads, axes=axes, opset=18), {"x": x}, EXACT
    # integer data: int64 inputs are frozen at build time (small: host, large: device)
    for shape, pads in [((3, 4), [1, 0, 0, 2]), ((9, 11), [2, 3, 4, 5])]:
        for mode in ("constant", "reflect", "edge"):
            x = data(rng, shape, np.int64)
            value = 7 if mode == "constant" else None
            yield ("pad_%s_i64_%s_p%s" % (mode, dims(shape), ints(pads)),
                   pad_model(x, mode, pads, value=value, opset=13), {"x": x}, EXACT)
    x = data(rng, (1, 3, 20, 31), np.uint8)
    yield ("pad_constant_u8_1x3x20x31_p0_0_3_1_0_0_2_5",
           pad_model(x, "constant", [0, 0, 3, 1, 0, 0, 2, 5], value=255, opset=13), {"x": x}, EXACT)
