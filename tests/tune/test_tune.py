#!/usr/bin/env python3
"""trtinfer-exec's tuning and profiling features on the resnet_small case of make_models.py.

Usage: test_tune.py TRTINFER_EXEC CASES_DIR

Checked:
  profile      --dumpProfile prints trtexec's table (a row per layer, Total, % summing to 100);
               --exportProfile writes trtexec's JSON ({"count"} then one entry per layer, in
               layer order, percentages summing to 100, average = time / count), also with
               --separateProfileRun; flags that need inference are refused with
               --skipInference
  layer info   --exportLayerInfo lists every layer with its op, inputs/outputs and shapes at
               the opt profile, and a timed (non-zero) tactic for every Conv; tactic 0
               everywhere with --builderOptimizationLevel=0
  numerics     a tuned engine's outputs match onnxruntime (rel L2 <= 1e-4)
  timing cache a rebuild with --timingCacheFile times nothing and picks the same tactics,
               faster; a foreign file is ignored and left untouched; damaged lines are
               skipped with a warning and the file is rewritten whole
  program cache (TRT_CACHE_DIR) entries are written; damaged entries are rebuilt, give the
               same outputs and are rewritten; an unusable folder is skipped
  build workers --buildWorkers=3: each of the 3 processes compiles its share, the shares
               deal out every distinct candidate kernel once, the build reads their programs
               from the disk cache, the engine matches onnxruntime; candidates the timing
               cache knows are not compiled; none start with TRT_CACHE_DIR empty or at
               optimization level 0; a device that does not open fails cleanly; more than
               64 refused
  tactic sources --tacticSources=-PORTABLE: every Conv runs a tensor-core tactic, or (on a
               device without tensor cores, such as PoCL) keeps all its portable candidates,
               says so at --verbose and is timed as before; -TENSOR_CORE: no tensor-core
               tactic; unknown names, a missing +/- and disabling every source are refused
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

REL_L2 = 1e-4
PROFILE = ["--minShapes=images:1x3x64x64", "--optShapes=images:4x3x64x64",
           "--maxShapes=images:8x3x64x64"]
QUICK = ["--warmUp=0", "--duration=0"]
CACHE_HEADER = "trtinfer timing cache 1"

failures = []


def check(name, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} - {name}" + (f": {detail}" if detail and not ok else ""))
    if not ok:
        failures.append(name)
    return ok


def run(exe, *args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=300, env=e)
    return p.returncode, p.stdout, p.stderr


def read_pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return t.name, numpy_helper.to_array(t)


def data_set(case, k):
    d = os.path.join(case, f"test_data_set_{k}")
    ins = dict(read_pb(os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.startswith("input"))
    outs = dict(read_pb(os.path.join(d, f)) for f in sorted(os.listdir(d))
                if f.startswith("output"))
    return ins, outs


def layer_count(out):
    m = re.search(r"Engine: (\d+) layers", out)
    return int(m.group(1)) if m else -1


def exported(path):
    with open(path) as f:
        return {e["name"]: np.array(e["values"], dtype=np.float64) for e in json.load(f)}


def check_profile_json(name, path, layers, count):
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        return check(f"{name}: valid JSON", False, str(e))
    ok = check(f"{name}: first entry is {{'count': {count}}}",
               isinstance(doc, list) and doc and doc[0] == {"count": count}, str(doc[:1]))
    entries = doc[1:]
    ok &= check(f"{name}: one entry per layer", [e.get("name") for e in entries] == layers,
                f"{[e.get('name') for e in entries]} vs {layers}")
    keys = {"name", "timeMs", "averageMs", "medianMs", "percentage"}
    ok &= check(f"{name}: trtexec's keys", all(set(e) == keys for e in entries),
                str(entries[:1]))
    if not ok:
        return False
    total = sum(e["percentage"] for e in entries)
    ok &= check(f"{name}: percentages sum to 100 ({total:.4f})", abs(total - 100) < 0.01)
    ok &= check(f"{name}: averageMs = timeMs / count",
                all(abs(e["averageMs"] * count - e["timeMs"]) <= 1e-6 * (1 + e["timeMs"])
                    for e in entries))
    ok &= check(f"{name}: times are >= 0 and some layer takes time",
                all(e["timeMs"] >= 0 and e["medianMs"] >= 0 for e in entries) and
                any(e["timeMs"] > 0 for e in entries))
    return ok


def check_dump(out, layers, count):
    lines = out.splitlines()
    head = f"=== Profile ({count} iterations ) ==="
    if not check("--dumpProfile: header", any(head in line for line in lines), out):
        return
    start = next(i for i, line in enumerate(lines) if head in line)
    check("--dumpProfile: column titles", "Time(ms)     Avg.(ms)   Median(ms)   Time(%)   Layer"
          in lines[start + 1], lines[start + 1])
    rows = []
    for line in lines[start + 2:start + 3 + len(layers)]:
        m = re.match(r"\[I\]\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)   (.*)$", line)
        if m:
            rows.append((m.group(5), float(m.group(4))))
    check("--dumpProfile: a row per layer, then Total",
          [r[0] for r in rows] == layers + ["Total"], f"{[r[0] for r in rows]}")
    if rows and rows[-1][0] == "Total":
        pct = sum(r[1] for r in rows[:-1])
        check(f"--dumpProfile: layer % sum to 100 ({pct:.1f}), Total 100.0",
              abs(pct - 100) <= 0.05 * len(layers) and rows[-1][1] == 100.0)


def check_layer_info(name, path, n_layers):
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        check(f"{name}: valid JSON", False, str(e))
        return None
    layers = doc.get("Layers", [])
    check(f"{name}: {n_layers} layers", len(layers) == n_layers, str(len(layers)))
    check(f"{name}: bindings", doc.get("Bindings") == ["images", "logits", "probs"],
          str(doc.get("Bindings")))
    keys = {"Name", "LayerType", "Inputs", "Outputs", "TacticValue", "TacticParams"}
    check(f"{name}: every layer has {sorted(keys)}", all(set(l) == keys for l in layers))
    tensors_ok = all(t["Name"] and t["Dimensions"] and all(d > 0 for d in t["Dimensions"])
                     and t["Datatype"] == "float32"
                     for l in layers for t in l["Inputs"] + l["Outputs"])
    check(f"{name}: tensors with names, float32 and positive dimensions", tensors_ok)
    check(f"{name}: the first layer reads 'images' at the opt shape",
          layers and layers[0]["Inputs"][0]["Name"] == "images" and
          layers[0]["Inputs"][0]["Dimensions"] == [4, 3, 64, 64], str(layers[:1]))
    convs = [l for l in layers if l["LayerType"] == "Conv"]
    check(f"{name}: every Conv has a timed tactic",
          convs and all(l["TacticValue"] != 0 and len(l["TacticParams"]) == 8 for l in convs),
          str([(l["Name"], l["TacticValue"]) for l in convs]))
    return layers


def compare(name, path, refs):
    got = exported(path)
    for out, ref in refs.items():
        r = ref.astype(np.float64).ravel()
        v = got.get(out, np.zeros(0))
        rel = np.linalg.norm(v - r) / max(np.linalg.norm(r), 1e-30) if v.size == r.size else np.inf
        check(f"{name}: '{out}' rel L2 {rel:.3g} <= {REL_L2}", rel <= REL_L2)


def timing_summary(out):
    m = re.search(r"tactic timing: (\d+) layers, (\d+) candidates timed, (\d+) from the timing "
                  r"cache", out)
    b = re.search(r"Built engine from .* in ([0-9.e+-]+) ms", out)
    return (tuple(int(g) for g in m.groups()) if m else None), (float(b.group(1)) if b else None)


def cache_lines_valid(path):
    with open(path) as f:
        lines = f.read().splitlines()
    body_ok = all(re.match(r"^[0-9a-f]{16} [0-9.e+-]+ ", line) for line in lines[1:])
    return lines[:1] == [CACHE_HEADER] and body_ok, len(lines) - 1


def test_profile(exe, model, case, t):
    ins4, refs4 = data_set(case, 1)
    ins4["images"].astype("<f4").tofile(t("in4.bin"))
    rc, out, err = run(exe, "--onnx", model, *PROFILE, "--shapes=images:4x3x64x64",
                       f"--loadInputs=images:{t('in4.bin')}", f"--exportOutput={t('out.json')}",
                       "--iterations=20", *QUICK, "--dumpProfile",
                       f"--exportProfile={t('prof.json')}", f"--exportLayerInfo={t('layers.json')}")
    if not check("build + profile run", rc == 0, f"rc {rc}\n{out}{err}"):
        return
    n = layer_count(out)
    layers = check_layer_info("--exportLayerInfo", t("layers.json"), n)
    names = [l["Name"] for l in layers or []]
    m = re.search(r"Timing trace has (\d+) queries", out)
    count = int(m.group(1)) if m else -1
    check_profile_json("--exportProfile", t("prof.json"), names, count)
    check_dump(out, names, count)
    compare("tuned engine vs onnxruntime", t("out.json"), refs4)

    engine = t("resnet.engine")
    rc, out, err = run(exe, "--onnx", model, *PROFILE, f"--saveEngine={engine}", "--skipInference",
                       f"--exportLayerInfo={t('layers_build.json')}")
    check("build only, with --exportLayerInfo", rc == 0 and
          check_layer_info("--exportLayerInfo without inference", t("layers_build.json"), n)
          is not None, f"rc {rc}\n{err}")
    rc, out, err = run(exe, f"--loadEngine={engine}", "--iterations=7", *QUICK,
                       "--separateProfileRun", f"--exportProfile={t('prof2.json')}")
    if check("--separateProfileRun on a loaded engine", rc == 0, f"rc {rc}\n{out}{err}"):
        m = re.search(r"Timing trace has (\d+) queries", out)
        check_profile_json("--separateProfileRun", t("prof2.json"), names, int(m.group(1)))
        check("--separateProfileRun prints no table without --dumpProfile",
              "=== Profile" not in out)
    rc, out, err = run(exe, "--onnx", model, *PROFILE, "--builderOptimizationLevel=0",
                       "--skipInference", "--verbose", f"--exportLayerInfo={t('layers0.json')}")
    if check("--builderOptimizationLevel=0", rc == 0, f"rc {rc}\n{out}{err}"):
        with open(t("layers0.json")) as f:
            tactics = {l["TacticValue"] for l in json.load(f)["Layers"]}
        check("level 0 times nothing and keeps the default kernels",
              "tactic timing off" in out and "candidates timed" not in out and tactics == {0},
              str(tactics))
    rc, out, err = run(exe, "--onnx", model, "--builderOptimizationLevel=6", "--skipInference")
    check("--builderOptimizationLevel=6 refused", rc == 1 and "between 0 and 5" in err, err)
    for bad in (["--skipInference", "--dumpProfile"], ["--separateProfileRun"]):
        rc, out, err = run(exe, f"--loadEngine={engine}", *bad)
        check(f"{' '.join(bad)} refused", rc == 1 and "[E] " in err, f"rc {rc}\n{err}")


def test_timing_cache(exe, model, t):
    cache = t("timing.cache")
    base = ["--onnx", model, *PROFILE, "--skipInference", "--verbose"]
    rc, out1, err = run(exe, *base, f"--timingCacheFile={cache}",
                        f"--exportLayerInfo={t('l1.json')}")
    if not check("first build with a timing cache", rc == 0, f"rc {rc}\n{out1}{err}"):
        return
    s1, ms1 = timing_summary(out1)
    valid, entries = cache_lines_valid(cache)
    check("the cache file is written", valid and entries > 0 and s1 and s1[1] == entries,
          f"{entries} entries, summary {s1}")
    rc, out2, err = run(exe, *base, f"--timingCacheFile={cache}",
                        f"--exportLayerInfo={t('l2.json')}")
    if not check("rebuild with the cache", rc == 0, f"rc {rc}\n{out2}{err}"):
        return
    s2, ms2 = timing_summary(out2)
    check("rebuild times nothing: every candidate from the cache",
          s1 and s2 and s2 == (s1[0], 0, s1[1]), f"{s1} then {s2}")
    hits = [line for line in out2.splitlines() if "(timing cache hit)" in line]
    check("a 'timing cache hit' line per tuned layer", s2 and len(hits) == s2[0], str(len(hits)))
    with open(t("l1.json")) as a, open(t("l2.json")) as b:
        tactics = [[(l["Name"], l["TacticValue"], l["TacticParams"])
                    for l in json.load(f)["Layers"]] for f in (a, b)]
    check("same tactics from the cache", tactics[0] == tactics[1])
    print(f"# build {ms1} ms timing {s1[1] if s1 else '?'} candidates, rebuild {ms2} ms from the "
          f"timing cache")
    check(f"rebuild with the cache is faster ({ms1} -> {ms2} ms)", ms1 and ms2 and ms2 < ms1)

    foreign = t("foreign.bin")
    blob = bytes(range(256)) * 4
    with open(foreign, "wb") as f:
        f.write(blob)
    rc, out, err = run(exe, *base, f"--timingCacheFile={foreign}")
    with open(foreign, "rb") as f:
        same = f.read() == blob
    check("a foreign file is ignored with a warning and left as it is",
          rc == 0 and "not a trtinfer timing cache" in err and same, f"rc {rc}\n{err}")

    with open(cache) as f:
        lines = f.read().splitlines()
    lines[1] = "not an entry"
    damaged = "\n".join(lines[:-1] + [lines[-1][:7]]) + "\n"
    with open(cache, "w") as f:
        f.write(damaged)
    rc, out, err = run(exe, *base, f"--timingCacheFile={cache}")
    s3, _ = timing_summary(out)
    check("damaged lines: a warning, the two lost entries timed again",
          rc == 0 and "2 damaged lines ignored" in err and s3 and s3[1] == 2,
          f"rc {rc}, summary {s3}\n{err}")
    valid, n = cache_lines_valid(cache)
    check("the damaged file is rewritten whole", valid and n == entries, f"{n} of {entries}")


def test_program_cache(exe, model, t):
    env = {"TRT_CACHE_DIR": t("programs")}
    # Default kernels, not timed ones: timed afresh, a layer of the second build may pick
    # another kernel (timing noise), whose outputs differ in the last bits.
    args = ["--onnx", model, *PROFILE, "--iterations=1", *QUICK, "--verbose",
            "--builderOptimizationLevel=0"]
    rc, out, err = run(exe, *args, f"--exportOutput={t('p1.json')}", env=env)
    if not check("run with an empty program cache", rc == 0, f"rc {rc}\n{out}{err}"):
        return
    entries = sorted(os.listdir(t("programs")))
    check("program cache entries written", entries and all(e.endswith(".bin") for e in entries),
          str(entries))
    for i, e in enumerate(entries):
        p = os.path.join(t("programs"), e)
        with open(p, "rb") as f:
            data = bytearray(f.read())
        if i % 2:
            data = data[:len(data) // 2]
        else:
            data[len(data) // 2] ^= 0xFF
        with open(p, "wb") as f:
            f.write(data)
    rc, out, err = run(exe, *args, f"--exportOutput={t('p2.json')}", env=env)
    if check("run with every entry damaged", rc == 0, f"rc {rc}\n{out}{err}"):
        rebuilt = out.count("is damaged or stale; rebuilding it")
        check(f"each damaged entry is rebuilt ({rebuilt} of {len(entries)})",
              rebuilt == len(entries))
        a, b = exported(t("p1.json")), exported(t("p2.json"))
        check("same outputs after rebuilding", all(np.array_equal(a[k], b[k]) for k in a))
    rc, out, err = run(exe, *args, env=env)
    check("the rebuilt entries are read back", rc == 0 and "damaged" not in out and
          out.count("from disk") == len(entries), f"rc {rc}, {out.count('from disk')} from disk")

    with open(t("a_file"), "w") as f:
        f.write("x")
    rc, out, err = run(exe, *args, env={"TRT_CACHE_DIR": t("a_file/programs")})
    check("an unusable cache folder is skipped", rc == 0 and "cannot create folder" in out,
          f"rc {rc}\n{out}{err}")


SHARE_LINE = re.compile(r"precompile: share (\d+) of (\d+) \((\d+) of the build's (\d+) "
                        r"distinct candidate kernels\): (\d+) candidates prepared, (\d+) failed"
                        r"[^,]*, (\d+) known to the timing cache")


def test_build_workers(exe, model, case, t):
    ins4, refs4 = data_set(case, 1)
    ins4["images"].astype("<f4").tofile(t("w_in4.bin"))
    env = {"TRT_CACHE_DIR": t("w_programs")}
    args = ["--onnx", model, *PROFILE, "--shapes=images:4x3x64x64",
            f"--loadInputs=images:{t('w_in4.bin')}", "--iterations=1", *QUICK]
    rc, out, err = run(exe, *args, "--buildWorkers=3", "--verbose",
                       f"--exportOutput={t('w_out.json')}", env=env)
    if not check("--buildWorkers=3 with a program cache", rc == 0, f"rc {rc}\n{out}{err}"):
        return
    check("it says the workers compiled", "Build workers: 3 processes compiled" in out, out)
    # Share 0 logs on stdout (this process), shares 1 and 2 on stderr (children, --verbose).
    shares = {int(m.group(1)): m.groups() for m in SHARE_LINE.finditer(out + err)}
    if check("a precompile line from each of the 3 shares", sorted(shares) == [0, 1, 2],
             f"{sorted(shares)}\n{out}{err}"):
        totals = {int(g[3]) for g in shares.values()}
        dealt = sum(int(g[2]) for g in shares.values())
        total = totals.pop() if len(totals) == 1 else -1
        check(f"the shares deal out the same {total} distinct kernels, all of them",
              total > 1 and dealt == total and all(int(g[1]) == 3 for g in shares.values()),
              str(shares))
        check("every share prepared its candidates, none failed",
              all(int(g[4]) > 0 and int(g[5]) == 0 for g in shares.values()), str(shares))
    # The build that follows takes the workers' programs from the disk cache.
    check("the build reads programs the workers compiled", out.count("from disk") > 0,
          f"{out.count('from disk')} from disk")
    compare("engine built with workers vs onnxruntime", t("w_out.json"), refs4)

    # With a timing cache that knows every candidate, the build times none: nothing to compile.
    tcache = t("w_timing.cache")
    rc, out, err = run(exe, *args, "--buildWorkers=1", f"--timingCacheFile={tcache}", env=env)
    check("a build that fills a timing cache", rc == 0, f"rc {rc}\n{out}{err}")
    rc, out, err = run(exe, *args, "--buildWorkers=3", f"--timingCacheFile={tcache}", "--verbose",
                       env={"TRT_CACHE_DIR": t("w_programs2")})
    shares = [m.groups() for m in SHARE_LINE.finditer(out + err)]
    check("with every candidate in the timing cache, the workers compile none of them",
          rc == 0 and len(shares) == 3 and all(int(g[4]) == 0 for g in shares) and
          sum(int(g[6]) for g in shares) > 0 and "nothing to compile ahead" in out,
          f"rc {rc} {shares}\n{out}{err}")
    rc, out, err = run(exe, *args, "--buildWorkers=3", env={"TRT_CACHE_DIR": ""})
    check("with the program cache off (TRT_CACHE_DIR empty) no workers start",
          rc == 0 and "Build workers" not in out, f"rc {rc}\n{out}{err}")
    rc, out, err = run(exe, *args, "--buildWorkers=3", "--builderOptimizationLevel=0",
                       env=env)
    check("at optimization level 0 no workers start", rc == 0 and "Build workers" not in out,
          f"rc {rc}\n{out}{err}")
    rc, out, err = run(exe, *args, "--buildWorkers=3", "--device=no-such-device", env=env)
    check("a device that does not open: the error, and the run ends (workers stopped)",
          rc == 1 and "no OpenCL device matches" in err, f"rc {rc}\n{out}{err}")
    rc, out, err = run(exe, *args, "--buildWorkers=65")
    check("--buildWorkers=65 refused", rc == 1 and "at most 64" in err, err)


CONV_TENSOR_CORE = 5  # engine/ops/conv.h CONV_TACTIC_TENSOR_CORE


def conv_tactics(path):
    with open(path) as f:
        return [l["TacticValue"] for l in json.load(f)["Layers"] if l["LayerType"] == "Conv"]


def test_tactic_sources(exe, model, t):
    rc, out, err = run(exe, "--onnx", model, *PROFILE, "--skipInference", "--verbose",
                       "--tacticSources=-PORTABLE", f"--exportLayerInfo={t('src_tc.json')}")
    if check("--tacticSources=-PORTABLE builds", rc == 0, f"rc {rc}\n{out}{err}"):
        convs = conv_tactics(t("src_tc.json"))
        kept = len(re.findall(r"\(Conv\): none of its \d+ candidate kernels is from an allowed "
                              r"tactic source; it keeps them all", out))
        tc = sum(v == CONV_TENSOR_CORE for v in convs)
        check(f"-PORTABLE: each Conv is tensor-core ({tc}) or keeps its portable candidates "
              f"({kept}) of {len(convs)}", convs and tc + kept == len(convs) and all(convs),
              f"{convs}\n{out}")
    for level in ("3", "0"):
        rc, out, err = run(exe, "--onnx", model, *PROFILE, "--skipInference",
                           f"--builderOptimizationLevel={level}", "--tacticSources=-TENSOR_CORE",
                           f"--exportLayerInfo={t('src_p.json')}")
        if check(f"--tacticSources=-TENSOR_CORE at level {level} builds", rc == 0,
                 f"rc {rc}\n{out}{err}"):
            convs = conv_tactics(t("src_p.json"))
            check(f"-TENSOR_CORE at level {level}: no Conv on tensor cores",
                  convs and CONV_TENSOR_CORE not in convs, str(convs))
    rc, out, err = run(exe, "--onnx", model, *PROFILE, "--skipInference",
                       "--tacticSources=-portable,+Tensor_Core,+PORTABLE")
    check("--tacticSources names are case-insensitive, applied in order", rc == 0,
          f"rc {rc}\n{out}{err}")
    for bad, why in (("-CUDNN", "unknown tactic source 'CUDNN'"),
                     ("PORTABLE", "must start with + (enable) or - (disable)"),
                     ("-PORTABLE,-TENSOR_CORE", "disables every source")):
        rc, out, err = run(exe, "--onnx", model, *PROFILE, "--skipInference",
                           f"--tacticSources={bad}")
        check(f"--tacticSources={bad} refused", rc == 1 and why in err, f"rc {rc}\n{err}")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: test_tune.py TRTINFER_EXEC CASES_DIR")
    exe, case = sys.argv[1], os.path.join(sys.argv[2], "resnet_small")
    model = os.path.join(case, "model.onnx")
    with tempfile.TemporaryDirectory(prefix="trtinfer-tune-test-") as tmp:
        t = lambda f: os.path.join(tmp, f)  # noqa: E731
        test_profile(exe, model, case, t)
        test_timing_cache(exe, model, t)
        test_program_cache(exe, model, t)
        test_build_workers(exe, model, case, t)
        test_tactic_sources(exe, model, t)
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
