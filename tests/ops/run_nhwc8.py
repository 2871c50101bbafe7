#!/usr/bin/env python3
"""The 'ops-nhwc8' test: the Conv op cases (cases_conv.py) and the NHWC8 networks
(cases_nhwc.py) run with TRT_LAYOUT=nhwc8, so that every 2-D Conv the layout pass accepts
(group 1 or depthwise) runs the portable NHWC8 kernels of engine/ops/conv_nhwc.c, with the
pools of those networks inside the NHWC8 region when the pass puts them there.

Two runs of run_cases, both with --all-tactics (every candidate kernel, i.e. every OCB / PIX
variant, is checked against onnxruntime, not only the one the timing picks):
  1. FP32, the default tolerances;
  2. FP16 (--fp16 1e-2), the float16 storage of the same kernels, on cases_nhwc.py only.
The cases of cases_pool.py are left out: a pool alone reads a graph input, which stays
LINEAR, so they would only repeat the 'ops' test.

The test also fails when the layout pass stopped choosing NHWC8: every nhwc_* case must log
"runs NHWC8" (TRT_LOG_LEVEL=3) for each of its layers that should (a pool case's three:
conv, pool, conv), and at least MIN_CONV of the Conv op cases once.

Usage: run_nhwc8.py OUTDIR RUN_CASES
"""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_cases  # noqa: E402

FILES = ("cases_conv.py", "cases_nhwc.py")
# 2-D Convs with group 1 or depthwise among cases_conv.py's 37 Conv cases: 27 when this
# was written. Fewer means the layout pass skips layers it took before.
MIN_CONV = 25


def generate(outdir):
    sys.dont_write_bytecode = True
    files = [(p, m) for p, m in gen_cases.load_case_files() if os.path.basename(p) in FILES]
    if len(files) != len(FILES):
        sys.exit(f"run_nhwc8: expected {FILES} in {HERE}")
    tmp = outdir.rstrip("/") + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    n, _ = gen_cases.write_all(files, tmp, None)
    shutil.rmtree(outdir, ignore_errors=True)
    os.rename(tmp, outdir)
    return n


def run(run_cases, args, env):
    """Runs run_cases; returns (exit status, {case: NHWC8 layer messages}, output)."""
    p = subprocess.run([run_cases] + args, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    per_case, case = {}, None
    for line in p.stdout.splitlines():
        m = re.match(r"^(\S+)\s", line)
        if m and not line.startswith("[trt"):
            case = m.group(1)
        if case and "runs NHWC8" in line:
            per_case[case] = per_case.get(case, 0) + 1
    return p.returncode, per_case, p.stdout


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    outdir, run_cases = sys.argv[1], sys.argv[2]
    try:
        n = generate(outdir)
    except gen_cases.CaseError as e:
        sys.exit(f"run_nhwc8: {e}")
    names = sorted(os.listdir(outdir))
    nhwc = [c for c in names if c.startswith("nhwc_")]
    print(f"run_nhwc8: {n} cases ({len(nhwc)} nhwc_*) into {outdir}", flush=True)
    env = dict(os.environ, TRT_LAYOUT="nhwc8", TRT_LOG_LEVEL="3")
    failed = []
    runs = ((["--all-tactics", outdir], "FP32", names),
            (["--fp16", "1e-2", "--all-tactics"] + [os.path.join(outdir, c) for c in nhwc],
             "FP16", nhwc))
    for args, what, cases in runs:
        rc, per_case, out = run(run_cases, args, env)
        summary = [l for l in out.splitlines() if re.search(r"\d+ passed, \d+ failed", l)]
        print(f"{what}: {summary[-1] if summary else 'no summary line'}", flush=True)
        if rc != 0:
            print("\n".join(l for l in out.splitlines()
                            if "FAIL" in l or "error" in l.lower())[-6000:])
            failed.append(f"{what}: run_cases exited with {rc}")
        missing = [c for c in cases if c.startswith("nhwc_") and
                   per_case.get(c, 0) < (3 if "pool_" in c else 1)]
        if missing:
            failed.append(f"{what}: too few layers ran NHWC8 in {', '.join(missing)}")
        n_conv = sum(1 for c in cases if c.startswith("conv_") and per_case.get(c))
        if what == "FP32" and n_conv < MIN_CONV:
            failed.append(f"{what}: only {n_conv} Conv op cases ran NHWC8 (expected at least "
                          f"{MIN_CONV}); did the layout pass (TRT_LAYOUT=nhwc8) change?")
    for f in failed:
        print(f"run_nhwc8: FAILED: {f}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
