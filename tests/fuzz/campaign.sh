#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A long fuzzing campaign (make fuzz-campaign HOURS=N): every target for
# HOURS hours (fractions allowed), FUZZ_JOBS of them at once (default: one
# per core), each in libFuzzer's fork mode so a crash is saved and the
# run goes on. FUZZ_RUNS=N also stops a target once N inputs have run
# (whichever comes first; fork mode stops at its next job boundary, so
# the count ends a little above N). Afterwards the inputs that add coverage are merged,
# minimised (-merge=1), into tests/fuzz/corpus/TARGET/ for review and
# commit, and build/fuzz/campaign/summary.txt says per target: inputs
# run, coverage (libFuzzer's cov and ft), crashes, corpus entries added.
#
#   tests/fuzz/campaign.sh HOURS [TARGET...]     targets: packet ctl config
#
# FUZZ_INPROCESS=1 runs each target as one process instead (no fork
# mode): no start-up per job, so more inputs a second, but the first
# crash ends that target's run (its input is saved all the same).
#
# FUZZ_OUT (default build/fuzz/campaign) lets two campaigns run side by
# side, e.g. one target pinned to a core with taskset and the others on
# the rest: FUZZ_OUT=build/fuzz/c-ctl taskset -c 1 campaign.sh 1.3 ctl.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
HOURS=${1:?usage: campaign.sh HOURS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(packet ctl config)
secs=$(awk -v h="$HOURS" 'BEGIN { s = int(h * 3600); print (s < 1 ? 1 : s) }')
jobs=${FUZZ_JOBS:-$(nproc)}
BIN=${FUZZ_BIN:-$ROOT/build/san/fuzz}
OUT=${FUZZ_OUT:-$ROOT/build/fuzz/campaign}
declare -A max_len=([packet]=2048 [ctl]=4096 [config]=8192)
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

rm -rf "$OUT"
mkdir -p "$OUT/artifacts"
for t in "${targets[@]}"; do
  [ -x "$BIN/fuzz_$t" ] || { echo "fuzz_$t not built (make san)"; exit 1; }
done

echo "campaign: ${targets[*]} for $secs s each, $jobs at a time"
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  mkdir -p "$OUT/$t/new"
  opts=(-max_total_time="$secs" -max_len="${max_len[$t]}" -timeout=20
        -rss_limit_mb=3072 -artifact_prefix="$OUT/artifacts/$t-")
  [ "${FUZZ_INPROCESS:-0}" = 1 ] ||
    opts+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  [ -n "${FUZZ_RUNS:-}" ] && opts+=(-runs="$FUZZ_RUNS")
  [ -f "tests/fuzz/$t.dict" ] && opts+=(-dict="tests/fuzz/$t.dict")
  "$BIN/fuzz_$t" "${opts[@]}" "$OUT/$t/new" "tests/fuzz/corpus/$t" \
    >"$OUT/$t/log" 2>&1 &
done
wait

summary=$OUT/summary.txt
: >"$summary"
for t in "${targets[@]}"; do
  corpus=tests/fuzz/corpus/$t
  before=$(find "$corpus" -type f | wc -l)
  # Only what adds coverage to the committed corpus, smallest first.
  "$BIN/fuzz_$t" -merge=1 -max_len="${max_len[$t]}" "$corpus" "$OUT/$t/new" \
    >"$OUT/$t/merge.log" 2>&1
  added=$(( $(find "$corpus" -type f | wc -l) - before ))
  # Status lines: fork mode's "#RUNS: cov: C ft: F corp: ...", one
  # process's "#RUNS<TAB>NEW cov: C ft: F ...".
  last=$(grep -E '^#[0-9]+(:|[[:space:]]+[A-Z]+) +cov: [0-9]+ ft: [0-9]+' "$OUT/$t/log" | tail -n 1)
  runs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  crashes=$(find "$OUT/artifacts" -name "$t-*" | wc -l)
  echo "fuzz/$t: ${runs:-0} inputs in $secs s, cov ${cov:-?}, ft ${ft:-?}," \
       "$crashes crashes ($OUT/artifacts), $added corpus entries added" \
    | tee -a "$summary"
done
echo "summary: $summary; new corpus entries are in tests/fuzz/corpus/ (git status)"
