#!/usr/bin/env bash
# Installs what trtinfer needs on Debian bookworm (or newer) that is missing, then configures
# and builds into ./build. Safe to run again: installs nothing that is present, rebuilds
# incrementally. Used by scripts/demo.sh, scripts/test.sh and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS="build-essential meson ninja-build pkg-config python3 python3-pip
  ocl-icd-opencl-dev opencl-c-headers clinfo pocl-opencl-icd libclblast-dev
  libprotobuf-c-dev protobuf-c-compiler libonnx-dev libjson-glib-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstrtspserver-1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-rtsp
  libcairo2-dev libpango1.0-dev check valgrind
  python3-gi python3-gst-1.0 gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-rtsp-server-1.0"
# Python test tooling: onnx 1.16.2 ships the ONNX backend node-test data; onnxruntime is the
# reference for op and model tests.
PIP="onnx==1.16.2 onnxruntime numpy"

missing=()
for p in $DEBS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! python3 -c "import onnx, onnxruntime, numpy; assert onnx.__version__ == '1.16.2'" 2>/dev/null; then
  echo "== installing Python test tooling: $PIP"
  python3 -m pip install -q $PIP 2>/dev/null || python3 -m pip install -q --break-system-packages $PIP
fi

if [ ! -f build/build.ninja ]; then
  meson setup build
fi
ninja -C build
