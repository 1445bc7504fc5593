#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What happens to a server's open connections (issue 5):
#   - rs del (keep, the default): a request in flight to the removed
#     server completes;
#   - rs del --flush: a request in flight is reset at once (curl: reset by
#     peer, in well under the 5 s it would have taken), the server's own
#     socket is reset too (no connection left on it), counted as
#     conns_flushed / resets_sent; new requests go on working;
#   - on_down keep (the default): a server whose health check starts
#     failing (its check port moved to a closed one with an override, the
#     server itself still running) is marked down and its request in
#     flight completes;
#   - on_down flush: the same, and its open connection is reset;
#   - the new commands' errors: sluicectl refuses bad options (exit 2),
#     the daemon bad values with the field (exit 1), and nothing changes.
# e2e-timeout: 60
# e2e-prefix-base: h5
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

LAB_TEST_PREFIX_BASE=${LAB_TEST_PREFIX_BASE:-h5} # labs h5-NAME
lab_test_begin flush
lab_std_start --servers 2 --hc -- "c['health'] = {'source': '$LAB_HC_IP'}"

V=$LAB_VIP:80
RS1=$(lab_rs_ip 1):8080 RS2=$(lab_rs_ip 2):8080
lab_check "vip add $V with rs1 only" lab_vip_setup "$V" wrr "$RS1:1"

# long NAME MS: a request that takes MS ms, in the background; its result
# ("RC CODE BODY SECONDS") lands in $T/NAME.
long() {
  local name=$1 ms=$2
  (
    t0=$EPOCHREALTIME rc=0
    out=$(lab_curl -o - -w '|%{http_code}' "http://$LAB_VIP/sleep?ms=$ms" 2>/dev/null) || rc=$?
    body=${out%|*}
    body=${body//$'\n'/}
    echo "$rc ${out##*|} ${body:--} $(echo "$EPOCHREALTIME - $t0" | bc)" >"$T/$name"
  ) &
}
field() { awk -v f="$2" '{print $f}' "$T/$1"; }
established_on() { # I: connections rsI's server has open from the local address
  lab_exec "rs$1" ss -Htn state established "( sport = :8080 )" | grep -c "$LAB_LIP" || true
}

# 1. Removed without --flush: the request in flight completes.
long keep 2500
pid_keep=$!
lab_wait_until 5 "rs1 has the request" bash -c "[ \$(ip netns exec $(lab_ns rs1) ss -Htn state established '( sport = :8080 )' | wc -l) -ge 1 ]" || true
lab_check "rs add rs2" slctl rs add "$V" "$RS2"
lab_check "rs del rs1 (keep its connections)" slctl rs del "$V" "$RS1"
wait "$pid_keep" || true
lab_check_eq "the request in flight to removed rs1 completed (exit, status, body)" \
  "$(field keep 1) $(field keep 2) $(field keep 3)" "0 200 rs1"

# 2. Removed with --flush: reset, both sides.
long flush 5000
pid_flush=$!
lab_wait_until 5 "rs2 has the request" bash -c "[ \$(ip netns exec $(lab_ns rs2) ss -Htn state established '( sport = :8080 )' | wc -l) -ge 1 ]" || true
lab_check "rs add rs1 back" slctl rs add "$V" "$RS1"
flushed0=$(lab_total conns_flushed)
lab_check "rs del rs2 --flush" slctl rs del "$V" "$RS2" --flush
wait "$pid_flush" || true
lab_check_eq "the request in flight to rs2 was reset (curl exit 56: reset by peer)" "$(field flush 1)" 56
lab_check_cmp "... well before it would have ended (ms)" \
  "$(echo "$(field flush 4) * 1000 / 1" | bc)" -lt 3000
lab_check_eq "rs2's server has no connection left from the local address" "$(established_on 2)" 0
lab_check_cmp "conns_flushed grew" "$(lab_total conns_flushed)" -gt "$flushed0"
lab_check_cmp "resets_sent: both sides" "$(lab_total resets_sent)" -ge 2
out=$(lab_curl "http://$LAB_VIP/whoami" 2>&1 || true)
lab_check_eq "a new request works" "$out" rs1

# rs1_state STATE: wait (3 s at most) until rs list shows rs1 in STATE.
rs1_state() {
  lab_wait_until 3 "rs1 $1" bash -c \
    "[ \"\$(timeout 5 '$SLUICECTL' -s '$LAB_SOCK' --json rs list '$V' | '$LAB_PY' '$LAB_TOOL' json-get \"r['real_servers'][0]['state']\")\" = $1 ]"
}

# 3. on_down keep, the default: rs1's check fails (override to a closed
#    port), it is marked down, and its request in flight completes.
lab_check "vip set: tcp check every 300 ms, fall 2 (on_down keep, the default)" \
  slctl vip set "$V" --check tcp --interval 300 --timeout 200 --fall 2 --rise 2
long keepdown 3500
pid_keepdown=$!
lab_wait_until 5 "rs1 has the request" bash -c "[ \$(ip netns exec $(lab_ns rs1) ss -Htn state established '( sport = :8080 )' | wc -l) -ge 1 ]" || true
lab_check "rs set rs1 --check-port 9 (nothing listens there)" slctl rs set "$V" "$RS1" --check-port 9
lab_check "rs1 marked down while its request runs" rs1_state down
wait "$pid_keepdown" || true
lab_check_eq "on_down keep: rs1's request in flight completed (rc, code, server)" \
  "$(field keepdown 1) $(field keepdown 2) $(field keepdown 3)" "0 200 rs1"
lab_check "rs set rs1 --check inherit" slctl rs set "$V" "$RS1" --check inherit
lab_check "rs1 comes back up" rs1_state up

# 4. on_down flush: the same, but its connection is reset once it is
#    marked down.
lab_check "vip set: on_down flush" slctl vip set "$V" --on-down flush
long down 6000
pid_down=$!
lab_wait_until 5 "rs1 has the request" bash -c "[ \$(ip netns exec $(lab_ns rs1) ss -Htn state established '( sport = :8080 )' | wc -l) -ge 1 ]" || true
lab_check "rs set rs1 --check-port 9 (nothing listens there)" slctl rs set "$V" "$RS1" --check-port 9
wait "$pid_down" || true
lab_check_eq "rs1 went down and its request in flight was reset (curl exit 56)" "$(field down 1)" 56
lab_check_cmp "... well before it would have ended (ms)" \
  "$(echo "$(field down 4) * 1000 / 1" | bc)" -lt 4000
state=$(slctl --json rs list "$V" | lab_jget "r['real_servers'][0]['state']")
lab_check_eq "rs list: rs1 down" "$state" down
lab_check "the change is logged" grep -q "$RS1 of $V/tcp is DOWN" "$LAB_RUN/sluice.log"
lab_check "rs set rs1 --check inherit (the override goes)" slctl rs set "$V" "$RS1" --check inherit
lab_check "rs1 comes back up again" rs1_state up

# Errors of the new commands and options: what, and where.
ctl_expect() { # DESC EXIT REGEX -- ARGS...: exit status and stderr
  local desc=$1 want=$2 re=$3 st=0
  shift 4
  slctl "$@" >"$T/ctl.out" 2>"$T/ctl.err" || st=$?
  if [ "$st" = "$want" ] && grep -Eq -- "$re" "$T/ctl.err"; then
    lab_ok "$desc: exit $want ($(head -n 1 "$T/ctl.err" | cut -c1-110))"
  else
    lab_not_ok "$desc: exit $want, /$re/" "got exit $st: $(head -n 2 "$T/ctl.err")"
  fi
}
ctl_expect "vip set with nothing to change" 2 'nothing to change' -- vip set "$V"
ctl_expect "vip set --check icmp" 2 "bad --check 'icmp'" -- vip set "$V" --check icmp
ctl_expect "vip set --sched maglev" 2 "bad --sched" -- vip set "$V" --sched maglev
ctl_expect "vip set --timeout over the interval" 1 \
  'timeout_ms \(500\) must not exceed interval_ms \(300\).*at args.health_check.timeout_ms' -- \
  vip set "$V" --timeout 500
ctl_expect "vip set --hash-ports on wrr" 1 'hash_ports applies to the sh and mh' -- \
  vip set "$V" --hash-ports
ctl_expect "vip set --mh-size 65536" 1 'mh_table_size must be a prime.*args.mh_table_size' -- \
  vip set "$V" --mh-size 65536
ctl_expect "rs set an override that breaks the check" 1 'at args.rs.health_check.timeout_ms' -- \
  rs set "$V" "$RS1" --check-timeout 400
ctl_expect "rs list of a VIP that is not there" 1 'no VIP 198.18.0.200:80/tcp' -- \
  rs list 198.18.0.200:80
ctl_expect "rs add --check inherit" 2 "bad --check 'inherit'" -- \
  rs add "$V" "$(lab_rs_ip 2):8080" --check inherit
check=$(slctl --json vip list | lab_jget "r['vips'][0]['health_check']['interval_ms']")
lab_check_eq "refused changes changed nothing (interval still 300)" "$check" 300

lab_test_end
