"""Cases of the shape op family (engine/ops/shape.c): Flatten, Reshape, Transpose, Concat,
Split, Slice, Squeeze, Unsqueeze, Gather, Shape, Cast, ConstantOfShape, Identity, Expand,
Range, and the shape subgraphs exported models are made of (Shape -> Gather -> Unsqueeze ->
Concat -> Reshape ...), with dynamic batch so that host-evaluated nodes run again at other
input shapes. Shape-like operands are initializers. Data movement is exact: {"nmse": 0}.
See tests/ops/gen_cases.py for the case format.
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper, shape_inference

EXACT = {"nmse": 0}
INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min
NP2ONNX = {np.float32: TensorProto.FLOAT, np.float16: TensorProto.FLOAT16, np.int64: TensorProto.INT64,
           np.int32: TensorProto.INT32, np.int8: TensorProto.INT8, np.uint8: TensorProto.UINT8,
           np.bool_: TensorProto.BOOL}
TYPE_NAME = {np.float32: "f32", np.float16: "f16", np.int64: "i64", np.int32: "i32", np.int8: "i8",
             np.uint8: "u8", np.bool_: "bool"}


def onnx_type(dtype):
    return NP2ONNX[np.dtype(dtype).type]


def tname(dtype):
    return TYPE_NAME[np.dtype(dtype).type]


def dims(shape):
    return "x".join(map(str, shape)) if len(shape) else "scalar"


def ints(v):
    names = {INT64_MAX: "max", INT64_MIN: "min"}
    return "_".join(names.get(x) or (("m%d" % -x) if x < 0 else str(x)) for x in v)


def make(nodes, inputs, outputs, inits=None, opset=17):
    """inputs: [(name, dtype, shape)] (shape entries may be strings: dynamic); outputs:
    [(name, dtype)] or [(name, dtype, shape)] where onnx's shape inference cannot tell the
    rank (the checker wants output shapes); inits: {name: np.ndarray}."""
    inits = inits or {}
    g = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(n, onnx_type(t), list(s)) for n, t, s in inputs],
        [helper.make_tensor_value_info(o[0], onnx_type(o[1]), o[2] if len(o) > 2 else None) for o in outputs],
        [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    inferred = {v.name: v for v in shape_inference.infer_shapes(m, data_prop=True).graph.output}
    for o in m.graph.output:
        if o.type.tensor_type.HasField("shape"):
            continue
        v = inferred.get(o.name)
        if v is None or not v.type.tensor_type.HasField("shape"):
            raise ValueError("output %s: onnx cannot infer its shape; give it in `outputs`" % o.name)
        o.type.tensor_type.shape.CopyFrom(v.type.tensor_type.shape)
    return m


def data(rng, shape, dtype=np.float32):
    if np.dtype(dtype) == np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(max(info.min, -1000), min(info.max, 1000), size=shape, dtype=dtype)
    return rng.standard_normal(shape).astype(dtype)


def single(op, x, attrs=None, inits=None, opset=17, out_dtype=None, n_out=1, extra_inputs=()):
    """One node reading graph input 'x' (then the initializers/extra inputs in order)."""
    inits = inits or {}
    names = ["x"] + list(extra_inputs)
    outs = ["y"] if n_out == 1 else ["y%d" % i for i in range(n_out)]
    node = helper.make_node(op, names, outs, **(attrs or {}))
    return make([node], [("x", x.dtype, x.shape)], [(o, out_dtype or x.dtype) for o in outs], inits, opset)


def flatten_cases(rng):
    x = data(rng, (2, 3, 4, 5))
    for axis in (0, 1, 2, -1, 4):
        for opset in (11, 13):
            yield ("flatten_%s_axis%s_op%d" % (dims(x.shape), ints([axis]), opset),
                   single("Flatten", x, {"axis": axis}, opset=opset), {"x": x}, EXACT)


def reshape_cases(rng):
    for shape, target, allowzero in [((2, 3, 4), [4, -1], 0), ((2, 3, 4), [0, -1], 0), ((2, 3, 4), [-1], 0),
                                     ((93,), [3, 31], 0), ((1, 7, 1), [7], 0), ((2, 3, 4), [2, 0, 4, 1], 0),
                                     ((1,), [], 0), ((0, 3, 4), [3, 0, 4], 1), ((2, 3, 4), [2, 12, -1], 1)]:
        for dtype in (np.float32, np.int64):
            x = data(rng, shape, dtype)
            name = "reshape_%s_%s_to_%s%s" % (tname(dtype), dims(shape), ints(target) or "scalar",
                                               "_allowzero" if allowzero else "")
            m = single("Reshape", x, {"allowzero": allowzero}, {"shape": np.array(target, np.int64)}, opset=14,
                       extra_inputs=["shape"])
            yield name, m, {"x": x}, EXACT
    x = data(rng, (4, 6))
    m = single("Reshape", x, {}, {"shape": np.array([3, 8], np.int64)}, opset=11, extra_inputs=["shape"])
    yield "reshape_f32_4x6_to_3_8_op11", m, {"x": x}, EXACT


def transpose_cases(rng):
    for shape, perm, dtype in [((2, 3, 4), None, np.float32), ((1, 3, 33, 17), [0, 2, 3, 1], np.float32),
                               ((93, 7), [1, 0], np.float32), ((2, 3, 4, 5, 2, 3), [5, 0, 4, 2, 1, 3], np.float32),
                               ((7, 1, 5), [2, 1, 0], np.int64), ((3, 17, 9), [1, 2, 0], np.uint8),
                               ((1, 80, 8400), [0, 2, 1], np.float32), ((5,), [0], np.int32)]:
        x = data(rng, shape, dtype)
        attrs = {} if perm is None else {"perm": perm}
        name = "transpose_%s_%s_perm%s" % (tname(dtype), dims(shape), "default" if perm is None else ints(perm))
        yield name, single("Transpose", x, attrs, opset=13), {"x": x}, EXACT


def concat_cases(rng):
    for shapes, axis, dtype, opset in [([(2, 3), (2, 5)], 1, np.float32, 17), ([(2, 3), (2, 5), (2, 1)], -1, np.float32, 11),
                                       ([(1, 3, 7, 7), (2, 3, 7, 7)], 0, np.float32, 13),
                                       ([(1, 64, 20, 20), (1, 32, 20, 20), (1, 93, 20, 20)], 1, np.float32, 17),
                                       ([(3, 4), (3, 0), (3, 2)], 1, np.float32, 17),
                                       ([(4,), (3,)], 0, np.int64, 17), ([(5, 2), (5, 3)], -1, np.int64, 13),
                                       ([(2, 7, 3), (2, 1, 3)], -2, np.uint8, 17)]:
        xs = [data(rng, s, dtype) for s in shapes]
        names = ["x%d" % i for i in range(len(xs))]
        node = helper.make_node("Concat", names, ["y"], axis=axis)
        m = make([node], [(n, dtype, x.shape) for n, x in zip(names, xs)], [("y", dtype)], opset=opset)
        name = "concat_%s_%s_axis%s_op%d" % (tname(dtype), "_".join(dims(s) for s in shapes), ints([axis]), opset)
        yield name, m, dict(zip(names, xs)), EXACT


def split_cases(rng):
    # (shape, axis, split sizes or None, n outputs, form, opset)
    for shape, axis, split, n, opset in [((6, 4), 0, None, 3, 11), ((6, 4), 0, [1, 5], 2, 11),
                                         ((2, 7, 3), 1, [2, 2, 3], 3, 13), ((2, 7, 3), -2, None, 3, 18),
                                         ((1, 93), -1, [90, 3], 2, 18), ((4, 6), 1, None, 2, 13),
                                         ((3, 10), 1, [0, 10], 2, 13)]:
        x = data(rng, shape)
        attrs = {"axis": axis}
        inits, extra = {}, []
        if split is not None and opset < 13:
            attrs["split"] = split
        elif split is not None:
            inits["split"] = np.array(split, np.int64)
            extra = ["split"]
        elif opset >= 18:
            attrs["num_outputs"] = n
        name = "split_%s_axis%s_%s_op%d" % (dims(shape), ints([axis]),
                                            ("sizes" + ints(split)) if split else "n%d" % n, opset)
        yield name, single("Split", x, attrs, inits, opset, n_out=n, extra_inputs=extra), {"x": x}, EXACT
    x = data(rng, (5, 3), np.int64)
    yield ("split_i64_5x3_axis0_n2_op18", single("Split", x, {"axis": 0, "num_outputs": 2}, opset=18, n_out=2),
           {"x": x}, EXACT)


def slice_cases(rng):
    # (shape, starts, ends, axes, steps)
    for shape, st, en, ax, sp in [((20, 10, 5), [0, 0], [3, 10], [0, 1], [1, 1]),
                                  ((20, 10, 5), [1], [1000], [0], [3]),
                                  ((20, 10, 5), [-1], [INT64_MIN], [-2], [-1]),
                                  ((20, 10, 5), [INT64_MAX], [-21], [0], [-2]),
                                  ((20, 10, 5), [0, 2, 1], [-1, 9, INT64_MAX], [0, 1, 2], [2, 3, 2]),
                                  ((93, 7), [5, -3], [-5, 7], None, None),
                                  ((93, 7), [-100], [100], [1], None),
                                  ((10, 10), [5], [1], [0], [1]),
                                  ((1, 3, 33, 17), [1, 1], [INT64_MAX, INT64_MAX], [2, 3], [2, 2]),
                                  ((1, 8, 9), [8], [0], [-1], [-3])]:
        for dtype in ([np.float32, np.int64] if shape == (93, 7) else [np.float32]):
            x = data(rng, shape, dtype)
            inits = {"starts": np.array(st, np.int64), "ends": np.array(en, np.int64)}
            extra = ["starts", "ends"]
            if ax is not None:
                inits["axes"] = np.array(ax, np.int64)
                extra.append("axes")
            if sp is not None:
                inits["steps"] = np.array(sp, np.int64)
                extra.append("steps")
            name = "slice_%s_%s_s%s_e%s%s%s" % (tname(dtype), dims(shape), ints(st), ints(en),
                                                "" if ax is None else "_a" + ints(ax), "" if sp is None else "_p" + ints(sp))
            for opset in (11, 13):
                yield (name + "_op%d" % opset, single("Slice", x, {}, inits, opset, extra_inputs=extra),
                       {"x": x}, EXACT)
    x = data(rng, (6, 5))
    m = single("Slice", x, {"starts": [1, -3], "ends": [5, 100], "axes": [0, 1]}, opset=9)
    yield "slice_f32_6x5_attrs_op9", m, {"x": x}, EXACT


def squeeze_cases(rng):
    for shape, axes in [((1, 3, 1, 5), [0, 2]), ((1, 3, 1, 5), [-2]), ((1, 3, 1, 5), None), ((1,), [0])]:
        x = data(rng, shape)
        tag = "all" if axes is None else ints(axes)
        yield ("squeeze_%s_axes%s_op11" % (dims(shape), tag),
               single("Squeeze", x, {} if axes is None else {"axes": axes}, opset=11), {"x": x}, EXACT)
        inits = {} if axes is None else {"axes": np.array(axes, np.int64)}
        yield ("squeeze_%s_axes%s_op13" % (dims(shape), tag),
               single("Squeeze", x, {}, inits, 13, extra_inputs=[] if axes is None else ["axes"]), {"x": x}, EXACT)


def unsqueeze_cases(rng):
    for shape, axes in [((3, 5), [0]), ((3, 5), [-1]), ((3, 5), [0, 3]), ((7,), [1, -1]), ((), [0])]:
        x = data(rng, shape)
        yield ("unsqueeze_%s_axes%s_op11" % (dims(shape), ints(axes)),
               single("Unsqueeze", x, {"axes": axes}, opset=11), {"x": x}, EXACT)
        yield ("unsqueeze_%s_axes%s_op13" % (dims(shape), ints(axes)),
               single("Unsqueeze", x, {}, {"axes": np.array(axes, np.int64)}, 13, extra_inputs=["axes"]),
               {"x": x}, EXACT)


def gather_cases(rng):
    # (data shape, axis, indices, index dtype, data dtype)
    for shape, axis, idx, idt, dtype in [((5, 4), 0, [0, 4, -1, 2], np.int64, np.float32),
                                         ((5, 4), 1, [[1, -4], [3, 0]], np.int64, np.float32),
                                         ((2, 93, 3), -2, [92, 0, -93, 7], np.int32, np.float32),
                                         ((2, 3, 4), -1, 2, np.int64, np.float32),
                                         ((1, 80, 7), 1, [5], np.int32, np.float32),
                                         ((7,), 0, [6, 0, 6], np.int64, np.int64),
                                         ((4, 3), 0, -1, np.int64, np.int64),
                                         ((3, 200), 1, list(range(199, -1, -3)), np.int64, np.uint8)]:
        x = data(rng, shape, dtype)
        ind = np.array(idx, idt)
        name = "gather_%s_%s_axis%s_idx%s_%s" % (tname(dtype), dims(shape), ints([axis]),
                                                dims(ind.shape), tname(idt))
        yield (name, single("Gather", x, {"axis": axis}, {"idx": ind}, 13, extra_inputs=["idx"]), {"x": x}, EXACT)
    # indices from a graph input: read on the device
    x = data(rng, (6, 5))
    ind = np.array([[5, 0], [-1, 2], [3, 3]], np.int32)
    node = helper.make_node("Gather", ["x", "i"], ["y"], axis=0)
    m = make([node], [("x", np.float32, x.shape), ("i", np.int32, ind.shape)], [("y", np.float32)], opset=13)
    yield "gather_f32_6x5_axis0_idx3x2_i32_input", m, {"x": x, "i": ind}, EXACT


def shape_cases(rng):
    x = data(rng, (2, 3, 5, 7))
    for attrs, opset in [({}, 13), ({"start": 1}, 15), ({"start": -2}, 15), ({"end": -1}, 15),
                         ({"start": 1, "end": 3}, 15), ({"start": 3, "end": 1}, 15), ({"start": -10, "end": 10}, 15)]:
        tag = "_".join("%s%s" % (k, ints([v])) for k, v in sorted(attrs.items())) or "all"
        yield ("shape_%s_%s_op%d" % (dims(x.shape), tag, opset),
               single("Shape", x, attrs, opset=opset, out_dtype=np.int64), {"x": x}, EXACT)


def cast_cases(rng):
    def values(dtype, shape):
        if np.dtype(dtype) == np.float32:
            return (rng.standard_normal(shape) * 50).astype(np.float32)
        return data(rng, shape, dtype)
    pairs = [(np.float32, np.int64), (np.float32, np.int32), (np.float32, np.bool_), (np.float32, np.float16),
             (np.int64, np.float32), (np.int64, np.int32), (np.int32, np.int64), (np.bool_, np.float32),
             (np.uint8, np.float32), (np.int8, np.float32), (np.float16, np.float32), (np.int64, np.uint8),
             (np.float32, np.float32)]
    for src, dst in pairs:
        for shape in ((7,), (3, 93)):
            x = values(src, shape)
            if np.dtype(src) == np.float16:
                x = rng.standard_normal(shape).astype(np.float16)
            if np.dtype(dst) == np.uint8:
                x = rng.integers(0, 255, size=shape).astype(src)
            m = single("Cast", x, {"to": onnx_type(dst)}, opset=13, out_dtype=dst)
            yield "cast_%s_to_%s_%s" % (tname(src), tname(dst), dims(shape)), m, {"x": x}, EXACT
    x = (rng.standard_normal((4, 5)) * 100).astype(np.float32)
    for dst in (np.int8, np.uint8):
        x2 = np.clip(x, -120, 120) if dst == np.int8 else np.abs(np.clip(x, -250, 250))
        yield ("cast_f32_to_%s_4x5" % tname(dst),
               single("Cast", x2.astype(np.float32), {"to": onnx_type(dst)}, opset=13, out_dtype=dst), {"x": x2}, EXACT)


def constant_of_shape_cases(rng):
    for shape, value in [([2, 3], None), ([3, 50], None), ([4], np.array([7], np.int64)),
                         ([93, 7], np.array([-1.5], np.float32)), ([], np.array([3], np.int32)),
                         ([1, 1, 200], np.array([1], np.uint8))]:
        attrs = {} if value is None else {"value": numpy_helper.from_array(value, "value")}
        node = helper.make_node("ConstantOfShape", ["s"], ["y"], **attrs)
        dt = np.float32 if value is None else value.dtype
        m = make([node], [], [("y", dt)], {"s": np.array(shape, np.int64)}, opset=13)
        name = "constantofshape_%s_%s" % (dims(shape), "default" if value is None else tname(dt) + ints([int(value[0])]))
        yield name, m, {}, EXACT


def identity_cases(rng):
    for shape, dtype in [((7,), np.float32), ((3, 93), np.int64), ((1, 3, 33, 17), np.float32)]:
        x = data(rng, shape, dtype)
        yield "identity_%s_%s" % (tname(dtype), dims(shape)), single("Identity", x, opset=13), {"x": x}, EXACT


def expand_cases(rng):
    for shape, target, dtype in [((3, 1), [2, 3, 4], np.float32), ((1,), [7], np.float32), ((3, 4), [1, 1], np.float32),
                                 ((1, 3, 1, 1), [2, 3, 33, 17], np.float32), ((5, 1, 2), [5, 93, 1], np.int64),
                                 ((1, 1), [3, 1, 4], np.uint8), ((4,), [], np.float32)]:
        x = data(rng, shape, dtype)
        m = single("Expand", x, {}, {"shape": np.array(target, np.int64)}, 13, extra_inputs=["shape"])
        yield "expand_%s_%s_to_%s" % (tname(dtype), dims(shape), ints(target) or "scalar"), m, {"x": x}, EXACT


def range_cases(rng):
    for start, limit, delta, dtype in [(0, 10, 1, np.int64), (10, -3, -4, np.int64), (5, 5, 1, np.int64),
                                       (0, 1000, 3, np.int32), (0, 300, 1, np.int64),
                                       (0.5, 3.2, 0.25, np.float32), (0.1, 100.3, 0.7, np.float32),
                                       (3.0, -2.0, -0.5, np.float32)]:
        inits = {"a": np.array(start, dtype), "b": np.array(limit, dtype), "c": np.array(delta, dtype)}
        m = make([helper.make_node("Range", ["a", "b", "c"], ["y"])], [], [("y", dtype)], inits, opset=13)
        tag = "_".join(str(v).replace("-", "m").replace(".", "p") for v in (start, limit, delta))
        tol = EXACT if np.issubdtype(dtype, np.integer) else None
        yield "range_%s_%s" % (tname(dtype), tag), m, {}, tol


def subgraph_cases(rng):
    """Shape subgraphs of exported models; dynamic batch reruns them at each shape."""
    # Flatten as exported by torch: Shape -> Gather(0) -> Unsqueeze -> Concat([N, -1]) -> Reshape
    for opset in (11, 13, 17):
        nodes = [helper.make_node("Shape", ["x"], ["s"]),
                 helper.make_node("Gather", ["s", "i0"], ["n"], axis=0)]
        if opset < 13:
            nodes.append(helper.make_node("Unsqueeze", ["n"], ["n1"], axes=[0]))
        else:
            nodes.append(helper.make_node("Unsqueeze", ["n", "ax0"], ["n1"]))
        nodes += [helper.make_node("Concat", ["n1", "m1"], ["shape"], axis=0),
                  helper.make_node("Reshape", ["x", "shape"], ["y"])]
        inits = {"i0": np.array(0, np.int64), "m1": np.array([-1], np.int64)}
        if opset >= 13:
            inits["ax0"] = np.array([0], np.int64)
        m = make(nodes, [("x", np.float32, ["N", 3, 4, 5])], [("y", np.float32, ["N", 60])], inits, opset)
        yield ("subgraph_shape_gather_unsqueeze_concat_reshape_op%d" % opset, m,
               [{"x": data(rng, (1, 3, 4, 5))}, {"x": data(rng, (3, 3, 4, 5))}], EXACT)
    # Channel split of a YOLO head: Shape -> Slice -> Concat -> Reshape, then Split and Transpose
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Slice", ["s", "z", "one"], ["n"]),
             helper.make_node("Concat", ["n", "c"], ["shape"], axis=0),
             helper.make_node("Reshape", ["x", "shape"], ["r"]),
             helper.make_node("Split", ["r", "sp"], ["a", "b"], axis=1),
             helper.make_node("Transpose", ["b"], ["bt"], perm=[0, 2, 1])]
    inits = {"z": np.array([0], np.int64), "one": np.array([1], np.int64), "c": np.array([7, -1], np.int64),
             "sp": np.array([4, 3], np.int64)}
    m = make(nodes, [("x", np.float32, ["N", 7, 9, 5])], [("a", np.float32, ["N", 4, 45]), ("bt", np.float32, ["N", 45, 3])], inits, 13)
    yield ("subgraph_shape_slice_concat_reshape_split_transpose", m,
           [{"x": data(rng, (2, 7, 9, 5))}, {"x": data(rng, (1, 7, 9, 5))}], EXACT)
    # ConstantOfShape(Shape(x)) and Range(0, Gather(Shape(x), 1)) read shapes computed on the host
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("ConstantOfShape", ["s"], ["y"],
                              value=numpy_helper.from_array(np.array([2.5], np.float32), "value")),
             helper.make_node("Gather", ["s", "i1"], ["w"], axis=0),
             helper.make_node("Cast", ["w"], ["wf"], to=TensorProto.FLOAT),
             helper.make_node("Range", ["z", "w", "one"], ["r"]),
             helper.make_node("Range", ["zf", "wf", "half"], ["rf"])]
    inits = {"i1": np.array(1, np.int64), "z": np.array(0, np.int64), "one": np.array(1, np.int64),
             "zf": np.array(0, np.float32), "half": np.array(0.5, np.float32)}
    m = make(nodes, [("x", np.float32, ["N", "W"])],
             [("y", np.float32), ("r", np.int64), ("rf", np.float32)], inits, 13)
    yield ("subgraph_shape_constantofshape_range", m,
           [{"x": data(rng, (2, 93))}, {"x": data(rng, (3, 7))}], EXACT)
    # Squeeze/Unsqueeze/Expand/Gather of shape values, all on the host; the result drives Expand
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Gather", ["s", "i"], ["hw"], axis=0),
             helper.make_node("Concat", ["one", "hw"], ["shape"], axis=0),
             helper.make_node("Expand", ["b", "shape"], ["y"])]
    inits = {"i": np.array([2, 3], np.int64), "one": np.array([1, 3], np.int64),
             "b": data(rng, (1, 3, 1, 1))}
    m = make(nodes, [("x", np.float32, [1, 3, "H", "W"])], [("y", np.float32)], inits, 13)
    yield ("subgraph_shape_gather_concat_expand", m,
           [{"x": data(rng, (1, 3, 33, 17))}, {"x": data(rng, (1, 3, 8, 8))}], EXACT)


def cases():
    rng = np.random.default_rng(0)
    for gen in (flatten_cases, reshape_cases, transpose_cases, concat_cases, split_cases, slice_cases,
                squeeze_cases, unsqueeze_cases, gather_cases, shape_cases, cast_cases, constant_of_shape_cases,
                identity_cases, expand_cases, range_cases, subgraph_cases):
        yield from gen(rng)
