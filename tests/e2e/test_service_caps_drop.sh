#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Each of the systemd unit's capabilities is needed (conf/sluice.service):
# test_service_caps.sh shows the unit's CapabilityBoundingSet is enough;
# this drops one capability at a time and requires that sluice, started
# as the unit starts it (setpriv, NoNewPrivileges) on net_af_xdp ports,
# then fails to start, with the error of the function that capability
# serves. A capability the unit grants
# that this test cannot exercise must be named in NOT_EXERCISED with the
# reason; any other one without a case here fails the test, so a
# capability added to the unit needs a case showing it is needed.
# e2e-timeout: 90
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=scripts/lab_drivers.sh
. "$(dirname "$0")/../../scripts/lab_drivers.sh"

# Needed only on hardware the lab has not got: iopl for legacy virtio PCI.
declare -A NOT_EXERCISED=([CAP_SYS_RAWIO]="iopl for legacy virtio-net PCI devices")
# For each capability, the error its absence must cause in sluice's log
# (an extended regex), and the kernel check behind it.
declare -A WANT_ERROR=(
  # netlink XDP attach by the PMD: dev_change_xdp_fd needs CAP_NET_ADMIN
  [CAP_NET_ADMIN]="Failed to set prog fd"
  # the PMD's AF_XDP socket: xsk_create needs CAP_NET_RAW
  [CAP_NET_RAW]="Failed to create umem"
  # loading the XDP program: bpf_capable() is CAP_BPF or CAP_SYS_ADMIN, and
  # the unit has no CAP_BPF; recognising sluice_xdp on an interface by id
  # (BPF_PROG_GET_FD_BY_ID) needs CAP_SYS_ADMIN whatever else is granted
  [CAP_SYS_ADMIN]="Failed to load program|cannot inspect XDP program id"
  # UMEM registration beyond RLIMIT_MEMLOCK (see below): xdp_umem_account_pages
  [CAP_IPC_LOCK]="Failed to create umem"
  # control.owner "nobody" on the socket: chown needs CAP_CHOWN
  [CAP_CHOWN]="chown 65534"
)

lab_test_begin service_caps_drop
unit=$LAB_ROOT/conf/sluice.service
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
echo "# unit's CapabilityBoundingSet: $caps"
# The unit's LimitMEMLOCK=infinity would need CAP_SYS_RESOURCE here, so
# sluice runs with systemd's default, 8 MiB: CAP_IPC_LOCK is shown needed
# at it (under the unit's infinity it is a second guard).
memlock_kib=8192
real=$SLUICE

# as_unit_without CAP...: point SLUICE at a wrapper that runs sluice with
# the unit's set minus the capabilities given.
as_unit_without() {
  local set=-all c
  for c in $caps; do
    [[ " $* " == *" $c "* ]] || set+=",+$(tr '[:upper:]' '[:lower:]' <<<"${c#CAP_}")"
  done
  SLUICE=$T/sluice-caps
  {
    printf '#!/bin/sh\nulimit -l %s || exit 1\n' "$memlock_kib"
    printf 'exec setpriv --no-new-privs --bounding-set %s -- %q "$@"\n' "$set" "$real"
  } >"$SLUICE"
  chmod +x "$SLUICE"
}

mapfile -t cfg < <(lab_cfg_af_xdp)
lab_up --servers 2 --queues 1 || { lab_not_ok "lab up"; exit 1; }
# control.owner: the socket is given to "nobody" (CAP_CHOWN's function).
config=$(lab_make_config "${cfg[@]}" 'c["control"]["owner"] = "nobody"')

# Baseline: the unit's set without what the lab cannot exercise starts.
as_unit_without "${!NOT_EXERCISED[@]}"
if lab_sluice_start "$config"; then
  lab_ok "starts without ${!NOT_EXERCISED[*]}"
  lab_sluice_stop || lab_not_ok "baseline sluice stopped cleanly"
else
  lab_not_ok "starts without ${!NOT_EXERCISED[*]}"
  exit 1
fi

for c in $caps; do
  if [ -n "${NOT_EXERCISED[$c]:-}" ]; then
    echo "# $c not exercised here: ${NOT_EXERCISED[$c]}"
    continue
  fi
  if [ -z "${WANT_ERROR[$c]:-}" ]; then
    lab_not_ok "$c: the unit grants it but no case here shows it is needed"
    continue
  fi
  as_unit_without "$c"
  : >"$LAB_RUN/sluice.log"
  if lab_sluice_start "$config" 2>/dev/null; then
    lab_not_ok "without $c sluice does not start" "it started: $c looks unneeded"
    lab_sluice_stop || true
    continue
  fi
  err=$(grep -E -m1 -- "${WANT_ERROR[$c]}" "$LAB_RUN/sluice.log" || true)
  lab_check "without $c sluice does not start: ${err:-no error naming ${WANT_ERROR[$c]}}" test -n "$err"
  [ -n "$err" ] || sed 's/^/#   /' "$LAB_RUN/sluice.log" | tail -n 8
done
lab_test_end
