#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Malformed frames from the client side (scapy, tests/e2e/malformed.py): each
# is dropped and counted under its reason in `sluicectl --json stats`
# (result.drops.<reason>, names from dataplane/drop.h); TTL 1 to the VIP
# brings back ICMP time exceeded; afterwards normal traffic still flows.
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

lab_test_begin malformed
lab_std_start --servers 1

lab_check "vip add $LAB_VIP:80; rs $(lab_rs_ip 1):8080" \
  lab_vip_setup "$LAB_VIP:80" wrr "$(lab_rs_ip 1):8080:1"

# A normal request first: the client learns the VIP's MAC, Sluice the client's.
if body=$(lab_curl "http://$LAB_VIP/whoami" 2>&1); then
  lab_check_eq "a normal request through the VIP works (before)" "$body" rs1
else
  lab_not_ok "a normal request through the VIP works (before)" "$body"
fi

wan_mac=$(lab_mac lb wan0)
cli_mac=$(lab_mac cli cli0)
arp_mac=$(ip -n "$(lab_ns cli)" neigh show "$LAB_VIP" | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')
lab_check_eq "ARP for the VIP answered with wan0's MAC" "$arp_mac" "$wan_mac"

if lab_exec cli "$LAB_PY" "$LAB_ROOT/tests/e2e/malformed.py" \
    --iface cli0 --src-mac "$cli_mac" --dst-mac "$wan_mac" \
    --src "$LAB_CLI_IP" --vip "$LAB_VIP" --vport 80 \
    --sluicectl "$SLUICECTL" --socket "$LAB_SOCK" >"$T/malformed.out" 2>"$T/malformed.err"; then
  st=0
else
  st=$?
fi
# Fold the script's checks into ours.
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

if body=$(lab_curl "http://$LAB_VIP/whoami" 2>&1); then
  lab_check_eq "a normal request through the VIP works (after)" "$body" rs1
else
  lab_not_ok "a normal request through the VIP works (after)" "$body"
fi
lab_check "ICMP echo to the VIP still answered" lab_ping "$LAB_VIP" -c 2 --min 2

lab_test_end
