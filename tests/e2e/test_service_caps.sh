#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The systemd unit's capabilities are enough (conf/sluice.service): sluice
# run as the unit runs it, with only the unit's CapabilityBoundingSet and
# NoNewPrivileges (setpriv), on net_af_xdp ports (the most demanding
# kind: XDP attach, BPF maps, AF_XDP sockets): its bounding set is the
# unit's, its XDP program is on both ports, the core full-NAT scenario
# passes; after SIGKILL, `sluice --cleanup` with the same set (the unit's
# ExecStopPost) removes both programs.
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=scripts/lab_drivers.sh
. "$(dirname "$0")/../../scripts/lab_drivers.sh"

lab_test_begin service_caps
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$LAB_ROOT/conf/sluice.service")
echo "# unit's CapabilityBoundingSet: $caps"
set_arg=-all$(for c in $caps; do printf ',+%s' "$(tr 'A-Z' 'a-z' <<<"${c#CAP_}")"; done)
real=$SLUICE
SLUICE=$T/sluice-as-unit
printf '#!/bin/sh\nexec setpriv --no-new-privs --bounding-set %s -- %q "$@"\n' "$set_arg" "$real" >"$SLUICE"
chmod +x "$SLUICE"

mapfile -t cfg < <(lab_cfg_af_xdp)
lab_up --servers 2 --queues 1 || { lab_not_ok "lab up"; exit 1; }
config=$(lab_make_config "${cfg[@]}")
if lab_sluice_start "$config"; then
  lab_ok "sluice started on net_af_xdp ports with the unit's capabilities"
else
  lab_not_ok "sluice started on net_af_xdp ports with the unit's capabilities"
  exit 1
fi
want=$(for c in $caps; do echo "${c,,}"; done | sort | paste -sd,)
got=$(capsh --decode="$(sed -n 's/^CapBnd:\t//p' "/proc/$LAB_SLUICE_PID/status")" | sed 's/.*=//' | tr ',' '\n' | sort | paste -sd,)
lab_check_eq "sluice's bounding set is the unit's" "$got" "$want"
lab_check_eq "NoNewPrivs set" "$(sed -n 's/^NoNewPrivs:\t//p' "/proc/$LAB_SLUICE_PID/status")" 1
prog_id() { ip -n "$(lab_ns lb)" -j link show "$1" | lab_jget "r[0].get('xdp', {}).get('prog', {}).get('id', '')"; }
lab_check "XDP program on wan0" test -n "$(prog_id wan0)"
lab_check "XDP program on lan0" test -n "$(prog_id lan0)"
lab_core_scenario 40

kill -KILL "$LAB_SLUICE_PID"
wait "$LAB_SLUICE_PID" 2>/dev/null || true
LAB_SLUICE_PID=
st=0
out=$(ip netns exec "$(lab_ns lb)" timeout 20 "$SLUICE" --cleanup -c "$config" 2>&1) || st=$?
echo "$out" | sed 's/^/# /'
lab_check_eq "after SIGKILL, --cleanup with the unit's capabilities: exit 0" "$st" 0
lab_check_eq "no XDP program left on wan0" "$(prog_id wan0)" ""
lab_check_eq "no XDP program left on lan0" "$(prog_id lan0)" ""
lab_test_end
