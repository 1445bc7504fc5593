#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# From the .deb to a running service, as far as a container without
# systemd goes (issue 17): `make deb`; `dpkg --root` installs it into a
# scratch root (maintainer scripts run, chrootless, with deb-systemd-helper,
# deb-systemd-invoke and systemctl stand-ins first on PATH that log their
# arguments: configure records the unit's state, nothing is enabled,
# started or reloaded under --root); `apt-get install
# --simulate` resolves its Depends on this machine; `systemd-analyze
# verify` passes the packaged unit (its paths moved under the root).
# The packaged unit must be conf/sluice.service but for its paths (a
# diff, shown when it fails). Then the packaged sluice runs as the
# packaged unit says, under its whole sandbox (tests/e2e/unit_lib.sh, the
# chain test_service_caps.sh uses: unit_sandbox.py's mounts, setpriv's
# bounding set and NoNewPrivileges, seccomp_exec.py's filter): its
# ExecStart (the lab's config in place of the shipped one, as an operator
# edits it), NOTIFY_SOCKET at notify_listen.py: READY=1 once, from
# sluice's own pid; the confinement checked in /proc; `stats` through the
# packaged sluicectl; SIGHUP a reload (RELOADING=1, READY=1); SIGTERM a
# clean stop (STOPPING=1, status 0); then the unit's ExecStopPost through
# the same chain: exit 0. Last, `dpkg --root -r`
# (mask) and `-P` (purge, unmask) with the stand-ins.
# e2e-timeout: 180
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=tests/e2e/notify_lib.sh
. "$(dirname "$0")/notify_lib.sh"
# shellcheck source=tests/e2e/unit_lib.sh
. "$(dirname "$0")/unit_lib.sh"

lab_test_begin deb
deb=$(cd "$LAB_ROOT" && VERSION=1.0~test bash scripts/make_deb.sh "$T" 2>"$T/build.err") ||
  { lab_not_ok "make deb" "$(cat "$T/build.err")"; exit 1; }
R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
touch "$R/var/lib/dpkg/status"
# Stand-ins for what the maintainer scripts call: each logs its name and
# arguments to $T/calls.log. The real ones would act on this machine's
# /etc/systemd (deb-systemd-helper under $DPKG_ROOT, but the other two not).
mkdir -p "$T/stubs"
for prog in deb-systemd-helper deb-systemd-invoke systemctl; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/calls.log"\n' "$prog" "$T" >"$T/stubs/$prog"
  chmod +x "$T/stubs/$prog"
done
# dpkg_root ARGS...: dpkg --root=$R with the stand-ins first on PATH;
# calls.log then holds only this step's calls.
# shellcheck disable=SC2317  # called through lab_check
dpkg_root() {
  : >"$T/calls.log"
  PATH=$T/stubs:$PATH dpkg --root="$R" --force-script-chrootless "$@"
}
calls() { tr '\n' ';' <"$T/calls.log"; }
# The scratch root has none of the libraries (--force-depends); this
# machine has them, which apt-get checks below.
lab_check "dpkg --root installs the .deb (maintainer scripts run)" \
  dpkg_root --force-depends -i "$deb"
lab_check_eq "postinst configure: only deb-systemd-helper update-state (no enable, start or reload under --root)" \
  "$(calls)" "deb-systemd-helper update-state sluice.service;"
lab_check "... dpkg's status there: install ok installed" \
  bash -c "dpkg --root='$R' -s sluice | grep -qx 'Status: install ok installed'"
lab_check "apt-get install --simulate resolves Depends" \
  bash -c "apt-get install --simulate '$deb' 2>&1 | grep -q '^Inst sluice '"

unit=$R/lib/systemd/system/sluice.service
# verify wants the unit's programs and man pages where it says: a copy
# with /usr and /etc moved under $R (--root= would want the whole of
# systemd's own units there too).
sed -E "s#(=|=-| )/(usr|etc)/#\\1$R/\\2/#g" "$unit" >"$T/sluice.service"
out=$(MANPATH=$R/usr/share/man SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$T/sluice.service" 2>&1) && st=0 || st=$?
lab_check_eq "systemd-analyze verify: the packaged unit (paths under the root), exit 0 ${out:+($out)}" "$st" 0
lab_check_eq "... and no warning" "$out" ""

# The packaged unit is conf/sluice.service with its paths filled in
# (make_deb.sh's @SBINDIR@ and @SYSCONFDIR@), nothing else: every line
# test_service_caps.sh shows under the sandbox is the one that ships.
read -ra start <<<"$(unit_value "$unit" ExecStart)"
sbindir=$(dirname "${start[0]}") sysconfdir=$(dirname "$(dirname "${start[2]:-/}")")
# A Debian package's places, literally (a package built with other
# paths everywhere would pass the diff below on its own).
lab_check_eq "the packaged unit runs /usr/sbin/sluice -c /etc/sluice/sluice.json, nothing more" \
  "${start[*]}" "/usr/sbin/sluice -c /etc/sluice/sluice.json"
if differ=$(sed -e "s#@SBINDIR@#$sbindir#g" -e "s#@SYSCONFDIR@#$sysconfdir#g" \
  "$LAB_ROOT/conf/sluice.service" | diff -u --label conf/sluice.service --label packaged - "$unit"); then
  lab_ok "the packaged unit is conf/sluice.service but for its paths ($sbindir, $sysconfdir)"
else
  mapfile -t differ <<<"$differ"
  lab_not_ok "the packaged unit is conf/sluice.service but for its paths ($sbindir, $sysconfdir)" "${differ[@]}"
fi
# From here the copy with its paths under $R ($T/sluice.service, what
# verify read): its ExecStart runs the packaged sluice, its
# ReadWritePaths= is the package's /etc/sluice.
read -ra start <<<"$(unit_value "$T/sluice.service" ExecStart)"
stoppost=$(unit_value "$T/sluice.service" ExecStopPost)
read -ra stoppost <<<"${stoppost#-}"
echo "# ExecStart: ${start[*]}; ExecStopPost: ${stoppost[*]}"

lab_up --servers 1 || { lab_not_ok "lab up"; exit 1; }
cfg=$(lab_make_config) || { lab_not_ok "make config"; exit 1; }
sock=$(lab_config_socket "$cfg")
cp "$cfg" "${start[2]}"
# The packaged binaries, run through the packaged unit's whole chain.
unit_sluice "$T/sluice.service" "${start[0]}" || { lab_not_ok "the unit's chain (unit_lib.sh)"; exit 1; }
SLUICECTL=$R/usr/sbin/sluicectl

notify_listen "$sock" 120
notify_sluice_start "${start[2]}" "the packaged sluice started: ExecStart under the packaged unit's sandbox" || exit 1
msgs() { notify_msgs | cut -d'|' -f1; }
lab_wait_until 30 "READY=1 received" grep -q READY=1 "$T/notify.log" || true
lab_check_eq "READY=1 once" "$(msgs | grep -c '^READY=1')" 1
lab_check_eq "READY=1 from sluice's own pid (NotifyAccess=main)" "$(notify_senders)" "[$LAB_SLUICE_PID]"
unit_check_confined "" "$T/sluice.service" "$LAB_SLUICE_PID"
# shellcheck disable=SC2317  # called through lab_check
stats_ok() { local out; out=$(slctl --json stats) && grep -q '"workers"' <<<"$out"; }
lab_check "the packaged sluicectl: stats answers (exit 0, its workers)" stats_ok
kill -HUP "$LAB_SLUICE_PID"
lab_wait_until 30 "READY=1 after SIGHUP" test "$(msgs | grep -c '^READY=1')" -ge 2 || true
lab_check_eq "SIGHUP: RELOADING=1 then READY=1" "$(msgs | sed -n '2,3p' | tr '\n' ' ')" "RELOADING=1 READY=1 "
lab_sluice_stop && st=0 || st=$?
lab_check_eq "SIGTERM: stopped with status 0" "$st" 0
LAB_SLUICE_PID=
wait "$notify_pid" || true
lab_check_eq "STOPPING=1 is the last message" "$(msgs | tail -n 1)" "STOPPING=1"
ip netns exec "$(lab_ns lb)" timeout 20 "$T/as-unit" "${stoppost[@]}" >"$T/cleanup.out" 2>&1 && st=0 || st=$?
echo "# ExecStopPost: $(tr '\n' ' ' <"$T/cleanup.out")"
lab_check_eq "ExecStopPost through the same sandbox after a clean stop: exit 0" "$st" 0
lab_check "dpkg --root -r removes it" dpkg_root -r sluice
lab_check_eq "prerm, postrm remove: deb-systemd-helper mask (no stop or reload under --root)" \
  "$(calls)" "deb-systemd-helper mask sluice.service;"
lab_check "... the config stays (a conffile)" test -f "$R/etc/sluice/sluice.json"
lab_check "dpkg --root -P purges it" dpkg_root -P sluice
lab_check_eq "postrm purge: deb-systemd-helper purge, unmask" \
  "$(calls)" "deb-systemd-helper purge sluice.service;deb-systemd-helper unmask sluice.service;"
lab_check "... the config is gone" test ! -e "$R/etc/sluice/sluice.json"
lab_test_end
