#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Least connections balances long-lived connections by count, not by
# arrival (issue 5). An lc VIP with rs1 (weight 1) and rs2 drained
# (weight 0):
#   - 6 long requests (/sleep 6 s) all go to rs1, the only server;
#   - rs2 is undrained and 6 more long requests arrive: lc sends them all
#     to rs2, which has none (rr would split them 3/3 and leave rs1 with 9,
#     rs2 with 3); rs list then shows 6 and 6 open connections. The
#     requests arrive on both workers, each of which sees the other's
#     connections as the control thread last summed them (10 ms ago at
#     most when idle), so one of them is allowed to go astray;
#   - wlc, weights 1:2, rs1 holding 3 long requests: 9 more go 1 to rs1,
#     8 to rs2 (open/weight even at 4/1 and 8/2; wrr would split them
#     3/6, lc 3/6).
# e2e-timeout: 60
# e2e-prefix-base: h5
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

LAB_TEST_PREFIX_BASE=${LAB_TEST_PREFIX_BASE:-h5} # labs h5-NAME
lab_test_begin lc
lab_std_start --servers 2

V=$LAB_VIP:80
RS1=$(lab_rs_ip 1):8080 RS2=$(lab_rs_ip 2):8080
lab_check "vip add $V lc: rs1 w1, rs2 w0 (drained)" lab_vip_setup "$V" lc "$RS1:1" "$RS2:0"

# long N MS TAG: N requests of MS ms, started 0.1 s apart, in the
# background; each prints "TAG BODY" when it ends.
pids=()
long() {
  local i
  for (( i = 0; i < $1; i++ )); do
    ( body=$(CURL_MAX_TIME=15 lab_curl "http://$LAB_VIP/sleep?ms=$2" 2>/dev/null || echo failed)
      echo "$3 $body" >>"$T/long.log" ) &
    pids+=($!)
    sleep 0.1
  done
}
active() { # I: rsI's open connections as rs list reports them
  slctl --json rs list "$V" | lab_jget "r['real_servers'][$(($1 - 1))]['active_conns']"
}
count() { awk -v t="$1" -v b="$2" '$1 == t && $2 == b' "$T/long.log" | wc -l; }
# rs1_holds N: wait (5 s at most) until rs1 has N open connections.
rs1_holds() {
  lab_wait_until 5 "$1 open on rs1" bash -c \
    "[ \"\$(timeout 5 '$SLUICECTL' -s '$LAB_SOCK' --json rs list '$V' | '$LAB_PY' '$LAB_TOOL' json-get \"r['real_servers'][0]['active_conns']\")\" = $1 ]"
}

long 6 6000 first
# Under load a background curl may start late: undrain only once rs1
# really holds all six, so the second batch is judged on its own.
lab_check "rs1 holds the first 6" rs1_holds 6
lab_check "rs set rs2 --weight 1 (undrain)" slctl rs set "$V" "$RS2" --weight 1
long 6 4500 second
lab_wait_until 5 "12 open" bash -c \
  "[ \"\$(timeout 5 '$SLUICECTL' -s '$LAB_SOCK' --json stats | '$LAB_PY' '$LAB_TOOL' json-get \"r['totals']['conns_active']\")\" -ge 12 ]" || true
a1=$(active 1) a2=$(active 2)
echo "# open connections after 12 long requests: rs1 $a1, rs2 $a2"
lab_check_cmp "rs1 has the first 6, and at most one more" "$a1" -le 7
lab_check_cmp "rs2 has 5 or 6 of the second 6 (rr would give it 3)" "$a2" -ge 5
slctl rs list "$V" | sed 's/^/# /'
for p in "${pids[@]}"; do wait "$p" || true; done
pids=()
lab_check_eq "the first 6 were all answered by rs1" "$(count first rs1)" 6
lab_check_cmp "the second 6: answered by rs2" "$(count second rs2)" -ge 5
lab_check_eq "no long request failed" "$(grep -c failed "$T/long.log" || true)" 0

# wlc, weights 1:2, from an idle start.
lab_wait_until 20 "connections closed" bash -c \
  "[ \"\$(timeout 5 '$SLUICECTL' -s '$LAB_SOCK' --json stats | '$LAB_PY' '$LAB_TOOL' json-get \"r['totals']['conns_active']\")\" = 0 ]" || true
# rs1 starts with 3 open (rs2 drained), then rs2 gets weight 2 and 9 more
# arrive: wlc evens open/weight, 4/1 and 8/2, so rs1 gets 1 of the 9
# (one astray allowed: 0 to 2). wrr 1:2 would give it 3 (6 open), lc 3.
lab_check "vip set --sched wlc; rs2 weight 0" bash -c \
  "timeout 5 '$SLUICECTL' -s '$LAB_SOCK' vip set '$V' --sched wlc && timeout 5 '$SLUICECTL' -s '$LAB_SOCK' rs set '$V' '$RS2' --weight 0"
: >"$T/long.log"
long 3 7000 third
lab_check "rs1 holds 3" rs1_holds 3
lab_check "rs set rs2 --weight 2" slctl rs set "$V" "$RS2" --weight 2
long 9 3000 fourth
lab_wait_until 5 "12 open" bash -c \
  "[ \"\$(timeout 5 '$SLUICECTL' -s '$LAB_SOCK' --json stats | '$LAB_PY' '$LAB_TOOL' json-get \"r['totals']['conns_active']\")\" -ge 12 ]" || true
a1=$(active 1) a2=$(active 2)
echo "# wlc 1:2 after rs1 held 3, 9 long requests: rs1 $a1, rs2 $a2"
lab_check_cmp "wlc: rs1 has its 3 and 1 of the 9 (3 to 5; wrr would give 6)" "$(( a1 >= 3 && a1 <= 5 ? 1 : 0 ))" -eq 1
lab_check_cmp "wlc: rs2 has 8 of the 9 (7 to 9; wrr would give 6)" "$(( a2 >= 7 && a2 <= 9 ? 1 : 0 ))" -eq 1
for p in "${pids[@]}"; do wait "$p" || true; done
lab_check_eq "no long request failed" "$(grep -c failed "$T/long.log" || true)" 0

lab_test_end
