"""BatchNormalization (inference) cases (see gen_cases.py for the protocol).

Tolerance: normalised MSE against onnxruntime. Each output is x * a + b with a and b from
a handful of float32 operations (a = scale / sqrt(var + eps), b = B - mean * a): a few
roundings of 2^-24, NMSE ~ 1e-14. The tolerance 1e-12 leaves room for another order of
those operations; a wrong channel gives NMSE ~ 1, and dropping epsilon gives NMSE from
4e-12 (default epsilon) to 1e-5 (epsilon 1e-2) in every case but the 1x1x1x1 one.
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper, shape_inference


def _dims(v):
    return "x".join(str(int(x)) for x in v)


def _bn(rng, x_shape, eps=None, opset=17, params_as_inputs=False, training_mode=None,
        shapes=None):
    """shapes: several shapes of x (same channels) to run one dynamic engine on."""
    c = x_shape[1]
    params = {
        "scale": rng.standard_normal(c).astype(np.float32),
        "bias": rng.standard_normal(c).astype(np.float32),
        "mean": rng.standard_normal(c).astype(np.float32),
        # Small variances make epsilon matter.
        "var": (rng.random(c) * 2 + 1e-3).astype(np.float32),
    }
    attrs, name = {}, ["batchnorm"]
    if eps is not None:
        attrs["epsilon"] = eps
        name.append(f"eps{eps:g}".replace(".", "p").replace("-", "m"))
    if training_mode is not None:
        attrs["training_mode"] = training_mode
        name.append(f"training{training_mode}")
    if params_as_inputs:
        name.append("paraminputs")
    if opset != 17:
        name.append(f"opset{opset}")
    name.append(_dims(x_shape))
    node = helper.make_node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"],
                            **attrs)
    xs = list(x_shape)
    if shapes:
        xs = ["N", xs[1]] + [f"S{i}" for i in range(len(xs) - 2)]
    graph_in = [helper.make_tensor_value_info("x", TensorProto.FLOAT, xs)]
    if params_as_inputs:
        graph_in += [helper.make_tensor_value_info(n, TensorProto.FLOAT, [c]) for n in params]
        inits = []
    else:
        inits = [numpy_helper.from_array(v, n) for n, v in params.items()]
    g = helper.make_graph([node], "batchnorm", graph_in, [], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    inferred = shape_inference.infer_shapes(m, strict_mode=True)
    m.graph.output.extend(v for v in inferred.graph.value_info if v.name == "y")
    if shapes:
        name.append("dyn_" + "_".join(_dims(s) for s in shapes[1:]))
        feeds = [{"x": rng.standard_normal(s).astype(np.float32)} for s in shapes]
    else:
        feeds = {"x": rng.standard_normal(x_shape).astype(np.float32)}
        if params_as_inputs:
            feeds.update(params)
    return ("_".join(name), m, feeds, {"nmse": 1e-12})


def cases():
    rng = np.random.default_rng(99)
    for shape in [(1, 1, 1, 1), (2, 7, 33, 17), (1, 93, 7, 7), (1, 3, 641, 481), (5, 93),
                  (2, 7, 9), (1, 4, 3, 5, 6), (1, 64, 56, 56)]:
        yield _bn(rng, shape)
    yield _bn(rng, (1, 7, 9, 11), eps=1e-2)
    yield _bn(rng, (1, 7, 9, 11), eps=1e-3, params_as_inputs=True)
    yield _bn(rng, (1, 16, 10, 10), shapes=[(1, 16, 10, 10), (4, 16, 3, 7)])
    yield _bn(rng, (2, 7, 5, 5), opset=9)
    yield _bn(rng, (2, 7, 5, 5), opset=14, training_mode=0)
    yield _bn(rng, (2, 7, 5, 5), opset=15)
