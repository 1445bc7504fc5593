#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Configuration changes under a stream of requests. Phases, each started when
# the stream has made another STEP requests:
#   P0  rs1 w1, rs2 w1                 (initial)
#   P1  rs add rs3 w1                  (a third server)
#   P2  rs set rs3 w3                  (weights)
#   P3  rs set rs2 w0                  (drain: no new requests to rs2)
#   P4  rs del rs1                     (removed while active)
#   P5  rs set rs2 w1                  (undrain) -> final: rs2 w1, rs3 w3
# Checks: no failed request, those in flight while rs1 was removed
# included (rs del keeps open connections); rs3 gets requests after P1; rs2 none between P3 and
# P5; rs1 none after P4; then 200 more requests split 0.25/0.75 (+-0.10)
# between rs2 and rs3, and vip list shows the final configuration.
# e2e-timeout: 150
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

N=${N:-300}
STEP=${STEP:-40}
GUARD=0.3   # seconds after a change returns before requests must obey it

lab_test_begin reconfig
lab_std_start --servers 3

V=$LAB_VIP:80
RS1=$(lab_rs_ip 1):8080 RS2=$(lab_rs_ip 2):8080 RS3=$(lab_rs_ip 3):8080
lab_check "vip add $V; rs1 w1, rs2 w1" lab_vip_setup "$V" wrr "$RS1:1" "$RS2:1"

longs=()
lab_curl_loop "$N" "http://$LAB_VIP/whoami" >"$T/stream.log" &
stream=$!

lines() { wc -l <"$T/stream.log"; }
# wait_lines N: until the stream made N requests (or ended), 60 s at most.
wait_lines() {
  local i
  for (( i = 0; i < 600; i++ )); do
    [ "$(lines)" -ge "$1" ] && return 0
    lab_pid_alive "$stream" || return 1
    sleep 0.1
  done
  return 1
}
: >"$T/phases"
# phase NAME sluicectl-args...: run one change, record its start/end time.
phase() {
  local name=$1 a b
  shift
  if ! wait_lines "$((STEP * ${name#P}))"; then
    lab_not_ok "stream reached $((STEP * ${name#P})) requests before $name" "it has $(lines)"
  fi
  a=$EPOCHREALTIME
  if slctl "$@" >"$T/$name.out" 2>&1; then
    b=$EPOCHREALTIME
    lab_ok "$name: sluicectl $* (at request $(lines))"
  else
    b=$EPOCHREALTIME
    lab_not_ok "$name: sluicectl $*" "$(cat "$T/$name.out")"
  fi
  echo "$name $a $b" >>"$T/phases"
}

phase P1 rs add "$V" "$RS3" --weight 1
phase P2 rs set "$V" "$RS3" --weight 3
phase P3 rs set "$V" "$RS2" --weight 0
# Long requests open while rs1 is removed (a quarter of them on rs1, at
# weights 1:0:3): rs del keeps them, so every one of them completes.
LONG=16
wait_lines "$((STEP * 4))" || true
for (( i = 0; i < LONG; i++ )); do
  ( b=$(CURL_MAX_TIME=10 lab_curl "http://$LAB_VIP/sleep?ms=2000" 2>/dev/null || echo failed)
    echo "$b" >>"$T/long.log" ) &
  longs+=($!)
done
sleep 0.5
phase P4 rs del "$V" "$RS1"
phase P5 rs set "$V" "$RS2" --weight 1

for p in "${longs[@]}"; do wait "$p" || true; done
lab_check_eq "$LONG long requests open during rs1's removal all completed" \
  "$(grep -c -E '^rs[0-9]+$' "$T/long.log" || true)" "$LONG"
lab_check_cmp "... some of them on rs1 (to judge by)" "$(grep -c '^rs1$' "$T/long.log" || true)" -ge 1

# The stream is bounded: N curls of at most 5 s each.
for (( i = 0; i < 600; i++ )); do lab_pid_alive "$stream" || break; sleep 0.2; done
if lab_pid_alive "$stream"; then
  kill "$stream" 2>/dev/null || true
  lab_not_ok "request stream finished within 120 s"
fi
wait "$stream" 2>/dev/null || true

"$LAB_PY" - "$T/stream.log" "$T/phases" "$GUARD" >"$T/analysis" <<'EOF'
import sys
log, phases, guard = sys.argv[1], sys.argv[2], float(sys.argv[3])
ph = {}
for line in open(phases):
    n, a, b = line.split()
    ph[n] = (float(a), float(b))
reqs = []
for line in open(log):
    p = line.split()
    if len(p) < 5:
        continue
    reqs.append(dict(i=int(p[0]), t0=float(p[1]), t1=float(p[2]), rc=p[3], code=p[4],
                     body=p[5] if len(p) > 5 else "-", lport=p[6] if len(p) > 6 else "?"))
ok = lambda r: r["rc"] == "0" and r["code"] == "200"
def out(k, v):
    print(f"{k} {v}")
out("total", len(reqs))
fails = [r for r in reqs if not ok(r)]
p4a, p4b = ph.get("P4", (0, 0))
in_window = [r for r in fails if r["t0"] <= p4b + guard and r["t1"] >= p4a]
out("failed", len(fails))
out("failed_in_removal_window", len(in_window))
out("failed_outside", len(fails) - len(in_window))
out("fail_lines", ";".join(f"#{r['i']} rc={r['rc']} code={r['code']}" for r in fails[:8]) or "-")
def between(a, b, who, ref):
    # Whole request inside (a, b): its SYN left between t0 and t1.
    sel = [r for r in reqs if ok(r) and r["t0"] > a and r["t1"] < b]
    bad = [r for r in sel if r["body"] == who]
    if bad and ref:
        print("detail_" + ref[0] + " " + ";".join(
            f"#{r['i']}:t0={r['t0'] - ref[1]:+.3f}s,t1={r['t1'] - ref[1]:+.3f}s,cport={r['lport']}"
            for r in bad[:5]))
        for r in bad[:5]:
            same = [q for q in reqs if q["lport"] == r["lport"] and q["i"] != r["i"]]
            if same:
                print("detail_" + ref[0] + "_port_reuse " + ";".join(
                    f"#{q['i']}:{q['body']}:t1={q['t1'] - r['t0']:+.3f}s" for q in same[:3]))
    return len(sel), len(bad)
inf = float("inf")
n, k = between(ph["P1"][1] + guard, inf, "rs3", None) if "P1" in ph else (0, 0)
out("after_P1", n); out("after_P1_rs3", k)
n, k = (between(ph["P3"][1] + guard, ph["P5"][0], "rs2", ("drained", ph["P3"][1]))
        if "P3" in ph and "P5" in ph else (0, 0))
out("drained", n); out("drained_rs2", k)
n, k = between(ph["P4"][1] + guard, inf, "rs1", ("removed", ph["P4"][1])) if "P4" in ph else (0, 0)
out("after_P4", n); out("after_P4_rs1", k)
EOF
sed 's/^/# /' "$T/analysis"
get() { awk -v k="$1" '$1 == k {print $2}' "$T/analysis"; }

lab_check_eq "stream made $N requests" "$(get total)" "$N"
lab_check_eq "no failed request outside the window of rs1's removal" "$(get failed_outside)" 0
# rs del keeps open connections until they end: a request in flight to
# rs1 while it is removed completes like any other.
lab_check_eq "no request in flight while rs1 was removed failed ($(get fail_lines))" \
  "$(get failed_in_removal_window)" 0
lab_check_cmp "rs3 answered requests after it was added" "$(get after_P1_rs3)" -gt 0
lab_check_cmp "requests between drain of rs2 and undrain (need some to judge)" "$(get drained)" -ge 5
if [ "$(get drained_rs2)" = 0 ]; then
  lab_ok "drained rs2 got no new request"
else
  lab_not_ok "drained rs2 got no new request" "$(get drained_rs2) did; times from the drain's return: $(get detail_drained)" \
    "earlier requests from the same client port: $(get detail_drained_port_reuse)"
fi
lab_check_cmp "requests after rs1 was removed (need some to judge)" "$(get after_P4)" -ge 5
if [ "$(get after_P4_rs1)" = 0 ]; then
  lab_ok "removed rs1 got no new request"
else
  lab_not_ok "removed rs1 got no new request" "$(get after_P4_rs1) did; times from the removal's return: $(get detail_removed)" \
    "earlier requests from the same client port: $(get detail_removed_port_reuse)"
fi

# The final configuration, as the daemon reports it.
final=$(slctl --json vip list | lab_jget \
  "sorted((s['ip'] + ':' + str(s['port']) + '/' + str(s['weight'])) for v in r['vips'] for s in v['real_servers'])")
lab_check_eq "vip list shows rs2 w1 and rs3 w3 only" "$final" \
  "[\"$RS2/1\", \"$RS3/3\"]"

lab_curl_loop 200 "http://$LAB_VIP/whoami" >"$T/final.log"
tally=$(lab_tally "$T/final.log")
f=$(lab_jget "r['failed']" <<<"$tally")
n1=$(lab_jget "r['by_body'].get('rs1', 0)" <<<"$tally")
n2=$(lab_jget "r['by_body'].get('rs2', 0)" <<<"$tally")
n3=$(lab_jget "r['by_body'].get('rs3', 0)" <<<"$tally")
lab_check_eq "final 200 requests all answered" "$f" 0
lab_check_eq "final: rs1 (removed) got none" "$n1" 0
if lab_share_ok "$n2" 200 0.25 0.10 && lab_share_ok "$n3" 200 0.75 0.10; then
  lab_ok "final shares rs2/rs3 within 0.10 of 0.25/0.75 ($n2/$n3)"
else
  lab_not_ok "final shares rs2/rs3 within 0.10 of 0.25/0.75" "rs2 $n2, rs3 $n3 of 200"
fi

lab_test_end
