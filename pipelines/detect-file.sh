#!/usr/bin/env bash
# detect-file.sh: file in, file out. Decodes a video file, runs trtinfer on every
# frame, draws the detections with trtoverlay and writes an H.264 MP4.
#
# Usage: pipelines/detect-file.sh INPUT OUTPUT.mp4 [MODEL.onnx|MODEL.engine [LABELS]]
#   INPUT    any file decodebin plays (its video stream is used)
#   MODEL    default: the bundled models/ball/ball.onnx with models/ball/labels.txt
# Environment: TRTINFER_PROPS, extra trtinfer properties ("resize=stretch batch-size=4")
#
# Example, with a clip of the ball made by GStreamer:
#   gst-launch-1.0 -e videotestsrc pattern=ball num-buffers=300 ! x264enc ! mp4mux ! \
#       filesink location=ball.mp4
#   pipelines/detect-file.sh ball.mp4 ball-detected.mp4
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 4 ]; then
    sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
fi
IN=$1
OUT=$2
MODEL=${3:-}
LABELS=${4:-}
# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "$0")/common.sh"
[ -r "$IN" ] || die "cannot read '$IN'"

exec gst-launch-1.0 -e \
    filesrc "location=$IN" ! decodebin ! videoconvert ! \
    "${INFER[@]}" ! trtoverlay ! videoconvert ! \
    "${H264ENC[@]}" ! h264parse ! mp4mux ! filesink "location=$OUT"
