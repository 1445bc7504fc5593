# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# A systemd unit's service run as the unit says, without systemd (there
# is none in the lab): what test_service_caps.sh and test_service_huge.sh
# (conf/sluice.service) and test_deb_service.sh (the unit the .deb
# installs) share. The chain,
# in systemd's order: unit_sandbox.py (the mount side and Limit*=), then
# setpriv (CapabilityBoundingSet=, no ambient capabilities,
# NoNewPrivileges=), then seccomp_exec.py (SystemCallFilter=, Restrict*=,
# ...), then the program. Sourced after scripts/lab_lib.sh (not a test:
# run.sh runs test_*.sh only).

# unit_value UNIT KEY: KEY's last value in UNIT's [Service] section.
unit_value() {
  awk -v k="$2=" '/^\[/ { s = $0 } s == "[Service]" && index($0, k) == 1 { v = substr($0, length(k) + 1) }
    END { print v }' "$1"
}

# unit_caps UNIT: the unit's bounding set, lower case, sorted,
# comma-separated (capsh --decode's spelling: cap_chown,...).
unit_caps() {
  local c
  for c in $(unit_value "$1" CapabilityBoundingSet); do echo "${c,,}"; done | sort | paste -sd,
}

# unit_nnp UNIT: --no-new-privs when the unit's NoNewPrivileges= is true,
# nothing when false or absent; another value fails (not emulated).
unit_nnp() {
  local v
  v=$(unit_value "$1" NoNewPrivileges)
  case ${v,,} in
    1 | yes | y | true | t | on) echo --no-new-privs ;;
    0 | no | n | false | f | off | "") ;;
    *) echo "unit_lib: $1: NoNewPrivileges=$v is not a boolean" >&2; return 1 ;;
  esac
}

# unit_wrap UNIT WRAPPER: write WRAPPER, an executable that runs its
# arguments (PROGRAM ARGS...) through UNIT's whole chain, as systemd runs
# the unit's ExecStart= and ExecStopPost=. $T (the test's directory, the
# notify socket's) stays visible under PrivateTmp=. An AmbientCapabilities=
# that grants anything is refused: the chain drops them all.
unit_wrap() {
  local unit=$1 out=$2 caps nnp
  if [ -n "$(unit_value "$unit" AmbientCapabilities)" ]; then
    echo "unit_lib: $unit: AmbientCapabilities=$(unit_value "$unit" AmbientCapabilities) is not emulated" >&2
    return 1
  fi
  caps=$(unit_caps "$unit")
  caps=${caps//cap_/}
  nnp=$(unit_nnp "$unit") || return 1
  printf '#!/bin/sh\nexec %q %q %q -- setpriv %s --ambient-caps -all --bounding-set %s -- %q %q -- "$@"\n' \
    "$LAB_ROOT/tests/e2e/unit_sandbox.py" "$unit" "$T" "$nnp" "-all${caps:+,+${caps//,/,+}}" \
    "$LAB_ROOT/tests/e2e/seccomp_exec.py" "$unit" >"$out"
  chmod +x "$out"
}

# unit_sluice UNIT BINARY: SLUICE (what lab_sluice_start runs) becomes
# BINARY through UNIT's chain ($T/as-unit runs any program through it).
unit_sluice() {
  unit_wrap "$1" "$T/as-unit" || return 1
  printf '#!/bin/sh\nexec %q %q "$@"\n' "$T/as-unit" "$2" >"$T/sluice-as-unit"
  chmod +x "$T/sluice-as-unit"
  # shellcheck disable=SC2034  # lab_sluice_start runs it
  SLUICE=$T/sluice-as-unit
}

# unit_etc_config: UNIT_ETC_CONFIG becomes the path of the test's config
# where the unit's lives (/etc/sluice, the unit's
# ReadWritePaths=@SYSCONFDIR@/sluice: unit_sandbox.py refuses to start
# without it, as systemd does). The directory is made if absent and then
# removed at exit; otherwise only the test's own file is. Not in $(...):
# the lab_at_exit commands must be the test shell's.
unit_etc_config() {
  UNIT_ETC_CONFIG=/etc/sluice/lab-$LAB_PREFIX.json
  if [ ! -d /etc/sluice ]; then
    mkdir -m 0755 /etc/sluice
    lab_at_exit rm -rf /etc/sluice
  fi
  # Added last, run first.
  lab_at_exit rm -f "$UNIT_ETC_CONFIG"
}

# unit_mount_opts PID PATH: the options of the mount PID sees at PATH.
unit_mount_opts() { awk -v p="$2" '$5 == p { o = $6 } END { print o }' "/proc/$1/mountinfo"; }

# The policy, pinned here apart from the unit: a unit that widens it (a
# capability more, NoNewPrivileges= gone) fails every test that runs it
# until this line is changed too, in review (conf/sluice.service says
# why each capability is there; test_service_caps_drop that each one is
# needed).
UNIT_POLICY_CAPS=cap_chown,cap_ipc_lock,cap_net_admin,cap_net_raw,cap_sys_admin,cap_sys_rawio

# unit_check_confined TAG UNIT PID: checks (each line prefixed with TAG)
# that UNIT's policy is the pinned one and that PID lives as UNIT's chain
# made it: its bounding set, no ambient capabilities, NoNewPrivs, a
# seccomp filter, and the mount side (unit_sandbox.py).
unit_check_confined() {
  local tag=$1 unit=$2 pid=$3 got
  lab_check_eq "${tag}the unit's bounding set is the pinned policy" "$(unit_caps "$unit")" \
    "$UNIT_POLICY_CAPS"
  lab_check_eq "${tag}the unit sets NoNewPrivileges" "$(unit_nnp "$unit")" --no-new-privs
  got=$(capsh --decode="$(sed -n 's/^CapBnd:\t//p' "/proc/$pid/status")" | sed 's/.*=//' | tr ',' '\n' | sort | paste -sd,)
  lab_check_eq "${tag}its bounding set is the unit's" "$got" "$(unit_caps "$unit")"
  lab_check_eq "${tag}no ambient capabilities (AmbientCapabilities=)" \
    "$(sed -n 's/^CapAmb:\t//p' "/proc/$pid/status")" 0000000000000000
  lab_check_eq "${tag}NoNewPrivs set on sluice" "$(sed -n 's/^NoNewPrivs:\t//p' "/proc/$pid/status")" 1
  lab_check_eq "${tag}a seccomp filter is on sluice (Seccomp: 2)" \
    "$(sed -n 's/^Seccomp:\t//p' "/proc/$pid/status")" 2
  lab_check "${tag}/usr read-only for sluice ($(unit_mount_opts "$pid" /usr))" \
    grep -q '^ro' <<<"$(unit_mount_opts "$pid" /usr)"
  lab_check "${tag}/etc read-only for sluice ($(unit_mount_opts "$pid" /etc))" \
    grep -q '^ro' <<<"$(unit_mount_opts "$pid" /etc)"
  lab_check "${tag}/tmp of its own (PrivateTmp)" \
    test "$(stat -L -c %d:%i "/proc/$pid/root/tmp")" != "$(stat -L -c %d:%i /tmp)"
  lab_check "${tag}a UTS namespace of its own (ProtectHostname)" \
    test "$(readlink "/proc/$pid/ns/uts")" != "$(readlink /proc/self/ns/uts)"
  lab_check "${tag}/home empty and mode 000 (ProtectHome)" test "$(stat -c %a "/proc/$pid/root/home")" = 0
  if [ -n "$(unit_mount_opts "$pid" /sys/fs/cgroup)" ]; then
    lab_check "${tag}/sys/fs/cgroup read-only (ProtectControlGroups)" \
      grep -q '^ro' <<<"$(unit_mount_opts "$pid" /sys/fs/cgroup)"
  else
    echo "# ProtectControlGroups= not exercised here: /sys/fs/cgroup is no mount in" \
      "sluice's view (ip netns exec mounts a fresh sysfs for the lab's namespace)"
  fi
}
