#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Data-path health checks (health.path "data") on net_af_xdp ports with
# Sluice's XDP program (review 19.6 item 1): the servers' answers to the
# lan tap's address (198.18.1.5) must reach the tap. The XDP program
# passes what is not Sluice's to the kernel on lan0, not to the tap, so
# the tap's address is in its table (kind host): redirected to Sluice,
# which hands it to the tap. Both servers pass a check within 3 s, the
# XDP table holds the tap's address, and the answers were redirected
# (XDP redirect and to_host grew), not passed to lan0's kernel. The
# address table itself, read with bpftool: the tap's address is kind host
# (0x10) for lan (port 1, bit 0x02) alone, the VIP kind vip (0x02), both
# ports' programs hold the same table, and each copy of sl_config knows
# its port (wan bit 1, lan bit 2): so the tap's address is steered to
# Sluice on lan only (review of issue 19, item 1; tests/unit/test_xdp.c
# runs the program on such a table).
# e2e-timeout: 60
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=scripts/lab_drivers.sh
. "$(dirname "$0")/../../scripts/lab_drivers.sh"

TAP_IP=198.18.1.5
lab_test_begin health_path_xdp
mapfile -t cfg < <(lab_cfg_af_xdp)
lab_up --servers 2 --queues 1 || { lab_not_ok "lab up"; exit 1; }
config=$(lab_make_config "${cfg[@]}" "c['health'] = {'path': 'data'}" \
  "c['ports'][1]['exception'] = {'device': 'net_tap', 'addresses': ['$TAP_IP/24']}")
if lab_sluice_start "$config"; then
  lab_ok "sluice started on net_af_xdp ports, health.path data"
else
  lab_not_ok "sluice started on net_af_xdp ports, health.path data"
  exit 1
fi

V=$LAB_VIP:80
lab_check "vip add $V, tcp check every 300 ms" \
  slctl vip add "$V" --sched rr --check tcp --interval 300 --timeout 200 --rise 1 --fall 2
for i in 1 2; do
  lab_check "rs add rs$i" slctl rs add "$V" "$(lab_rs_ip "$i"):8080"
done
xdp_lan() { lab_stats | lab_jget "[p for p in r['xdp']['ports'] if p['port'] == 'lan'][0]['$1']"; }
# shellcheck disable=SC2317  # called through lab_wait_until
passed() {
  slctl --json rs list "$V" | lab_jget \
    "all(s['last_check'] and s['last_check']['passed'] >= 3 and s['last_check']['failed'] == 0 for s in r['real_servers'])" |
    grep -qx true
}
red0=$(xdp_lan redirect) host0=$(lab_total to_host)
lab_check "both servers passed 3 data-path checks, none failed, within 3 s" \
  lab_wait_until 3 "checks" passed
slctl rs list "$V" | sed 's/^/# /'
lab_check_cmp "the answers were redirected to Sluice on lan (XDP redirect grew)" \
  "$(( $(xdp_lan redirect) - red0 ))" -ge 6
lab_check_cmp "... and handed to the tap (to_host grew)" \
  "$(( $(lab_total to_host) - host0 ))" -ge 6

LB=$(lab_ns lb)
table=$(lab_xdp_addrs "$(lab_xdp_map "$LB" lan0 sl_addrs)")
sed 's/^/# /' <<<"$table"
lab_check_eq "lan's XDP table: $TAP_IP kind host, for lan (port 1) only" \
  "$(grep "^$TAP_IP " <<<"$table")" "$TAP_IP 10 02"
lab_check_eq "... the VIP kind vip, for every port" \
  "$(grep "^$LAB_VIP " <<<"$table")" "$LAB_VIP 02 00"
lab_check_eq "wan's XDP table is the same table" \
  "$(lab_xdp_addrs "$(lab_xdp_map "$LB" wan0 sl_addrs)")" "$table"
lab_check_eq "each port's program knows its port (sl_config: wan 1, lan 2)" \
  "$(lab_xdp_port_bit "$(lab_xdp_map "$LB" wan0 sl_config)") $(lab_xdp_port_bit "$(lab_xdp_map "$LB" lan0 sl_config)")" "1 2"

lab_test_end
