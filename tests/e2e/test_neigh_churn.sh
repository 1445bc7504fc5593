#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Neighbor churn against big Maglev tables (issue 12.15): 100 mh VIPs of
# 65537 slots each, 100 learned-neighbor changes a second for 6 s (ARP
# requests from 20 on-link wan addresses, each time with a new MAC);
# meanwhile `stats` answers in under 50 ms every time, the changes are
# taken (the neighbors are listed with their latest MAC), and a client
# still gets through.
# An ARP request only refreshes a neighbor Sluice has (issue 12.9): a
# burst from 50 unknown senders is answered and learns nothing, so the
# 20 churned senders are made neighbors first (Sluice answers their
# pings, and resolves them to do so).
# e2e-timeout: 90
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

H6=$LAB_ROOT/scripts/h6_tool.py
SECONDS_CHURN=6
lab_test_begin neigh_churn
lab_std_start --servers 2 -- \
  'c["vips"] = [{"vip": "198.18.0.100", "port": 1000 + i, "proto": "tcp", "scheduler": "mh", "mh_table_size": 65537, "real_servers": [{"ip": "198.18.1.11", "port": 8080, "weight": 1}, {"ip": "198.18.1.12", "port": 8080, "weight": 1}]} for i in range(99)] + [{"vip": "198.18.0.100", "port": 80, "proto": "tcp", "scheduler": "mh", "mh_table_size": 65537, "real_servers": [{"ip": "198.18.1.11", "port": 8080, "weight": 1}, {"ip": "198.18.1.12", "port": 8080, "weight": 1}]}]'
lab_check_eq "100 mh VIPs configured" \
  "$(slctl --json vip list | lab_jget "len(r['vips'])")" 100

# --- requests from unknown senders: answered, not learned ------------------
listed() { slctl --json neigh list | lab_jget "len([n for n in r['neighbors'] if n['ip'].startswith('198.18.0.') and $1 <= int(n['ip'].split('.')[3]) < $2])"; }
u0=$(lab_stat_sum arp_requests_unknown)
lab_exec cli "$LAB_PY" "$H6" arp-churn cli0 198.18.0.2 198.18.0.150 -n 50 \
  --rate 500 --seconds 0.2 >/dev/null
sleep 0.5
lab_check_eq "[flood] ARP requests from 50 unknown senders: none learned" "$(listed 150 200)" 0
lab_check_cmp "[flood] counted as arp_requests_unknown" \
  "$(( $(lab_stat_sum arp_requests_unknown) - u0 ))" -ge 50

# --- the 20 churned senders become neighbors the ordinary way --------------
lab_check "20 client addresses 198.18.0.50..69" lab_cli_addrs 50 20
lab_exec cli "$LAB_PY" - "$LAB_WAN_IP" <<'PY'
import select, socket, struct, sys
def csum(b):
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    s = (s >> 16) + (s & 0xFFFF)
    return ~(s + (s >> 16)) & 0xFFFF
for i in range(50, 70):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.bind((f"198.18.0.{i}", 0))
    hdr = struct.pack("!BBHHH", 8, 0, 0, i, 1)
    s.sendto(struct.pack("!BBHHH", 8, 0, csum(hdr), i, 1), (sys.argv[1], 0))
    select.select([s], [], [], 2)
PY
twenty() { [ "$(listed 50 70)" = 20 ]; }
lab_wait_until 5 "20 neighbors" twenty || true
lab_check_eq "[churn] the 20 senders resolved by Sluice before the churn" "$(listed 50 70)" 20

lab_exec cli "$LAB_PY" "$H6" arp-churn cli0 198.18.0.2 198.18.0.50 -n 20 \
  --rate 100 --seconds "$SECONDS_CHURN" >"$T/churn.json" &
churn=$!
"$LAB_PY" "$H6" stats-latency "$LAB_RUN/sluice.sock" --seconds "$SECONDS_CHURN" \
  >"$T/latency.json"
wait "$churn"
sent=$(lab_jget "r['sent']" <"$T/churn.json")
lat=$(cat "$T/latency.json")
echo "# $sent ARP changes; stats latency $lat"
lab_check_cmp "[churn] about 100 ARP changes a second sent ($sent)" "$sent" -ge $((SECONDS_CHURN * 90))
lab_check_cmp "[churn] stats answered many times ($lat)" "$(lab_jget "r['n']" <<<"$lat")" -ge 50
lab_check_cmp "[churn] stats always answered in under 50 ms ($lat)" \
  "$(lab_jget "int(r['max_ms'])" <<<"$lat")" -lt 50

# The last round's MACs end in the sender's index; the counter bytes
# before it are the send number, so the latest one is the one listed.
sleep 0.5
neigh=$(slctl --json neigh list)
last=$((sent - 1))
want=$(printf '02:5e:%02x:%02x:%02x:%02x' $(((last >> 16) & 255)) $(((last >> 8) & 255)) \
  $((last & 255)) $((last % 20)))
ip_last="198.18.0.$((50 + last % 20))"
lab_check_eq "[churn] $ip_last learned with its latest MAC $want" \
  "$(lab_jget "[n['mac'] for n in r['neighbors'] if n['ip'] == '$ip_last'][0]" <<<"$neigh")" "$want"
lab_check_eq "[churn] all 20 churned senders are neighbors" \
  "$(lab_jget "len([n for n in r['neighbors'] if n['ip'].startswith('198.18.0.') and 50 <= int(n['ip'].split('.')[3]) < 70])" <<<"$neigh")" 20
lab_curl_loop 4 "http://$LAB_VIP/whoami" >"$T/curl.log"
lab_check_eq "[churn] a client's 4 requests through an mh VIP all answered" \
  "$(lab_tally "$T/curl.log" | lab_jget "r['failed']")" 0
lab_test_end
