#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Run the libFuzzer targets (built by `make san` into build/san/fuzz/) for
# SECONDS each, starting from the committed seed corpus.
#
#   tests/fuzz/run.sh SECONDS [TARGET...]     targets: packet ctl config
#
# New corpus entries go to build/fuzz/work/TARGET (never into the repo),
# crashes to build/fuzz/artifacts/. One line per target:
#   fuzz/TARGET: N execs in S s, C crashes[, extra]
# Exit 1 if any target crashed or did not run.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
SECONDS_EACH=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(packet ctl config)
BIN=${FUZZ_BIN:-$ROOT/build/san/fuzz}
OUT=$ROOT/build/fuzz
mkdir -p "$OUT/artifacts" "$OUT/logs"

declare -A max_len=([packet]=2048 [ctl]=4096 [config]=8192)
# Reports go to stderr and stop the target; libFuzzer saves the input.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
for t in "${targets[@]}"; do
  bin=$BIN/fuzz_$t
  log=$OUT/logs/$t.log
  work=$OUT/work/$t
  if [ ! -x "$bin" ]; then
    echo "fuzz/$t: not built ($bin; run make san)"
    status=1
    continue
  fi
  rm -rf "$work"
  mkdir -p "$work"
  rm -f "$OUT/artifacts/$t-"*
  opts=(-max_total_time="$SECONDS_EACH" -max_len="${max_len[$t]:-4096}" -timeout=20
        -rss_limit_mb=3072 -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$t-")
  [ -f "tests/fuzz/$t.dict" ] && opts+=(-dict="tests/fuzz/$t.dict")
  st=0
  timeout -k 10 $((SECONDS_EACH + 120)) "$bin" "${opts[@]}" "$work" "tests/fuzz/corpus/$t" \
    >"$log" 2>&1 || st=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
  crashes=$(find "$OUT/artifacts" -name "$t-*" | wc -l)
  extra=$(sed -n 's/^fuzz_packet: drop reasons exercised: //p' "$log" | tail -n 1)
  extra=${extra:+, drop reasons exercised $extra}
  if [ "$st" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
  echo "fuzz/$t: ${execs:-0} execs in ${secs:-?} s, $crashes crashes$extra"
  if [ "$crashes" -ne 0 ]; then
    status=1
    echo "    --- $log (last 40 lines); input saved in $OUT/artifacts/"
    grep -v '^#\|NEW_FUNC' "$log" | tail -n 40 | sed 's/^/    /'
    echo "    Fix it, then add the input to tests/fuzz/corpus/$t/."
  fi
done
exit $status
