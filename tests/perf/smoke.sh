#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Part of `make test`: every benchmark scenario for a fraction of a second,
# to prove the harness still works, then checks on the JSON it wrote
# (printed as "ok - ..." / "not ok - ..." lines): every frame in came out
# of every scenario (cross_worker may drop at steer_ring_full). Then one scenario again with the harness throwing
# away one frame in 1000, which must fail it (exit 3, "failed" in the
# JSON): the accounting can fail; and the handshake row with sync on
# sending no record (--sync-lose), which must fail it too. Not a
# measurement.
set -uo pipefail
cd "$(dirname "$0")/../.."
json=build/test-logs/bench-smoke.json
mkdir -p build/test-logs
second=$(( $(nproc) > 1 ? 1 : 0 ))
lossy=build/test-logs/bench-smoke-lossy.json
bench() {
  build/sluice-bench --no-huge -m 1024 --no-pci --no-telemetry --log-level=notice \
    --file-prefix "sl-smoke-$$" --lcores="0@0,1@$second" \
    -- --seconds 0.1 --cold-mbufs 16384 "$@"
}
bench --json "$json" || { echo "not ok - sluice-bench ran (exit $?)"; exit 1; }
rm -f "$lossy"
bench --json "$lossy" --only established_1k --lose-every 1000 >/dev/null 2>&1
lossy_rc=$?
synclost=build/test-logs/bench-smoke-synclost.json
rm -f "$synclost"
bench --json "$synclost" --only new_connections_handshake_sync --sync-lose >/dev/null 2>&1
synclost_rc=$?
exec /usr/bin/python3 - "$json" "$lossy" "$lossy_rc" "$synclost" "$synclost_rc" <<'PY'
import json, os, sys
r = json.load(open(sys.argv[1]))
want = ["baseline", "established_1k", "established_1k_real", "established_100k",
        "established_1m", "established_1m_real", "established_4m",
        "new_connections", "new_connections_real", "new_connections_handshake",
        "established_1k_sync", "new_connections_sync", "new_connections_handshake_sync",
        "fnat66_established_1k",
        "fnat66_established_1m", "nat64_established_1m", "fnat66_new_connections", "mixed", "cross_worker",
        "churn", "one_lip_1m"]
got = {s["name"]: s for s in r["scenarios"]}
bad = 0
def check(ok, what):
    global bad
    print(("ok - " if ok else "not ok - ") + what)
    bad += not ok
for name in want:
    s = got.get(name)
    check(s is not None and s["packets"] > 0 and s["mpps"] > 0 and s["runs"] >= 3,
          "bench scenario %s runs 3 times" % name)
    if s is None:
        continue
    # Out as expected (every frame in, less cross_worker's steer_ring_full
    # drops), and no frame neither out nor dropped.
    check(s["packets_out"] >= s["packets_expected_out"] and not s["failed"]
          and s["packets_out"] + s["packets_dropped"] == s["packets_in"],
          "bench %s: every frame in came out (%d in, %d out, drops %s)"
          % (name, s["packets_in"], s["packets_out"], s["drops"]))
check(not r["failed"], "bench: no scenario failed")
lost = r.get("churn_packets_lost")
check(lost == 0, "bench churn loses no packet (lost %s)" % lost)
# Issue 15's budgets at 2^22, every per-worker structure counted: v4 96,
# v6 160 bytes. At 3,000,000 the index rounds up to the next power of
# two (44 bytes a connection instead of 32): 32 more allowed there.
for key, most in (("bytes_per_connection", 96), ("bytes_per_connection_3m", 128),
                  ("bytes_per_connection_v6", 160), ("bytes_per_connection_v6_3m", 192)):
    bpc = r.get(key, 0)
    check(0 < bpc <= most, "bench: %s %d (<= %d)" % (key, bpc, most))
# Each v6 row is measured beside its v4 twin, with its family's bytes.
for name in want:
    s = got.get(name) or {}
    if not name.startswith("fnat66_"):
        continue
    twin = got.get(s.get("v4_equivalent"), {})
    check(s.get("ratio_to_v4", 0) > 0 and twin.get("bytes_per_connection") == r.get("bytes_per_connection")
          and s.get("bytes_per_connection") == r.get("bytes_per_connection_v6"),
          "bench %s: beside %s, bytes per connection %s (v4 %s)"
          % (name, s.get("v4_equivalent"), s.get("bytes_per_connection"),
             twin.get("bytes_per_connection")))
# Session sync (issue 16): each connection a row opens in full sends one
# NEW record in datagrams; SYNs alone send none.
for name, opened in (("new_connections_handshake_sync", True),
                     ("established_1k_sync", True), ("new_connections_sync", False)):
    y = (got.get(name) or {}).get("sync") or {}
    if opened:
        # A NEW sent for each connection, none lost to a full sync ring:
        # the control turn drains the rings until empty, and comes as soon
        # as a ring passes its wake mark (tests/perf/README.md).
        ok = (y.get("connections", 0) > 0 and y.get("records_new", 0) > 0
              and y.get("ring_lost") == 0
              and y.get("records_new", 0) == y.get("connections")
              and y.get("datagrams", 0) > 0 and y.get("bytes_per_connection", 0) > 0)
    else:
        ok = y.get("records_new") == 0 and y.get("connections", 0) > 0
    check(ok and y.get("failed") is False and y.get("ratio_to_off", 0) > 0,
          "bench %s: sync records %s NEW (%s lost to a full ring) for %s connections, %s datagrams, %.1f bytes each"
          % (name, y.get("records_new"), y.get("ring_lost"), y.get("connections"), y.get("datagrams"),
             y.get("bytes_per_connection", 0)))
check(r.get("sync_bytes_per_new_connection", 0) > 0,
      "bench: sync bytes per new connection %s" % r.get("sync_bytes_per_new_connection"))
sl = json.load(open(sys.argv[4])) if os.path.exists(sys.argv[4]) else {}
ss = (sl.get("scenarios") or [{}])[0]
check(sys.argv[5] == "3" and sl.get("failed") is True and ss.get("failed") is True
      and (ss.get("sync") or {}).get("failed") is True,
      "bench: a sync row that sends no record fails (exit %s)" % sys.argv[5])
lossy = json.load(open(sys.argv[2])) if os.path.exists(sys.argv[2]) else {}
ls = (lossy.get("scenarios") or [{}])[0]
check(sys.argv[3] == "3" and lossy.get("failed") is True and ls.get("failed") is True
      and ls.get("packets_out", 0) < ls.get("packets_in", 0),
      "bench: a run that loses frames fails (exit %s)" % sys.argv[3])
sys.exit(1 if bad else 0)
PY
