#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 16, scenario 3: a node of the cluster lab (scripts/lab_cluster.sh:
# three Sluice nodes syncing sessions, BIRD + BFD to an ECMP router) is
# killed hard — kill -9 of everything in its namespace, Sluice and BIRD —
# while 200 long-lived TCP connections through the VIP each send a line
# every 100 ms and check its echo (tests/e2e/echo_load.py), and new
# connections arrive at 50/s.
#   - before the kill, each survivor holds the victim's connections in
#     its table (its connections_held count for the victim) and an
#     identical copy of each long-lived one the victim made;
#   - the router's VIP path to the victim gone (BFD) and its local address
#     routed to exactly one survivor (takeover), each under 1 s after the
#     kill; the survivors see the peer dead;
#   - 0 long-lived connections broken: each one's echo stream complete
#     and in order, for some seconds after the kill; the slowest echo any
#     of them saw under 2 s (the 1 s window and the retransmission that
#     crosses it: see below);
#   - new connections that fail or need a retransmission (a SYN lost at
#     the dead node) all started within 1 s of the kill, every attempt
#     counted (echoed, failed or delayed) and the bad ones printed.
# A failure explains itself in the log (failover_diag.py): each broken
# connection's entries on every node before and after the kill, the
# router's next hop for it, the resets the router forwarded (a capture),
# every node's sync counters before and after, the machine's load.
# e2e-timeout: 110
# shellcheck disable=SC2317  # helpers called through lab_check / lab_wait_until
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=tests/e2e/cluster_lib.sh
. "$(dirname "$0")/cluster_lib.sh"

DIAG=$LAB_ROOT/tests/e2e/failover_diag.py
PORT=$CL_PORT
VIP=$CL_VIP

cl_test_begin clfail
cl_start_all

# The resets the router forwards (a long-lived connection broken is a
# reset from somewhere): for the diagnostic, should one break.
if ! lab_capture_start rt any "$T/rst.pcap" 'tcp port 7007 and tcp[tcpflags] & tcp-rst != 0'; then
  echo "# no capture of resets at the router"
fi

# The router's route changes, timed (a BFD flap on a starved machine
# moves flows as a kill does): for the diagnostic too. Bounded, as the
# test may end early.
timeout 150 ip -tshort -n "$(lab_ns rt)" monitor route >"$T/routes.log" 2>&1 &
MON=$!

# The load: 200 long-lived connections, new ones at 50/s (echo_load.py
# times the failures from $T/kill).
cl_load_start --new-rate 50 --kill "$T/kill"
sleep 1 # their ESTABLISHED states synced

# The victim: the node whose local address carries most of them.
cl_most_loaded
V=$CL_MOST_NODE
SURV=()
for i in 1 2 3; do [ "$i" -eq "$V" ] || SURV+=("$i"); done
# snap TAG NODE...: each node's connections on the echo service, cluster
# status and stats into $T/TAG-*-nI.json (failover_diag.py reads them).
snap() {
  local tag=$1 i
  shift
  for i in "$@"; do
    lab_cl_ctl "$i" --json conn list --vip "$VIP:$PORT" --limit 10000 >"$T/$tag-conns-n$i.json" || true
    cl_status "$i" >"$T/$tag-status-n$i.json" || true
    lab_cl_ctl "$i" --json stats >"$T/$tag-stats-n$i.json" || true
  done
}
diag() { "$LAB_PY" "$DIAG" "$@"; }
# Copies actually held, not installs counted: the long-lived connections
# the victim made (its own entries), and each survivor's count of the
# victim's connections in its workers' tables (connections_held); then,
# connection by connection, an identical copy (client, local address and
# port, server) on each survivor.
lab_cl_ctl "$V" --json conn list --vip "$VIP:$PORT" --limit 10000 >"$T/before-conns-n$V.json"
vlong=$(diag copies "$T" "$V" | lab_jget "r['victim_long']")
lab_check_cmp "the victim (node $V) made some of the long-lived connections" "$vlong" -ge 20
held_all() {
  local s
  for s in "${SURV[@]}"; do
    [ "$(cl_peer_field "$s" "n$V" "p['connections_held']")" -ge "$vlong" ] || return 1
  done
}
lab_wait_until 5 "the survivors hold node $V's $vlong connections" held_all || true
snap before 1 2 3
for s in "${SURV[@]}"; do
  lab_check_cmp "node $s holds node $V's connections in its table (connections_held) before the kill" \
    "$(lab_jget "[p['connections_held'] for p in r['peers'] if p['name'] == 'n$V'][0]" \
       <"$T/before-status-n$s.json")" -ge "$vlong"
  lab_check_eq "node $s holds an identical copy of each of node $V's long-lived ones" \
    "$(diag copies "$T" "$V" | lab_jget "' '.join(r['missing']['n$s']) or 'all'")" all
done

date +%s.%N >"$T/kill"
t0=$(date +%s%N)
lab_check "node $V killed: kill -9 of everything in its namespace" lab_cluster_kill "$V"
echo "# machine load at the kill: $(cat /proc/loadavg)"
ms() { echo $(( ($(date +%s%N) - t0) / 1000000 )); }
dead_everywhere() {
  local s
  for s in "${SURV[@]}"; do [ "$(cl_peer_field "$s" "n$V" "p['state']")" = dead ] || return 1; done
}
# Exactly one survivor announces the victim's local address: the router
# routes it there.
LIP=$(lab_cl_lip "$V")
taken_over() {
  local hops
  hops=$(lab_cl_nexthops "$LIP")
  [ -n "$hops" ] && [ "$(wc -l <<<"$hops")" -eq 1 ] && [ "$hops" != "$(lab_cl_host_ip "$V")" ]
}
# until_ms CMD...: CMD polled every 20 ms for up to 5 s; prints the
# milliseconds since the kill when it held, fails otherwise. (An upper
# bound: a poll late on a loaded machine only makes it larger.)
until_ms() {
  local k
  for (( k = 0; k < 250; k++ )); do
    if "$@"; then ms; return 0; fi
    sleep 0.02
  done
  return 1
}
# The router first (cheap to poll: the figures), then the survivors.
# Both within the issue's 1 s: BFD's detection (3 x 100 ms) ends the
# victim's VIP path; the survivors' (dead_ms 500) hands its local address
# to one of them, whose BIRD announces it.
if bfd_ms=$(until_ms cl_vip_paths_are 2); then
  lab_check_cmp "the VIP over the two survivors, under 1 s after the kill (BFD)" "$bfd_ms" -lt 1000
else lab_not_ok "the VIP over the two survivors"; fi
if take_ms=$(until_ms taken_over); then
  lab_check_cmp "node $V's local address routed to one survivor, under 1 s after the kill (takeover)" \
    "$take_ms" -lt 1000
else lab_not_ok "node $V's local address routed to one survivor" "$(lab_cl_nexthops "$LIP")"; fi
lab_check "the survivors see node $V dead" lab_wait_until 5 "n$V dead" dead_everywhere

# Which survivor: the one listing the address in its takeover, and the
# router's next hop.
owners=""
for s in "${SURV[@]}"; do
  if [ "$(cl_status "$s" | lab_jget "any(t['address'] == '$LIP' and t['of'] == 'n$V' for t in r['takeover'])")" = true ]; then
    owners="$owners $s"
  fi
done
lab_check_eq "exactly one survivor takes over $LIP" "$(wc -w <<<"$owners")" 1
lab_check_eq "the router routes $LIP to that survivor" \
  "$(lab_cl_nexthops "$LIP")" "$(lab_cl_host_ip "${owners// /}" 2>/dev/null)"
if out=$(lab_cl_ctl "${owners// /}" cluster status 2>&1); then
  lab_ok "sluicectl cluster status on the survivor that took over"
  while IFS= read -r l; do echo "#   $l"; done <<<"$out"
else lab_not_ok "sluicectl cluster status on the survivor that took over" "$out"; fi

# Run on for a few seconds after the kill, then stop and let the echoes
# still due come home.
while [ "$(ms)" -lt 5000 ]; do sleep 0.2; done
touch "$T/stop"
if wait "$CL_LOAD"; then lab_ok "the load client ran to its end"
else lab_not_ok "the load client ran to its end" "$(tail -n 5 "$T/load.err")"; fi
snap after "${SURV[@]}"
[ -s "$T/summary.json" ] || { lab_not_ok "the load client wrote its summary"; exit 1; }
echo "# long-lived: $(cl_get "r['long']['opened']") opened, $(cl_get "r['long']['broken']") broken," \
  "$(cl_get "r['long']['lines_echoed']") of $(cl_get "r['long']['lines_sent']") lines echoed," \
  "slowest echo $(cl_get "r['long']['max_echo_ms']") ms"
echo "# new: $(cl_get "r['new']['attempts']") attempts, $(cl_get "r['new']['failed']") failed," \
  "$(cl_get "r['new']['delayed']") delayed (retransmitted), from $(cl_get "r['new']['first_ms']") to" \
  "$(cl_get "r['new']['last_ms']") ms after the kill"
cl_get "'\n'.join('#   ' + d for d in r['long']['broken_detail'] + r['new']['detail'])"
for s in "${SURV[@]}"; do
  echo "# node $s: $(lab_jget "' '.join(f'{k}={v}' for k, v in sorted(r['drops'].items()) if v) or 'no drops'" \
    <"$T/after-stats-n$s.json")"
done
lab_check_eq "all 200 long-lived connections opened" "$(cl_get "r['long']['opened']")" 200
lab_check_eq "0 long-lived connections broken" "$(cl_get "r['long']['broken']")" 0
# The slowest echo any long-lived connection saw: a line lost in the
# detection window (the issue's 1 s, checked above) is sent again by the
# client's TCP at the latest at 1.4 s (its 200 ms timer doubling: 0.2,
# 0.6, 1.4 s, the next at 3 s) and echoed at once; 0.6 s of the bound is
# for a loaded machine. Over it: a retransmission after the window lost.
lab_check_cmp "the slowest echo of a long-lived connection, ms" "$(cl_get "r['long']['max_echo_ms']")" -lt 2000
lab_check_cmp "new connections kept coming (50/s)" "$(cl_get "r['new']['ok']")" -ge 150
lab_check_eq "every new connection counted: echoed, failed or delayed" \
  "$(cl_get "r['new']['finished']")" "$(cl_get "r['new']['attempts']")"
# From the kill on (less 100 ms: a handshake begun just before it was
# still in flight) to the end of the detection window.
lab_check_eq "failed or delayed new connections only within 1 s of the kill" \
  "$(cl_get "r['new']['first_ms'] is None or (r['new']['first_ms'] >= -100 and r['new']['last_ms'] < 1000)")" true
lab_check_cmp "... a window under 1 s" "$(cl_get "r['new']['span_ms']")" -lt 1000

# A failure explains itself: where each broken connection was before and
# after the kill (the router's next hop for it now), the resets the
# router forwarded, its route changes, every node's sync counters.
[ -e "$T/rst.pcap.pid" ] && lab_capture_stop "$T/rst.pcap"
kill "$MON" 2>/dev/null || true
if [ "$LAB_FAILS" -gt 0 ]; then
  echo "# --- diagnostic: machine load $(cat /proc/loadavg)"
  for p in $(cl_get "' '.join(str(b['port']) for b in r['long']['broken_list'])"); do
    echo "$p $(ip -n "$(lab_ns rt)" route get "$VIP" from 198.18.10.1 iif r-cli ipproto tcp \
      sport "$p" dport "$PORT" 2>/dev/null | grep -o 'via [0-9.]*' | awk '{print $2}')"
  done >"$T/nexthops"
  [ -s "$T/rst.pcap" ] && tcpdump -r "$T/rst.pcap" -nn -e 2>/dev/null >"$T/rst.txt"
  diag explain "$T" "$V"
  lab_cl_birdc rt show protocols 2>&1 | sed 's/^/#   router: /'
fi
# FAILOVER_SAVE=DIR keeps the snapshots and the capture (lab_down removes $T).
if [ -n "${FAILOVER_SAVE:-}" ]; then mkdir -p "$FAILOVER_SAVE" && cp -r "$T"/. "$FAILOVER_SAVE"/; fi

cl_stop_nodes "${SURV[@]}"
lab_test_end
