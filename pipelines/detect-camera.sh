#!/usr/bin/env bash
# detect-camera.sh: camera in, window out. Captures a V4L2 camera, runs trtinfer on
# every frame and shows the video with the detections drawn by trtoverlay.
#
# Usage: pipelines/detect-camera.sh [DEVICE [MODEL.onnx|MODEL.engine [LABELS]]]
#   DEVICE   default /dev/video0
#   MODEL    default: the bundled models/ball/ball.onnx with models/ball/labels.txt
#            (which only knows videotestsrc's ball: pass your own model for a camera)
# Environment:
#   CAPS            caps asked of the camera, default video/x-raw,width=640,height=480
#   TRTINFER_PROPS  extra trtinfer properties ("device=gpu batch-size=2")
#   SINK            where the video goes, default autovideosink; e.g. "fakesink" to
#                   measure, or "videoconvert ! x264enc ! mp4mux ! filesink location=o.mp4"
#                   (stop that one with Ctrl-C: gst-launch-1.0 -e finishes the file)
set -euo pipefail

if [ $# -gt 3 ]; then
    sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
fi
DEVICE=${1:-/dev/video0}
MODEL=${2:-}
LABELS=${3:-}
# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "$0")/common.sh"
[ -e "$DEVICE" ] || die "no camera '$DEVICE' (v4l2-ctl --list-devices lists them)"
# shellcheck disable=SC2206  # split on purpose: a gst-launch description
SINK_ARGS=(${SINK:-autovideosink})
# shellcheck disable=SC2206
CAPS_ARGS=(${CAPS:-video/x-raw,width=640,height=480})

exec gst-launch-1.0 -e \
    v4l2src "device=$DEVICE" ! "${CAPS_ARGS[@]}" ! videoconvert ! \
    "${INFER[@]}" ! trtoverlay ! videoconvert ! "${SINK_ARGS[@]}"
