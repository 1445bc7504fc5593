#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Replies steered by the NIC (issue 14), as far as this lab's drivers go.
# No PMD here takes these rte_flow rules: af_packet has no flow API, and
# net_tap's TC translation takes only whole-port masks (DPDK 22.11
# tap_flow.c), not the low-bit mask the rules carry; it validates a rule
# in software and refuses to create it (this kernel also lacks the multiq
# qdisc and TC flower the PMD wants). So what runs here is the fallback, with
# two workers:
#  - each port probes its device with a validate-only rule at start and,
#    refused, shows "flow_steering": "ring" with the driver's error, logged
#    once per port; net_tap's refusal (at create) is printed as evidence;
#  - replies (server -> local address) are counted on the lan port by how
#    they reached their owner: on its own RX queue, or over the ring. On
#    af_packet the kernel's fanout knows nothing of owners, so both grow;
#    client packets are not replies (wan stays 0);
#  - "flow_steering": false shows "off" with the config as the reason;
#  - af_packet (the probe refused) is not retried; net_tap (a real rule
#    refused) is retried on its back-off, refused again, counted, logged once.
# The rules themselves (plan, add/remove with addresses, fallback) are unit
# tested against a mock device: tests/unit/test_flow_steer.c.
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=scripts/lab_drivers.sh
. "$(dirname "$0")/../../scripts/lab_drivers.sh"

lab_test_begin flow_steer
lab_up --servers 1 --queues 2 || { lab_not_ok "lab up"; exit 1; }
RS=$(lab_rs_ip 1)

# port_get PORT EXPR: EXPR over `port show PORT`'s JSON (r).
port_get() { slctl --json port show "$1" | lab_jget "$2"; }
# replies PORT: "ON_QUEUE BY_RING" from the stats.
replies() {
  lab_stats | lab_jget "[('%d %d' % (p['replies_on_queue'], p['replies_by_ring'])) for p in r['ports'] if p['port'] == '$1'][0]"
}

# traffic N: N HTTP requests through the VIP, all answered.
traffic() {
  lab_curl_loop "$1" "http://$LAB_VIP/whoami" >"$T/curl.log"
  lab_check_eq "$1 HTTP requests through $LAB_VIP all answered" \
    "$(lab_tally "$T/curl.log" | lab_jget "r['failed']")" 0
}

start() {
  local cfg
  cfg=$(lab_make_config "$@")
  : >"$LAB_RUN/sluice.log"
  lab_sluice_start "$cfg" || { lab_not_ok "sluice starts"; exit 1; }
}

# --- 1. af_packet: the device refuses, the ring steers, both counted.
start
slctl port list | sed 's/^/# /'
reason=$(port_get lan "r.get('flow_steering_reason', '')")
echo "# lan: $reason"
lab_check_eq "af_packet lan: flow_steering ring, no rules" \
  "$(port_get lan "'%s %d' % (r['flow_steering'], r['flow_rules'])")" "ring 0"
lab_check "  ... the reason names the probe rule and the driver's error" \
  eval "grep -q '^validating tcp 192.0.2.1 dport 0/1 -> queue 0: .*(Function not implemented)' <<<\"\$reason\""
lab_check_eq "  ... not retried: the probe's rule itself was refused" \
  "$(port_get lan "'%s %d' % (r['flow_retry'], r['flow_retries'])")" "never 0"
lab_check_eq "  ... logged once per port (lan, wan)" \
  "$(grep -c 'port lan: the device takes no flow rules, replies steered by ring' "$LAB_RUN/sluice.log") $(grep -c 'port wan: the device takes no flow rules' "$LAB_RUN/sluice.log")" "1 1"
lab_check "port list shows ring in FLOW" eval "slctl port list | grep -Eq '^lan .* ring *$'"
lab_check "vip $LAB_VIP:80 -> rs1" lab_vip_setup "$LAB_VIP:80" rr "$RS:8080:1"
traffic 40
read -r on ring <<<"$(replies lan)"
echo "# lan replies: $on on their owner's queue, $ring by ring"
lab_check "lan: replies came both ways (fanout ignores owners): on queue $on > 0, by ring $ring > 0" \
  test "$on" -gt 0 -a "$ring" -gt 0
lab_check "  ... at least one per request each way in total ($((on + ring)) >= 80)" \
  test $((on + ring)) -ge 80
lab_check_eq "wan: client packets are not replies" "$(replies wan)" "0 0"
lab_check "port show lan prints the replies line" \
  eval "slctl port show lan | grep -q \"^replies: *$on on their owner's queue, $ring steered by ring\""
lab_sluice_stop || lab_not_ok "sluice stopped"

# --- 2. "flow_steering": false: off, with the config as the reason.
start 'c["ports"][1]["flow_steering"] = False'
lab_check_eq "flow_steering false: lan off, the config says why" \
  "$(port_get lan "'%s / %s' % (r['flow_steering'], r['flow_steering_reason'])")" \
  'off / "flow_steering": false in the config'
lab_check_eq "  ... logged once, and no probe for lan" \
  "$(grep -c 'port lan: replies steered by ring only: "flow_steering": false' "$LAB_RUN/sluice.log") $(grep -c 'port lan: the device takes no' "$LAB_RUN/sluice.log")" "1 0"
lab_check_eq "  ... wan still probed: ring" "$(port_get wan "r['flow_steering']")" ring
lab_check "vip $LAB_VIP:80 -> rs1" lab_vip_setup "$LAB_VIP:80" rr "$RS:8080:1"
traffic 20
read -r on ring <<<"$(replies lan)"
echo "# lan replies: $on on their owner's queue, $ring by ring"
lab_check "  ... replies still counted ($on + $ring >= 40), the ring steering them ($ring > 0)" \
  test $((on + ring)) -ge 40 -a "$ring" -gt 0
lab_sluice_stop || lab_not_ok "sluice stopped"

# --- 3. net_tap with 2 queues: refused by this kernel, the error shown.
start 'c["ports"][1]["devargs"] = "net_tap0,iface=slfs-tap"'
reason=$(port_get lan "r.get('flow_steering_reason', '')")
echo "# net_tap lan: $(port_get lan "'%s, %d rx queues' % (r['flow_steering'], r['rx_queues'])"): $reason"
lab_check_eq "net_tap lan (2 queues): flow_steering ring" "$(port_get lan "r['flow_steering']")" ring
# net_tap's validate judges the rule in software and accepts it; creating
# it is what fails, the PMD having disabled its flow support at probe.
lab_check "  ... refused creating the local address's first rule, with the driver's error" \
  eval "grep -q '^creating tcp 198.18.1.3 dport 0/1 -> queue 0: item not supported (Operation not supported)' <<<\"\$reason\""
lab_check "  ... the PMD said why: no multiq qdisc in this kernel" \
  eval "grep -q 'slfs-tap: failed to create multiq qdisc' '$LAB_RUN/sluice.log' && \
        grep -q 'Disabling rte flow support' '$LAB_RUN/sluice.log'"
# A real rule refused is retried on the back-off (1 s, 2 s, ...): by
# 3.5 s at least once, each refused again and counted, not logged.
sleep 3.5
read -r tries refusals timed <<<"$(port_get lan "'%d %d %s' % (r['flow_retries'], r['flow_refusals'], 'in_ms' in r['flow_retry'])")"
lab_check "  ... retried on its back-off ($tries >= 1), refused each time ($refusals = $tries + 1), the next one timed ($timed)" \
  test "$tries" -ge 1 -a "$refusals" -eq $((tries + 1)) -a "$timed" = True
lab_check "  ... port show says when" \
  eval "slctl port show lan | grep -Eq '^ +refused $refusals times, retried $tries; next retry: in [0-9]+ ms, or at an address change\$'"
lab_check_eq "  ... logged once" \
  "$(grep -c 'port lan: the device takes no flow rules' "$LAB_RUN/sluice.log")" 1
lab_sluice_stop || lab_not_ok "sluice stopped"
lab_test_end
