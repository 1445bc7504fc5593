#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The systemd unit's capabilities and sandbox are enough
# (conf/sluice.service): sluice run as the unit runs it (the chain in
# tests/e2e/unit_lib.sh, shared with test_deb_service.sh), with the unit's
# file system view and limits (unit_sandbox.py: ProtectSystem=full,
# ReadWritePaths=, ProtectHome=, PrivateTmp=, ProtectKernelLogs=,
# ProtectKernelModules=, ProtectControlGroups=, ProtectHostname=,
# Limit*=), only its CapabilityBoundingSet, no ambient capabilities and
# NoNewPrivileges (setpriv), and its seccomp filter (seccomp_exec.py:
# SystemCallFilter=, RestrictAddressFamilies=, RestrictNamespaces=,
# RestrictRealtime=, RestrictSUIDSGID=, LockPersonality=, and the
# system-call side of the Protect*= lines). On net_af_xdp ports (the most
# demanding kind: XDP attach, BPF maps, AF_XDP sockets), its config in
# /etc/sluice (made if absent, removed after): its bounding set is the
# unit's, a seccomp filter is on, /usr and /etc read-only, /home empty,
# /tmp its own, it sends READY=1 from its own pid, its XDP program is on
# both ports, `stats` answers, `config save` writes /etc/sluice, SIGHUP
# reloads (RELOADING=1, READY=1), the core full-NAT scenario passes, and
# sandbox_probe.py through the same chain is denied what each line denies
# (another answer bare); after SIGKILL, `sluice --cleanup` the same way
# (the unit's ExecStopPost) removes both programs. Then on net_af_packet
# ports (the README's demo): READY=1 and the core scenario under the same
# sandbox, and a clean stop on SIGTERM. Every other [Service] line is
# listed in unit_sandbox.py's SYSTEMD_ONLY with why it needs systemd as
# PID 1 (Restart=, RuntimeDirectory=, ...); a line in neither fails the
# start. Not exercised (conf/README.md says why): ProtectControlGroups=
# (no /sys/fs/cgroup under ip netns exec), ProtectKernelModules=,
# SystemCallArchitectures=, LimitMEMLOCK= without CAP_SYS_RESOURCE.
# e2e-timeout: 240
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=scripts/lab_drivers.sh
. "$(dirname "$0")/../../scripts/lab_drivers.sh"
# shellcheck source=tests/e2e/notify_lib.sh
. "$(dirname "$0")/notify_lib.sh"
# shellcheck source=tests/e2e/unit_lib.sh
. "$(dirname "$0")/unit_lib.sh"

lab_test_begin service_caps
unit=$LAB_ROOT/conf/sluice.service
echo "# unit's CapabilityBoundingSet: $(unit_value "$unit" CapabilityBoundingSet)"
echo "# unit's SystemCallFilter=$(unit_value "$unit" SystemCallFilter)"
# sluice and sandbox_probe.py both run through the unit's chain ($T/as-unit).
unit_sluice "$unit" "$SLUICE" || { lab_not_ok "the unit's chain (unit_lib.sh)"; exit 1; }
etc_dir=/etc/sluice
unit_etc_config
etc_config=$UNIT_ETC_CONFIG
# probe_check_all: sandbox_probe.py in the lab's namespace, bare and
# through the unit's chain: each line's call answers the line's error
# under the sandbox and something else bare (the line made the difference).
probe_check_all() {
  local probe=$LAB_ROOT/tests/e2e/sandbox_probe.py bare sandboxed
  bare=$(lab_exec lb /usr/bin/python3 "$probe" 2>&1) || true
  sandboxed=$(lab_exec lb "$T/as-unit" "$probe" 2>"$T/probe.err") || true
  while read -r name want line; do
    local got was
    got=$(sed -n "s/^$name //p" <<<"$sandboxed") was=$(sed -n "s/^$name //p" <<<"$bare")
    if [ "$got" = "$want" ] && [ -n "$was" ] && [ "$was" != "$want" ]; then
      lab_ok "$line: $name answers $want under the sandbox ($was bare)"
    else
      lab_not_ok "$line: $name answers $want under the sandbox, not bare" \
        "sandboxed: ${got:-nothing} ($(tail -1 "$T/probe.err"))" "bare: ${was:-nothing}"
    fi
  done <<'EOF'
clock_settime EPERM SystemCallFilter=~@clock
socket_af_vsock EAFNOSUPPORT RestrictAddressFamilies=
unshare_net EPERM RestrictNamespaces=yes
sched_fifo EPERM RestrictRealtime=yes
chmod_suid EPERM RestrictSUIDSGID=yes
personality32 EPERM LockPersonality=yes
sethostname EPERM ProtectHostname=yes
open_kmsg EACCES ProtectKernelLogs=yes
write_etc EROFS ProtectSystem=full
EOF
}

mapfile -t cfg < <(lab_cfg_af_xdp)
lab_up --servers 2 --queues 1 || { lab_not_ok "lab up"; exit 1; }
config=$(lab_make_config "${cfg[@]}")
cp "$config" "$etc_config"
config=$etc_config
notify_listen "$(lab_config_socket "$config")" 300
notify_sluice_start "$config" \
  "sluice started on net_af_xdp ports with the unit's capabilities and system call filter" ||
  exit 1
ready_count() { notify_msgs | grep -c '^READY=1' || true; }
lab_wait_until 30 "READY=1 received" test "$(ready_count)" -ge 1 || true
lab_check_eq "READY=1 sent under the filter" "$(ready_count)" 1
# shellcheck disable=SC2317  # called through lab_check
# (not `slctl | grep -q`: grep leaving early kills slctl by SIGPIPE, a
# failure under pipefail)
stats_ok() { local out; out=$(slctl --json stats) && grep -q '"workers"' <<<"$out"; }
lab_check "stats answers under the filter" stats_ok
lab_check_eq "READY=1 from sluice's own pid (NotifyAccess=main)" "$(notify_senders)" "[$LAB_SLUICE_PID]"
st=0
out=$(slctl config save 2>&1) || st=$?
lab_check_eq "config save into $etc_dir under the sandbox (ReadWritePaths=): $out" "$st" 0
probe_check_all
kill -HUP "$LAB_SLUICE_PID"
lab_wait_until 30 "READY=1 after the reload" test "$(ready_count)" -ge 2 || true
lab_check_eq "SIGHUP under the filter: RELOADING=1 then READY=1" \
  "$(notify_msgs | sed -n '2,3p' | cut -d'|' -f1 | tr '\n' ' ')" "RELOADING=1 READY=1 "
unit_check_confined "" "$unit" "$LAB_SLUICE_PID"
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
cp "$config" "$etc_config"
config=$etc_config
rm -f "$T/notify.log"
notify_listen "$(lab_config_socket "$config")" 300
notify_sluice_start "$config" \
  "[af_packet] sluice started on net_af_packet ports with the unit's sandbox" || exit 1
lab_wait_until 30 "READY=1 received" test "$(ready_count)" -ge 1 || true
lab_check_eq "[af_packet] READY=1 sent under the filter" "$(ready_count)" 1
unit_check_confined "[af_packet] " "$unit" "$LAB_SLUICE_PID"
lab_core_scenario 40
if lab_sluice_stop; then
  lab_ok "[af_packet] SIGTERM: a clean stop (status 0) under the filter"
else
  lab_not_ok "[af_packet] SIGTERM: a clean stop (status 0) under the filter" "status ${LAB_SLUICE_STATUS:-unknown}"
fi
kill "$notify_pid" 2>/dev/null || true
wait "$notify_pid" 2>/dev/null || true
lab_test_end
