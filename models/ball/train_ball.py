#!/usr/bin/env python3
"""Train the bundled ball detector and export it to ONNX (models/ball/ball.onnx).

The detector finds the moving ball of `videotestsrc pattern=ball`. Training frames come
from GStreamer itself (gst-launch-1.0 videotestsrc ... ! fdsink), labels from the pattern's
own geometry (gst-plugins-base videotestsrc.c, gst_video_test_src_ball, motion=wavy,
animation-mode=frames):

    rad = 2*pi*n/200,  radius = 20 px
    x = radius + (0.5 + 0.5*sin(rad))         * (width  - 2*radius)
    y = radius + (0.5 + 0.5*sin(rad*sqrt(2))) * (height - 2*radius)

The script checks that formula against every frame it reads (intensity centroid) and stops
if they disagree, so a GStreamer with a different geometry cannot silently train garbage.

Frames are resized to the model input the ways trtinfer can (stretch; letterbox with the
picture centred or top-left), with bilinear, antialiased bilinear and nearest sampling.
Each stored sample is the ball's blend factor (videotestsrc paints bg + (fg - bg) * a),
so colours, letterbox padding, flips and noise are drawn per batch.
Resolutions 320x240 and 640x480 and frames 0..299 (the frames a pipeline starts with) are
held out of training; the accuracy printed at the end is measured on them.

Model: a 4x4 stride-4 conv and five 3x3 convs (BN folded, ReLU) to a 16x16 grid (stride
16), a 1x1 head, and the box decoding in the graph, in the YOLOv8 layout:
    input  "images"  float32 [batch, 3, 256, 256], RGB in [0, 1]
    output "output0" float32 [batch, 5, 256]: cx, cy, w, h in input pixels, then the
           sigmoid score of class 0 ("ball"), one column per grid cell.
Exported with opset 17 and a dynamic batch axis, using only ops of engine/ops/ops.def
(checked: Conv, Relu, Sigmoid, Exp, Add, Sub, Mul, Slice, Concat, Reshape, Shape) and
Constant.

Usage: train_ball.py [--out models/ball/ball.onnx] [--epochs 5] [--seed 0]
Needs torch (CPU), numpy, onnx, onnxruntime and gst-launch-1.0 with videotestsrc.
Runs in about 5 minutes on 2 CPU cores.
"""

import argparse
import math
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

RADIUS = 20                      # videotestsrc ball radius (pixels), motion=wavy
SIZE = 256                       # model input height and width
STRIDE = 16                      # grid cell size in input pixels
GRID = SIZE // STRIDE
TRAIN_RESOLUTIONS = [(160, 120), (240, 180), (256, 256), (352, 288), (400, 300),
                     (480, 360), (480, 640), (720, 576), (800, 600), (1024, 768),
                     (1280, 720), (1920, 1080)]
HELD_OUT_RESOLUTIONS = [(320, 240), (640, 480)]
TRAIN_FRAMES = range(300, 700, 2)   # frame numbers used for training
HELD_OUT_FRAMES = range(0, 300)      # what a pipeline starting at frame 0 shows
ALLOWED_OPS = {"Conv", "Relu", "Sigmoid", "Exp", "Add", "Sub", "Mul", "Slice", "Concat",
               "Reshape", "Shape", "Gather", "Unsqueeze", "Constant"}


def ball_center(n, width, height):
    """Ball centre of frame n in continuous pixel coordinates (pixel i spans [i, i+1))."""
    rad = 2 * math.pi * n / 200
    x = RADIUS + (0.5 + 0.5 * math.sin(rad)) * (width - 2 * RADIUS)
    y = RADIUS + (0.5 + 0.5 * math.sin(rad * math.sqrt(2))) * (height - 2 * RADIUS)
    return x + 0.5, y + 0.5


def gst_frames(width, height, frames):
    """Yield (n, blend factor as HxW uint8) for each n in `frames`, from videotestsrc.

    With the default white ball on black, RGB's R channel is exactly the blend factor."""
    wanted = set(frames)
    last = max(wanted) + 1
    cmd = ["gst-launch-1.0", "-q", "videotestsrc", "pattern=ball", f"num-buffers={last}",
           "!", f"video/x-raw,format=RGB,width={width},height={height}",
           "!", "fdsink", "fd=1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    nbytes = width * height * 3
    try:
        for n in range(last):
            buf = proc.stdout.read(nbytes)
            if len(buf) != nbytes:
                sys.exit(f"train_ball: gst-launch-1.0 ended at frame {n} of {last} "
                         f"({width}x{height}); is videotestsrc installed?")
            if n not in wanted:
                continue
            a = np.frombuffer(buf, np.uint8).reshape(height, width, 3)[:, :, 0]
            ex, ey = ball_center(n, width, height)
            x0, y0 = max(0, int(ex) - 2 * RADIUS), max(0, int(ey) - 2 * RADIUS)
            crop = a[y0:y0 + 4 * RADIUS, x0:x0 + 4 * RADIUS].astype(np.float64)
            ys, xs = np.mgrid[0:crop.shape[0], 0:crop.shape[1]]
            mass = crop.sum()
            if mass < 0.9 * a.sum(dtype=np.float64) or mass == 0:
                sys.exit(f"train_ball: frame {n} at {width}x{height}: the ball is not "
                         f"where the formula puts it ({ex:.2f}, {ey:.2f})")
            cx = (crop * xs).sum() / mass + x0 + 0.5
            cy = (crop * ys).sum() / mass + y0 + 0.5
            if abs(cx - ex) > 0.25 or abs(cy - ey) > 0.25:
                sys.exit(f"train_ball: frame {n} at {width}x{height}: ball centroid "
                         f"({cx:.2f}, {cy:.2f}) but the formula says ({ex:.2f}, {ey:.2f}); "
                         "this videotestsrc draws the ball differently")
            yield n, a.copy()
    finally:
        proc.stdout.close()
        proc.wait()


def to_input(alpha, mode, method, centred=True):
    """Resize one HxW blend map into the SIZE x SIZE input (letterbox: centred, or in
    the top-left corner).

    Returns (canvas uint8 [SIZE, SIZE], content rect (x0, y0, x1, y1), scale (sx, sy),
    offset (ox, oy)) where input = frame * scale + offset."""
    h, w = alpha.shape
    if mode == "stretch":
        nw, nh = SIZE, SIZE
    else:
        s = min(SIZE / w, SIZE / h)
        nw, nh = max(1, round(w * s)), max(1, round(h * s))
    ox, oy = ((SIZE - nw) // 2, (SIZE - nh) // 2) if centred else (0, 0)
    t = torch.from_numpy(alpha).float()[None, None]
    if method == "nearest":
        r = F.interpolate(t, size=(nh, nw), mode="nearest")
    else:
        r = F.interpolate(t, size=(nh, nw), mode="bilinear", align_corners=False,
                          antialias=(method == "bilinear-aa"))
    canvas = torch.zeros(SIZE, SIZE, dtype=torch.uint8)
    canvas[oy:oy + nh, ox:ox + nw] = r[0, 0].round().clamp(0, 255).to(torch.uint8)
    return canvas, (ox, oy, ox + nw, oy + nh), (nw / w, nh / h), (ox, oy)


def make_set(resolutions, frames, rng, modes=("stretch", "letterbox")):
    """Samples: blend maps [N, SIZE, SIZE] uint8, content rects [N, 4], boxes [N, 4]
    (cx, cy, w, h in input pixels), and a list of (resolution, frame, mode) tags."""
    maps, rects, boxes, tags = [], [], [], []
    methods = ("bilinear", "bilinear-aa", "nearest")
    for (w, h) in resolutions:
        for n, a in gst_frames(w, h, frames):
            bx, by = ball_center(n, w, h)
            for mode in modes:
                method = methods[rng.integers(len(methods))]
                centred = mode == "stretch" or rng.random() < 0.75
                canvas, rect, (sx, sy), (ox, oy) = to_input(a, mode, method, centred)
                maps.append(canvas)
                rects.append(rect)
                boxes.append((bx * sx + ox, by * sy + oy, 2 * RADIUS * sx, 2 * RADIUS * sy))
                tags.append(((w, h), n, mode))
    return (torch.stack(maps), torch.tensor(rects, dtype=torch.int64),
            torch.tensor(boxes, dtype=torch.float32), tags)


def colourise(maps, rects, gen, augment):
    """Blend maps -> RGB images [N, 3, SIZE, SIZE] in [0, 1].

    augment=False: white ball on black, letterbox bars 114/255 (what tests see).
    augment=True: up to half the batch with random colours (at least 0.35 apart in luma),
    random bar colour, and mild noise, so the detector does not overfit to exact pixels."""
    n = maps.shape[0]
    a = maps.float().div(255)[:, None]
    fg = torch.ones(n, 3, 1, 1)
    bg = torch.zeros(n, 3, 1, 1)
    pad = torch.full((n, 3, 1, 1), 114 / 255)
    if augment:
        luma = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
        f = torch.rand(n, 3, 1, 1, generator=gen)
        b = torch.rand(n, 3, 1, 1, generator=gen)
        recolour = ((((f - b) * luma).sum(1, keepdim=True).abs() > 0.35) &
                    (torch.rand(n, 1, 1, 1, generator=gen) < 0.5))
        fg = torch.where(recolour, f, fg)
        bg = torch.where(recolour, b, bg)
        choice = torch.randint(3, (n,), generator=gen)
        pad = torch.tensor([0.0, 114 / 255, 0.5])[choice].view(n, 1, 1, 1).expand(n, 3, 1, 1)
    img = bg + (fg - bg) * a
    ys = torch.arange(SIZE).view(1, SIZE, 1)
    xs = torch.arange(SIZE).view(1, 1, SIZE)
    inside = ((xs >= rects[:, 0, None, None]) & (xs < rects[:, 2, None, None]) &
              (ys >= rects[:, 1, None, None]) & (ys < rects[:, 3, None, None]))[:, None]
    img = torch.where(inside, img, pad)
    if augment:
        sigma = torch.rand(n, 1, 1, 1, generator=gen) * 0.03
        img = img + sigma * torch.randn(img.shape, generator=gen)
    return img.clamp(0, 1)


def flip(img, boxes, gen):
    """Random horizontal and vertical flips of a batch, boxes adjusted."""
    boxes = boxes.clone()
    for dim, coord in ((3, 0), (2, 1)):
        sel = torch.rand(img.shape[0], generator=gen) < 0.5
        img[sel] = img[sel].flip(dim)
        boxes[sel, coord] = SIZE - boxes[sel, coord]
    return img, boxes


def conv(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class BallNet(nn.Module):
    """Anchor-free single-class detector; forward() returns the decoded [B, 5, GRID*GRID]."""

    def __init__(self):
        super().__init__()
        # 4x4 stride-4 patch layer first: half the cost of two stride-2 layers
        patch = nn.Sequential(nn.Conv2d(3, 16, 4, 4, 0, bias=False), nn.BatchNorm2d(16),
                              nn.ReLU(inplace=True))
        self.body = nn.Sequential(patch, conv(16, 32, 2), conv(32, 48, 2), conv(48, 48, 1),
                                  conv(48, 48, 1), conv(48, 48, 1))
        self.head = nn.Conv2d(48, 5, 1)
        with torch.no_grad():
            self.head.bias.zero_()
            self.head.bias[2:4] = math.log(2.0)   # start at 32x32 px boxes
            self.head.bias[4] = -5.0             # rare positives
        gy, gx = torch.meshgrid(torch.arange(GRID), torch.arange(GRID), indexing="ij")
        self.register_buffer("grid", torch.stack([gx, gy]).float().view(1, 2, -1))

    def raw(self, x):
        return self.head(self.body(x)).flatten(2)          # [B, 5, GRID*GRID]

    def forward(self, x):
        p = self.raw(x)
        xy = (p[:, 0:2].sigmoid() * 2 - 0.5 + self.grid) * STRIDE
        wh = p[:, 2:4].exp() * STRIDE
        return torch.cat([xy, wh, p[:, 4:5].sigmoid()], 1)


def loss_fn(p, boxes):
    """YOLOv5-style assignment: the cell holding the centre is the positive for the score;
    it and its nearest horizontal and vertical neighbours regress the box (centre offset
    in cells and log size); other neighbours are ignored by the score loss."""
    b = p.shape[0]
    gxy = boxes[:, :2] / STRIDE
    cell = gxy.floor().long().clamp(0, GRID - 1)
    frac = gxy - cell
    obj_t = torch.zeros(b, GRID * GRID)
    obj_w = torch.ones(b, GRID * GRID)
    idx = torch.arange(b)
    box_loss = 0.0
    offsets = [(0, 0),
               (torch.where(frac[:, 0] < 0.5, -1, 1), 0),
               (0, torch.where(frac[:, 1] < 0.5, -1, 1))]
    for k, (dx, dy) in enumerate(offsets):
        cx = cell[:, 0] + dx
        cy = cell[:, 1] + dy
        ok = (cx >= 0) & (cx < GRID) & (cy >= 0) & (cy < GRID)
        flat = (cy.clamp(0, GRID - 1) * GRID + cx.clamp(0, GRID - 1))
        pc = p[idx, :, flat]                               # [B, 5]
        t_xy = gxy - torch.stack([cx, cy], 1).float()      # in [-0.5, 1.5]
        pxy = pc[:, :2].sigmoid() * 2 - 0.5
        t_wh = torch.log(boxes[:, 2:4] / STRIDE)
        l = (pxy - t_xy).abs().sum(1) + (pc[:, 2:4] - t_wh).abs().sum(1)
        box_loss = box_loss + (l * ok).sum() / b
        if k == 0:
            obj_t[idx, flat] = 1.0
        else:
            obj_w[idx[ok], flat[ok]] = 0.0
    obj = F.binary_cross_entropy_with_logits(p[:, 4], obj_t, weight=obj_w,
                                             reduction="sum") / b
    return box_loss + obj


def iou(a, b):
    """IoU of cx,cy,w,h boxes (broadcasting over leading dims)."""
    ax0, ay0, ax1, ay1 = a[..., 0] - a[..., 2] / 2, a[..., 1] - a[..., 3] / 2, \
        a[..., 0] + a[..., 2] / 2, a[..., 1] + a[..., 3] / 2
    bx0, by0, bx1, by1 = b[..., 0] - b[..., 2] / 2, b[..., 1] - b[..., 3] / 2, \
        b[..., 0] + b[..., 2] / 2, b[..., 1] + b[..., 3] / 2
    iw = (torch.minimum(ax1, bx1) - torch.maximum(ax0, bx0)).clamp(min=0)
    ih = (torch.minimum(ay1, by1) - torch.maximum(ay0, by0)).clamp(min=0)
    inter = iw * ih
    return inter / (a[..., 2] * a[..., 3] + b[..., 2] * b[..., 3] - inter)


@torch.no_grad()
def evaluate(model, maps, rects, boxes):
    """Best-scoring box per image: (IoU >= 0.5 rate, mean IoU, min best score,
    max score of any cell whose box misses the ball)."""
    model.eval()
    out = torch.cat([model(colourise(maps[i:i + 256], rects[i:i + 256], None, False))
                     for i in range(0, maps.shape[0], 256)])
    best = out[:, 4].argmax(1)
    pred = out[torch.arange(out.shape[0]), :4, best]
    ious = iou(pred, boxes)
    all_iou = iou(out[:, :4].transpose(1, 2), boxes[:, None])
    stray = torch.where(all_iou < 0.1, out[:, 4], torch.zeros(())).amax(1)
    return ((ious >= 0.5).float().mean().item(), ious.mean().item(),
            out[:, 4].amax(1).min().item(), stray.max().item())


def export(model, path):
    import onnx
    import onnxruntime as ort

    model.eval()
    dummy = torch.zeros(1, 3, SIZE, SIZE)
    torch.onnx.export(model, (dummy,), path, dynamo=False, opset_version=17,
                      input_names=["images"], output_names=["output0"],
                      dynamic_axes={"images": {0: "batch"}, "output0": {0: "batch"}},
                      do_constant_folding=True)
    m = onnx.load(path)
    ops = {n.op_type for n in m.graph.node}
    if not ops <= ALLOWED_OPS:
        sys.exit(f"train_ball: exported graph uses unsupported ops {sorted(ops - ALLOWED_OPS)}")
    m.producer_name = "trtinfer models/ball/train_ball.py"
    m.doc_string = ("Ball detector for videotestsrc pattern=ball. Input images [B,3,256,256] "
                    "RGB in [0,1]; output0 [B,5,256]: cx,cy,w,h (input pixels), score.")
    meta = m.metadata_props.add()
    meta.key, meta.value = "names", "{0: 'ball'}"
    out_dims = m.graph.output[0].type.tensor_type.shape.dim
    out_dims[1].dim_value, out_dims[2].dim_value = 5, GRID * GRID
    onnx.checker.check_model(m)
    onnx.save(m, path)
    x = torch.rand(3, 3, SIZE, SIZE)
    with torch.no_grad():
        ref = model(x).numpy()
    got = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(
        None, {"images": x.numpy()})[0]
    err = float(np.abs(ref - got).max())
    if err > 1e-3:
        sys.exit(f"train_ball: onnxruntime disagrees with torch by {err}")
    return sorted(ops), os.path.getsize(path), err


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "ball.onnx"))
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    rng = np.random.default_rng(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    t0 = time.time()
    train = make_set(TRAIN_RESOLUTIONS, TRAIN_FRAMES, rng)
    held = {(r, m): make_set([r], HELD_OUT_FRAMES, rng, modes=(m,))
            for r in HELD_OUT_RESOLUTIONS for m in ("stretch", "letterbox")}
    print(f"train_ball: {train[0].shape[0]} training samples from "
          f"{len(TRAIN_RESOLUTIONS)} resolutions in {time.time() - t0:.0f} s", flush=True)

    model = BallNet()
    batch = 64
    steps = args.epochs * (train[0].shape[0] // batch)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps,
                                                pct_start=0.1)
    maps, rects, boxes, _ = train
    step = 0
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(maps.shape[0], generator=gen)
        total = 0.0
        for i in range(0, maps.shape[0] - batch + 1, batch):
            sel = perm[i:i + batch]
            img = colourise(maps[sel], rects[sel], gen, True)
            img, bx = flip(img, boxes[sel], gen)
            loss = loss_fn(model.raw(img), bx)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            total += loss.item()
        hit, miou, _, _ = evaluate(model, *held[((320, 240), "stretch")][:3])
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total / (step / (epoch + 1)):.3f}, "
              f"held-out 320x240 stretch IoU>=0.5 {hit:.3f} mean IoU {miou:.3f} "
              f"({time.time() - t0:.0f} s)", flush=True)

    print("held-out accuracy (frames 0..299, white ball on black, model alone):")
    for (res, mode), s in held.items():
        hit, miou, min_best, stray = evaluate(model, *s[:3])
        print(f"  {res[0]}x{res[1]} {mode:9s}: IoU>=0.5 on {hit * 100:.1f}% of frames, "
              f"mean IoU {miou:.3f}, lowest best score {min_best:.3f}, "
              f"highest score off the ball {stray:.3f}")
    ops, size, err = export(model, args.out)
    print(f"exported {args.out}: {size} bytes, ops {', '.join(ops)}, "
          f"max |torch - onnxruntime| {err:.2e} ({time.time() - t0:.0f} s total)")


if __name__ == "__main__":
    main()
