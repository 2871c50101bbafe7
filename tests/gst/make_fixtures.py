#!/usr/bin/env python3
"""Fixture models for the trtinfer element tests (tests/gst), made with onnx.helper.

usage: make_fixtures.py OUTDIR

Writes into OUTDIR:
  identity.onnx        images [N,3,40,56] float -> Identity: the output is what the
                       preprocessing kernel wrote (checked against a CPU reference)
  identity_nhwc.onnx   images [N,24,32,3] (channels last)
  identity_gray.onnx   images [N,1,24,32] (grey network)
  identity_u8.onnx     images [N,3,16,16] uint8
  identity_b2.onnx     images [2,3,8,8]: a fixed batch of 2
  classify.onnx        images [N,3,16,16] -> ReduceMean over H, W -> logits [N,3]: the
                       class is the strongest colour channel
  yolov8.onnx          images [N,3,64,64] -> constant output0 [1, 4+C, K] (YOLOv8 layout;
                       K = the boxes below + zero-confidence padding)
  yolov5.onnx          the same boxes as constant output [1, K, 5+C] (YOLOv5 layout)
  ssd.onnx             constant detection_out [1, 1, K, 7] (x_min..y_max normalised)
  labels.txt           C labels
  fixtures.h           the constant boxes, for the tests to compute what to expect
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
NET = 64  # detection models: 64x64 input
CLASSES = ["cat", "dog", "bird"]

# Detection boxes in network-input pixels: cx, cy, w, h, class, confidence, kept.
# Built so that with confidence-threshold 0.25 and nms-iou-threshold 0.45:
#   1 overlaps 2 (same class, IoU > 0.45) and is listed first but is weaker: suppressed;
#   3 overlaps 2 as much but is another class: kept (NMS is per class);
#   4 is below the threshold; 5 stands alone; 0 overlaps 5 a little (IoU < 0.45): kept.
# The list is not in confidence order, so the decoder's sort matters.
BOXES = [
    (56.0, 22.0, 10.0, 18.0, 1, 0.50, True),
    (21.0, 31.0, 16.0, 12.0, 0, 0.80, False),
    (20.0, 30.0, 16.0, 12.0, 0, 0.90, True),
    (21.0, 31.0, 16.0, 12.0, 1, 0.70, True),
    (40.0, 40.0, 10.0, 10.0, 2, 0.10, False),
    (48.0, 20.0, 12.0, 20.0, 1, 0.60, True),
]


def iou(a, b):
    ax0, ay0, ax1, ay1 = a[0] - a[2] / 2, a[1] - a[3] / 2, a[0] + a[2] / 2, a[1] + a[3] / 2
    bx0, by0, bx1, by1 = b[0] - b[2] / 2, b[1] - b[3] / 2, b[0] + b[2] / 2, b[1] + b[3] / 2
    w = max(0.0, min(ax1, bx1) - max(ax0, bx0))
    h = max(0.0, min(ay1, by1) - max(ay0, by0))
    inter = w * h
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def check_boxes():
    assert iou(BOXES[1], BOXES[2]) > 0.45
    assert iou(BOXES[3], BOXES[2]) > 0.45
    assert 0.0 < iou(BOXES[0], BOXES[5]) < 0.45


def model(nodes, inputs, outputs, inits=()):
    g = helper.make_graph(nodes, "fixture", inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="tests/gst/make_fixtures.py")
    onnx.checker.check_model(m)
    return m


def identity(shape, dtype=TensorProto.FLOAT):
    x = helper.make_tensor_value_info("images", dtype, shape)
    y = helper.make_tensor_value_info("out", dtype, shape)
    return model([helper.make_node("Identity", ["images"], ["out"])], [x], [y])


def constant_output(name, value):
    """A model whose output is `value`, whatever the image (the input is still read)."""
    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, ["N", 3, NET, NET])
    y = helper.make_tensor_value_info(name, TensorProto.FLOAT, list(value.shape))
    return model([helper.make_node("Identity", ["value"], [name])], [x], [y],
                 [numpy_helper.from_array(value.astype(np.float32), "value")])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    check_boxes()
    save = lambda m, n: onnx.save(m, os.path.join(out, n))

    save(identity(["N", 3, 40, 56]), "identity.onnx")
    save(identity(["N", 24, 32, 3]), "identity_nhwc.onnx")
    save(identity(["N", 1, 24, 32]), "identity_gray.onnx")
    save(identity(["N", 3, 16, 16], TensorProto.UINT8), "identity_u8.onnx")
    save(identity([2, 3, 8, 8]), "identity_b2.onnx")

    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, ["N", 3, 16, 16])
    y = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 3])
    save(model([helper.make_node("ReduceMean", ["images"], ["logits"], axes=[2, 3],
                                 keepdims=0)], [x], [y]), "classify.onnx")

    # Zero-confidence candidates pad the list to more candidates than features, as
    # in real models (the decoder tells the layouts apart by that without labels).
    c, k = len(CLASSES), len(BOXES) + 10
    v8 = np.zeros((1, 4 + c, k), np.float32)
    v5 = np.zeros((1, k, 5 + c), np.float32)
    ssd = np.zeros((1, 1, k + 1, 7), np.float32)
    for i, (cx, cy, w, h, cls, conf, _) in enumerate(BOXES):
        v8[0, 0:4, i] = (cx, cy, w, h)
        v8[0, 4 + cls, i] = conf
        v5[0, i, 0:5] = (cx, cy, w, h, 1.0)
        v5[0, i, 5 + cls] = conf
        ssd[0, 0, i] = (0, cls, conf, (cx - w / 2) / NET, (cy - h / 2) / NET,
                        (cx + w / 2) / NET, (cy + h / 2) / NET)
    ssd[0, 0, len(BOXES)] = (-1, 0, 0, 0, 0, 0, 0)  # end of the list
    save(constant_output("output0", v8), "yolov8.onnx")
    save(constant_output("output0", v5), "yolov5.onnx")
    save(constant_output("detection_out", ssd), "ssd.onnx")

    with open(os.path.join(out, "labels.txt"), "w") as f:
        f.write("\n".join(CLASSES) + "\n")
    with open(os.path.join(out, "fixtures.h"), "w") as f:
        f.write("/* Generated by tests/gst/make_fixtures.py; do not edit. */\n")
        f.write("#define FIX_NET %d\n#define FIX_N_CLASSES %d\n#define FIX_N_BOXES %d\n"
                % (NET, c, len(BOXES)))
        f.write("static const char *fix_labels[] = {%s};\n"
                % ", ".join('"%s"' % n for n in CLASSES))
        f.write("static const struct {\n  float cx, cy, w, h;\n  int cls;\n  float conf;\n"
                "  int kept;\n} fix_boxes[] = {\n")
        for b in BOXES:
            f.write("  {%.1ff, %.1ff, %.1ff, %.1ff, %d, %.2ff, %d},\n"
                    % (b[0], b[1], b[2], b[3], b[4], b[5], int(b[6])))
        f.write("};\n")


if __name__ == "__main__":
    main()
