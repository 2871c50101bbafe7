"""Cases for the reduce op family (engine/ops/reduce.c): ReduceSum, ReduceMean, ReduceMax,
Softmax, ArgMax, TopK. See gen_cases.py for the tuple format.

Opset-dependent forms are covered with the opset in the case name: ReduceSum's axes are an
attribute before 13 and an input after, ReduceMean/ReduceMax's before 18 and after; Softmax
before 13 normalises the input flattened to 2-D at `axis` (default 1); TopK's k is an
attribute before opset 10. Axes and K given as int64 graph inputs are frozen into the engine
at build time by run_cases (as TensorRT's shape tensors), initializers are constants.

Tolerances: ReduceMax, ArgMax and TopK must match exactly (ties included: ArgMax takes the
first or, with select_last_index, the last maximum; TopK puts the lower index first).
Sums and means differ from onnxruntime only in summation order, Softmax also in exp's last
ulp: normalised MSE 1e-12. Float sums and means take values of one sign (0.5..1.5): with
cancellation a float32 sum is ill-conditioned and both orders drift from the exact result
(onnxruntime's ReduceSum over 8400 standard normals is off by 1e-4 where ours is 2e-5).
TopK's sorted=0 leaves the order unspecified (onnxruntime's is not sorted), so it is not
compared here; the engine always sorts.
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

EXACT = {"rtol": 0, "atol": 0}
ROUND = {"nmse": 1e-12}

ONNX_TYPE = {np.float32: TensorProto.FLOAT, np.int64: TensorProto.INT64,
             np.int32: TensorProto.INT32, np.bool_: TensorProto.BOOL}
TYPE_NAME = {np.float32: "f32", np.int64: "i64", np.int32: "i32", np.bool_: "bool"}


def shape_str(shape):
    return "x".join(map(str, shape)) if len(shape) else "scalar"


def attr_str(attrs):
    """keepdims=0, axes=[0, -1] -> 'keepdims0_axes0_-1'."""
    out = []
    for k, v in sorted(attrs.items()):
        if isinstance(v, (list, tuple)):
            v = "_".join(map(str, v)) if v else "none"
        out.append(f"{k.replace('_', '')}{v}")
    return "_".join(out)


def model(op, inputs, n_out=1, opset=17, consts=(), **attrs):
    """A one-node model. inputs: [(name, array)] in node input order; names in `consts`
    become initializers, the others graph inputs."""
    node = helper.make_node(op, [n for n, _ in inputs], [f"y{i}" for i in range(n_out)], **attrs)
    graph_inputs = [helper.make_tensor_value_info(n, ONNX_TYPE[a.dtype.type], list(a.shape))
                    for n, a in inputs if n not in consts]
    inits = [numpy_helper.from_array(a, n) for n, a in inputs if n in consts]
    outs = [helper.make_empty_tensor_value_info(f"y{i}") for i in range(n_out)]
    g = helper.make_graph([node], op.lower(), graph_inputs, outs, initializer=inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def case(op, x, tol, opset=17, extra=(), consts=(), tag="", n_out=1, **attrs):
    """Case named from op, tag, attributes, dtype, shape and opset (when not 17). `extra`:
    further node inputs after x, [(name, array)] (axes, K)."""
    parts = ["red", op.lower(), tag, attr_str(attrs), TYPE_NAME[x.dtype.type], shape_str(x.shape)]
    name = "_".join(p for p in parts if p)
    if opset != 17:
        name += f"_opset{opset}"
    inputs = [("x", x)] + list(extra)
    feeds = {n: a for n, a in inputs if n not in consts}
    return (name, model(op, inputs, n_out=n_out, opset=opset, consts=consts, **attrs), feeds, tol)


def cases():
    rng = np.random.default_rng(1122)

    def normal(*shape, scale=1.0):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    def positive(*shape):
        return rng.uniform(0.5, 1.5, shape).astype(np.float32)

    def small_ints(*shape, dtype=np.float32, hi=4):
        """Values from a few integers, so that ties occur."""
        return rng.integers(-hi, hi, shape).astype(dtype)

    def axes_in(axes):
        return np.array(axes, np.int64)

    # ---------------------------------------------------------------- ReduceSum/Mean/Max
    # (shape, axes) pairs: one axis, negative, non-adjacent, all (None), long reductions
    # (work-group kernel), reduction over a size-1 axis.
    reductions = [
        ((7,), [0]),
        ((93, 7), [1]),
        ((93, 7), [0]),
        ((2, 93, 7), [-1]),
        ((2, 93, 7), [0, 2]),
        ((3, 5, 7, 4), [0, 2]),
        ((3, 5, 7, 4), [1, -1]),
        ((2, 3, 5, 7), None),
        ((1, 64, 40, 40), [2, 3]),
        ((2, 300, 3), [1]),
        ((1, 8400), [1]),
        ((4, 1, 6), [1]),
        ((1, 3, 641, 481), [1]),
    ]
    tol_of = {"ReduceSum": ROUND, "ReduceMean": ROUND, "ReduceMax": EXACT}
    for op in ("ReduceSum", "ReduceMean", "ReduceMax"):
        axes_input_from = 13 if op == "ReduceSum" else 18
        for shape, axes in reductions:
            for keepdims in (1, 0):
                if shape[-1] == 481 and keepdims == 0:
                    continue  # one big case per op is enough
                # Sums of values of one sign: well conditioned, so that float32 summation
                # order (ours vs onnxruntime's) stays within the tolerance.
                x = normal(*shape) if op == "ReduceMax" else positive(*shape)
                # The axes attribute form (opset 11 / 17), then the axes input form (opset 18).
                old = 11 if op == "ReduceSum" else 17
                kw = {"keepdims": keepdims}
                if axes is not None:
                    kw["axes"] = axes
                yield case(op, x, tol_of[op], opset=old, **kw)
                extra = [] if axes is None else [("axes", axes_in(axes))]
                yield case(op, x, tol_of[op], opset=18, extra=extra, consts=("axes",),
                           tag=("axesconst" + "_".join(map(str, axes))) if axes else "noaxes",
                           keepdims=keepdims)
        # Axes as an int64 graph input, frozen at build time.
        pick = normal if op == "ReduceMax" else positive
        yield case(op, pick(3, 5, 7, 4), tol_of[op], opset=axes_input_from,
                   extra=[("axes", axes_in([-3, 3]))], tag="axesinput-3_3", keepdims=0)
        # noop_with_empty_axes: no axes means identity.
        yield case(op, pick(2, 93, 7), tol_of[op], opset=18, noop_with_empty_axes=1)
        yield case(op, pick(2, 93, 7), tol_of[op], opset=18, noop_with_empty_axes=0,
                   keepdims=0)
        # Integer inputs (int64 reductions of <= 64 outputs are host-evaluated after freezing).
        old = 11 if op == "ReduceSum" else 17
        for dt in (np.int32, np.int64):
            yield case(op, rng.integers(-1000, 1000, (5, 93)).astype(dt), EXACT, opset=old,
                       axes=[1], keepdims=0)
            yield case(op, rng.integers(-1000, 1000, (93, 7)).astype(dt), EXACT, opset=old,
                       axes=[0])
        # Rank 0.
        yield case(op, np.array(3.5, np.float32), EXACT, opset=old, keepdims=1)
    yield case("ReduceMax", rng.random((4, 93)) < 0.1, EXACT, opset=20,
               extra=[("axes", axes_in([1]))], consts=("axes",), keepdims=1)
    yield case("ReduceSum", normal(2, 0, 4), EXACT, opset=13, extra=[("axes", axes_in([1]))],
               consts=("axes",), tag="empty", keepdims=1)

    # ---------------------------------------------------------------- Softmax
    softmax = [
        ((7,), -1),
        ((93, 7), -1),
        ((93, 7), 0),
        ((2, 93, 7), 1),
        ((2, 93, 7), -3),
        ((1, 1000), -1),
        ((3, 8400), 1),
        ((2, 3, 33, 45), 1),
        ((1, 3, 641, 481), -1),
    ]
    for shape, axis in softmax:
        yield case("Softmax", normal(*shape, scale=3.0), ROUND, opset=13, axis=axis)
    yield case("Softmax", normal(2, 93, 7, scale=3.0), ROUND, opset=13, tag="default_axis")
    yield case("Softmax", normal(4, 1000, scale=50.0), ROUND, opset=13, tag="large_values",
               axis=1)
    # Before opset 13: the input is flattened to 2-D at axis (default 1).
    for shape, axis in (((2, 3, 7), None), ((2, 3, 7), 0), ((2, 3, 7), 2), ((2, 3, 7), -1),
                        ((3, 5, 93), 1), ((1, 8, 40, 40), 1)):
        kw = {} if axis is None else {"axis": axis}
        yield case("Softmax", normal(*shape, scale=3.0), ROUND, opset=11,
                   tag="default_axis" if axis is None else "", **kw)

    # ---------------------------------------------------------------- ArgMax
    argmax = [((7,), 0), ((93, 7), 1), ((93, 7), 0), ((2, 93, 7), -1), ((2, 93, 7), 1),
              ((1, 8400), 1), ((3, 85, 33), 1)]
    for shape, axis in argmax:
        for keepdims in (1, 0):
            for last in (0, 1):
                yield case("ArgMax", small_ints(*shape), EXACT, axis=axis, keepdims=keepdims,
                           select_last_index=last)
    yield case("ArgMax", normal(2, 93, 7), EXACT, tag="default_axis")
    yield case("ArgMax", normal(2, 93, 7), EXACT, opset=11, axis=2, keepdims=0)
    for dt in (np.int32, np.int64):
        for shape in ((93, 7), (7, 93)):  # int64 with <= 64 rows: host-evaluated
            for last in (0, 1):
                yield case("ArgMax", small_ints(*shape, dtype=dt), EXACT, axis=1, keepdims=0,
                           select_last_index=last)

    # ---------------------------------------------------------------- TopK
    topk = [
        ((7,), 3, -1),
        ((7,), 7, 0),
        ((93, 7), 1, 0),
        ((93, 7), 4, -1),
        ((2, 93, 7), 10, 1),
        ((3, 8400), 100, -1),
        ((1, 300), 300, 1),
        ((2, 5, 9, 4), 5, -2),
    ]
    for shape, k, axis in topk:
        for largest in (1, 0):
            for ties in (0, 1):
                x = small_ints(*shape, hi=5) if ties else normal(*shape)
                yield case("TopK", x, EXACT, opset=11, extra=[("k", np.array([k], np.int64))],
                           consts=("k",), n_out=2, tag=f"k{k}" + ("_ties" if ties else ""),
                           axis=axis, largest=largest)
    # K as a frozen int64 graph input; opset 10 (no largest/sorted); opset 9 (k attribute).
    yield case("TopK", normal(93, 7), EXACT, extra=[("k", np.array([5], np.int64))], n_out=2,
               tag="k5_input", axis=0)
    yield case("TopK", normal(5, 93), EXACT, opset=10, extra=[("k", np.array([9], np.int64))],
               consts=("k",), n_out=2, tag="k9")
    yield case("TopK", small_ints(5, 93), EXACT, opset=9, n_out=2, tag="ties", k=9, axis=1)
    for dt in (np.int32, np.int64):
        yield case("TopK", small_ints(93, 7, dtype=dt, hi=50), EXACT, opset=11,
                   extra=[("k", np.array([3], np.int64))], consts=("k",), n_out=2, tag="k3",
                   axis=0, largest=1)

    # ---------------------------------------------------------------- dynamic shapes
    node = helper.make_node("ReduceMean", ["x"], ["y0"], axes=[2, 3], keepdims=1)
    g = helper.make_graph([node], "gap_dyn",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 16, 9, 11])],
                          [helper.make_empty_tensor_value_info("y0")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    yield ("red_reducemean_axes2_3_keepdims1_f32_dyn_batch_Nx16x9x11", m,
           [{"x": positive(n, 16, 9, 11)} for n in (2, 1, 8)], ROUND,
           {"x": {"min": [1, 16, 9, 11], "opt": [2, 16, 9, 11], "max": [8, 16, 9, 11]}})
    node = helper.make_node("Softmax", ["x"], ["y0"], axis=-1)
    g = helper.make_graph([node], "softmax_dyn",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 300])],
                          [helper.make_empty_tensor_value_info("y0")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    yield ("red_softmax_axis-1_f32_dyn_batch_Nx300", m,
           [{"x": normal(n, 300)} for n in (2, 1, 5)], ROUND,
           {"x": {"min": [1, 300], "opt": [2, 300], "max": [5, 300]}})
