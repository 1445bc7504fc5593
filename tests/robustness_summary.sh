#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The robustness summary tests/run.sh prints before its closing line, from
# the logs of this run (build/test-logs/) and the fuzz result lines it was
# given as arguments ("fuzz/TARGET: N execs in S s, C crashes, ...").
# Parts that did not run this time say so.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 0
LOGS=build/test-logs

count() { grep -c -- "$1" "$2" 2>/dev/null || true; }
# fresh LOG: the log exists and this run wrote it (tests/run.sh marks its
# start with $LOGS/.run-start).
fresh() { [ -f "$1" ] && { [ ! -f "$LOGS/.run-start" ] || [ "$1" -nt "$LOGS/.run-start" ]; }; }

fuzz_part() {
  local line execs=() crashes=0 drops=""
  for line in "$@"; do
    [[ $line =~ ^fuzz/([a-z]+):\ ([0-9]+)\ execs.*\ ([0-9]+)\ crashes ]] || continue
    execs+=("${BASH_REMATCH[1]} ${BASH_REMATCH[2]}")
    crashes=$((crashes + BASH_REMATCH[3]))
    [[ $line =~ drop\ reasons\ exercised\ ([0-9]+\ of\ [0-9]+) ]] && drops=${BASH_REMATCH[1]}
  done
  if [ ${#execs[@]} -eq 0 ]; then
    echo "  fuzzing      not run"
    return
  fi
  local joined
  joined=$(printf '%s, ' "${execs[@]}")
  echo "  fuzzing      ${joined%, } execs; $crashes crashes" \
    "($(find tests/fuzz/corpus -type f | wc -l) corpus inputs replayed," \
    "$(find tests/fuzz/corpus -name 'crash-*' | wc -l) of them earlier finds)"
  [ -n "$drops" ] && echo "               drop reasons the packet fuzzer reached: $drops"
}

san_part() {
  local tests=0 f
  for f in "$LOGS"/san-test_*.log; do
    fresh "$f" || continue
    tests=$((tests + $(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$f" | awk '{s+=$1} END {print s+0}')))
  done
  local conf e2e="not run"
  fresh "$LOGS/san-conformance.log" && conf=$(count '^ok - ' "$LOGS/san-conformance.log")
  if fresh "$LOGS/e2e-test_h6_sanitized.log"; then
    e2e="$(count '^ok - \[san\] test_' "$LOGS/e2e-test_h6_sanitized.log") e2e scenarios passed,"
    if grep -q '^ok - \[san\] no ASan' "$LOGS/e2e-test_h6_sanitized.log"; then
      e2e+=" no report"
    else
      e2e+=" REPORTS in build/test-logs/san-reports"
    fi
  fi
  if [ "$tests" -eq 0 ] && [ -z "${conf:-}" ] && [ "$e2e" = "not run" ]; then
    echo "  sanitizers   not run"
    return
  fi
  echo "  sanitizers   ASan+UBSan: $tests unit tests, ${conf:-0} conformance checks passed; $e2e"
}

malformed_part() {
  local f=$LOGS/e2e-test_malformed.log
  if ! fresh "$f"; then
    echo "  malformed    not run"
    return
  fi
  echo "  malformed    $(count '^ok - .*: drops\.' "$f") frame classes sent and dropped under" \
    "their reason, $(count '^not ok - .*: drops\.' "$f") not; TTL 1 answered:" \
    "$(grep -q '^ok - TTL 1 to the VIP: ICMP time exceeded' "$f" && echo yes || echo no)"
}

# cases LABEL LOG TAG NAME...: NAME passed if it has an "ok - [TAG] NAME"
# line and no "not ok - [TAG] NAME" line.
cases() {
  local label=$1 log=$LOGS/$2 tag=$3 name passed=0 total=0 failed=()
  shift 3
  if ! fresh "$log"; then
    printf '  %-12s not run\n' "$label"
    return
  fi
  for name in "$@"; do
    total=$((total + 1))
    if grep -q "^ok - \[$tag\] $name" "$log" && ! grep -q "^not ok - \[$tag\] $name" "$log"; then
      passed=$((passed + 1))
    else
      failed+=("$name")
    fi
  done
  printf '  %-12s %d of %d passed%s\n' "$label" "$passed" "$total" \
    "${failed[*]:+ (failed: ${failed[*]})}"
}

echo "Robustness summary"
fuzz_part "$@"
san_part
malformed_part
cases exhaustion e2e-test_h6_exhaust.log exhaust "table full" "ports exhausted" mbufs \
  neighbors "steering ring"
cases flood e2e-test_h6_flood.log flood "50 MB download" "the half-open entries expired" \
  "afterwards"
cases faults e2e-test_h6_faults.log fault "9 out-of-window" "the connection is still" \
  "the upload under" "rs1's client" "rs2's client" "sluice started again" \
  "VIPs, servers" "new connections work"
f=$LOGS/e2e-test_h6_ctl.log
if fresh "$f"; then
  echo "  control      $(count '^ok - ' "$f") checks passed, $(count '^not ok - ' "$f") failed" \
    "(limits, hostile requests, slow and many clients, apply/save/SIGHUP)"
else
  echo "  control      not run"
fi
# Issue 19.1/19.4 and 19.12: the control loop's fairness, socket access;
# issue 17: scrapers of /metrics.
for part in "fairness:ctl_fair:a pipelining client, a closing client" \
            "access:ctl_auth:read-only socket, directory check, changes logged" \
            "scrapers:metrics:/metrics: slow and 50 looping scrapers, Prometheus rate()"; do
  IFS=: read -r label name what <<<"$part"
  f=$LOGS/e2e-test_$name.log
  if fresh "$f"; then
    printf '  %-12s %s checks passed, %s failed (%s)\n' "$label" \
      "$(count '^ok - ' "$f")" "$(count '^not ok - ' "$f")" "$what"
  else
    printf '  %-12s not run\n' "$label"
  fi
done
exit 0
