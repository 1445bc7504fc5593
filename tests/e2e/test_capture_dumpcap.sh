#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dpdk-dumpcap against sluice (issue 17): with EAL on hugepage files (a
# hugetlbfs mounted for this test alone, 96 MB) sluice calls
# rte_pdump_init, so dpdk-dumpcap (package dpdk-dev) attaches as a
# secondary process, lists sluice's ports and captures HTTP through the
# VIP, read back with tcpdump -r; pings and UDP to the VIP during the
# capture must stay out of its "tcp port 80" file. Needs 64 free 2 MB
# hugepages: it grows the pool itself when fewer are free (root) and
# shrinks it back on exit; fails when it cannot, or without dpdk-dumpcap.
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=tests/e2e/capture_lib.sh
. "$(dirname "$0")/capture_lib.sh"

lab_test_begin dumpcap
HP=/sys/kernel/mm/hugepages/hugepages-2048kB  # the 2 MB pool, whatever the default size
hp_restore=""
# reserve_hugepages N: at least N free 2 MB pages, the pool grown by what
# is missing; its old size kept in hp_restore for the EXIT trap.
reserve_hugepages() {
  local free total
  free=$(cat "$HP/free_hugepages" 2>/dev/null) || return 1
  [ "$free" -ge "$1" ] && return 0
  total=$(cat "$HP/nr_hugepages")
  hp_restore=$total
  echo $((total + $1 - free)) >"$HP/nr_hugepages" 2>/dev/null || true
  [ "$(cat "$HP/free_hugepages")" -ge "$1" ]
}
# On exit: sluice stopped (when lab_test_end did not), the hugetlbfs
# unmounted (its files hold the pages), the pool back to its old size;
# then the lab's own teardown, with the test's exit status.
# shellcheck disable=SC2317  # called by the EXIT trap
dumpcap_exit() {
  local st=$?
  set +e
  [ -z "${LAB_SLUICE_PID:-}" ] || lab_sluice_stop >/dev/null 2>&1
  umount "$T/huge" 2>/dev/null
  [ -z "$hp_restore" ] || echo "$hp_restore" >"$HP/nr_hugepages"
  (exit "$st")
  lab__on_exit
}
trap dumpcap_exit EXIT
if ! command -v dpdk-dumpcap >/dev/null; then
  lab_not_ok "dpdk-dumpcap installed (package dpdk-dev, scripts/deps.sh)"
  exit 1
fi
if ! reserve_hugepages 64; then
  lab_not_ok "64 free 2 MB hugepages ($(cat "$HP/free_hugepages" 2>/dev/null || echo none) free after growing the pool)"
  exit 1
fi
mkdir -p "$T/huge"
mount -t hugetlbfs -o pagesize=2M nodev "$T/huge"
FPREFIX=sl-lab-slt-dumpcap
lab_std_start --servers 1 -- \
  "c['eal'] = ['-m', '96', '--no-pci', '--no-telemetry', '--file-prefix', '$FPREFIX', '--huge-dir', '$T/huge']" \
  'c["conn_table"]["max_connections"] = 4096' 'c["limits"] = {"mbufs": 16384}'
lab_check "sluice initialised pdump (no 'cannot attach')" \
  bash -c "! grep -q 'dpdk-dumpcap cannot attach' '$LAB_SLUICE_LOG'"
lab_check "vip + server" lab_vip_setup "$LAB_VIP:80" wrr "$(lab_rs_ip 1):$LAB_HTTP_PORT:1"

timeout 20 dpdk-dumpcap --file-prefix "$FPREFIX" -D >"$T/list.out" 2>&1 || true
lab_check "dpdk-dumpcap -D lists sluice's ports" grep -q "0. net_af_packet0" "$T/list.out"

# dumpcap prints its packet count once it has attached and enabled pdump.
# shellcheck disable=SC2317  # called through lab_wait_until
dumping() { grep -qs "Packets captured" "$T/dump.out"; }
# shellcheck disable=SC2317  # called by capture_during
dumpcap() { timeout 30 dpdk-dumpcap "$@" >"$T/dump.out" 2>&1; }
# Outside the filter, before the HTTP: pings the VIP answers (rx and tx
# on port 0) and UDP nobody serves (a counted drop).
# shellcheck disable=SC2317  # called by capture_during
off_filter() {
  lab_ping "$LAB_VIP" -c 3 -i 0.05 --min 3 >"$T/ping.out" 2>&1 || true
  lab_py_cli udp-burst "$LAB_VIP" 53 -n 3 --tries 1 --timeout 0.1 >/dev/null 2>&1 || true
}
CAPTURE_ALSO=off_filter capture_during dumping 5 "$T/curl.log" \
  dumpcap --file-prefix "$FPREFIX" -i 0 -c 10 -w "$T/d.pcapng" -f "tcp port 80"
echo "# $(tr '\n' ' ' <"$T/dump.out")"
lab_check_eq "dpdk-dumpcap -c 10 exits 0" "$cap_st" 0
# dpdk-dumpcap (22.11) tests its -c count after writing a whole ring burst,
# so it stops at 10 or a few more (a CI run wrote 12); at most one burst over.
nframes=$(tcpdump -nn -r "$T/d.pcapng" 2>/dev/null | wc -l)
lab_check_cmp "tcpdump -r reads at least its 10 frames" "$nframes" -ge 10
lab_check_cmp "... and not more than one burst (32) beyond" "$nframes" -le 41
lab_check_cmp "... clients' frames to the VIP among them" \
  "$(tcpdump -nn -r "$T/d.pcapng" dst host "$LAB_VIP" 2>/dev/null | wc -l)" -gt 0
lab_check "pings to the VIP answered during the capture" grep -q '3 sent, 3 received' "$T/ping.out"
lab_check_eq "... none of them (nor UDP, ARP) in the file: 0 frames 'not tcp port 80'" \
  "$(tcpdump -nn -r "$T/d.pcapng" not tcp port 80 2>/dev/null | wc -l)" 0
lab_check_cmp "... and 'tcp port 80' frames there" \
  "$(tcpdump -nn -r "$T/d.pcapng" tcp port 80 2>/dev/null | wc -l)" -gt 0
lab_check "sluice still answers after dumpcap left" slctl stats

lab_test_end
