#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# End-to-end scenarios against sluice built under ASan and UBSan (`make
# san`: build/san/sluice): HTTP through a wrr VIP, the malformed-frame
# suite, and the control-plane suite (hostile requests, config apply,
# save, SIGHUP). Each must pass as it does with the normal build, and the
# sanitizers must report nothing: no memory error, no undefined
# behaviour, no leak at exit (reports go to build/test-logs/san-reports/).
# e2e-timeout: 240
# lab-prefix: h6-san
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SAN=${SAN_SLUICE:-$ROOT/build/san/sluice}
REPORTS=$ROOT/build/test-logs/san-reports
SCENARIOS=${SAN_SCENARIOS:-"test_http_wrr test_malformed test_h6_ctl"}
fails=0

if [ ! -x "$SAN" ]; then
  echo "not ok - [san] $SAN exists (run make san)"
  exit 1
fi
rm -rf "$REPORTS"
mkdir -p "$REPORTS"
export SLUICE=$SAN
export ASAN_OPTIONS="log_path=$REPORTS/asan:detect_leaks=1:halt_on_error=1"
export UBSAN_OPTIONS="log_path=$REPORTS/ubsan:print_stacktrace=1:halt_on_error=1"

for s in $SCENARIOS; do
  st=0
  LAB_TEST_PREFIX=h6-san-${s#test_} bash "$ROOT/tests/e2e/$s.sh" >"$REPORTS/$s.log" 2>&1 || st=$?
  sed -n 's/^\(not \)\{0,1\}ok - /&['"${s#test_}"'] /p' "$REPORTS/$s.log"
  if [ "$st" -eq 0 ]; then
    echo "ok - [san] $s passes against the sanitized sluice"
  else
    echo "not ok - [san] $s passes against the sanitized sluice (status $st)"
    tail -n 30 "$REPORTS/$s.log" | sed 's/^/#   /'
    fails=$((fails + 1))
  fi
done

reports=$(find "$REPORTS" -name 'asan.*' -o -name 'ubsan.*' | sort)
if [ -z "$reports" ]; then
  echo "ok - [san] no ASan, UBSan or LeakSanitizer report"
else
  echo "not ok - [san] no ASan, UBSan or LeakSanitizer report"
  for r in $reports; do
    echo "#   --- $r"
    head -n 40 "$r" | sed 's/^/#   /'
  done
  fails=$((fails + 1))
fi
[ "$fails" -eq 0 ]
