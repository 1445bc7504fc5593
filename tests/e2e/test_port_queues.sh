#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Port queue sanity at start-up (issue 14): an af_xdp interface with more
# RX queues than Sluice binds (wan0 and lan0 with 2 queues, queue_count 1,
# one worker) would let frames on queue 1 bypass Sluice: refused, naming
# the fix; af_packet with qpairs other than the worker count likewise.
# Then the matching configuration starts, and the stats say what each
# port was given (queues, RSS, checksum offloads).
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
lab_check_eq "stats: wan has 2 queues" "$(lab_jget "r['queues']" <<<"$wan")" 2
lab_check_eq "stats: wan's driver is net_af_packet" "$(lab_jget "r['driver']" <<<"$wan")" net_af_packet
lab_check_eq "stats: af_packet offers no RSS (the kernel fans out)" "$(lab_jget "r['rss']" <<<"$wan")" null
lab_check "the log says so once per port, clearly" \
  eval "[ \"\$(grep -c 'port wan: 2 queues but no RSS' '$LAB_RUN/sluice.log')\" = 1 ]"
lab_test_end
