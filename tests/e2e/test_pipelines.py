#!/usr/bin/env python3
"""Real pipelines end to end: MP4 out, the file script, RTSP in and RTSP out.

Usage: test_pipelines.py CASE --root SRC --model ball.onnx --labels labels.txt
                         [--roi-dump PATH] [--gi-python PYTHON]
CASE:
  mp4       gst-launch-1.0 -e videotestsrc pattern=ball ! trtinfer ! trtoverlay ! x264enc !
            mp4mux ! filesink: the file decodes to every frame, with the box drawn
            around the ball
  file      pipelines/detect-file.sh on an MP4 of the ball: the same checks on its output
  rtsp-in   pipelines/rtsp-server.py --no-infer serves the ball on 127.0.0.1 (a free
            port); rtspsrc ! decodebin ! trtinfer ! appsink (roi_dump) gets every frame,
            the detection overlaps the ball's true box (IoU >= 0.5) on >= 90% of them,
            and the client stops on EOS
  rtsp-out  pipelines/rtsp-server.py with trtinfer + trtoverlay serves the ball; a client
            decodes every frame up to EOS and sees the box drawn around the ball

"The box drawn around the ball" is checked on the decoded pixels: for >= 90% of frames
there are red (class 0) pixels on the ball's true box, give or take 8 px, and none
80 px or more away from it. The true box comes from videotestsrc's ball geometry (see
test_ball_detection.py), not from the model.
"""

import argparse
import json
import math
import os
import select
import subprocess
import sys
import tempfile

import numpy as np

RADIUS = 20
W, H = 320, 240
FRAMES = 60
RTSP_FRAMES = 90


def true_box(n, width=W, height=H):
    rad = 2 * math.pi * n / 200
    x = RADIUS + (0.5 + 0.5 * math.sin(rad)) * (width - 2 * RADIUS)
    y = RADIUS + (0.5 + 0.5 * math.sin(rad * math.sqrt(2))) * (height - 2 * RADIUS)
    return (x - RADIUS + 0.5, y - RADIUS + 0.5, x + RADIUS + 0.5, y + RADIUS + 0.5)


def iou(a, b):
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def fail(msg):
    print(f"FAIL {msg}")
    sys.exit(1)


def run(cmd, timeout=120, what=None):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        fail(f"{what or cmd[0]} exited {proc.returncode}: {' '.join(cmd)}\n"
             f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return proc.stdout


def decode_rgb(source, workdir, timeout=120):
    """Decodes `source` (gst-launch words ending in a decoded video stream) to RGB
    frames of W x H: array [frames, H, W, 3]."""
    out = os.path.join(workdir, "frames.rgb")
    run(["gst-launch-1.0", "-q"] + source +
        ["!", "videoconvert", "!", "videoscale", "!",
         f"video/x-raw,format=RGB,width={W},height={H}", "!", "filesink", f"location={out}"],
        timeout=timeout, what="decoding")
    data = np.fromfile(out, np.uint8)
    if data.size % (W * H * 3):
        fail(f"decoded {data.size} bytes, not a whole number of {W}x{H} RGB frames")
    return data.reshape(-1, H, W, 3)


def check_overlay(frames, what):
    """>= 90% of frames have red box pixels on the ball's true box and none far away."""
    red = ((frames[..., 0] > 150) & (frames[..., 1] < 100) & (frames[..., 2] < 100))
    ys, xs = np.mgrid[0:H, 0:W]
    good = 0
    for n in range(len(frames)):
        x0, y0, x1, y1 = true_box(n)
        # Distance of each pixel outside the box from it (0 inside).
        dx = np.maximum(np.maximum(x0 - xs, xs - x1), 0)
        dy = np.maximum(np.maximum(y0 - ys, ys - y1), 0)
        dist = np.maximum(dx, dy)
        inner = (xs > x0 + 8) & (xs < x1 - 8) & (ys > y0 + 8) & (ys < y1 - 8)
        on_box = red[n] & (dist <= 8) & ~inner
        far = red[n] & (dist >= 80)
        good += on_box.sum() >= 100 and far.sum() == 0
    rate = good / max(1, len(frames))
    print(f"{what}: box drawn around the ball on {good}/{len(frames)} frames "
          f"({rate * 100:.1f}%)")
    if rate < 0.9:
        fail(f"{what}: the overlay box is around the ball on only {rate * 100:.1f}% of frames")


def case_mp4(args, workdir):
    out = os.path.join(workdir, "out.mp4")
    run(["gst-launch-1.0", "-q", "-e", "videotestsrc", "pattern=ball", f"num-buffers={FRAMES}",
         "!", f"video/x-raw,width={W},height={H}", "!",
         "trtinfer", f"model={args.model}", f"labels-file={args.labels}", "!",
         "trtoverlay", "!", "videoconvert", "!", "x264enc", "!", "h264parse", "!",
         "mp4mux", "!", "filesink", f"location={out}"], what="the MP4 pipeline")
    size = os.path.getsize(out)
    frames = decode_rgb(["filesrc", f"location={out}", "!", "decodebin"], workdir)
    print(f"mp4: {out}: {size} bytes, {len(frames)} frames decoded")
    if size == 0 or len(frames) != FRAMES:
        fail(f"mp4: {size} bytes, {len(frames)} of {FRAMES} frames")
    check_overlay(frames, "mp4")


def case_file(args, workdir):
    src = os.path.join(workdir, "ball in.mp4")     # a space, on purpose
    out = os.path.join(workdir, "ball out.mp4")
    run(["gst-launch-1.0", "-q", "-e", "videotestsrc", "pattern=ball", f"num-buffers={FRAMES}",
         "!", f"video/x-raw,width={W},height={H}", "!", "x264enc", "!", "mp4mux", "!",
         "filesink", f"location={src}"], what="making the input")
    run([os.path.join(args.root, "pipelines", "detect-file.sh"), src, out, args.model,
         args.labels], what="pipelines/detect-file.sh")
    frames = decode_rgb(["filesrc", f"location={out}", "!", "decodebin"], workdir)
    print(f"file: detect-file.sh wrote {os.path.getsize(out)} bytes, "
          f"{len(frames)} frames decoded")
    if len(frames) != FRAMES:
        fail(f"file: {len(frames)} of {FRAMES} frames")
    check_overlay(frames, "file")


def rtspsrc(url):
    """Over TCP, with a generous jitter buffer: no frame may be lost on a busy machine."""
    return f"rtspsrc location={url} protocols=tcp latency=2000"


class Server:
    """pipelines/rtsp-server.py on 127.0.0.1, a free port; .url once it listens."""

    def __init__(self, args, extra):
        script = os.path.join(args.root, "pipelines", "rtsp-server.py")
        cmd = [args.gi_python, script, "--port", "0", "--width", str(W), "--height",
               str(H), "--num-buffers", str(RTSP_FRAMES)] + extra
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline().strip() if ready else ""
        if not line.startswith("rtsp://127.0.0.1:"):
            self.stop()
            fail(f"rtsp-server.py did not start: {line}\n{self.proc.stderr.read()}")
        self.url = line

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def case_rtsp_in(args, workdir):
    server = Server(args, ["--no-infer"])
    try:
        pipeline = (f"{rtspsrc(server.url)} ! decodebin ! videoconvert ! "
                    f"trtinfer model=\"{args.model}\" labels-file=\"{args.labels}\" ! "
                    "appsink name=sink sync=false")
        # roi_dump exits 0 only at EOS (3 on its timeout).
        out = run([args.roi_dump, "--timeout", "60", pipeline], timeout=90,
                  what="the RTSP client (roi_dump)")
    finally:
        server.stop()
    frames = [json.loads(line) for line in out.splitlines()]
    hits = 0
    for n, f in enumerate(frames):
        rois = sorted(f["rois"], key=lambda r: -r["confidence"])
        if rois and rois[0]["label"] == "ball":
            r = rois[0]
            hits += iou((r["x"], r["y"], r["x"] + r["w"], r["y"] + r["h"]), true_box(n)) >= 0.5
    rate = hits / max(1, len(frames))
    print(f"rtsp-in: {server.url}: {len(frames)}/{RTSP_FRAMES} frames up to EOS, "
          f"ball found with IoU >= 0.5 on {hits} ({rate * 100:.1f}%)")
    if len(frames) != RTSP_FRAMES or rate < 0.9:
        fail("rtsp-in: frames lost or ball not found")


def case_rtsp_out(args, workdir):
    server = Server(args, ["--model", args.model, "--labels", args.labels])
    pixels = os.path.join(workdir, "frames.rgb")
    try:
        # roi_dump, not gst-launch-1.0: it stops at EOS and ignores the errors of an
        # RTSP teardown with a server that has already closed the session.
        run([args.roi_dump, "--timeout", "60", "--frames", pixels,
             f"{rtspsrc(server.url)} ! rtph264depay ! h264parse ! avdec_h264 ! "
             f"videoconvert ! video/x-raw,format=RGB,width={W},height={H} ! "
             "appsink name=sink sync=false"], timeout=90, what="the RTSP client (roi_dump)")
    finally:
        server.stop()
    frames = np.fromfile(pixels, np.uint8).reshape(-1, H, W, 3)
    print(f"rtsp-out: {server.url}: {len(frames)}/{RTSP_FRAMES} frames up to EOS")
    if len(frames) != RTSP_FRAMES:
        fail(f"rtsp-out: {len(frames)} of {RTSP_FRAMES} frames")
    check_overlay(frames, "rtsp-out")


def main():
    cases = {"mp4": case_mp4, "file": case_file, "rtsp-in": case_rtsp_in,
             "rtsp-out": case_rtsp_out}
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("case", choices=sorted(cases))
    ap.add_argument("--root", required=True, help="the source tree (for pipelines/)")
    ap.add_argument("--model", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--roi-dump")
    ap.add_argument("--gi-python", default="/usr/bin/python3",
                    help="a python3 with PyGObject and GstRtspServer, for rtsp-server.py")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="trtinfer-e2e-") as workdir:
        cases[args.case](args, workdir)
    print(f"ok {args.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
