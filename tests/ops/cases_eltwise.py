"""Cases for the eltwise op family (engine/ops/eltwise.c): unary ops, numpy-broadcast binary
ops, variadic Min/Max, comparisons, Where. See gen_cases.py for the tuple format.

Tolerances: ops exact in IEEE float32 (Relu, Neg, Add, Min, Floor...) must match bit for bit;
ops whose OpenCL builtins may differ by a few ulp (exp, erf, pow, division, sqrt) are held
to a normalised MSE of 1e-12 (a relative error of about 1e-6 per element).
int64 graph inputs are frozen into the engine at build time, so small int64 cases run
through the host evaluation in infer() and larger ones (> 64 elements) on the device.
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

EXACT = {"rtol": 0, "atol": 0}
ULP = {"nmse": 1e-12}

ONNX_TYPE = {
    np.float32: TensorProto.FLOAT,
    np.int64: TensorProto.INT64,
    np.int32: TensorProto.INT32,
    np.bool_: TensorProto.BOOL,
}
TYPE_NAME = {np.float32: "f32", np.int64: "i64", np.int32: "i32", np.bool_: "bool"}


def shape_str(shape):
    return "x".join(map(str, shape)) if len(shape) else "scalar"


def model(op, inputs, n_out=1, opset=17, consts=(), **attrs):
    """A one-node model. inputs: [(name, array)] in node input order, ("", None) for an
    absent optional input; the names in `consts` become initializers holding their arrays,
    the others graph inputs. Output types and shapes are left to the engine."""
    node = helper.make_node(op, [n for n, _ in inputs], [f"y{i}" for i in range(n_out)], **attrs)
    graph_inputs = [helper.make_tensor_value_info(n, ONNX_TYPE[a.dtype.type], list(a.shape))
                    for n, a in inputs if n and n not in consts]
    inits = [numpy_helper.from_array(a, n) for n, a in inputs if n in consts]
    outs = [helper.make_empty_tensor_value_info(f"y{i}") for i in range(n_out)]
    g = helper.make_graph([node], op.lower(), graph_inputs, outs, initializer=inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def name_of(*parts, opset=17):
    s = "_".join(str(p) for p in parts if p != "")
    return s if opset == 17 else f"{s}_opset{opset}"


def case(op, inputs, tol, opset=17, consts=(), tag="", **attrs):
    """(name, model, feeds, tol) with the name built from op, tag, dtype and input shapes."""
    shapes = "_".join(shape_str(a.shape) for n, a in inputs if n)
    dtype = TYPE_NAME[inputs[1 if op == "Where" else 0][1].dtype.type]  # Where: X's
    nm = name_of("elt", op.lower(), tag, dtype, shapes, opset=opset)
    feeds = {n: a for n, a in inputs if n and n not in consts}
    return (nm, model(op, inputs, opset=opset, consts=consts, **attrs), feeds, tol)


def cases():
    rng = np.random.default_rng(20261122)

    def normal(*shape, scale=1.0):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    def uniform(lo, hi, *shape):
        return rng.uniform(lo, hi, shape).astype(np.float32)

    def ints(lo, hi, *shape, dtype=np.int64):
        return rng.integers(lo, hi, shape).astype(dtype)

    # ---------------------------------------------------------------- unary
    sizes = [(1,), (7,), (93,), (2, 3, 5, 7)]
    unary = [
        ("Relu", lambda *s: normal(*s), EXACT, {}),
        ("Sigmoid", lambda *s: normal(*s, scale=4.0), ULP, {}),
        ("HardSwish", lambda *s: normal(*s, scale=4.0), ULP, {}),
        ("Tanh", lambda *s: normal(*s, scale=2.0), ULP, {}),
        ("Erf", lambda *s: normal(*s, scale=2.0), ULP, {}),
        ("Exp", lambda *s: normal(*s, scale=3.0), ULP, {}),
        ("Log", lambda *s: uniform(1e-3, 1e3, *s), ULP, {}),
        ("Sqrt", lambda *s: uniform(0.0, 1e3, *s), ULP, {}),
        ("Neg", lambda *s: normal(*s), EXACT, {}),
        ("Abs", lambda *s: normal(*s), EXACT, {}),
        ("Reciprocal", lambda *s: uniform(0.1, 10.0, *s) * np.sign(normal(*s)), ULP, {}),
        ("Floor", lambda *s: normal(*s, scale=10.0), EXACT, {}),
        ("Ceil", lambda *s: normal(*s, scale=10.0), EXACT, {}),
        ("LeakyRelu", lambda *s: normal(*s), ULP, {}),
        ("HardSigmoid", lambda *s: normal(*s, scale=4.0), ULP, {}),
    ]
    for op, gen, tol, attrs in unary:
        for shape in sizes:
            yield case(op, [("x", gen(*shape))], tol, **attrs)
    # One unary op over an odd image-sized tensor.
    yield case("Sigmoid", [("x", normal(1, 3, 641, 481, scale=4.0))], ULP)
    yield case("Relu", [("x", normal(1, 3, 641, 481))], EXACT)
    # Attribute variants.
    for alpha in (0.2, 1.5):
        yield case("LeakyRelu", [("x", normal(93))], ULP, tag=f"alpha{alpha}", alpha=alpha)
    for alpha, beta in ((0.3, 0.6), (1.0 / 6.0, 0.5)):
        yield case("HardSigmoid", [("x", normal(93, scale=4.0))], ULP,
                   tag=f"alpha{alpha:.3f}_beta{beta}", alpha=alpha, beta=beta)
    # Integer unary ops (Relu takes integers from opset 14).
    for dt in (np.int32, np.int64):
        for shape in ((7,), (93, 5)):
            for op in ("Neg", "Abs") + (("Relu",) if dt == np.int32 else ()):
                yield case(op, [("x", ints(-1000, 1000, *shape, dtype=dt))], EXACT)

    # ---------------------------------------------------------------- Clip
    x = normal(93, 7, scale=3.0)
    lo, hi = np.array(-1.0, np.float32), np.array(0.5, np.float32)
    yield case("Clip", [("x", x), ("lo", lo), ("hi", hi)], EXACT, tag="min_max_inputs")
    yield case("Clip", [("x", x), ("lo", lo), ("hi", hi)], EXACT, tag="min_max_consts",
               consts=("lo", "hi"))
    yield case("Clip", [("x", x), ("lo", lo)], EXACT, tag="min_only")
    yield case("Clip", [("x", x), ("", None), ("hi", hi)], EXACT, tag="max_only")
    yield case("Clip", [("x", x)], EXACT, tag="no_bounds")
    yield case("Clip", [("x", x), ("lo", lo), ("hi", hi)], EXACT, tag="min_max_inputs", opset=11)
    yield case("Clip", [("x", normal(1, 3, 17, 19, scale=8.0))], EXACT, tag="relu6_attrs",
               opset=7, min=0.0, max=6.0)
    yield case("Clip", [("x", normal(7, scale=8.0))], EXACT, tag="default_attrs", opset=7)
    for dt in (np.int32, np.int64):
        yield case("Clip", [("x", ints(-100, 100, 93, dtype=dt)),
                            ("lo", np.array(-10, dt)), ("hi", np.array(20, dt))],
                   EXACT, tag="min_max_consts", consts=("lo", "hi"))

    # ---------------------------------------------------------------- binary, broadcasting
    bcast_shapes = [
        ((7,), (7,)),
        ((93,), (93,)),
        ((2, 1, 7), (93, 1)),
        ((), (3, 4)),
        ((3, 4), ()),
        ((1,), (5, 6)),
        ((4, 1, 6), (1, 5, 1)),
        ((1, 64, 40, 40), (1, 64, 1, 1)),
        ((2, 3, 5, 7), (3, 1, 7)),
        ((1, 3, 1, 1, 2), (2, 1, 4, 5, 1)),
    ]
    for op, tol in (("Add", EXACT), ("Sub", EXACT), ("Mul", EXACT), ("Div", ULP)):
        for sa, sb in bcast_shapes:
            a = normal(*sa)
            b = normal(*sb) if op != "Div" else uniform(0.5, 2.0, *sb) * np.sign(normal(*sb))
            yield case(op, [("a", a), ("b", b)], tol)
    # A constant operand (bias-like initializer).
    yield case("Add", [("a", normal(1, 16, 9, 11)), ("b", normal(16, 1, 1))], EXACT,
               tag="const_b", consts=("b",))
    # Integers: int64 is frozen into the engine (host evaluation up to 64 elements, device
    # beyond); int32 always runs on the device.
    for dt in (np.int64, np.int32):
        for sa, sb in (((7,), (7,)), ((2, 1, 7), (93, 1)), ((), (3, 4)), ((93, 7), (7,))):
            for op in ("Add", "Sub", "Mul"):
                yield case(op, [("a", ints(-1000, 1000, *sa, dtype=dt)),
                                ("b", ints(-1000, 1000, *sb, dtype=dt))], EXACT)
            # Division truncates toward zero: negative operands, no zero divisor.
            b = ints(1, 50, *sb, dtype=dt) * np.where(rng.random(sb) < 0.5, -1, 1).astype(dt)
            yield case("Div", [("a", ints(-1000, 1000, *sa, dtype=dt)), ("b", b)], EXACT)
    # Shape arithmetic as exporters write it: Shape -> Gather -> Div / Mul on int64 scalars.
    yield case("Div", [("a", np.array(640, np.int64)), ("b", np.array(32, np.int64))], EXACT,
               tag="shape_arith")

    # ---------------------------------------------------------------- Pow
    for sa, sb in (((7,), (7,)), ((93,), ()), ((2, 1, 7), (93, 1))):
        yield case("Pow", [("a", uniform(0.1, 4.0, *sa)), ("b", normal(*sb))], ULP)
    yield case("Pow", [("a", normal(93)), ("b", np.array(2.0, np.float32))], ULP,
               tag="square_const", consts=("b",))
    yield case("Pow", [("a", normal(93)), ("b", np.array([3.0], np.float32))], ULP,
               tag="neg_base_int_exp")
    for dt in (np.int32, np.int64):
        yield case("Pow", [("a", normal(93)), ("b", ints(-3, 4, 93, dtype=dt))], ULP,
                   tag=f"exp_{TYPE_NAME[dt]}")
        yield case("Pow", [("a", ints(-9, 10, 93, dtype=dt)), ("b", ints(0, 5, 93, dtype=dt))],
                   EXACT)

    # ---------------------------------------------------------------- Min / Max (1..N inputs)
    variadic = [
        [(93,)],
        [(7,), (7,)],
        [(2, 1, 7), (93, 1)],
        [(7,), (3, 1), (2, 1, 1)],
        [(5, 6), (), (1, 6), (5, 1)],
    ]
    for op in ("Min", "Max"):
        for shapes in variadic:
            yield case(op, [(f"x{i}", normal(*s)) for i, s in enumerate(shapes)], EXACT,
                       tag=f"{len(shapes)}in")
        for dt in (np.int32, np.int64):
            yield case(op, [("x0", ints(-50, 50, 2, 1, 7, dtype=dt)),
                            ("x1", ints(-50, 50, 93, 1, dtype=dt)),
                            ("x2", ints(-50, 50, 7, dtype=dt))], EXACT, tag="3in")
        # Shape arithmetic: Max(dim, 1) on int64 scalars, host-evaluated.
        yield case(op, [("x0", np.array([640], np.int64)), ("x1", np.array([1], np.int64))],
                   EXACT, tag="shape_arith")

    # ---------------------------------------------------------------- comparisons
    for op in ("Equal", "Less", "Greater"):
        for sa, sb in (((7,), (7,)), ((93,), ()), ((2, 1, 7), (93, 1)), ((4, 1, 6), (1, 5, 1))):
            # Small integers as floats, so that equal pairs occur.
            a = ints(-3, 4, *sa).astype(np.float32)
            b = ints(-3, 4, *sb).astype(np.float32)
            yield case(op, [("a", a), ("b", b)], EXACT)
        for dt in (np.int32, np.int64):
            yield case(op, [("a", ints(-3, 4, 2, 1, 7, dtype=dt)),
                            ("b", ints(-3, 4, 93, 1, dtype=dt))], EXACT)
    yield case("Equal", [("a", rng.random((93, 7)) < 0.5), ("b", rng.random((7,)) < 0.5)], EXACT)

    # ---------------------------------------------------------------- Where
    where_shapes = [
        ((7,), (7,), (7,)),
        ((2, 1, 7), (93, 1), ()),
        ((93, 1), (1, 5), (3, 93, 5)),
        ((1, 3, 641, 481), (1, 3, 641, 481), (1,)),
    ]
    for sc, sx, sy in where_shapes:
        yield case("Where", [("c", rng.random(sc) < 0.5), ("x", normal(*sx)), ("y", normal(*sy))],
                   EXACT)
    for dt in (np.int32, np.int64):
        yield case("Where", [("c", rng.random((2, 1, 7)) < 0.5),
                             ("x", ints(-100, 100, 93, 1, dtype=dt)),
                             ("y", ints(-100, 100, 7, dtype=dt))], EXACT)

    # ---------------------------------------------------------------- dynamic shapes
    # One engine over batch 1..8: every launch recomputes the broadcast plan.
    node = helper.make_node("Add", ["a", "b"], ["y0"])
    g = helper.make_graph(
        [node], "add_dyn",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["N", 1, 7]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, [93, 1])],
        [helper.make_tensor_value_info("y0", TensorProto.FLOAT, ["N", 93, 7])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    yield ("elt_add_f32_dyn_batch_Nx1x7_93x1", m,
           [{"a": normal(n, 1, 7), "b": normal(93, 1)} for n in (2, 1, 8)], EXACT,
           {"a": {"min": [1, 1, 7], "opt": [2, 1, 7], "max": [8, 1, 7]}})

    # ---------------------------------------------------------------- shape arithmetic
    # x.view(n, 2, c // 2, max(h * w, 1) - 0) as exported: Shape -> Gather -> Div/Mul/Max/Sub
    # -> Concat -> Reshape. The eltwise nodes are evaluated on the host at every batch size.
    c = lambda n, v: numpy_helper.from_array(np.array(v, np.int64), n)
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "i0"], ["n"], axis=0),
        helper.make_node("Gather", ["s", "i1"], ["ch"], axis=0),
        helper.make_node("Gather", ["s", "i2"], ["h"], axis=0),
        helper.make_node("Gather", ["s", "i3"], ["w"], axis=0),
        helper.make_node("Div", ["ch", "two"], ["half"]),
        helper.make_node("Mul", ["h", "w"], ["hw"]),
        helper.make_node("Max", ["hw", "one"], ["hw1"]),
        helper.make_node("Sub", ["hw1", "zero"], ["hw2"]),
        helper.make_node("Concat", ["n", "two", "half", "hw2"], ["shape"], axis=0),
        helper.make_node("Reshape", ["x", "shape"], ["y0"]),
    ]
    inits = [c("i0", [0]), c("i1", [1]), c("i2", [2]), c("i3", [3]), c("two", [2]),
             c("one", [1]), c("zero", [0])]
    g = helper.make_graph(nodes, "view_dyn",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 8, 6, 10])],
                          [helper.make_empty_tensor_value_info("y0")], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    yield ("elt_shape_arith_div_mul_max_sub_dyn_batch_Nx8x6x10", m,
           [{"x": normal(n, 8, 6, 10)} for n in (2, 1, 3)], EXACT,
           {"x": {"min": [1, 8, 6, 10], "opt": [2, 8, 6, 10], "max": [3, 8, 6, 10]}})
