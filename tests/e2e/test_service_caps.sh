#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The systemd unit's capabilities and system call filter are enough
# (conf/sluice.service): sluice run as the unit runs it, with only the
# unit's CapabilityBoundingSet and NoNewPrivileges (setpriv) and its
# SystemCallFilter= deny-list (seccomp_exec.py), on net_af_xdp ports (the
# most demanding kind: XDP attach, BPF maps, AF_XDP sockets): its bounding
# set is the unit's, a seccomp filter is on, it sends READY=1, its XDP
# program is on both ports, `stats` answers, SIGHUP reloads (RELOADING=1,
# READY=1), the core full-NAT scenario passes; after SIGKILL, `sluice
# --cleanup` with the same set and filter (the unit's ExecStopPost)
# removes both programs.
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=scripts/lab_drivers.sh
. "$(dirname "$0")/../../scripts/lab_drivers.sh"
# shellcheck source=tests/e2e/notify_lib.sh
. "$(dirname "$0")/notify_lib.sh"

lab_test_begin service_caps
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$LAB_ROOT/conf/sluice.service")
echo "# unit's CapabilityBoundingSet: $caps"
set_arg=-all$(for c in $caps; do printf ',+%s' "$(tr 'A-Z' 'a-z' <<<"${c#CAP_}")"; done)
real=$SLUICE
SLUICE=$T/sluice-as-unit
echo "# unit's $(grep '^SystemCallFilter=' "$LAB_ROOT/conf/sluice.service")"
printf '#!/bin/sh\nexec setpriv --no-new-privs --bounding-set %s -- %q %q -- %q "$@"\n' \
  "$set_arg" "$LAB_ROOT/tests/e2e/seccomp_exec.py" "$LAB_ROOT/conf/sluice.service" "$real" >"$SLUICE"
chmod +x "$SLUICE"

mapfile -t cfg < <(lab_cfg_af_xdp)
lab_up --servers 2 --queues 1 || { lab_not_ok "lab up"; exit 1; }
config=$(lab_make_config "${cfg[@]}")
notify_listen "$(lab_config_socket "$config")" 90
notify_sluice_start "$config" \
  "sluice started on net_af_xdp ports with the unit's capabilities and system call filter" ||
  exit 1
ready_count() { notify_msgs | grep -c '^READY=1' || true; }
lab_wait_until 10 "READY=1 received" test "$(ready_count)" -ge 1 || true
lab_check_eq "READY=1 sent under the filter" "$(ready_count)" 1
lab_check_eq "a seccomp filter is on sluice (Seccomp: 2)" \
  "$(sed -n 's/^Seccomp:\t//p' "/proc/$LAB_SLUICE_PID/status")" 2
# shellcheck disable=SC2317  # called through lab_check
stats_ok() { slctl --json stats | grep -q '"workers"'; }
lab_check "stats answers under the filter" stats_ok
kill -HUP "$LAB_SLUICE_PID"
lab_wait_until 10 "READY=1 after the reload" test "$(ready_count)" -ge 2 || true
lab_check_eq "SIGHUP under the filter: RELOADING=1 then READY=1" \
  "$(notify_msgs | sed -n '2,3p' | cut -d'|' -f1 | tr '\n' ' ')" "RELOADING=1 READY=1 "
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
kill "$notify_pid" 2>/dev/null || true
wait "$notify_pid" 2>/dev/null || true
lab_test_end
