#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Malformed frames from the client side (scapy, tests/e2e/malformed.py): each
# is dropped and counted under its reason in `sluicectl --json stats`
# (result.drops.<reason>, names from dataplane/core/drop.h); TTL 1 to the VIP
# brings back ICMP time exceeded; afterwards normal traffic still flows.
# Fragments are checked with the wan port on net_pcap (see below why).
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

lab_test_begin malformed
lab_std_start --servers 1

lab_check "vip add $LAB_VIP:80; rs $(lab_rs_ip 1):8080" \
  lab_vip_setup "$LAB_VIP:80" wrr "$(lab_rs_ip 1):8080:1"

# normal_request WHEN: one request through the VIP must be answered by rs1.
normal_request() {
  local body
  if body=$(lab_curl "http://$LAB_VIP/whoami" 2>&1); then
    lab_check_eq "a normal request through the VIP works ($1)" "$body" rs1
  else
    lab_not_ok "a normal request through the VIP works ($1)" "$body"
  fi
}
# vip_mac: the MAC the client's ARP learned for the VIP.
vip_mac() {
  ip -n "$(lab_ns cli)" neigh show "$LAB_VIP" | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p'
}
# run_malformed DST_MAC [malformed.py args...]: fold its checks into ours.
run_malformed() {
  local mac=$1 st=0 line
  shift
  lab_exec cli "$LAB_PY" "$LAB_ROOT/tests/e2e/malformed.py" \
    --iface cli0 --src-mac "$(lab_mac cli cli0)" --dst-mac "$mac" \
    --src "$LAB_CLI_IP" --vip "$LAB_VIP" --vport 80 \
    --sluicectl "$SLUICECTL" --socket "$LAB_SOCK" "$@" >"$T/malformed.out" 2>"$T/malformed.err" || st=$?
  while IFS= read -r line; do
    case $line in
      "ok - "*) lab_ok "${line#ok - }" ;;
      "not ok - "*) lab_not_ok "${line#not ok - }" ;;
      *) echo "$line" ;;
    esac
  done <"$T/malformed.out"
  if [ "$st" -ne 0 ] && ! grep -q '^not ok - ' "$T/malformed.out"; then
    lab_not_ok "malformed.py ran (status $st)" "$(tail -n 15 "$T/malformed.err")"
  fi
}

# A normal request first: the client learns the VIP's MAC, Sluice the client's.
normal_request before
lab_check_eq "ARP for the VIP answered with wan0's MAC" "$(vip_mac)" "$(lab_mac lb wan0)"

# Fragments are not sent here: DPDK's net_af_packet joins its sockets to a
# fanout group with PACKET_FANOUT_FLAG_DEFRAG, so the kernel holds lone
# fragments (and hands a complete set over reassembled); they never reach
# Sluice as fragments. They are checked below with the wan port on net_pcap.
run_malformed "$(lab_mac lb wan0)" --skip frag_first,frag_later

normal_request after
lab_check "ICMP echo to the VIP still answered" lab_ping "$LAB_VIP" -c 2 --min 2

# --- unsolicited ARP replies are not learned ----------------------------------
# 50 replies nobody asked for, from on-link addresses, to wan's address:
# before, each became a resolved neighbor (a neighbor could fill the table).
unsol() { lab_stats | lab_jget "r['resources']['neighbors'].get('unsolicited', 0)"; }
u0=$(unsol)
wan_mac=$(lab_mac lb wan0)
lab_exec cli /usr/bin/python3 - "$wan_mac" "$LAB_WAN_IP" <<'PY'
import sys
from scapy.all import ARP, Ether, sendp
mac, wan = sys.argv[1], sys.argv[2]
src = "02:00:00:ee:00:01"
sendp([Ether(src=src, dst=mac) / ARP(op=2, hwsrc=src, psrc=f"198.18.0.{i}", hwdst=mac, pdst=wan)
       for i in range(150, 200)], iface="cli0", verbose=0)
PY
sleep 1
learned=$(slctl --json neigh list |
  lab_jget "len([n for n in r['neighbors'] if n['ip'].startswith('198.18.0.1') and int(n['ip'].split('.')[3]) >= 150])")
lab_check_eq "50 unsolicited ARP replies: none learned as a neighbor" "$learned" 0
lab_check_cmp "[arp] counted as resources.neighbors.unsolicited" "$(( $(unsol) - u0 ))" -ge 50

# --- fragments, wan port on net_pcap (no fanout, no kernel defrag) ----------
if lab_sluice_stop; then
  lab_ok "sluice stopped on SIGTERM with status 0 (before the net_pcap variant)"
else
  lab_not_ok "sluice stopped on SIGTERM with status 0" "status ${LAB_SLUICE_STATUS:-unknown}"
fi
cfg=$(lab_make_config 'c["workers"] = 1' \
  'c["ports"][0]["devargs"] = "net_pcap0,iface=wan0"' \
  'c["ports"][1]["devargs"] = "net_af_packet1,iface=lan0,qpairs=1"')
if lab_sluice_start "$cfg"; then
  lab_ok "sluice started with wan on net_pcap, 1 worker"
  lab_check "vip add $LAB_VIP:80; rs $(lab_rs_ip 1):8080 (again)" \
    lab_vip_setup "$LAB_VIP:80" wrr "$(lab_rs_ip 1):8080:1"
  ip -n "$(lab_ns cli)" neigh flush dev cli0
  normal_request "net_pcap, before fragments"
  mac=$(vip_mac)
  if [ -n "$mac" ]; then
    lab_ok "the client learned the VIP's MAC on net_pcap ($mac)"
    run_malformed "$mac" --cases frag_first,frag_later --no-ttl
  else
    lab_not_ok "the client learned the VIP's MAC on net_pcap"
  fi
  normal_request "net_pcap, after fragments"
else
  lab_not_ok "sluice started with wan on net_pcap, 1 worker"
fi

lab_test_end
