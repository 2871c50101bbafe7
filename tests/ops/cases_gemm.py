"""Gemm and MatMul cases (see gen_cases.py for the protocol).

Tolerance: normalised MSE against onnxruntime. Both sides accumulate the K products of each
output in float32 (possibly in another order), so each output carries a relative rounding
error of about sqrt(K) * 2^-24: NMSE ~ K * 3.6e-15. The tolerance is 1e-13 * K (at least
1e-12), ~30 times that, and far below what a wrong index or stride gives (NMSE ~ 1e-2+).
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper, shape_inference


def _dims(v):
    return "x".join(str(int(x)) for x in v) if len(v) else "scalar"


def _tol(k):
    return {"nmse": max(1e-12, 1e-13 * k)}


def _model(op, inputs, inits, attrs, opset):
    """inputs: [(name, shape)] graph inputs; inits: {name: array} initializers."""
    names = [n for n, _ in inputs] + list(inits)
    order = sorted(names, key=lambda n: "abc".index(n))
    node = helper.make_node(op, order, ["y"], **attrs)
    g = helper.make_graph(
        [node], op.lower(),
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(s)) for n, s in inputs], [],
        [numpy_helper.from_array(v, n) for n, v in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    inferred = shape_inference.infer_shapes(m, strict_mode=True)
    m.graph.output.extend(v for v in inferred.graph.value_info if v.name == "y")
    return m


def _matmul(rng, a_shape, b_shape, b_init=False, opset=17):
    a = rng.standard_normal(a_shape).astype(np.float32)
    b = rng.standard_normal(b_shape).astype(np.float32)
    inputs = [("a", a_shape)] + ([] if b_init else [("b", b_shape)])
    model = _model("MatMul", inputs, {"b": b} if b_init else {}, {}, opset)
    name = f"matmul_{_dims(a_shape)}_by_{_dims(b_shape)}" + ("_binit" if b_init else "")
    if opset != 17:
        name += f"_opset{opset}"
    feeds = {"a": a} if b_init else {"a": a, "b": b}
    return (name, model, feeds, _tol(a_shape[-1]))


def _gemm(rng, m, k, n, trans_a=0, trans_b=0, alpha=None, beta=None, c_shape=None,
          b_init=False, opset=17):
    a_shape = (k, m) if trans_a else (m, k)
    b_shape = (n, k) if trans_b else (k, n)
    attrs, name = {}, [f"gemm_m{m}_k{k}_n{n}"]
    if trans_a:
        attrs["transA"] = 1
        name.append("ta")
    if trans_b:
        attrs["transB"] = 1
        name.append("tb")
    if alpha is not None:
        attrs["alpha"] = alpha
        name.append(f"alpha{alpha}")
    if beta is not None:
        attrs["beta"] = beta
        name.append(f"beta{beta}")
    name.append("c" + _dims(c_shape) if c_shape is not None else "noc")
    if b_init:
        name.append("binit")
    if opset != 17:
        name.append(f"opset{opset}")
    a = rng.standard_normal(a_shape).astype(np.float32)
    b = rng.standard_normal(b_shape).astype(np.float32)
    inputs, inits, feeds = [("a", a_shape)], {}, {"a": a}
    if b_init:
        inits["b"] = b
    else:
        inputs.append(("b", b_shape))
        feeds["b"] = b
    if c_shape is not None:
        c = rng.standard_normal(c_shape).astype(np.float32)
        inputs.append(("c", c_shape))
        feeds["c"] = c
    return ("_".join(name).replace(".", "p"), _model("Gemm", inputs, inits, attrs, opset), feeds,
            _tol(k))


def cases():
    rng = np.random.default_rng(4321)
    # MatMul: awkward sizes, vectors, batches with broadcasting.
    for a, b in [((1, 1), (1, 1)), ((7, 93), (93, 1)), ((1, 93), (93, 7)), ((93, 7), (7, 93)),
                 ((64, 128), (128, 96)), ((33, 17), (17, 129)), ((256, 512), (512, 256)),
                 ((93,), (93, 7)), ((7, 93), (93,)), ((93,), (93,)), ((5,), (2, 5, 3)),
                 ((2, 3, 7), (7,)), ((2, 1, 7, 5), (3, 5, 9)), ((3, 64, 48), (48, 80)),
                 ((2, 3, 7, 5), (5, 9)), ((4, 1, 33, 17), (17, 7)), ((1, 4, 9, 16), (2, 1, 16, 8)),
                 ((2, 1, 3, 1, 6, 4), (1, 5, 4, 3))]:
        yield _matmul(rng, a, b)
    yield _matmul(rng, (1, 2048), (2048, 1000), b_init=True)
    yield _matmul(rng, (3, 49, 93), (93, 64), b_init=True)
    yield _matmul(rng, (6, 8), (8, 5), opset=11)
    # Batch and rows that change at run time.
    b = rng.standard_normal((5, 9)).astype(np.float32)
    m = _model("MatMul", [("a", ["N", "M", 5])], {"b": b}, {}, 17)
    yield ("matmul_dyn_1x7x5_3x20x5_by_5x9_binit", m,
           [{"a": rng.standard_normal(s).astype(np.float32)} for s in [(1, 7, 5), (3, 20, 5)]],
           _tol(5))
    # Gemm: transposes, alpha/beta, every shape of C that broadcasts to (M, N).
    for ta in (0, 1):
        for tb in (0, 1):
            yield _gemm(rng, 7, 93, 33, ta, tb, c_shape=(7, 33))
            yield _gemm(rng, 64, 48, 80, ta, tb, c_shape=(80,))
    for c_shape in [(), (1,), (1, 1), (33,), (1, 33), (7, 1), (7, 33)]:
        yield _gemm(rng, 7, 17, 33, c_shape=c_shape)
    yield _gemm(rng, 7, 17, 33, alpha=0.5, beta=-2.0, c_shape=(7, 33))
    yield _gemm(rng, 7, 17, 33, beta=0.0, c_shape=(7, 33))
    yield _gemm(rng, 93, 1, 7)
    yield _gemm(rng, 1, 1, 1, c_shape=(1,))
    # Fully-connected layers as exported (weights transposed, bias vector).
    yield _gemm(rng, 1, 512, 1000, trans_b=1, c_shape=(1000,), b_init=True)
    yield _gemm(rng, 8, 93, 10, trans_b=1, c_shape=(10,), b_init=True)
    yield _gemm(rng, 13, 200, 96, trans_b=1, c_shape=(96,), b_init=True, opset=11)
    yield _gemm(rng, 40, 70, 50, alpha=2.0, opset=13)
