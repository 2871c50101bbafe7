"""Cases of Resize (engine/ops/resize.c) in the forms PyTorch (F.interpolate, nn.Upsample) and
ultralytics exports use: nearest with every nearest_mode and coordinate transformation,
bilinear (4-D NCHW) and linear over the last axis (3-D), scales or sizes, up and down, odd
spatial sizes; opset 10 (X, scales), 11/13 (roi, scales, sizes) and 18 (axes attribute);
a sizes input computed from Shape -> Slice -> Concat. Nearest only moves values:
{"nmse": 0}; linear is float arithmetic in onnxruntime's order: a tight nmse.
See tests/ops/gen_cases.py for the case format.
"""
import numpy as np
from onnx import helper

from cases_shape import EXACT, data, dims, make, tname

LINEAR_TOL = {"nmse": 1e-12}
COORDS = ["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel", "tf_half_pixel_for_nn",
          "half_pixel_symmetric"]
NEAREST = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]


def num(v):
    return ("%g" % v).replace(".", "p")


def resize_model(x, mode, scales=None, sizes=None, opset=13, axes=None, **attrs):
    """Resize of graph input 'x' with scales or sizes as an initializer."""
    inits = {}
    if opset < 11:
        names = ["x", "scales"]
        inits["scales"] = np.array(scales, np.float32)
    elif sizes is not None:
        names = ["x", "", "", "sizes"]
        inits["sizes"] = np.array(sizes, np.int64)
    else:
        names = ["x", "", "scales"]
        inits["scales"] = np.array(scales, np.float32)
    if opset == 11:  # roi is required at opset 11: an empty tensor
        names[1] = "roi"
        inits["roi"] = np.zeros((0,), np.float32)
        if sizes is not None:
            names[2] = "scales"
            inits["scales"] = np.zeros((0,), np.float32)
    if axes is not None:
        attrs["axes"] = axes
    node = helper.make_node("Resize", names, ["y"], mode=mode, **attrs)
    return make([node], [("x", x.dtype, x.shape)], [("y", x.dtype)], inits, opset)


def nearest_cases(rng):
    x = data(rng, (1, 3, 33, 17))
    for coord in COORDS:
        for nearest in NEAREST:
            for how, arg in [("scales2x1p5", {"scales": [1, 1, 2.0, 1.5]}),
                             ("sizes65x35", {"sizes": [1, 3, 65, 35]}),
                             ("sizes16x9", {"sizes": [1, 3, 16, 9]})]:
                if coord == "align_corners" and nearest != "round_prefer_floor":
                    continue
                m = resize_model(x, "nearest", coordinate_transformation_mode=coord, nearest_mode=nearest,
                                 opset=19 if coord == "half_pixel_symmetric" else 13, **arg)
                yield "resize_nearest_%s_%s_f32_%s_%s" % (coord, nearest, dims(x.shape), how), m, {"x": x}, EXACT
    # nn.Upsample(scale_factor=2) as torch exports it at opset 11 and 13 (asymmetric, floor)
    x = data(rng, (1, 3, 641, 481))
    for opset in (11, 13):
        m = resize_model(x, "nearest", scales=[1, 1, 2, 2], opset=opset,
                         coordinate_transformation_mode="asymmetric", nearest_mode="floor")
        yield "resize_nearest_asymmetric_floor_f32_1x3x641x481_x2_op%d" % opset, m, {"x": x}, EXACT
    # opset 10 (X, scales) and downscaling by a scale
    for shape, scales in [((1, 2, 7, 9), [1, 1, 2, 3]), ((1, 2, 7, 9), [1, 1, 0.5, 0.34])]:
        x = data(rng, shape)
        yield ("resize_nearest_op10_f32_%s_s%s" % (dims(shape), "_".join(num(s) for s in scales)),
               resize_model(x, "nearest", scales=scales, opset=10), {"x": x}, EXACT)
    # other ranks and dtypes, scales on every axis
    for shape, scales, dtype in [((93,), [1.5], np.float32), ((2, 3, 5), [2, 1, 3], np.int32),
                                 ((1, 4, 9, 9), [1, 0.5, 0.5, 0.5], np.uint8), ((7, 1), [1, 7], np.float32)]:
        x = data(rng, shape, dtype)
        yield ("resize_nearest_%s_%s_s%s" % (tname(dtype), dims(shape), "_".join(num(s) for s in scales)),
               resize_model(x, "nearest", scales=scales, opset=13), {"x": x}, EXACT)
    # opset 18 axes attribute
    x = data(rng, (1, 3, 10, 12))
    yield ("resize_nearest_axes2_3_f32_1x3x10x12_sizes15x5_op18",
           resize_model(x, "nearest", sizes=[15, 5], axes=[2, 3], opset=18), {"x": x}, EXACT)
    yield ("resize_nearest_axesm1_f32_1x3x10x12_scale2p5_op18",
           resize_model(x, "nearest", scales=[2.5], axes=[-1], opset=18), {"x": x}, EXACT)


def linear_cases(rng):
    x = data(rng, (1, 3, 33, 17))
    for coord in COORDS:
        for how, arg in [("scales2x2", {"scales": [1, 1, 2, 2]}), ("sizes65x35", {"sizes": [1, 3, 65, 35]}),
                         ("sizes16x9", {"sizes": [1, 3, 16, 9]}), ("scales0p6x1p7", {"scales": [1, 1, 0.6, 1.7]})]:
            m = resize_model(x, "linear", coordinate_transformation_mode=coord,
                             opset=19 if coord == "half_pixel_symmetric" else 13, **arg)
            yield "resize_linear_%s_f32_%s_%s" % (coord, dims(x.shape), how), m, {"x": x}, LINEAR_TOL
    # F.interpolate(mode="bilinear", align_corners=False/True) at opset 11
    x = data(rng, (2, 4, 20, 31))
    for coord in ("pytorch_half_pixel", "align_corners"):
        m = resize_model(x, "linear", sizes=[2, 4, 40, 62], opset=11, coordinate_transformation_mode=coord)
        yield "resize_linear_%s_f32_2x4x20x31_sizes40x62_op11" % coord, m, {"x": x}, LINEAR_TOL
    # linear over the last axis of a 3-D input, and 2-D
    for shape, scales in [((2, 3, 93), [1, 1, 2.5]), ((7, 5), [3, 0.5])]:
        x = data(rng, shape)
        yield ("resize_linear_f32_%s_s%s" % (dims(shape), "_".join(num(s) for s in scales)),
               resize_model(x, "linear", scales=scales, opset=13), {"x": x}, LINEAR_TOL)
    x = data(rng, (1, 2, 1, 1))
    yield ("resize_linear_f32_1x2x1x1_sizes7x5",
           resize_model(x, "linear", sizes=[1, 2, 7, 5], opset=13), {"x": x}, LINEAR_TOL)


def subgraph_cases(rng):
    """sizes = Concat(Slice(Shape(x), 0, 2), [2H, 2W]): the export of F.interpolate(size=...)."""
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Slice", ["s", "z", "two"], ["nc"]),
             helper.make_node("Concat", ["nc", "hw"], ["sizes"], axis=0),
             helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], mode="nearest",
                              coordinate_transformation_mode="asymmetric", nearest_mode="floor")]
    inits = {"z": np.array([0], np.int64), "two": np.array([2], np.int64), "hw": np.array([40, 24], np.int64)}
    m = make(nodes, [("x", np.float32, ["N", 3, 20, 12])], [("y", np.float32, ["N", 3, 40, 24])], inits, 13)
    yield ("resize_subgraph_shape_slice_concat_sizes", m,
           [{"x": data(rng, (1, 3, 20, 12))}, {"x": data(rng, (2, 3, 20, 12))}], EXACT)


def cases():
    rng = np.random.default_rng(2)
    yield from nearest_cases(rng)
    yield from linear_cases(rng)
    yield from subgraph_cases(rng)
