#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# 802.1Q (issue 14): Sluice's wan device carries two logical ports, wan10
# (vlan 10, 198.18.10.1/24) and wan20 (vlan 20, 198.18.20.1/24). The
# client's veth tags by sender (tests/e2e/vlan_tag.bpf.c: 198.18.V.x
# leaves on VLAN V, tags popped on the way in), so one client plays a
# host on each VLAN and one on VLAN 30, which no port has. Checked:
# requests from each VLAN balanced rr over two servers, all answered;
# ICMP echo to each port's address; Sluice's ARP answers and its replies leave on the asker's VLAN (a
# capture on the client's veth: every frame from Sluice tagged 10 or 20,
# matching the client address it is for); VLAN 30's SYNs dropped as
# vlan_unknown and unanswered; a capture of wan20's RX holds VLAN 20's
# frames and none of VLAN 10's; a duplicate vlan on one device and a bad
# id refused at their JSON paths.
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

BPF_OBJ=${BPF_OBJ:-$LAB_ROOT/build/tests/vlan_tag.bpf.o}
N=${N:-20}

lab_test_begin vlan
[ -r "$BPF_OBJ" ] || { lab_not_ok "tc program built" "$BPF_OBJ missing (make all)"; exit 1; }

# Config refusals first: they need no lab.
wan='{"name": "wan10", "devargs": "net_af_packet0,iface=wan0,qpairs=2", "vlan": 10}'
dup=$(lab_make_config "c['ports'] = [$wan, dict($wan, name='wan11')] + c['ports'][1:]")
lab_check "the same vlan twice on one device refused at \$.ports[1].vlan" \
  bash -c "'$SLUICE' --check -c '$dup' 2>&1 | grep -q 'ports\[1\]\.vlan.*port wan10 has vlan 10 on the same device'"
bad=$(lab_make_config "c['ports'] = [dict($wan, vlan=4095)] + c['ports'][1:]")
lab_check "vlan 4095 refused at \$.ports[0].vlan" \
  bash -c "'$SLUICE' --check -c '$bad' 2>&1 | grep -q 'ports\[0\]\.vlan'"

lab_up --servers 2 || { lab_not_ok "lab up"; exit 1; }
cli=$(lab_ns cli)
ip -n "$cli" addr flush dev cli0
for v in 10 20 30; do ip -n "$cli" addr add "198.18.$v.2/24" dev cli0; done
ip -n "$cli" route add 198.18.0.0/24 dev cli0
tc -n "$cli" qdisc add dev cli0 clsact
tc -n "$cli" filter add dev cli0 egress bpf da obj "$BPF_OBJ" sec vlan_push
tc -n "$cli" filter add dev cli0 ingress bpf da obj "$BPF_OBJ" sec vlan_pop

cfg=$(lab_make_config \
  "w = c['ports'][0]; c['ports'] = [dict(w, name='wan10', vlan=10, ipv4='198.18.10.1/24'), dict(w, name='wan20', vlan=20, ipv4='198.18.20.1/24')] + c['ports'][1:]")
if lab_sluice_start "$cfg"; then
  lab_ok "sluice started with wan10 (vlan 10) and wan20 (vlan 20) on wan0"
else
  lab_not_ok "sluice started with wan10 (vlan 10) and wan20 (vlan 20) on wan0"
  exit 1
fi
lab_check "vip add $LAB_VIP:80 rr, two servers" \
  lab_vip_setup "$LAB_VIP:80" rr "$(lab_rs_ip 1):8080:1" "$(lab_rs_ip 2):8080:1"

cap=$T/cli0.pcap
lab_exec cli timeout 60 tcpdump -U -p -nn -e -i cli0 -w "$cap" 'not ip6' 2>"$T/tcpdump.err" &
tcpdump_pid=$!
sleep 1

for v in 10 20; do
  lab_curl_loop "$N" "http://$LAB_VIP/whoami" 0 --interface "198.18.$v.2" >"$T/curl$v.log"
  tally=$(lab_tally "$T/curl$v.log")
  lab_check_eq "vlan $v: $N requests all answered" "$(lab_jget "r['ok']" <<<"$tally")" "$N"
  lab_check_eq "vlan $v: balanced rr, rs1 and rs2 $((N / 2)) each" \
    "$(lab_jget "[r['by_body'].get('rs1', 0), r['by_body'].get('rs2', 0)]" <<<"$tally")" \
    "[$((N / 2)), $((N / 2))]"
done

for v in 10 20; do
  lab_check "vlan $v: ICMP echo to wan$v's address 198.18.$v.1 answered 3 of 3" \
    lab_ping 198.18.$v.1 --source 198.18.$v.2 -c 3 --min 3
done

# A capture of wan20's RX while both VLANs send: only VLAN 20's frames
# (the split comes first; the device's polled port is wan10's).
"$SLUICECTL" -s "$LAB_SOCK" capture wan20 -w "$T/wan20.pcapng" --direction rx \
  --duration 4 >"$T/cap20.out" 2>&1 &
cap_pid=$!
sleep 1
for v in 10 20; do
  lab_curl_loop 5 "http://$LAB_VIP/whoami" 0 --interface "198.18.$v.2" >/dev/null
done
st=0; wait "$cap_pid" || st=$?
lab_check_eq "capture wan20 --direction rx exits 0" "$st" 0
cap20() { tcpdump -nn -r "$T/wan20.pcapng" "$@" 2>/dev/null | wc -l; }
# (rte_pcapng_copy puts a stripped tag back: the copies show the wire.)
lab_check_cmp "wan20's capture holds VLAN 20's frames" \
  "$(cap20 vlan 20 and src net 198.18.20.0/24)" -ge 5
lab_check_eq "... and nothing else" "$(cap20 not \( vlan 20 and src net 198.18.20.0/24 \))" 0

before=$(lab_drop vlan_unknown)
if CURL_MAX_TIME=3 lab_curl --interface 198.18.30.2 "http://$LAB_VIP/whoami" >/dev/null 2>&1; then
  lab_not_ok "vlan 30 (no port): nothing answered" "answered"
else
  lab_ok "vlan 30 (no port): nothing answered"
fi
after=$(lab_drop vlan_unknown)
lab_check_cmp "vlan 30's SYNs counted as vlan_unknown (grew by $((after - before)))" \
  "$((after - before))" -ge 2

sleep 1
kill "$tcpdump_pid" 2>/dev/null || true
wait "$tcpdump_pid" 2>/dev/null || true
# Every frame from Sluice's MAC: its tag and the client address it is for
# (IPv4 destination, ARP target).
lab_exec cli tcpdump -r "$cap" -nn -e 'ether src 02:00:00:00:00:02' 2>/dev/null >"$T/from_sluice.txt" || true
"$LAB_PY" - "$T/from_sluice.txt" >"$T/tags.json" <<'PY'
import json, re, sys
seen = {"frames": 0, "untagged": 0, "mismatch": 0, "by_vlan": {}}
for line in open(sys.argv[1]):
    seen["frames"] += 1
    m = re.search(r"vlan (\d+)", line)
    dst = re.search(r"(?:> |tell |who-has )?198\.18\.(\d+)\.2[ .:,]", line)
    if not m:
        seen["untagged"] += 1
        continue
    v = m.group(1)
    seen["by_vlan"][v] = seen["by_vlan"].get(v, 0) + 1
    if dst and dst.group(1) != v:
        seen["mismatch"] += 1
print(json.dumps(seen))
PY
tags=$(cat "$T/tags.json")
echo "# frames from Sluice on cli0: $tags"
lab_check_eq "every frame from Sluice tagged" "$(lab_jget "r['untagged']" <<<"$tags")" 0
lab_check_eq "each tagged with its client's VLAN" "$(lab_jget "r['mismatch']" <<<"$tags")" 0
lab_check_eq "frames on VLANs 10 and 20 only, both used" \
  "$(lab_jget "sorted(r['by_vlan'])" <<<"$tags")" '["10", "20"]'
stats=$(lab_stats)
grep -h "vlan" "$LAB_RUN/sluice.log" | sed 's/^/# /' || true
echo "# non-zero drops: $(lab_jget "{k: v for k, v in r['drops'].items() if v}" <<<"$stats")"
lab_check "both VLANs' clients in the connection list (or expired)" \
  test "$(lab_jget "r['totals']['conns_created']" <<<"$stats")" -ge "$((2 * N))"

lab_test_end
