#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# http and udp health checks through the daemon, in the namespace lab
# (issue 13; tests/unit/test_health.c runs them on loopback only). Sluice
# checks from P-lb's kernel through hc0 (lab_up --hc, health.source
# 198.18.1.250), every 500 ms, timeout 500 ms (Python servers on a loaded
# 2-core machine: 200 ms would flake), rise 2, fall 2, on two rr VIPs
# over the same 3 servers:
#   :80/tcp  http check: GET /health must answer 200;
#   :53/udp  udp check of the servers' :5353 echo: a datagram must get a reply.
# The servers stay running; a fault is switched on in one of them
# (lab_server_fault: /health answers 500, or UDP goes unanswered):
#   - every server passes its kind of check at first;
#   - the faulty server is marked down within FALL x INTERVAL + TIMEOUT
#     + 0.2 s = 1.7 s (the FALLth check after the fault starts at most FALL
#     intervals on and fails at most TIMEOUT later; 0.2 s for the control
#     loop), logged after exactly FALL failed checks with the check's
#     reason, the other two stay up;
#   - while down it gets no new connection or flow (it would still answer
#     them: its /whoami and echo work), the others get them all: its own
#     log shows no request from the local address in that time (a muted
#     server's replies could not tell), and the UDP client, two tries per
#     flow, retries at most UDP_RETRIES times in 30 (a muted server still
#     chosen would cost about 10);
#   - the fault cleared, it is up within (RISE + 1) x INTERVAL + 0.2 s
#     = 1.7 s, logged after exactly RISE passed checks, and gets traffic
#     again.
# e2e-timeout: 150
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

INTERVAL=500 TIMEOUT=500 RISE=2 FALL=2
UDP_RETRIES=3
DOWN_S=$("$LAB_PY" -c "print(($FALL * $INTERVAL + $TIMEOUT) / 1000 + 0.2)")
UP_S=$("$LAB_PY" -c "print(($RISE + 1) * $INTERVAL / 1000 + 0.2)")
CHECK=(--interval "$INTERVAL" --timeout "$TIMEOUT" --rise "$RISE" --fall "$FALL")

lab_test_begin health_kinds
lab_std_start --servers 3 --hc -- "c['health'] = {'source': '$LAB_HC_IP'}"
lab_cli_addrs 10 90 # udp_split's client addresses

H=$LAB_VIP:80 U=$LAB_VIP:53
lab_check "vip $H rr, http check GET /health, status 200" \
  slctl vip add "$H" --sched rr --check http --check-path /health --check-status 200 "${CHECK[@]}"
lab_check "vip $U/udp rr, udp check" \
  slctl vip add "$U" --proto udp --sched rr --check udp "${CHECK[@]}"
for i in 1 2 3; do
  lab_check "rs$i on both VIPs" bash -c ". '$LAB_ROOT/scripts/lab_lib.sh'; LAB_SOCK='$LAB_SOCK'
    slctl rs add '$H' '$(lab_rs_ip "$i"):$LAB_HTTP_PORT' >/dev/null &&
    slctl rs add '$U' '$(lab_rs_ip "$i"):$LAB_UDP_PORT' --proto udp >/dev/null"
done

# field VIP PROTO I EXPR: EXPR over rsI's entry s in `rs list` of VIP/PROTO.
field() {
  slctl --json rs list "$1" --proto "$2" | lab_jget \
    "[$4 for s in r['real_servers'] if s['ip'] == '$(lab_rs_ip "$3")'][0]"
}
# states VIP PROTO: "rs1=up rs2=down rs3=up"
states() {
  local i out=()
  for i in 1 2 3; do out+=("rs$i=$(field "$1" "$2" "$i" "s['state']")"); done
  echo "${out[*]}"
}
# shellcheck disable=SC2317  # called through lab_wait_until
all_checked_ok() {
  slctl --json rs list "$1" --proto "$2" | lab_jget \
    "all(s['last_check'] and s['last_check']['ok'] and s['state'] == 'up' for s in r['real_servers'])" |
    grep -qx true
}
lab_check "every server passed its http check within 2 s" lab_wait_until 2 "http checks" all_checked_ok "$H" tcp
lab_check "every server passed its udp check within 2 s" lab_wait_until 2 "udp checks" all_checked_ok "$U" udp
lab_check_eq "the http check is what passed (rs1's reason)" \
  "$(field "$H" tcp 1 "s['last_check']['reason'].split(' in ')[0]")" "http: status 200"
lab_check_eq "the udp check is what passed (rs1's reason)" \
  "$(field "$U" udp 1 "s['last_check']['reason'].split(' in ')[0]")" "udp: reply"

# state_line IP:PORT VIP:PORT/PROTO WORD: the first line saying that
# server is WORD (DOWN/UP) in sluice.log, after line SKIP.
state_line() {
  tail -n +"$((SKIP + 1))" "$LAB_RUN/sluice.log" | grep -m1 -F "$1 of $2 is $3" || true
}
# log_time IP:PORT VIP:PORT/PROTO WORD: unix time of state_line ("" if none).
log_time() {
  state_line "$@" | "$LAB_PY" -c 'import sys, datetime
l = sys.stdin.read().split()
print(datetime.datetime.strptime(l[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp() if l else "")'
}
# within WHAT T0 T1 SECS: a check that T1 - T0 <= SECS.
within() {
  if [ -n "$3" ] && "$LAB_PY" -c "import sys; sys.exit(0 if $3 - $2 <= $4 else 1)"; then
    lab_ok "$1 within $4 s ($("$LAB_PY" -c "print(round($3 - $2, 3))") s, logged)"
  else
    lab_not_ok "$1 within $4 s (logged)" "log: ${3:-no such line}, fault switched at: $2"
  fi
}
# shellcheck disable=SC2317  # called through lab_wait_until
state_is() { [ "$(field "$1" "$2" "$3" "s['state']")" = "$4" ]; }

# shellcheck disable=SC2317  # called through kind_round
# http_split ROUND: 30 requests through $H; prints "failed rs1 rs2 rs3
# retries" (curl does not retry: 0).
http_split() {
  lab_curl_loop 30 "http://$H/whoami" >"$T/http.log"
  lab_tally "$T/http.log" | lab_jget \
    "' '.join(map(str, [r['failed']] + list(map(r['by_body'].get, ('rs1', 'rs2', 'rs3'), (0, 0, 0))) + [0]))"
}
# shellcheck disable=SC2317  # called through kind_round
# udp_split ROUND: 30 requests through $U, two tries each (each try from
# a new socket: a new flow), from client addresses of their own (ROUND 1:
# .10-.39, 2: .40-.69, 3: .70-.99), never a flow left from an earlier
# round; prints "failed rs1 rs2 rs3 retries".
udp_split() {
  lab_py_cli udp-who "$LAB_VIP" 53 --first "198.18.0.$((10 + 30 * ($1 - 1)))" --count 30 --tries 2 |
    lab_jget "' '.join(map(str, [r['failed']] + list(map(list(r['by_source'].values()).count, ('rs1', 'rs2', 'rs3'))) + [r['retries']]))"
}
# plural N WORD: "N WORD" or "N WORDs", as the daemon writes it.
plural() { if [ "$1" = 1 ]; then echo "$1 $2"; else echo "$1 $2s"; fi; }
# kind_round NAME VIP PROTO I RSPORT FAULT REASON SPLIT: the round for one
# kind of check, faulting rsI.
kind_round() {
  local name=$1 vip=$2 proto=$3 i=$4 port=$5 fault=$6 reason=$7 split=$8
  local rs t_fault t_clear conns split_now served kind=tcp
  [ "$proto" = udp ] && kind=udp
  rs=$(lab_rs_ip "$i"):$port
  read -r -a split_now <<<"$($split 1)"
  lab_check_eq "[$name] 30 requests before the fault: none failed" "${split_now[0]}" 0
  lab_check_cmp "[$name] rs$i served some before the fault" "${split_now[$i]}" -gt 0

  SKIP=$(wc -l <"$LAB_RUN/sluice.log")
  t_fault=$EPOCHREALTIME
  lab_server_fault "$i" "$fault"
  lab_check "[$name] rs$i marked down ($fault)" lab_wait_until 5 "rs$i down" state_is "$vip" "$proto" "$i" down
  within "[$name] rs$i down" "$t_fault" "$(log_time "$rs" "$vip/$proto" DOWN)" "$DOWN_S"
  lab_check_eq "[$name] rs$i logged down after exactly $FALL failed checks (fall)" \
    "$(state_line "$rs" "$vip/$proto" DOWN | grep -o "is DOWN after [0-9]* failed checks\{0,1\}")" \
    "is DOWN after $(plural "$FALL" "failed check")"
  lab_check_eq "[$name] rs list gives the check's reason" \
    "$(field "$vip" "$proto" "$i" "s['last_check']['reason']")" "$reason"
  lab_check_eq "[$name] the other two stay up" "$(states "$vip" "$proto")" \
    "$(for j in 1 2 3; do [ "$j" = "$i" ] && echo -n "rs$j=down" || echo -n "rs$j=up"; [ "$j" = 3 ] || echo -n ' '; done)"
  conns=$(field "$vip" "$proto" "$i" "s['conns']")
  served=$(lab_served_from "$i" "$LAB_LIP" "$kind")
  read -r -a split_now <<<"$($split 2)"
  lab_check_eq "[$name] 30 requests while rs$i is down: none failed" "${split_now[0]}" 0
  lab_check_cmp "[$name] client retries while rs$i is down (at most $UDP_RETRIES)" "${split_now[4]}" -le "$UDP_RETRIES"
  lab_check_eq "[$name] rs$i answered none of them" "${split_now[$i]}" 0
  lab_check_eq "[$name] rs$i's own log: no request from the local address while it was down" \
    "$(lab_served_from "$i" "$LAB_LIP" "$kind")" "$served"
  lab_check_eq "[$name] Sluice opened nothing to rs$i while it was down" \
    "$(field "$vip" "$proto" "$i" "s['conns']")" "$conns"
  lab_check_eq "[$name] no other server changed state" \
    "$(tail -n +"$((SKIP + 1))" "$LAB_RUN/sluice.log" | grep -c " of $vip/$proto is \(UP\|DOWN\)")" 1
  slctl rs list "$vip" --proto "$proto" | sed 's/^/# /'

  t_clear=$EPOCHREALTIME
  lab_server_fault "$i"
  lab_check "[$name] rs$i marked up again" lab_wait_until 5 "rs$i up" state_is "$vip" "$proto" "$i" up
  within "[$name] rs$i up" "$t_clear" "$(log_time "$rs" "$vip/$proto" UP)" "$UP_S"
  lab_check_eq "[$name] rs$i logged up after exactly $RISE passed checks (rise)" \
    "$(state_line "$rs" "$vip/$proto" UP | grep -o "is UP after [0-9]* passed checks\{0,1\}")" \
    "is UP after $(plural "$RISE" "passed check")"
  read -r -a split_now <<<"$($split 3)"
  lab_check_eq "[$name] 30 requests after: none failed" "${split_now[0]}" 0
  lab_check_cmp "[$name] rs$i serves again" "${split_now[$i]}" -gt 0
}

kind_round http "$H" tcp 2 "$LAB_HTTP_PORT" health-500 "http: status 500, expected 200" http_split
kind_round udp "$U" udp 3 "$LAB_UDP_PORT" udp-mute "udp: no reply within $TIMEOUT ms" udp_split

lab_test_end
