#!/usr/bin/env python3
"""The bundled ball model in a real pipeline finds the ball where videotestsrc drew it.

For each resolution (and format, and trtinfer properties), runs
    videotestsrc pattern=ball num-buffers=N ! video/x-raw,format=F,width=W,height=H !
    trtinfer model=M labels-file=L [PROPERTIES] ! appsink
through roi_dump (which prints the buffers' GstVideoRegionOfInterestMeta) and compares
the best detection of every frame with the ball's true box. The true box comes from the
pattern's own geometry (gst-plugins-base videotestsrc.c, gst_video_test_src_ball, the
default motion=wavy and animation-mode=frames), never from the model: frame n has its
centre at
    x = r + (0.5 + 0.5 sin(2 pi n / 200)) (W - 2r),
    y = r + (0.5 + 0.5 sin(2 pi n sqrt(2) / 200)) (H - 2r),   r = 20,
in pixel-index coordinates, so the box is [x - r + 0.5, x + r + 0.5) horizontally.
A frame is a hit when its best detection has IoU >= 0.5 with that box and the label
"ball"; the test passes when every frame arrives and at least --min-hit-rate of them are
hits, at every resolution.

Usage: test_ball_detection.py --roi-dump PATH --model ball.onnx --labels labels.txt
       [--frames 200] [--resolutions 320x240:I420,640x480:RGB:resize=stretch,...]
       [--min-hit-rate 0.9]
"""

import argparse
import json
import math
import subprocess
import sys

RADIUS = 20


def true_box(n, width, height):
    rad = 2 * math.pi * n / 200
    x = RADIUS + (0.5 + 0.5 * math.sin(rad)) * (width - 2 * RADIUS)
    y = RADIUS + (0.5 + 0.5 * math.sin(rad * math.sqrt(2))) * (height - 2 * RADIUS)
    return (x - RADIUS + 0.5, y - RADIUS + 0.5, x + RADIUS + 0.5, y + RADIUS + 0.5)


def iou(a, b):
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / area if area > 0 else 0.0


def run(args, width, height, fmt, props):
    pipeline = (f"videotestsrc pattern=ball num-buffers={args.frames} ! "
                f"video/x-raw,format={fmt},width={width},height={height} ! "
                f"trtinfer model=\"{args.model}\" labels-file=\"{args.labels}\" {props} ! "
                "appsink name=sink sync=false")
    proc = subprocess.run([args.roi_dump, "--timeout", str(args.timeout), pipeline],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"FAIL {width}x{height} {fmt} {props}: roi_dump exited {proc.returncode}\n"
                 f"pipeline: {pipeline}\n{proc.stderr}")
    frames = [json.loads(line) for line in proc.stdout.splitlines()]
    hits, ious, missed, extra = 0, [], 0, 0
    for f in frames:
        truth = true_box(f["offset"], width, height)
        rois = sorted(f["rois"], key=lambda r: -r["confidence"])
        if not rois:
            missed += 1
            ious.append(0.0)
            continue
        best = rois[0]
        box = (best["x"], best["y"], best["x"] + best["w"], best["y"] + best["h"])
        v = iou(box, truth)
        ious.append(v)
        hits += v >= 0.5 and best["label"] == "ball"
        extra += sum(1 for r in rois[1:]
                     if iou((r["x"], r["y"], r["x"] + r["w"], r["y"] + r["h"]), truth) < 0.1)
    return frames, hits, ious, missed, extra


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--roi-dump", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--frames", type=int, default=200)
    ap.add_argument("--resolutions",
                    default="320x240:I420,640x480:RGB,1280x720:NV12,"
                            "640x480:NV12:resize=stretch,"
                            "320x240:BGRx:batch-size=4 symmetric-padding=false",
                    help="comma-separated WIDTHxHEIGHT:FORMAT[:TRTINFER-PROPERTIES]")
    ap.add_argument("--min-hit-rate", type=float, default=0.9)
    ap.add_argument("--timeout", type=int, default=240)
    args = ap.parse_args()

    failed = False
    for spec in args.resolutions.split(","):
        size, fmt, *props = spec.split(":")
        props = " ".join(props)
        width, height = (int(v) for v in size.split("x"))
        frames, hits, ious, missed, extra = run(args, width, height, fmt, props)
        rate = hits / max(1, len(frames))
        ok = len(frames) == args.frames and rate >= args.min_hit_rate
        failed |= not ok
        name = f"{width}x{height} {fmt} {props or 'letterbox'}"
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {len(frames)}/{args.frames} frames, "
              f"IoU >= 0.5 on {hits} ({rate * 100:.1f}%, need {args.min_hit_rate * 100:.0f}%), "
              f"mean IoU {sum(ious) / max(1, len(ious)):.3f}, "
              f"min IoU {min(ious, default=0):.3f}, frames without detection {missed}, "
              f"stray detections {extra}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
