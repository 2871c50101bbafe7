#!/usr/bin/env python3
"""End-to-end tests of trtinfer-exec on the resnet_small case of make_models.py.

Usage: test_trtinfer_exec.py TRTINFER_EXEC CASES_DIR

CASES_DIR is make_models.py's output; its resnet_small/ case holds the model, inputs at
batch 1 and 4 and onnxruntime's outputs for them. Checked: outputs exported as JSON match
onnxruntime (rel L2 <= 1e-4) and have trtexec's layout; --saveEngine/--loadEngine gives
identical outputs; pseudo-random inputs are deterministic; --shapes alone fixes the profile;
--duration is honoured; --fp16 builds an engine marked FP16, under 0.6x the FP32 file, whose
outputs are within rel L2 1e-2 of onnxruntime and survive the file round trip; a shape outside the profile, a wrong-sized input file, --int8, bad
flags and missing, foreign or truncated files fail with exit status 1 and an "[E]" message;
with valgrind installed, --help and an error path are leak-free.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

REL_L2 = 1e-4
REL_L2_FP16 = 1e-2  # float16 storage: 11 significant bits per value (tests/models/fp16_report.py)
PROFILE = ["--minShapes=images:1x3x64x64", "--optShapes=images:4x3x64x64",
           "--maxShapes=images:8x3x64x64"]
QUICK = ["--iterations=2", "--warmUp=0", "--duration=0"]

failures = []


def check(name, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} - {name}" + (f": {detail}" if detail and not ok else ""))
    if not ok:
        failures.append(name)
    return ok


def run(exe, *args, timeout=300):
    p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def read_pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return t.name, numpy_helper.to_array(t)


def data_set(case, k):
    """(inputs, outputs) of test_data_set_k as {name: array}."""
    d = os.path.join(case, f"test_data_set_{k}")
    ins = dict(read_pb(os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.startswith("input"))
    outs = dict(read_pb(os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.startswith("output"))
    return ins, outs


def load_export(path):
    """trtexec's --exportOutput JSON -> {name: (dimensions string, float64 array)}."""
    with open(path) as f:
        doc = json.load(f)
    assert isinstance(doc, list), "top level is not a list"
    out = {}
    for entry in doc:
        assert set(entry) == {"name", "dimensions", "values"}, f"keys {sorted(entry)}"
        out[entry["name"]] = (entry["dimensions"], np.array(entry["values"], dtype=np.float64))
    return out


def compare(name, export_path, refs, bound=REL_L2):
    try:
        got = load_export(export_path)
    except (OSError, ValueError, AssertionError) as e:
        return check(name, False, f"{export_path}: {e}")
    ok = check(f"{name}: outputs {sorted(refs)} exported", sorted(got) == sorted(refs),
               f"got {sorted(got)}")
    for out, ref in refs.items():
        if out not in got:
            continue
        dims, values = got[out]
        want_dims = "x".join(str(d) for d in ref.shape)
        ok &= check(f"{name}: '{out}' dimensions {want_dims}", dims == want_dims, f"got {dims!r}")
        if values.size != ref.size:
            ok &= check(f"{name}: '{out}' value count", False, f"{values.size} != {ref.size}")
            continue
        r = ref.astype(np.float64).ravel()
        rel = np.linalg.norm(values - r) / max(np.linalg.norm(r), 1e-30)
        ok &= check(f"{name}: '{out}' rel L2 {rel:.3g} <= {bound}", rel <= bound)
    return ok


def expect_error(name, rc, out, err, *needles):
    ok = check(f"{name}: exit status 1", rc == 1, f"got {rc}\n{out}{err}")
    ok &= check(f"{name}: [E] message", "[E] " in err, f"stderr: {err!r}")
    for n in needles:
        ok &= check(f"{name}: message mentions {n!r}", n in err, f"stderr: {err!r}")
    return ok


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: test_trtinfer_exec.py TRTINFER_EXEC CASES_DIR")
    exe, case = sys.argv[1], os.path.join(sys.argv[2], "resnet_small")
    model = os.path.join(case, "model.onnx")
    tmp = tempfile.mkdtemp(prefix="trtinfer-exec-test-")
    try:
        t = lambda f: os.path.join(tmp, f)  # noqa: E731
        ins1, refs1 = data_set(case, 0)
        ins4, refs4 = data_set(case, 1)
        ins1["images"].astype("<f4").tofile(t("in1.bin"))
        ins4["images"].astype("<f4").tofile(t("in4.bin"))

        rc, out, err = run(exe, "--help")
        check("--help", rc == 0 and "Usage" in out, f"rc {rc}")
        rc, out, err = run(exe, "--onnx", model, "--bogus")
        expect_error("unknown flag", rc, out, err, "--bogus", "--help")
        rc, out, err = run(exe, "--onnx", model, "--iterations=abc")
        expect_error("bad number", rc, out, err, "--iterations")

        # Build with a profile, run at batch 4, save the engine (space-separated values here).
        engine = t("resnet.engine")
        rc, out, err = run(exe, "--onnx", model, *PROFILE, "--shapes", "images:4x3x64x64",
                           "--loadInputs", "images:" + t("in4.bin"), "--exportOutput",
                           t("build4.json"), "--saveEngine", engine, *QUICK)
        if check("build + run batch 4", rc == 0, f"rc {rc}\n{out}{err}"):
            compare("build batch 4", t("build4.json"), refs4)
            for line in ("=== Performance summary ===", "Throughput:", "Latency: min =",
                         "GPU Compute Time: min =", "H2D Latency:", "D2H Latency:",
                         "Total Host Walltime:", "Total GPU Compute Time:", "percentile(99%)"):
                check(f"summary has {line!r}", line in out)
            check("summary shows engine I/O", "'images'" in out and "'probs'" in out)

        # Load the saved engine: batch 1 against onnxruntime, batch 4 identical to the build.
        rc, out, err = run(exe, f"--loadEngine={engine}", "--shapes=images:1x3x64x64",
                           f"--loadInputs=images:{t('in1.bin')}",
                           f"--exportOutput={t('load1.json')}", *QUICK)
        if check("load + run batch 1", rc == 0, f"rc {rc}\n{out}{err}"):
            compare("loaded batch 1", t("load1.json"), refs1)
        rc, out, err = run(exe, f"--loadEngine={engine}", "--shapes=images:4x3x64x64",
                           f"--loadInputs=images:{t('in4.bin')}",
                           f"--exportOutput={t('load4.json')}", *QUICK)
        if check("load + run batch 4", rc == 0, f"rc {rc}\n{out}{err}") and \
                os.path.exists(t("build4.json")):
            a, b = load_export(t("build4.json")), load_export(t("load4.json"))
            same = sorted(a) == sorted(b) and all(
                a[k][0] == b[k][0] and np.array_equal(a[k][1], b[k][1]) for k in a)
            check("saveEngine/loadEngine round trip gives identical outputs", same)

        # --fp16: float16 weights, a smaller engine file, the same round trip.
        engine16 = t("resnet16.engine")
        rc, out, err = run(exe, "--onnx", model, "--fp16", *PROFILE, "--shapes=images:4x3x64x64",
                           f"--loadInputs=images:{t('in4.bin')}",
                           f"--exportOutput={t('build16.json')}", f"--saveEngine={engine16}",
                           f"--exportLayerInfo={t('layers16.json')}", *QUICK)
        if check("--fp16 build + run batch 4", rc == 0, f"rc {rc}\n{out}{err}"):
            compare("--fp16 batch 4", t("build16.json"), refs4, REL_L2_FP16)
            check("--fp16 engine says FP16", re.search(r"Engine: \d+ layers, FP16,", out), out)
            with open(t("layers16.json")) as f:
                layers = json.load(f)["Layers"]
            convs = [l for l in layers if l["LayerType"] == "Conv"]
            check("--fp16 layer info: Convs read and write float16, the input is cast",
                  convs and all(x["Datatype"] == "float16" for l in convs
                                for x in l["Inputs"] + l["Outputs"]) and
                  layers[0]["LayerType"] == "Cast" and
                  layers[0]["Inputs"][0]["Datatype"] == "float32", str(layers[:2]))
            s32, s16 = os.path.getsize(engine), os.path.getsize(engine16)
            check(f"--fp16 engine file {s16} B < 0.6 x FP32's {s32} B", s16 < 0.6 * s32)
            rc, out, err = run(exe, f"--loadEngine={engine16}", "--shapes=images:4x3x64x64",
                               f"--loadInputs=images:{t('in4.bin')}",
                               f"--exportOutput={t('load16.json')}", *QUICK)
            if check("--fp16 load + run batch 4", rc == 0, f"rc {rc}\n{out}{err}"):
                a, b = load_export(t("build16.json")), load_export(t("load16.json"))
                check("--fp16 saveEngine/loadEngine round trip gives identical outputs",
                      sorted(a) == sorted(b) and all(
                          a[k][0] == b[k][0] and np.array_equal(a[k][1], b[k][1]) for k in a))

        # Pseudo-random inputs (opt shape, batch 4) are the same on every run.
        exports = []
        for k in range(2):
            rc, out, err = run(exe, f"--loadEngine={engine}", f"--exportOutput={t(f'r{k}.json')}",
                               *QUICK)
            if check(f"random inputs run {k}", rc == 0, f"rc {rc}\n{out}{err}"):
                exports.append(load_export(t(f"r{k}.json")))
        if len(exports) == 2:
            check("random inputs are deterministic",
                  all(np.array_equal(exports[0][k][1], exports[1][k][1]) for k in exports[0]))
            check("random inputs run at the opt shape", exports[0]["probs"][0] == "4x10",
                  exports[0]["probs"][0])

        # --shapes alone is the run shape and the whole profile.
        rc, out, err = run(exe, "--onnx", model, "--shapes=images:2x3x64x64",
                           f"--exportOutput={t('shapes2.json')}", *QUICK)
        if check("build with --shapes only", rc == 0, f"rc {rc}\n{out}{err}"):
            check("--shapes alone sets min = opt = max",
                  "(min 2x3x64x64, opt 2x3x64x64, max 2x3x64x64)" in out, out)
            check("--shapes alone runs at that shape",
                  load_export(t("shapes2.json"))["probs"][0] == "2x10")
        rc, out, err = run(exe, "--listDevices")
        check("--listDevices", rc == 0 and "OpenCL device" in out, f"rc {rc}\n{out}{err}")

        # --duration: at least that long even when --iterations is reached first.
        rc, out, err = run(exe, f"--loadEngine={engine}", "--iterations=1", "--warmUp=0",
                           "--duration=1")
        m = re.search(r"Timing trace has (\d+) queries over ([0-9.e+-]+) s", out)
        check("--duration=1 runs for >= 1 s", rc == 0 and m and float(m.group(2)) >= 1.0,
              f"rc {rc}, {m.group(0) if m else out}")

        # Errors.
        rc, out, err = run(exe, f"--loadEngine={engine}", "--shapes=images:9x3x64x64", *QUICK)
        expect_error("shape outside the profile", rc, out, err, "'images'", "1x3x64x64",
                     "8x3x64x64")
        rc, out, err = run(exe, f"--loadEngine={engine}", "--shapes=images:4x3x64x64",
                           f"--loadInputs=images:{t('in1.bin')}", *QUICK)
        expect_error("input file of the wrong size", rc, out, err, "'images'", "in1.bin")
        rc, out, err = run(exe, f"--loadEngine={engine}", f"--loadInputs=nosuch:{t('in4.bin')}",
                           *QUICK)
        expect_error("input file for an unknown input", rc, out, err, "'nosuch'")
        rc, out, err = run(exe, "--onnx", model, "--int8", *QUICK)
        expect_error("--int8", rc, out, err, "not yet supported")
        rc, out, err = run(exe, "--loadEngine", t("missing.engine"))
        expect_error("missing engine file", rc, out, err, "missing.engine")
        rc, out, err = run(exe, "--onnx", t("missing.onnx"))
        expect_error("missing ONNX file", rc, out, err, "missing.onnx")
        rc, out, err = run(exe, "--loadEngine", model)
        expect_error("ONNX file given as engine", rc, out, err)
        rc, out, err = run(exe, "--onnx", engine)
        expect_error("engine file given as ONNX", rc, out, err)
        with open(engine, "rb") as f:
            blob = f.read()
        with open(t("truncated.engine"), "wb") as f:
            f.write(blob[: len(blob) // 2])
        rc, out, err = run(exe, "--loadEngine", t("truncated.engine"))
        expect_error("truncated engine file", rc, out, err)
        open(t("empty.engine"), "wb").close()
        rc, out, err = run(exe, "--loadEngine", t("empty.engine"))
        expect_error("empty engine file", rc, out, err)

        valgrind = shutil.which("valgrind")
        if valgrind:
            vg = [valgrind, "-q", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                  "--error-exitcode=9"]
            p = subprocess.run(vg + [exe, "--help"], capture_output=True, text=True)
            check("valgrind: --help is clean", p.returncode == 0, p.stderr[-2000:])
            p = subprocess.run(vg + [exe, "--onnx", t("missing.onnx"), "--shapes=images:1x3x8x8"],
                               capture_output=True, text=True)
            check("valgrind: error path is clean", p.returncode == 1, p.stderr[-2000:])
        else:
            print("skip - valgrind not installed")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
