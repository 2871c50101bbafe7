#!/usr/bin/env python3
"""rtsp-server.py: RTSP out. Serves a video source over RTSP (gst-rtsp-server) as H.264,
with the detections of trtinfer drawn on it by trtoverlay.

Usage: rtsp-server.py [--source DESC] [--model M] [--labels L] [--no-infer]
                      [--address 127.0.0.1] [--port 8554] [--mount /detect]
                      [--width 640 --height 480] [--num-buffers N]
  --source       gst-launch description of the video source, default
                 "videotestsrc pattern=ball is-live=true"; e.g. "v4l2src device=/dev/video0"
                 or "filesrc location=in.mp4 ! decodebin"
  --model        .onnx or .engine, default models/ball/ball.onnx (labels: labels.txt)
  --no-infer     serve the source as it is (an RTSP camera stand-in, e.g. for
                 detect-rtsp.sh)
  --port 0       picks a free port
  --num-buffers  stop the source after N frames: clients then get EOS (for tests)
Prints the URL, e.g. rtsp://127.0.0.1:8554/detect, on stdout once it listens, and
serves until interrupted. Watch with: gst-play-1.0 rtsp://127.0.0.1:8554/detect

Needs PyGObject with GStreamer and GstRtspServer (Debian: python3-gi, python3-gst-1.0,
gir1.2-gst-rtsp-server-1.0); if your python3 is not Debian's (pyenv, venv), run
/usr/bin/python3 pipelines/rtsp-server.py. Finds the trtinfer plugin like the shell
scripts do (installed, GST_PLUGIN_PATH, else this checkout's build*/gst).
"""

import argparse
import glob
import os
import signal
import sys

try:
    import gi
    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer
except (ImportError, ValueError) as e:
    sys.exit(f"rtsp-server.py: {e}: needs python3-gi, python3-gst-1.0 and "
             "gir1.2-gst-rtsp-server-1.0 (with a pyenv or venv python, run /usr/bin/python3)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def find_plugin():
    """Adds this checkout's plugin folder to GST_PLUGIN_PATH when trtinfer is unknown."""
    if Gst.ElementFactory.find("trtinfer"):
        return True
    dirs = [os.path.join(ROOT, "build", "gst")]
    dirs += sorted(glob.glob(os.path.join(ROOT, "build*", "gst")))
    for d in dirs:
        if os.path.exists(os.path.join(d, "libgsttrtinfer.so")):
            Gst.Registry.get().scan_path(d)
            if Gst.ElementFactory.find("trtinfer"):
                return True
    return False


def h264_encoder():
    if Gst.ElementFactory.find("x264enc"):
        return "x264enc tune=zerolatency speed-preset=veryfast key-int-max=30"
    if Gst.ElementFactory.find("openh264enc"):
        return "openh264enc gop-size=30"
    sys.exit("rtsp-server.py: no H.264 encoder: install gstreamer1.0-plugins-ugly (x264enc) "
             "or gstreamer1.0-plugins-bad (openh264enc)")


def quoted(path):
    return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", default="videotestsrc pattern=ball is-live=true")
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "ball", "ball.onnx"))
    ap.add_argument("--labels")
    ap.add_argument("--no-infer", action="store_true")
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8554)
    ap.add_argument("--mount", default="/detect")
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=480)
    ap.add_argument("--num-buffers", type=int, default=-1)
    args = ap.parse_args()

    Gst.init(None)
    source = args.source
    if args.num_buffers >= 0:
        first, _, rest = source.partition("!")
        source = f"{first.strip()} num-buffers={args.num_buffers}" + (f" !{rest}" if rest else "")
    stages = [source, "videoconvert ! videoscale",
              f"video/x-raw,width={args.width},height={args.height}"]
    if not args.no_infer:
        if not find_plugin():
            sys.exit("rtsp-server.py: no trtinfer plugin: build it (meson setup build && "
                     "ninja -C build) or set GST_PLUGIN_PATH")
        labels = args.labels
        if labels is None and args.model == ap.get_default("model"):
            labels = os.path.join(ROOT, "models", "ball", "labels.txt")
        prop = "engine" if args.model.endswith(".engine") else "model"
        infer = f"trtinfer {prop}={quoted(args.model)}"
        if labels:
            infer += f" labels-file={quoted(labels)}"
        stages += [infer, "trtoverlay", "videoconvert"]
    stages += [h264_encoder(), "rtph264pay name=pay0 pt=96 config-interval=1"]
    launch = "( " + " ! ".join(stages) + " )"

    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)
    factory.set_shared(True)
    factory.set_eos_shutdown(True)
    server.get_mount_points().add_factory(args.mount, factory)
    if server.attach(None) == 0:
        sys.exit(f"rtsp-server.py: cannot listen on {args.address}:{args.port}")

    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    print(f"rtsp://{args.address}:{server.get_bound_port()}{args.mount}", flush=True)
    print(f"rtsp-server.py: serving {launch}", file=sys.stderr, flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
