#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Port queue sanity at start-up (issue 14): an af_xdp interface with more
# RX queues than Sluice binds (wan0 and lan0 with 2 queues, queue_count 1,
# one worker) would let frames on queue 1 bypass Sluice: refused, naming
# the fix; af_packet with qpairs other than the worker count likewise.
# Then the matching configuration starts, and the stats, `port list` and
# `port show` say what each port was given (driver, queues, RSS, checksum
# offloads, MTU) and its link; a link taken down and up is logged once per
# change and counted; an unknown port name is refused naming the argument.
# e2e-timeout: 90
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=scripts/lab_drivers.sh
. "$(dirname "$0")/../../scripts/lab_drivers.sh"

lab_test_begin port_queues
lab_up --servers 1 --queues 2 || { lab_not_ok "lab up"; exit 1; }

# refused NAME CONFIG-STATEMENTS...: sluice exits at start with a message.
refused() {
  local name=$1 cfg log
  shift
  cfg=$(lab_make_config "$@")
  log=$LAB_RUN/sluice.log
  : >"$log"
  if lab_sluice_start "$cfg" 2>/dev/null; then
    lab_not_ok "$name: refused" "sluice started"
    lab_sluice_stop || true
    return
  fi
  lab_ok "$name: refused"
  REFUSAL=$(grep -m1 'sluice error' "$log" || true)
  echo "# $REFUSAL"
}

mapfile -t xdp < <(lab_cfg_af_xdp)
refused "af_xdp, 2 RX queues, queue_count 1" "${xdp[@]}"
lab_check "  ... naming the interface's queues and the ethtool fix" \
  eval "grep -q 'wan0 has 2 RX queues but Sluice binds 0-0.*ethtool -L wan0 combined 1' <<<\"\$REFUSAL\""
lab_check "  ... and no XDP program left on wan0" \
  eval "! ip -n '$(lab_ns lb)' link show wan0 | grep -q 'prog/xdp'"

refused "af_packet, qpairs 1 for 2 workers" \
  'c["ports"][0]["devargs"] = "net_af_packet0,iface=wan0,qpairs=1"'
lab_check "  ... naming qpairs" eval "grep -q 'qpairs=1 but 2 workers: set qpairs=2' <<<\"\$REFUSAL\""

cfg=$(lab_make_config)
if lab_sluice_start "$cfg"; then
  lab_ok "the matching configuration starts"
else
  lab_not_ok "the matching configuration starts"
  exit 1
fi
wan=$(lab_stats | lab_jget "[p for p in r['ports'] if p['port'] == 'wan'][0]")
echo "# wan: $wan"
lab_check_eq "stats: wan has 2 RX and 2 TX queues" "$(lab_jget "'%d %d' % (r['rx_queues'], r['tx_queues'])" <<<"$wan")" "2 2"
lab_check_eq "stats: wan's driver is net_af_packet" "$(lab_jget "r['driver']" <<<"$wan")" net_af_packet
lab_check_eq "stats: af_packet offers no RSS (the kernel fans out)" "$(lab_jget "r['rss']" <<<"$wan")" null
lab_check "the log says so once per port, clearly" \
  eval "[ \"\$(grep -c 'port wan: 2 queues but no RSS' '$LAB_RUN/sluice.log')\" = 1 ]"

# port list / port show: what was configured (2 workers: 2 RX and 2 TX
# queues; af_packet: no RSS, no checksum offloads) and what the device
# says (the veth's MTU, link up).
plist=$(slctl --json port list)
slctl port list | sed 's/^/# /'
lab_check_eq "port list: wan, lan in config order" \
  "$(lab_jget "' '.join(p['port'] for p in r['ports'])" <<<"$plist")" "wan lan"
pshow=$(slctl --json port show wan)
lab_check_eq "port show wan: driver, queues rx/tx" \
  "$(lab_jget "'%s %d %d' % (r['driver'], r['rx_queues'], r['tx_queues'])" <<<"$pshow")" \
  "net_af_packet 2 2"
lab_check_eq "port show wan: no RSS, with the reason" \
  "$(lab_jget "'%s %s' % (r['rss'], 'offers no RSS' in r['no_rss'])" <<<"$pshow")" "None True"
lab_check_eq "port show wan: no checksum offloads (af_packet offers none)" \
  "$(lab_jget "'%s %s' % (r['rx_checksum_offload'], r['tx_checksum_offload'])" <<<"$pshow")" "[] []"
lab_check_eq "port show wan: the MTU is wan0's" \
  "$(lab_jget "r['mtu']" <<<"$pshow")" \
  "$(ip -n "$(lab_ns lb)" -o link show wan0 | sed -n 's/.* mtu \([0-9]*\).*/\1/p')"
lab_check_eq "port show wan: the devargs given" "$(lab_jget "r['devargs']" <<<"$pshow")" \
  "$(lab_jget "[p for p in r['ports'] if p['name'] == 'wan'][0]['devargs']" <"$cfg")"
lab_check_eq "port show wan: link up, no flaps yet" \
  "$(lab_jget "'%s %d' % (r['link']['up'], r['link_flaps'])" <<<"$pshow")" "True 0"
lab_check_eq "port show wan: the driver's xstats are there" \
  "$(lab_jget "'%s' % ('rx_good_packets' in r['xstats'])" <<<"$pshow")" True
lab_check "port list (table) shows wan's driver and queues" \
  eval "slctl port list | grep -Eq '^wan +net_af_packet +2 +2 +none'"
set +e
err=$(slctl port show nosuch 2>&1); rc=$?
set -e
echo "# $err"
lab_check_eq "port show nosuch: refused (exit 1)" "$rc" 1
lab_check "  ... naming the argument and the name" \
  eval "grep -q \"no port named 'nosuch'.*at args.name\" <<<\"\$err\""
set +e
slctl port show >/dev/null 2>&1; rc=$?
set -e
lab_check_eq "port show without NAME: usage error (exit 2)" "$rc" 2

# The link. af_packet reports a link that is always up (DPDK 22.11), so
# the lan port becomes a net_tap, whose link follows its kernel interface:
# taken down and up, each change is logged once and counted.
lab_sluice_stop || lab_not_ok "sluice stopped"
: >"$LAB_RUN/sluice.log"
cfg=$(lab_make_config 'c["ports"][1]["devargs"] = "net_tap0,iface=slpq-tap"' \
  'c["ports"][1]["rss"] = {"symmetric": True}')
lab_check "sluice starts with lan on net_tap, symmetric RSS key" lab_sluice_start "$cfg"
lab_check_eq "port show lan: RSS as net_tap offers it, the symmetric key, RX and TX checksum offloads" \
  "$(slctl --json port show lan | lab_jget "'%s/%s/%s/%s' % (r['rss']['functions'], r['rss']['key'], ','.join(r['rx_checksum_offload']), ','.join(r['tx_checksum_offload']))")" \
  "ipv4 ipv4-tcp ipv4-udp ipv6 ipv6-tcp ipv6-udp/symmetric/ipv4,tcp,udp/ipv4,tcp,udp"
lab_check_eq "port show lan: net_tap, link up, no flaps yet" \
  "$(slctl --json port show lan | lab_jget "'%s %s %d' % (r['driver'], r['link']['up'], r['link_flaps'])")" \
  "net_tap True 0"
link_is() { slctl --json port show lan | lab_jget "r['link']['up']" | grep -qix "$1"; }
ip -n "$(lab_ns lb)" link set slpq-tap down
lab_check "slpq-tap down: port show says link down (within 3 s)" lab_wait_until 3 "link down" link_is False
ip -n "$(lab_ns lb)" link set slpq-tap up
lab_check "slpq-tap up: port show says link up (within 3 s)" lab_wait_until 3 "link up" link_is True
sleep 1.5 # another poll: nothing new to log or count
lab_check_eq "two changes counted (port show, stats)" \
  "$(slctl --json port show lan | lab_jget "r['link_flaps']") $(lab_stats | lab_jget "[p for p in r['ports'] if p['port'] == 'lan'][0]['link_flaps']")" "2 2"
lab_check_eq "each change logged once" \
  "$(grep -c 'port lan: link down (was up' "$LAB_RUN/sluice.log") $(grep -c 'port lan: link up.*(was down' "$LAB_RUN/sluice.log")" "1 1"

# "offloads": false and no symmetric key: none taken, the driver's key.
lab_sluice_stop || lab_not_ok "sluice stopped"
cfg=$(lab_make_config 'c["ports"][1]["devargs"] = "net_tap0,iface=slpq-tap"' \
  'c["ports"][1]["offloads"] = False')
lab_check "sluice starts with lan on net_tap, offloads off" lab_sluice_start "$cfg"
lab_check_eq "port show lan: default key, no checksum offloads" \
  "$(slctl --json port show lan | lab_jget "'%s/%s/%s' % (r['rss']['key'], r['rx_checksum_offload'], r['tx_checksum_offload'])")" \
  "default/[]/[]"
lab_test_end
