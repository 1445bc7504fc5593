#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Run every test: the cmocka unit binaries build/tests/test_* (each of their
# tests counts), then every tests/e2e/test_*.sh (each script counts as one
# test; exit 0 = pass). `make test` builds first, then runs this.
#
#   tests/run.sh                 everything (but the cluster suite's heavy scripts)
#   tests/run.sh --unit          unit binaries only
#   tests/run.sh --e2e           end-to-end scripts only
#   tests/run.sh udp expiry      only tests whose name contains "udp" or "expiry"
#   tests/run.sh --cluster       the cluster lab's scripts (tests/e2e/test_cluster_*,
#                                issue 16's scenarios 1-6; `make test-cluster`)
#
# Scripts marked "# e2e-suite: cluster" (the heavy cluster scenarios)
# run only with --cluster or when a name filter picks them.
#
# Output: one line per test group, logs in build/test-logs/NAME.log (printed
# when the group fails), and the closing line "N passed, N failed". Exit 1
# when anything failed. The whole run stays within SUITE_BUDGET seconds
# (default 1020): each e2e script gets min(its "# e2e-timeout: N" line or
# 180, what is left of the budget); scripts that no longer fit fail as
# "not run".
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
LOGS=$ROOT/build/test-logs
SUITE_BUDGET=${SUITE_BUDGET:-1020}
mkdir -p "$LOGS"
# The robustness summary reads only logs written after this mark: a log
# left by an earlier run is not this run's result.
touch "$LOGS/.run-start"

run_unit=1 run_e2e=1 cluster=0 filters=()
for a in "$@"; do
  case $a in
    --unit) run_e2e=0 ;;
    --e2e) run_unit=0 ;;
    --cluster) run_unit=0 cluster=1 ;;
    -h | --help) sed -n '3,24s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) filters+=("$a") ;;
  esac
done

selected() {
  local f
  [ ${#filters[@]} -eq 0 ] && return 0
  for f in "${filters[@]}"; do [[ $1 == *"$f"* ]] && return 0; done
  return 1
}

passed=0 failed=0
start=$SECONDS

show_log() {
  local lines
  lines=$(wc -l <"$1")
  if [ "$lines" -gt 300 ]; then
    echo "    --- $1 (last 300 of $lines lines)"
    tail -n 300 "$1" | sed 's/^/    /'
  else
    echo "    --- $1"
    sed 's/^/    /' "$1"
  fi
  echo "    ---"
}

# A part whose program was not built fails: absent is not passed.
not_built() { # name, path
  failed=$((failed + 1))
  echo "FAIL $1 (not built: ${2#"$ROOT"/})"
}

# ---------------------------------------------------------------- unit
# run_unit_dir DIR LABEL: every cmocka binary DIR/test_*; each test counts.
# UNIT_JOBS (2) binaries run at a time (each has its own temporary paths
# and loopback ports); those whose source says "run.sh: alone" (bounds
# on wall-clock time that a neighbour on a 2-core machine breaks) run
# afterwards, one at a time. Results are tallied and printed in name
# order once all are done.
UNIT_JOBS=${UNIT_JOBS:-2}
unit_start() { # bin log: run in the background, exit status in LOG.status
  rm -f "$2.status"
  (st=0; timeout -k 5 120 "$1" >"$2" 2>&1 || st=$?; echo "$st" >"$2.status") &
}
run_unit_dir() {
  local dir=$1 label=$2 bin name log st p f note bins=() alone=() running=0
  shopt -s nullglob
  for bin in "$dir"/test_*; do
    if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then continue; fi
    name=$(basename "$bin")
    selected "$name" || selected "$label" || continue
    bins+=("$bin")
    if grep -qs 'run\.sh: alone' "$ROOT/tests/unit/$name.c"; then
      alone+=("$bin")
      continue
    fi
    if [ "$running" -ge "$UNIT_JOBS" ]; then wait -n; running=$((running - 1)); fi
    unit_start "$bin" "$LOGS/$label-$name.log"
    running=$((running + 1))
  done
  wait
  for bin in "${alone[@]}"; do
    unit_start "$bin" "$LOGS/$label-$(basename "$bin").log"
    wait
  done
  for bin in "${bins[@]}"; do
    name=$(basename "$bin")
    log=$LOGS/$label-$name.log
    st=$(cat "$log.status" 2>/dev/null || echo 1)
    rm -f "$log.status"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test(s).*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    note=""
    if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
      f=1
      note="; exit status $st$([ "$st" -eq 124 ] && echo ' (timeout 120s)')"
    elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
      f=1
      note="; ran no test"
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -eq 0 ]; then
      echo "PASS $label/$name ($p tests)"
    else
      echo "FAIL $label/$name ($p passed, $f failed$note)"
      show_log "$log"
    fi
  done
  # Every unit test source has its binary.
  for src in "$ROOT"/tests/unit/test_*.c; do
    name=$(basename "$src" .c)
    selected "$name" || selected "$label" || continue
    [ -x "$dir/$name" ] || not_built "$label/$name" "$dir/$name"
  done
  shopt -u nullglob
}

if [ $run_unit -eq 1 ]; then
  run_unit_dir "$ROOT/build/tests" unit
fi

# ------------------------------------------------- in-process harnesses
# Programs that drive the real worker in-process (EAL with --no-huge):
# the NAT conformance checks (one test per "ok -" line) and a short run of
# every benchmark scenario (the harness works; churn loses nothing).
eal() { echo --no-huge -m 1024 --no-pci --no-telemetry --log-level=notice --file-prefix "sl-test-$1-$$"; }

run_checks() { # name, log, command...: count "ok -" / "not ok -" lines
  local name=$1 log=$2 st=0 p f
  shift 2
  timeout -k 5 300 "$@" >"$log" 2>&1 || st=$?
  p=$(grep -c '^ok - ' "$log")
  f=$(grep -c '^not ok - ' "$log")
  if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$f" -eq 0 ] && [ "$p" -gt 0 ]; then
    echo "PASS $name ($p checks)"
  else
    [ "$p" -gt 0 ] || failed=$((failed + 1))
    echo "FAIL $name ($p passed, $f failed, exit status $st)"
    show_log "$log"
  fi
}

if [ $run_unit -eq 1 ]; then
  # Folder layering (tests/layout/README.md), and its self-test.
  if selected layout; then
    run_checks layout "$LOGS/layout.log" python3 "$ROOT/tests/layout/check_layout.py"
  fi
  if selected layout-selftest; then
    run_checks layout-selftest "$LOGS/layout-selftest.log" bash "$ROOT/tests/layout/test_check_layout.sh"
  fi
  # Install, man pages, completion, package (tests/pkg/): one group each.
  for t in "$ROOT"/tests/pkg/test_*.sh; do
    name=pkg/$(basename "$t" .sh)
    selected "$name" || continue
    run_checks "$name" "$LOGS/pkg-$(basename "$t" .sh).log" bash "$t"
  done
  if selected conformance && [ ! -x "$ROOT/build/sluice-conformance" ]; then
    not_built conformance/nat "$ROOT/build/sluice-conformance"
  elif selected conformance; then
    run_checks conformance/nat "$LOGS/conformance.log" \
      "$ROOT/build/sluice-conformance" $(eal conf) -l 0 -- 1
    run_checks conformance/nat-2-workers "$LOGS/conformance-2.log" \
      "$ROOT/build/sluice-conformance" $(eal conf2) -l 0 -- 2
    run_checks conformance/nat-3-workers "$LOGS/conformance-3.log" \
      "$ROOT/build/sluice-conformance" $(eal conf3) -l 0 -- 3
  fi
  if selected bench && [ ! -x "$ROOT/build/sluice-bench" ]; then
    not_built perf/smoke "$ROOT/build/sluice-bench"
  elif selected bench; then
    run_checks perf/smoke "$LOGS/bench-smoke.log" bash "$ROOT/tests/perf/smoke.sh"
  fi
fi

# --------------------------------------------- sanitizers and fuzzing
# The same unit tests and conformance checks built by `make san` under
# ASan+UBSan (any report fails the binary), then each libFuzzer target for
# FUZZ_TEST_SECONDS from its seed corpus (one test per target).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
FUZZ_TEST_SECONDS=${FUZZ_TEST_SECONDS:-25}
fuzz_lines=()
if [ $run_unit -eq 1 ] && [ ! -d "$ROOT/build/san" ]; then
  if selected san || selected conformance || selected fuzz; then
    not_built san "$ROOT/build/san (make san)"
  fi
elif [ $run_unit -eq 1 ]; then
  run_unit_dir "$ROOT/build/san/tests" san
  if (selected conformance || selected san) && [ ! -x "$ROOT/build/san/sluice-conformance" ]; then
    not_built san/conformance "$ROOT/build/san/sluice-conformance"
  elif selected conformance || selected san; then
    run_checks san/conformance "$LOGS/san-conformance.log" \
      "$ROOT/build/san/sluice-conformance" $(eal sanconf) -l 0
  fi
  if selected fuzz; then
    # Two targets at a time (each is one process on about one CPU, EAL
    # without shared files): packet and ctl together, then config; each
    # still gets FUZZ_TEST_SECONDS of its own.
    fuzz_one() { # target: its line in $LOGS/fuzz-TARGET.line, status in .status
      local st=0
      bash "$ROOT/tests/fuzz/run.sh" "$FUZZ_TEST_SECONDS" "$1" >"$LOGS/fuzz-$1.line" 2>&1 || st=$?
      echo "$st" >"$LOGS/fuzz-$1.status"
    }
    rm -f "$LOGS"/fuzz-*.status
    fuzz_one packet &
    fuzz_one ctl &
    wait
    fuzz_one config
    for t in packet ctl config; do
      st=$(cat "$LOGS/fuzz-$t.status" 2>/dev/null || echo 1)
      line=$(cat "$LOGS/fuzz-$t.line")
      fuzz_lines+=("$(head -n 1 <<<"$line")")
      if [ "$st" -eq 0 ]; then
        passed=$((passed + 1))
        echo "PASS $(head -n 1 <<<"$line")"
      else
        failed=$((failed + 1))
        echo "FAIL $line"
      fi
    done
  fi
fi

# ---------------------------------------------------------------- e2e
if [ $run_e2e -eq 1 ]; then
  shopt -s nullglob
  for script in "$ROOT"/tests/e2e/test_*.sh; do
    name=$(basename "$script" .sh)
    selected "$name" || continue
    if [ $cluster -eq 1 ]; then
      [[ $name == test_cluster_* ]] || continue
    elif [ ${#filters[@]} -eq 0 ] && grep -q '^# e2e-suite: cluster' "$script"; then
      continue # make test-cluster's
    fi
    log=$LOGS/e2e-$name.log
    own=$(sed -n 's/^# e2e-timeout: *\([0-9][0-9]*\).*/\1/p' "$script" | head -n 1)
    own=${own:-180}
    left=$((SUITE_BUDGET - (SECONDS - start)))
    if [ "$left" -lt 30 ]; then
      failed=$((failed + 1))
      echo "FAIL e2e/$name (not run: suite budget of ${SUITE_BUDGET}s used up)"
      continue
    fi
    limit=$(( own < left ? own : left ))
    t0=$SECONDS
    st=0
    timeout -k 10 "$limit" bash "$script" >"$log" 2>&1 </dev/null || st=$?
    dt=$((SECONDS - t0))
    nok=$(grep -c '^ok - ' "$log")
    nnot=$(grep -c '^not ok - ' "$log")
    if [ "$st" -eq 0 ]; then
      passed=$((passed + 1))
      echo "PASS e2e/$name ($nok checks, ${dt}s)"
    else
      failed=$((failed + 1))
      why="exit status $st"
      if [ "$st" -eq 124 ] || [ "$st" -eq 137 ]; then
        why="timed out after ${limit}s"
        # Its EXIT trap may not have run: remove what it left. The lab's
        # prefix: "# lab-prefix: P" in the test's header, else the base
        # (LAB_TEST_PREFIX_BASE, else "# e2e-prefix-base: B", else slt)
        # and the test's name.
        pfx=$(sed -n 's/^# lab-prefix: *\([A-Za-z0-9_-]*\).*/\1/p' "$script" | head -n 1)
        base=$(sed -n 's/^# e2e-prefix-base: *\([A-Za-z0-9_-]*\).*/\1/p' "$script" | head -n 1)
        bash "$ROOT/scripts/lab.sh" down --prefix "${pfx:-${LAB_TEST_PREFIX_BASE:-${base:-slt}}-${name#test_}}" >>"$log" 2>&1 || true
      fi
      echo "FAIL e2e/$name ($nnot of $((nok + nnot)) checks failed, $why, ${dt}s)"
      show_log "$log"
    fi
  done
  shopt -u nullglob
fi

[ "${ROBUSTNESS_SUMMARY:-1}" = 1 ] && [ $cluster -eq 0 ] && bash "$ROOT/tests/robustness_summary.sh" "${fuzz_lines[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
