#!/usr/bin/env bash
# The main job: installs what is missing, builds, then runs a live pipeline with the bundled
# ball detector on the default device (the GPU if there is one, else PoCL on the CPU):
#
#   videotestsrc pattern=ball is-live=true ! trtinfer model=models/ball/ball.onnx
#       ! trtoverlay ! sink
#
# and prints each frame's detections as they come, one JSON line per frame:
#   {"frame": 12, ..., "rois": [{"x": 300, "y": 221, "w": 41, "h": 40, "label": "ball", ...}]}
# With a display the drawn boxes are shown in a window too.
#
# Usage: scripts/demo.sh [FRAMES (default 300)] [WIDTHxHEIGHT (default 640x480)]
# Environment: TRT_DEVICE picks the device (index, gpu, cpu or part of its name).
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-300}
size=${2:-640x480}
./scripts/setup.sh

export GST_PLUGIN_PATH="$PWD/build/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
sink="appsink name=sink"
if [ -n "${DISPLAY:-}" ] && gst-inspect-1.0 --exists autovideosink 2>/dev/null; then
  sink="tee name=t t. ! queue ! appsink name=sink t. ! queue ! videoconvert ! autovideosink sync=false"
fi
echo "== running $frames frames of $size on device: ${TRT_DEVICE:-default}"
exec build/tests/e2e/roi_dump \
  "videotestsrc pattern=ball is-live=true num-buffers=$frames \
   ! video/x-raw,width=${size%x*},height=${size#*x},framerate=30/1 \
   ! trtinfer model=models/ball/ball.onnx labels-file=models/ball/labels.txt \
   ! trtoverlay ! $sink"
