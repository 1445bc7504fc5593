#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dpdk-dumpcap against sluice (issue 17): with EAL on hugepage files (a
# hugetlbfs mounted for this test alone, 96 MB) sluice calls
# rte_pdump_init, so dpdk-dumpcap (package dpdk-dev) attaches as a
# secondary process, lists sluice's ports and captures HTTP through the
# VIP, read back with tcpdump -r. Needs 64 free 2 MB hugepages; without
# them (or without dpdk-dumpcap) it says so and skips, passing.
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=tests/e2e/capture_lib.sh
. "$(dirname "$0")/capture_lib.sh"

lab_test_begin dumpcap
free=$(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo)
if ! command -v dpdk-dumpcap >/dev/null || [ "${free:-0}" -lt 64 ] ||
   [ "$(awk '/^Hugepagesize/ { print $2 }' /proc/meminfo)" != 2048 ]; then
  lab_ok "# SKIP dpdk-dumpcap missing or fewer than 64 free 2 MB hugepages ($free)"
  LAB_TEST_DONE=1
  exit 0
fi
mkdir -p "$T/huge"
mount -t hugetlbfs -o pagesize=2M nodev "$T/huge"
# After sluice is stopped (lab_test_end) or killed (teardown): unmounted.
trap 'umount "$T/huge" 2>/dev/null || true; lab__on_exit' EXIT
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
dumpcap() { timeout 30 dpdk-dumpcap "$@" >"$T/dump.out" 2>&1; }
capture_during dumping 5 "$T/curl.log" \
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
lab_check "sluice still answers after dumpcap left" slctl stats

lab_test_end
