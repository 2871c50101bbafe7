# pipelines/common.sh: sourced by the bash launch scripts of this folder, not run on
# its own.
#
# Sets
#   TRTINFER_ROOT   this checkout
#   MODEL, LABELS   the model (.onnx or .engine) and labels file: the script's
#                   arguments if given (set MODEL/LABELS before sourcing), else the
#                   bundled models/ball/ball.onnx and models/ball/labels.txt
#   INFER           array: trtinfer model=... labels-file=... plus the words of
#                   $TRTINFER_PROPS (extra properties, e.g. "resize=stretch device=gpu")
#   H264ENC         array: an H.264 encoder with low-latency settings: x264enc
#                   (gstreamer1.0-plugins-ugly), else openh264enc (-plugins-bad)
# Arrays keep paths with spaces in one gst-launch-1.0 argument.
# shellcheck shell=bash disable=SC2034  # the variables are for the sourcing script
# and makes the plugin findable: when gst-inspect-1.0 does not know trtinfer (not
# installed, GST_PLUGIN_PATH not set), the first build*/gst folder of this checkout
# that holds libgsttrtinfer.so is added to GST_PLUGIN_PATH.

TRTINFER_ROOT=$(cd "$(dirname "$0")/.." && pwd)

die() {
    echo "$(basename "$0"): $*" >&2
    exit 1
}

# Whether element $1 exists, whatever its plugin's version (--exists alone wants the
# GStreamer version).
have() {
    gst-inspect-1.0 --exists --atleast-version=0.0 "$1" 2>/dev/null
}

if ! have trtinfer; then
    for dir in "$TRTINFER_ROOT/build/gst" "$TRTINFER_ROOT"/build*/gst; do
        if [ -e "$dir/libgsttrtinfer.so" ]; then
            GST_PLUGIN_PATH="$dir${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
            export GST_PLUGIN_PATH
            break
        fi
    done
    have trtinfer ||
        die "no trtinfer plugin: build it (meson setup build && ninja -C build)" \
            "or set GST_PLUGIN_PATH"
fi

if [ -z "${MODEL:-}" ]; then
    MODEL="$TRTINFER_ROOT/models/ball/ball.onnx"
    LABELS="${LABELS:-$TRTINFER_ROOT/models/ball/labels.txt}"
fi
[ -e "$MODEL" ] || die "no model '$MODEL'"
case "$MODEL" in
    *.engine) INFER=(trtinfer "engine=$MODEL") ;;
    *) INFER=(trtinfer "model=$MODEL") ;;
esac
if [ -n "${LABELS:-}" ]; then
    [ -e "$LABELS" ] || die "no labels file '$LABELS'"
    INFER+=("labels-file=$LABELS")
fi
# shellcheck disable=SC2206  # split on purpose: one property per word
INFER+=(${TRTINFER_PROPS:-})

if have x264enc; then
    H264ENC=(x264enc tune=zerolatency speed-preset=veryfast key-int-max=30)
elif have openh264enc; then
    H264ENC=(openh264enc gop-size=30)
else
    die "no H.264 encoder: install gstreamer1.0-plugins-ugly (x264enc)" \
        "or gstreamer1.0-plugins-bad (openh264enc)"
fi
