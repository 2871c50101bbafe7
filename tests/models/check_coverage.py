#!/usr/bin/env python3
"""Checks that the whole-model tests use every op of engine/ops/ops.def, plus Constant.

Usage: check_coverage.py OPS_DEF

Builds the models of make_models.py in memory (no files, no onnxruntime) and fails, listing
them, on any op of ops.def that no model uses and on any op a model uses that ops.def lacks
(run_cases would skip such a model instead of testing it).
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_models  # noqa: E402


def ops_def_types(path):
    with open(path) as f:
        text = f.read()
    types = re.findall(r'^\s*TRT_OP\(\s*\w+\s*,\s*"([^"]+)"', text, flags=re.M)
    if not types:
        sys.exit(f"check_coverage.py: no TRT_OP(...) entries found in {path}")
    return set(types)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().split("\n\n")[1])
    wanted = ops_def_types(sys.argv[1]) | {"Constant"}
    used = {}
    for name, model, _, _ in make_models.build_all():
        for node in model.graph.node:
            op = node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}:{node.op_type}"
            used.setdefault(op, set()).add(name)
    missing = sorted(wanted - used.keys())
    unknown = sorted(used.keys() - wanted)
    for op in sorted(wanted & used.keys()):
        print(f"{op:20s} {', '.join(sorted(used[op]))}")
    if unknown:
        for op in unknown:
            print(f"NOT IN ops.def: {op} (used by {', '.join(sorted(used[op]))}); run_cases "
                  "would skip these models")
    if missing:
        print(f"NOT COVERED: {len(missing)} op(s) of ops.def used by no model: "
              f"{', '.join(missing)}; add them to a model in tests/models/make_models.py")
    if missing or unknown:
        return 1
    print(f"all {len(wanted)} ops (ops.def + Constant) are used by the model tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
