#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The systemd unit's capabilities and sandbox are enough
# (conf/sluice.service): sluice run as the unit runs it, with the unit's
# file system view and limits (unit_sandbox.py: ProtectSystem=full,
# ReadWritePaths=, ProtectHome=, PrivateTmp=, ProtectKernelLogs=,
# ProtectKernelModules=, ProtectControlGroups=, ProtectHostname=,
# Limit*=), only its CapabilityBoundingSet, no ambient capabilities and
# NoNewPrivileges (setpriv), and its seccomp filter (seccomp_exec.py:
# SystemCallFilter=, RestrictAddressFamilies=, RestrictNamespaces=,
# RestrictRealtime=, RestrictSUIDSGID=, LockPersonality=, and the
# system-call side of the Protect*= lines). On net_af_xdp ports (the most
# demanding kind: XDP attach, BPF maps, AF_XDP sockets): its bounding set
# is the unit's, a seccomp filter is on, /usr, /etc and /sys/fs/cgroup are
# read-only, /home empty, /tmp its own, it sends READY=1, its XDP program
# is on both ports, `stats` answers, SIGHUP reloads (RELOADING=1,
# READY=1), the core full-NAT scenario passes; after SIGKILL, `sluice
# --cleanup` the same way (the unit's ExecStopPost) removes both
# programs. Then on net_af_packet ports (the README's demo): READY=1 and
# the core scenario under the same sandbox, and a clean stop on SIGTERM.
# Every other [Service] line is listed in unit_sandbox.py's SYSTEMD_ONLY
# with why it needs systemd as PID 1 (Restart=, RuntimeDirectory=, ...);
# a line in neither fails the start. LimitMEMLOCK= is kept where this
# machine cannot raise it (no CAP_SYS_RESOURCE: CAP_IPC_LOCK, in the set,
# covers it).
# e2e-timeout: 180
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
set_arg=-all$(for c in $caps; do c=${c#CAP_}; printf ',+%s' "${c,,}"; done)
real=$SLUICE
SLUICE=$T/sluice-as-unit
echo "# unit's $(grep '^SystemCallFilter=' "$LAB_ROOT/conf/sluice.service")"
unit=$LAB_ROOT/conf/sluice.service
printf '#!/bin/sh\nexec %q %q %q -- setpriv --no-new-privs --ambient-caps -all --bounding-set %s -- %q %q -- %q "$@"\n' \
  "$LAB_ROOT/tests/e2e/unit_sandbox.py" "$unit" "$T" \
  "$set_arg" "$LAB_ROOT/tests/e2e/seccomp_exec.py" "$unit" "$real" >"$SLUICE"
chmod +x "$SLUICE"
# mount_opts PID PATH: the options of the mount PID sees at PATH.
mount_opts() { awk -v p="$2" '$5 == p { o = $6 } END { print o }' "/proc/$1/mountinfo"; }
# sandboxed PID: what unit_sandbox.py did is what sluice lives in.
sandboxed() {
  lab_check "/usr read-only for sluice ($(mount_opts "$1" /usr))" grep -q '^ro' <<<"$(mount_opts "$1" /usr)"
  lab_check "/etc read-only for sluice ($(mount_opts "$1" /etc))" grep -q '^ro' <<<"$(mount_opts "$1" /etc)"
  lab_check "/tmp of its own (PrivateTmp)" test "$(stat -L -c %i "/proc/$1/root/tmp")" != "$(stat -L -c %i /tmp)"
  lab_check "a UTS namespace of its own (ProtectHostname)" \
    test "$(readlink "/proc/$1/ns/uts")" != "$(readlink /proc/self/ns/uts)"
  lab_check "/home empty and mode 000 (ProtectHome)" test "$(stat -c %a "/proc/$1/root/home")" = 0
  lab_check "/sys/fs/cgroup read-only (ProtectControlGroups)" \
    grep -q '^ro' <<<"$(mount_opts "$1" /sys/fs/cgroup)"
  lab_check_eq "no ambient capabilities (AmbientCapabilities=)" \
    "$(sed -n 's/^CapAmb:\t//p' "/proc/$1/status")" 0000000000000000
}

mapfile -t cfg < <(lab_cfg_af_xdp)
lab_up --servers 2 --queues 1 || { lab_not_ok "lab up"; exit 1; }
config=$(lab_make_config "${cfg[@]}")
notify_listen "$(lab_config_socket "$config")" 300
notify_sluice_start "$config" \
  "sluice started on net_af_xdp ports with the unit's capabilities and system call filter" ||
  exit 1
ready_count() { notify_msgs | grep -c '^READY=1' || true; }
lab_wait_until 30 "READY=1 received" test "$(ready_count)" -ge 1 || true
lab_check_eq "READY=1 sent under the filter" "$(ready_count)" 1
lab_check_eq "a seccomp filter is on sluice (Seccomp: 2)" \
  "$(sed -n 's/^Seccomp:\t//p' "/proc/$LAB_SLUICE_PID/status")" 2
# shellcheck disable=SC2317  # called through lab_check
# (not `slctl | grep -q`: grep leaving early kills slctl by SIGPIPE, a
# failure under pipefail)
stats_ok() { local out; out=$(slctl --json stats) && grep -q '"workers"' <<<"$out"; }
lab_check "stats answers under the filter" stats_ok
kill -HUP "$LAB_SLUICE_PID"
lab_wait_until 30 "READY=1 after the reload" test "$(ready_count)" -ge 2 || true
lab_check_eq "SIGHUP under the filter: RELOADING=1 then READY=1" \
  "$(notify_msgs | sed -n '2,3p' | cut -d'|' -f1 | tr '\n' ' ')" "RELOADING=1 READY=1 "
want=$(for c in $caps; do echo "${c,,}"; done | sort | paste -sd,)
got=$(capsh --decode="$(sed -n 's/^CapBnd:\t//p' "/proc/$LAB_SLUICE_PID/status")" | sed 's/.*=//' | tr ',' '\n' | sort | paste -sd,)
lab_check_eq "sluice's bounding set is the unit's" "$got" "$want"
lab_check_eq "NoNewPrivs set" "$(sed -n 's/^NoNewPrivs:\t//p' "/proc/$LAB_SLUICE_PID/status")" 1
sandboxed "$LAB_SLUICE_PID"
prog_id() { ip -n "$(lab_ns lb)" -j link show "$1" | lab_jget "r[0].get('xdp', {}).get('prog', {}).get('id', '')"; }
lab_check "XDP program on wan0" test -n "$(prog_id wan0)"
lab_check "XDP program on lan0" test -n "$(prog_id lan0)"
lab_core_scenario 40

kill -KILL "$LAB_SLUICE_PID"
wait "$LAB_SLUICE_PID" 2>/dev/null || true
LAB_SLUICE_PID=
st=0 t0=$SECONDS
out=$(ip netns exec "$(lab_ns lb)" timeout 20 "$SLUICE" --cleanup -c "$config" 2>&1) || st=$?
printf '# %s\n' "${out//$'\n'/$'\n'# }"
echo "# --cleanup through the sandbox took $((SECONDS - t0)) s (timeout 20)"
lab_check_eq "after SIGKILL, --cleanup with the unit's capabilities: exit 0" "$st" 0
lab_check_eq "no XDP program left on wan0" "$(prog_id wan0)" ""
lab_check_eq "no XDP program left on lan0" "$(prog_id lan0)" ""
kill "$notify_pid" 2>/dev/null || true
wait "$notify_pid" 2>/dev/null || true

# net_af_packet, the README's demo: the lab's own config (2 workers).
config=$(lab_make_config)
rm -f "$T/notify.log"
notify_listen "$(lab_config_socket "$config")" 300
notify_sluice_start "$config" \
  "[af_packet] sluice started on net_af_packet ports with the unit's sandbox" || exit 1
lab_wait_until 30 "READY=1 received" test "$(ready_count)" -ge 1 || true
lab_check_eq "[af_packet] READY=1 sent under the filter" "$(ready_count)" 1
lab_check_eq "[af_packet] a seccomp filter is on sluice (Seccomp: 2)" \
  "$(sed -n 's/^Seccomp:\t//p' "/proc/$LAB_SLUICE_PID/status")" 2
sandboxed "$LAB_SLUICE_PID"
lab_core_scenario 40
if lab_sluice_stop; then
  lab_ok "[af_packet] SIGTERM: a clean stop (status 0) under the filter"
else
  lab_not_ok "[af_packet] SIGTERM: a clean stop (status 0) under the filter" "status ${LAB_SLUICE_STATUS:-unknown}"
fi
kill "$notify_pid" 2>/dev/null || true
wait "$notify_pid" 2>/dev/null || true
lab_test_end
