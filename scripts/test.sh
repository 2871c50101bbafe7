#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (meson test). Ends with the line
# "N passed, N failed" counting meson tests; each test's own report is in
# build/meson-logs/testlog.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
meson test -C build --print-errorlogs --num-processes "${TRT_TEST_JOBS:-2}" "$@"
rc=$?
python3 - <<'PY'
import json
ok = bad = 0
with open("build/meson-logs/testlog.json") as f:
    for line in f:
        r = json.loads(line)
        if r["result"] in ("OK", "EXPECTEDFAIL", "SKIP"):
            ok += r["result"] != "SKIP"
        else:
            bad += 1
print(f"{ok} passed, {bad} failed")
PY
exit $rc
