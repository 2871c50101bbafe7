#!/usr/bin/env bash
# detect-rtsp.sh: RTSP in. Receives an RTSP stream, decodes it, runs trtinfer on
# every frame and shows the video with the detections drawn by trtoverlay.
#
# Usage: pipelines/detect-rtsp.sh URL [MODEL.onnx|MODEL.engine [LABELS]]
#   URL      rtsp://host:port/path, e.g. a camera or pipelines/rtsp-server.py --no-infer
#   MODEL    default: the bundled models/ball/ball.onnx with models/ball/labels.txt
# Environment:
#   LATENCY         rtspsrc jitter buffer, milliseconds, default 200
#   TRTINFER_PROPS  extra trtinfer properties ("device=gpu batch-size=4")
#   SINK            where the video goes, default autovideosink; e.g. "fakesink", or
#                   "videoconvert ! x264enc ! mp4mux ! filesink location=o.mp4"
#
# Example, with the stream of the bundled RTSP server:
#   /usr/bin/python3 pipelines/rtsp-server.py --no-infer &   # rtsp://127.0.0.1:8554/detect
#   pipelines/detect-rtsp.sh rtsp://127.0.0.1:8554/detect
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
    sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
fi
URL=$1
MODEL=${2:-}
LABELS=${3:-}
# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "$0")/common.sh"
# shellcheck disable=SC2206  # split on purpose: a gst-launch description
SINK_ARGS=(${SINK:-autovideosink})

exec gst-launch-1.0 -e \
    rtspsrc "location=$URL" "latency=${LATENCY:-200}" ! decodebin ! videoconvert ! \
    "${INFER[@]}" ! trtoverlay ! videoconvert ! "${SINK_ARGS[@]}"
