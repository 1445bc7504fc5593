#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Part of `make test`: every benchmark scenario for a fraction of a second,
# to prove the harness still works, then checks on the JSON it wrote
# (printed as "ok - ..." / "not ok - ..." lines). Not a measurement.
set -uo pipefail
cd "$(dirname "$0")/../.."
json=build/test-logs/bench-smoke.json
mkdir -p build/test-logs
second=$(( $(nproc) > 1 ? 1 : 0 ))
build/sluice-bench --no-huge -m 1024 --no-pci --no-telemetry --log-level=notice \
  --file-prefix "sl-smoke-$$" --lcores="0@0,1@$second" \
  -- --seconds 0.2 --json "$json" || { echo "not ok - sluice-bench ran"; exit 1; }
exec /usr/bin/python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
want = ["baseline", "established_1k", "established_100k", "established_1m",
        "established_4m", "new_connections", "mixed", "cross_worker", "churn"]
got = {s["name"]: s for s in r["scenarios"]}
bad = 0
def check(ok, what):
    global bad
    print(("ok - " if ok else "not ok - ") + what)
    bad += not ok
for name in want:
    s = got.get(name)
    check(s is not None and s["packets"] > 0 and s["mpps"] > 0,
          "bench scenario %s runs" % name)
lost = r.get("churn_packets_lost")
check(lost == 0, "bench churn loses no packet (lost %s)" % lost)
bpc = r.get("bytes_per_connection", 0)
check(0 < bpc <= 128, "bench: %d bytes per connection (<= 128)" % bpc)
sys.exit(1 if bad else 0)
PY
