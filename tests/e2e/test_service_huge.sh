#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# sluice on hugepages under the unit's whole sandbox (conf/sluice.service
# through tests/e2e/unit_lib.sh's chain, as test_service_caps.sh runs it
# with --no-huge): EAL on hugepage files in a hugetlbfs mounted for this
# test in the lab's run directory under /run (where an operator's
# /dev/hugepages or /run/... mount stays visible: ProtectSystem=full
# leaves /dev and /run alone), 96 MB. Sluice starts, sends READY=1, its
# memory is those files (mapped from the hugetlbfs; dpdk-dumpcap attaches),
# it forwards HTTP through a VIP, reloads on SIGHUP and stops with status
# 0, and its hugepage files are gone after the unit's ExecStopPost.
# (A hugetlbfs under /tmp is not tried: PrivateTmp= hides it from the
# service under systemd, but the lab binds the test's own /tmp directory
# back in, so it would be seen here; conf/README.md tells the operator
# where to mount one.) Needs 48 free 2 MB
# pages: the pool is grown when fewer are free and shrunk back at exit;
# fails when it cannot be.
# e2e-timeout: 150
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=tests/e2e/notify_lib.sh
. "$(dirname "$0")/notify_lib.sh"
# shellcheck source=tests/e2e/unit_lib.sh
. "$(dirname "$0")/unit_lib.sh"

lab_test_begin service_huge
unit=$LAB_ROOT/conf/sluice.service
HP=/sys/kernel/mm/hugepages/hugepages-2048kB  # the 2 MB pool, whatever the default size
want_pages=48
unit_etc_config
SLUICE_REAL=$SLUICE
unit_sluice "$unit" "$SLUICE" || { lab_not_ok "the unit's chain (unit_lib.sh)"; exit 1; }
lab_up --servers 1 || { lab_not_ok "lab up"; exit 1; }
# The pool grown after lab_up (whose lab_down would undo a note made
# before it); lab_down puts it back, at exit as after a killed run, once
# it has unmounted the test's hugetlbfs.
free=$(cat "$HP/free_hugepages" 2>/dev/null || echo 0)
if [ "$free" -lt "$want_pages" ]; then
  total=$(cat "$HP/nr_hugepages")
  lab_hugepages_note "$HP/nr_hugepages" "$total"
  echo $((total + want_pages - free)) >"$HP/nr_hugepages" 2>/dev/null || true
fi
if [ "$(cat "$HP/free_hugepages" 2>/dev/null || echo 0)" -lt "$want_pages" ]; then
  lab_not_ok "$want_pages free 2 MB hugepages ($(cat "$HP/free_hugepages" 2>/dev/null || echo none) free after growing the pool)"
  exit 1
fi
FPREFIX=sl-lab-$LAB_PREFIX
# huge_config DIR: the lab's config on hugepage files in DIR, at the unit's place.
huge_config() {
  local cfg
  cfg=$(lab_make_config \
    "c['eal'] = ['-m', '96', '--no-pci', '--no-telemetry', '--file-prefix', '$FPREFIX', '--huge-dir', '$1']" \
    'c["conn_table"]["max_connections"] = 4096' 'c["limits"] = {"mbufs": 8192}') || return 1
  cp "$cfg" "$UNIT_ETC_CONFIG"
}
huge=$LAB_RUN/huge
mkdir -p "$huge"
mount -t hugetlbfs -o pagesize=2M nodev "$huge" # lab_down unmounts it
huge_config "$huge"
free_before=$(cat "$HP/free_hugepages")
notify_listen "$(lab_config_socket "$UNIT_ETC_CONFIG")" 120
notify_sluice_start "$UNIT_ETC_CONFIG" "sluice on hugepages ($huge) under the unit's sandbox" || exit 1
ready_count() { notify_msgs | grep -c '^READY=1' || true; }
lab_wait_until 30 "READY=1 received" test "$(ready_count)" -ge 1 || true
lab_check_eq "READY=1 once, from sluice's own pid" "$(ready_count) $(notify_senders)" "1 [$LAB_SLUICE_PID]"
unit_check_confined "" "$unit" "$LAB_SLUICE_PID"
mapped=$(grep -c " $huge/" "/proc/$LAB_SLUICE_PID/maps" || true)
lab_check "the kernel's free 2 MB hugepages fell by its share ($free_before, now $(cat "$HP/free_hugepages"))" \
  test "$(cat "$HP/free_hugepages")" -lt "$free_before"
lab_check "its memory is hugepage files in $huge ($mapped mappings)" test "$mapped" -gt 0
# pdump through the sandbox: dpdk-dumpcap, from outside it, attaches to
# the sandboxed primary (its runtime directory and hugepage files).
if command -v dpdk-dumpcap >/dev/null; then
  timeout 20 dpdk-dumpcap --file-prefix "$FPREFIX" -D >"$T/dumpcap.out" 2>&1 || true
  lab_check "dpdk-dumpcap attaches to the sandboxed sluice and lists its port ($(head -c 200 "$T/dumpcap.out" | tr '\n' ' '))" \
    grep -q "0. net_af_packet" "$T/dumpcap.out"
else
  lab_not_ok "dpdk-dumpcap installed (package dpdk-dev, scripts/deps.sh)"
fi
lab_check "vip + server" lab_vip_setup "$LAB_VIP:80" wrr "$(lab_rs_ip 1):$LAB_HTTP_PORT:1"
lab_curl_loop 10 "http://$LAB_VIP/whoami" >"$T/curl.log"
lab_check_eq "10 requests through the VIP served by rs1" \
  "$(lab_tally "$T/curl.log" | lab_jget "r['by_body'].get('rs1', 0)")" 10
kill -HUP "$LAB_SLUICE_PID"
lab_wait_until 30 "READY=1 after SIGHUP" test "$(ready_count)" -ge 2 || true
lab_check_eq "SIGHUP: RELOADING=1 then READY=1" \
  "$(notify_msgs | sed -n '2,3p' | cut -d'|' -f1 | tr '\n' ' ')" "RELOADING=1 READY=1 "
lab_sluice_stop && st=0 || st=$?
lab_check_eq "SIGTERM: stopped with status 0 (${LAB_SLUICE_STATUS:-})" "$st" 0
# Its hugepage files outlive it (EAL leaves them to a restart or to
# --cleanup): so the cleanup below has something to remove.
lab_check "sluice's hugepage files in $huge after its stop ($(find "$huge" -name "$FPREFIX*" | wc -l))" \
  test "$(find "$huge" -name "$FPREFIX*" | wc -l)" -gt 0
st=0
ip netns exec "$(lab_ns lb)" timeout 20 "$T/as-unit" "$SLUICE_REAL" --cleanup -c "$UNIT_ETC_CONFIG" \
  >"$T/cleanup.out" 2>&1 || st=$?
echo "# ExecStopPost: $(tr '\n' ' ' <"$T/cleanup.out")"
lab_check_eq "ExecStopPost (--cleanup) through the sandbox: exit 0" "$st" 0
lab_check_eq "no hugepage file of sluice's left in $huge" "$(find "$huge" -name "$FPREFIX*" | wc -l)" 0
kill "$notify_pid" 2>/dev/null || true
lab_test_end
