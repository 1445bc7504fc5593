#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Health checks that take the data path (issue 19.6): health.path "data",
# and the lan port has an exception tap sl-lan with the host's address
# 198.18.1.5/24, so every check is bound to sl-lan, leaves by Sluice's lan
# port and comes back through it. The lab's hc0 veth (lab_up --hc,
# 198.18.1.250) is the host's own "management" path to the servers. TCP
# checks every 300 ms, timeout 200 ms, fall 2, rise 2, two servers:
#   - both come up, `rs list` shows the path (sl-lan from 198.18.1.5),
#     `stats` health.path is "data", and the checks are counted as
#     from_host / to_host (they did cross Sluice's port);
#   - (a) the data path breaks: lan's veth is taken down from the switch
#     side (sw-lb). The host still reaches the servers through hc0, but
#     both servers go down; the veth back up, both come up again;
#   - (b) a management flap: hc0's veth is taken down from the switch side
#     (sw-hc). The host's own path to the servers is gone (a kernel-path
#     check would time out), but the data-path checks keep both servers
#     up through 10 intervals without one failed check (rs list's
#     count of failed checks does not grow, the passed count does);
#   - (c) an SNAT rule whose inside network covers the servers (and the
#     tap's address) changes nothing: checks pass, answers go to_host,
#     no SNAT session.
# lan0 is af_packet, so P-lb's kernel sees its frames too: strict rp_filter
# there keeps the kernel from taking the servers' answers to sl-lan's
# address a second time off lan0 (and resetting them); with rp_filter 0
# sluice refuses to start, naming the sysctl, and config apply (a dry run)
# refuses health.path "data" at health.path.
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

INTERVAL=300 TIMEOUT=200 RISE=2 FALL=2
TAP_IP=198.18.1.5

lab_test_begin health_path
lab_up --servers 2 --hc || { lab_not_ok "lab up"; exit 1; }
LB=$(lab_ns lb) SW=$(lab_ns sw)
cfg=$(lab_make_config "c['health'] = {'path': 'data'}" \
  "c['ports'][1]['exception'] = {'device': 'net_tap', 'addresses': ['$TAP_IP/24']}")
# Without strict rp_filter on lan0 its kernel would reset every check:
# sluice refuses to start, naming the sysctl.
lab__sysctl "$LB" net.ipv4.conf.lan0.rp_filter=0
if lab_sluice_start "$cfg" 2>/dev/null; then
  lab_not_ok "lan0's rp_filter 0: sluice refuses to start"
  lab_sluice_stop || true
elif grep -q "net.ipv4.conf.lan0.rp_filter=1" "$LAB_SLUICE_LOG"; then
  lab_ok "lan0's rp_filter 0: sluice refuses to start, naming the sysctl"
else
  lab_not_ok "lan0's rp_filter 0: sluice refuses to start, naming the sysctl" \
    "$(tail -n 2 "$LAB_SLUICE_LOG")"
fi
lab__sysctl "$LB" net.ipv4.conf.lan0.rp_filter=1
if lab_sluice_start "$cfg"; then
  lab_ok "lan0's rp_filter 1: sluice started and answers on its control socket"
else
  lab_not_ok "lan0's rp_filter 1: sluice started"
  exit 1
fi

V=$LAB_VIP:80
lab_check "vip add $V rr, tcp check every ${INTERVAL} ms" \
  slctl vip add "$V" --sched rr --check tcp --interval $INTERVAL --timeout $TIMEOUT \
  --rise $RISE --fall $FALL
for i in 1 2; do
  lab_check "rs add rs$i" slctl rs add "$V" "$(lab_rs_ip "$i"):8080"
done

# rs_all EXPR: EXPR holds for every server in rs list (s: the server).
rs_all() {
  slctl --json rs list "$V" | lab_jget "all($1 for s in r['real_servers'])" | grep -qx true
}
# shellcheck disable=SC2317  # called through lab_wait_until
passed() { rs_all "s['last_check'] and s['last_check']['ok'] and s['state'] == 'up'"; }
# shellcheck disable=SC2317
all_down() { rs_all "s['state'] == 'down'"; }
# shellcheck disable=SC2317
all_up() { rs_all "s['state'] == 'up'"; }
# host_reaches_rs1: P-lb's kernel reaches rs1 through hc0 (its own path).
# shellcheck disable=SC2317  # called through lab_check
host_reaches_rs1() {
  ip netns exec "$LB" curl -s --max-time 1 --interface hc0 \
    "http://$(lab_rs_ip 1):8080/whoami" 2>/dev/null | grep -qx rs1
}

from0=$(lab_total from_host)
lab_check "both servers passed a data-path check within 3 s" lab_wait_until 3 "checks" passed
slctl rs list "$V" | sed 's/^/# /'
lab_check "rs list shows the path: sl-lan from $TAP_IP" rs_all \
  "s['check_path'] == 'data: sl-lan from $TAP_IP'"
lab_check_eq "stats health.path is data" "$(lab_stats | lab_jget "r['health']['path']")" data
lab_check_cmp "the checks crossed Sluice's port (from_host grew)" \
  "$(( $(lab_total from_host) - from0 ))" -ge 4

# Refused at run time: a check no tap can run (the wan port has none).
# refused DESC FIELD -- ARGS: sluicectl ARGS fails naming FIELD and port wan.
refused() {
  local desc=$1 field=$2 st=0
  shift 3
  slctl "$@" >/dev/null 2>"$T/ctl.err" || st=$?
  if [ "$st" -ne 0 ] && grep -q "at $field" "$T/ctl.err" &&
     grep -q "through port wan, which has no exception device" "$T/ctl.err"; then
    lab_ok "$desc: refused at $field"
  else
    lab_not_ok "$desc: refused at $field" "status $st: $(head -n 2 "$T/ctl.err")"
  fi
}
WAN_RS=198.18.0.77:8080 V2=$LAB_VIP:81
refused "rs add of a checked server behind wan" args.rs.ip -- rs add "$V" "$WAN_RS"
lab_check "vip add $V2 unchecked, rs $WAN_RS" lab_vip_setup "$V2" rr "$WAN_RS:1"
refused "vip set --check tcp over a server behind wan" args.health_check -- \
  vip set "$V2" --check tcp
refused "rs set --check tcp of a server behind wan" args.rs.health_check -- \
  rs set "$V2" "$WAN_RS" --check tcp
lab_check_eq "... none of them changed the model" \
  "$(slctl --json vip list | lab_jget "[(v['port'], len(v['real_servers']), v.get('health_check', {}).get('type')) for v in r['vips']]")" \
  '[[80, 2, "tcp"], [81, 1, "none"]]'

# (a) The data path breaks; the host's own path does not.
ip -n "$SW" link set sw-lb down
lab_check "the host still reaches rs1 through hc0" host_reaches_rs1
lab_check "lan's link down: both servers down within 2 s" lab_wait_until 2 "down" all_down
slctl rs list "$V" | sed 's/^/# /'
ip -n "$SW" link set sw-lb up
lab_check "lan's link back: both servers up within 5 s" lab_wait_until 5 "up" all_up

# (b) A management flap: the host's own path goes, the data path stays.
lab_wait_until 3 "checks" passed || true
ip -n "$SW" link set sw-hc down
lab_check "the host no longer reaches rs1 through hc0" eval '! host_reaches_rs1'
le0=$(lab_stats | lab_jget "r['health']['local_errors']")
# verdicts: "passed failed" summed over both servers (rs list's counts).
verdicts() {
  slctl --json rs list "$V" | lab_jget \
    "'%d %d' % (sum(s['last_check']['passed'] for s in r['real_servers']), sum(s['last_check']['failed'] for s in r['real_servers']))"
}
read -r pass0 fail0 <<<"$(verdicts)"
sleep 3
read -r pass1 fail1 <<<"$(verdicts)"
lab_check "rs list counts verdicts ($pass0 $fail0, then $pass1 $fail1)" \
  eval '[[ "$pass0 $fail0 $pass1 $fail1" =~ ^[0-9]+\ [0-9]+\ [0-9]+\ [0-9]+$ ]]'
lab_check_eq "hc0's link down: no check failed in 3 s" "$((fail1 - fail0))" 0
lab_check_cmp "... while the checks went on (passed grew)" "$((pass1 - pass0))" -ge 12
lab_check "... both servers up" all_up
lab_check_eq "... and no local errors" "$(lab_stats | lab_jget "r['health']['local_errors']")" "$le0"
slctl rs list "$V" | sed 's/^/# /'
ip -n "$SW" link set sw-hc up

# (c) An SNAT rule whose inside network holds the servers and the tap's
# address: the servers' answers to the tap are still the host's (to_host),
# never an inside host going out, so the checks go on passing and no
# SNAT session is made.
lab_check "snat add --src 198.18.1.0/24 (the servers' network) --pool 198.18.0.60 --port wan" \
  slctl snat add --src 198.18.1.0/24 --pool 198.18.0.60 --port wan
read -r pass0 fail0 <<<"$(verdicts)"
host0=$(lab_total to_host)
sleep 2
read -r pass1 fail1 <<<"$(verdicts)"
lab_check_eq "SNAT over the servers' network: no check failed in 2 s" "$((fail1 - fail0))" 0
lab_check_cmp "... the checks went on passing" "$((pass1 - pass0))" -ge 8
lab_check "... both servers up" all_up
lab_check_cmp "... their answers went to the host (to_host grew)" \
  "$(( $(lab_total to_host) - host0 ))" -ge 8
lab_check_eq "... and made no SNAT session" \
  "$(slctl --json snat sessions --limit 100 | lab_jget "len(r['sessions'])")" 0

# The same refusal once running: a configuration taking the data path is
# refused by config apply (its dry run here; SIGHUP shares the check) while
# lan0's rp_filter is 0, the error at health.path; with 1 it passes.
lab__sysctl "$LB" net.ipv4.conf.lan0.rp_filter=0
if out=$(slctl config apply "$cfg" --dry-run 2>&1); then
  lab_not_ok "rp_filter 0: config apply --dry-run of health.path data refused"
elif grep -q "at args\.config\.health\.path" <<<"$out" && grep -q "net.ipv4.conf.lan0.rp_filter=1" <<<"$out"; then
  lab_ok "rp_filter 0: config apply --dry-run of health.path data refused at health.path"
else
  lab_not_ok "rp_filter 0: config apply --dry-run refused at health.path" "$out"
fi
lab__sysctl "$LB" net.ipv4.conf.lan0.rp_filter=1
lab_check "rp_filter 1: config apply --dry-run passes" slctl config apply "$cfg" --dry-run

lab_test_end
