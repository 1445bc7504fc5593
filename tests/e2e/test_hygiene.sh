#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Process hygiene (issue 19, items 8-10) on net_af_xdp: a second sluice on
# the same interfaces, with another file prefix, is refused before it
# touches them (the first keeps its XDP program and its traffic); a
# blocklist prefix covering a route's gateway is refused without --force.
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=scripts/lab_drivers.sh
. "$(dirname "$0")/../../scripts/lab_drivers.sh"

lab_test_begin hygiene
mapfile -t cfg < <(lab_cfg_af_xdp)
cfg+=('c["routes"] = [{"prefix": "198.19.0.0/16", "via": "198.18.0.1", "port": "wan"}]')
lab_up --servers 2 --queues 1 || { lab_not_ok "lab up"; exit 1; }
config=$(lab_make_config "${cfg[@]}")
lab_sluice_start "$config" || { lab_not_ok "sluice started on af_xdp"; exit 1; }
lab_ok "sluice started on af_xdp"
lab_check "vip add $LAB_VIP:80" lab_vip_setup "$LAB_VIP:80" rr "$(lab_rs_ip 1):8080:1"
prog_id() { ip -n "$(lab_ns lb)" -d link show wan0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -1; }
id0=$(prog_id)
lab_check "wan0 runs sluice_xdp (id $id0)" test -n "$id0"

# Item 8: a second instance, another file prefix and socket, same interfaces.
config2=$(lab_make_config "${cfg[@]}" 'c["eal"][c["eal"].index("--file-prefix") + 1] += "-second"' \
  'c["control"]["socket"] += ".second"')
st=0
out=$(timeout 30 ip netns exec "$(lab_ns lb)" "$SLUICE" -c "$config2" 2>&1 </dev/null) || st=$?
echo "$out" | tail -n 3 | sed 's/^/# /'
lab_check_cmp "the second sluice exits non-zero" "$st" -ne 0
lab_check "it says which interface is in use, by which pid, which lock" \
  grep -q "interface wan0 is in use by sluice pid $LAB_SLUICE_PID (lock /run/sluice/wan0.lock)" <<<"$out"
lab_check_eq "the first's XDP program is still attached to wan0" "$(prog_id)" "$id0"
lab_check_eq "the first's stats still count an XDP port on wan" \
  "$(lab_stats | lab_jget "','.join(p['port'] for p in r['xdp']['ports'])")" "wan,lan"
lab_curl_loop 5 "http://$LAB_VIP/whoami" >"$T/after_second.log"
lab_check_eq "traffic still flows through the first" \
  "$(lab_tally "$T/after_second.log" | lab_jget "r['failed']")" 0

# Item 10: a blocklist prefix that would cut Sluice off from its gateway.
for p in 0.0.0.0/0 198.18.0.0/24; do
  st=0
  out=$(slctl blocklist add "$p" 2>&1) || st=$?
  lab_check_eq "blocklist add $p (covers the gateway 198.18.0.1): exit 1" "$st" 1
  lab_check "the error names the prefix and the gateway it covers" \
    grep -q "$p covers 198.18.0.1, the gateway of route 198.19.0.0/16" <<<"$out"
done
lab_check_eq "nothing was blocked" "$(slctl --json blocklist list | lab_jget "len(r['blocklist'])")" 0
lab_check "blocklist add 198.18.0.0/24 --force is accepted" slctl blocklist add 198.18.0.0/24 --force
lab_check_eq "and listed" "$(slctl --json blocklist list | lab_jget "r['blocklist'][0]['prefix']")" 198.18.0.0/24
lab_check "blocklist del 198.18.0.0/24" slctl blocklist del 198.18.0.0/24
lab_check "blocklist add 203.0.113.0/24 (covers nothing configured)" slctl blocklist add 203.0.113.0/24

lab_test_end
