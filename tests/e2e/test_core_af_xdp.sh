#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Sluice on net_af_xdp with its own XDP program: the core full-NAT scenario;
# a kernel HTTP server on P-lb's own address on the same interface still
# answers (the program passes it to the kernel); a blocklisted client never
# reaches a worker (XDP drops it: drop_blocklist grows, nothing more is
# redirected on wan, the workers receive nothing from it); SYNs over the
# per-source rate are dropped in XDP; the program leaves with Sluice.
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=scripts/lab_drivers.sh
. "$(dirname "$0")/../../scripts/lab_drivers.sh"

lab_test_begin core_af_xdp
mapfile -t cfg < <(lab_cfg_af_xdp)
lab_up --servers 2 --queues 1 || { lab_not_ok "lab up"; exit 1; }
lab_check "P-lb's kernel serves HTTP on $LAB_LB_HOST_IP:$LAB_LB_HTTP_PORT (wan0)" lab_lb_kernel_http
config=$(lab_make_config "${cfg[@]}")
if lab_sluice_start "$config"; then
  lab_ok "sluice started on net_af_xdp ports"
else
  lab_not_ok "sluice started on net_af_xdp ports"
  exit 1
fi

xdp_port() { lab_stats | lab_jget "[p for p in r['xdp']['ports'] if p['port'] == '$1'][0]['$2']"; }
lab_check_eq "XDP program on wan and lan" \
  "$(lab_stats | lab_jget "','.join(p['port'] for p in r['xdp']['ports'])")" "wan,lan"
lab_check "wan0 runs sluice_xdp" bash -c "ip -n $(lab_ns lb) link show wan0 | grep -q 'prog/xdp.*name sluice_xdp'"

lab_core_scenario 100

# The kernel next to Sluice on the same interface.
pass0=$(xdp_port wan pass_host)
body=$(lab_curl "http://$LAB_LB_HOST_IP:$LAB_LB_HTTP_PORT/hello" 2>&1 || true)
lab_check_eq "the kernel's own HTTP server on $LAB_LB_HOST_IP answers through XDP_PASS" "$body" kernel
lab_check_cmp "XDP pass_host on wan grew" "$(xdp_port wan pass_host)" -gt "$pass0"
lab_check_eq "no frame was passed for want of a socket" \
  "$(lab_stats | lab_jget "r['xdp']['totals']['pass_no_socket']")" 0

# A blocked client: nothing of it reaches a worker.
stats=$(lab_stats)
rx0=$(lab_jget "r['totals']['rx_packets']" <<<"$stats")
red0=$(lab_jget "[p for p in r['xdp']['ports'] if p['port'] == 'wan'][0]['redirect']" <<<"$stats")
redall0=$(lab_jget "r['xdp']['totals']['redirect']" <<<"$stats")
drop0=$(lab_jget "r['xdp']['totals']['drop_blocklist']" <<<"$stats")
lab_check "blocklist add $LAB_CLI_IP" slctl blocklist add "$LAB_CLI_IP"
CURL_MAX_TIME=2 lab_curl_loop 3 "http://$LAB_VIP/whoami" >"$T/blocked.log"
lab_check_eq "blocked client: 3 of 3 requests to the VIP fail" \
  "$(lab_tally "$T/blocked.log" | lab_jget "r['failed']")" 3
body=$(CURL_MAX_TIME=2 lab_curl "http://$LAB_LB_HOST_IP:$LAB_LB_HTTP_PORT/hello" 2>/dev/null || echo unreachable)
lab_check_eq "blocked client: the kernel's server is out of reach too" "$body" unreachable
stats=$(lab_stats)
echo "# $(lab_jget "r['xdp']" <<<"$stats")"
lab_check_cmp "drop_blocklist grew by the retried SYNs" \
  "$(lab_jget "r['xdp']['totals']['drop_blocklist']" <<<"$stats")" -ge $((drop0 + 4))
lab_check_eq "nothing more was redirected on wan" \
  "$(lab_jget "[p for p in r['xdp']['ports'] if p['port'] == 'wan'][0]['redirect']" <<<"$stats")" "$red0"
lab_check_eq "the workers received only what XDP redirected (lan), none of it from the client" \
  "$(( $(lab_jget "r['totals']['rx_packets']" <<<"$stats") - rx0 ))" \
  "$(( $(lab_jget "r['xdp']['totals']['redirect']" <<<"$stats") - redall0 ))"
hits=$(slctl --json blocklist list | lab_jget "r['blocklist'][0]['hits']")
lab_check_cmp "blocklist list shows the hits" "$hits" -ge 4
lab_check "blocklist del $LAB_CLI_IP" slctl blocklist del "$LAB_CLI_IP"
lab_curl_loop 3 "http://$LAB_VIP/whoami" >"$T/unblocked.log"
lab_check_eq "unblocked: requests answered again" \
  "$(lab_tally "$T/unblocked.log" | lab_jget "r['failed']")" 0

# SYN rate: 1 per second per source, bursts of 3; 20 SYNs at once.
lab_check "xdp syn-rate 1 3" slctl xdp syn-rate 1 3
syn0=$(lab_stats | lab_jget "r['xdp']['totals']['drop_syn_rate']")
lab_exec cli /usr/bin/python3 -c '
import sys
from scapy.all import Ether, IP, TCP, sendp
vip, mac = sys.argv[1], sys.argv[2]
sendp([Ether(dst=mac) / IP(src="198.18.0.1", dst=vip) / TCP(sport=30000 + i, dport=80, flags="S")
       for i in range(20)], iface="cli0", verbose=False)
' "$LAB_VIP" "$(lab_mac lb wan0)"
syn=$(( $(lab_stats | lab_jget "r['xdp']['totals']['drop_syn_rate']") - syn0 ))
lab_check_cmp "SYNs over the rate dropped in XDP (20 sent, burst 3)" "$syn" -ge 15
lab_check "xdp syn-rate 0 0 (off)" slctl xdp syn-rate 0 0
lab_curl_loop 5 "http://$LAB_VIP/whoami" >"$T/after.log"
lab_check_eq "rate limit off: requests answered" \
  "$(lab_tally "$T/after.log" | lab_jget "r['failed']")" 0

lab_check_eq "config show keeps the XDP settings" \
  "$(slctl config show | lab_jget "[r['xdp']['syn_rate'], r['ports'][0]['xdp']]")" \
  "[0, true]"

if lab_sluice_stop; then
  lab_ok "sluice stopped on SIGTERM with status 0"
else
  lab_not_ok "sluice stopped on SIGTERM with status 0" "status ${LAB_SLUICE_STATUS:-?}"
fi
if ip -n "$(lab_ns lb)" link show wan0 | grep -q 'prog/xdp'; then
  lab_not_ok "the XDP program left wan0 with sluice"
else
  lab_ok "the XDP program left wan0 with sluice"
fi
lab_test_end
