#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# unit_sandbox.sh UNIT KEEP -- PROGRAM ARGS...: run PROGRAM (as root,
# before setpriv and seccomp_exec.py drop what they drop) with the file
# system view and resource limits UNIT's [Service] lines give a service
# under systemd (tests/e2e/test_service_caps.sh; there is no systemd in
# the lab). In a mount namespace of its own (and a UTS one for
# ProtectHostname=), private propagation so nothing reaches the host:
#   ProtectSystem=full   /usr, /boot, /efi and /etc read-only, submounts too
#   ReadWritePaths=      each back read-write (@SYSCONFDIR@ is /etc)
#   ProtectHome=yes      /home, /root, /run/user empty and mode 000
#   PrivateTmp=yes       /tmp and /var/tmp empty tmpfs of its own; KEEP (a
#                        directory under /tmp: the test's, holding the
#                        notify socket systemd would have in /run) bound back
#   ProtectKernelLogs=   /proc/kmsg and /dev/kmsg mode 000
#   ProtectKernelModules= /usr/lib/modules mode 000
#   ProtectControlGroups= /sys/fs/cgroup read-only
#   ProtectHostname=yes  a UTS namespace
#   LimitNAME=           prlimit --name (infinity: unlimited), where allowed
# systemd's "inaccessible" nodes are mode-000 ones here: without
# CAP_DAC_OVERRIDE (not in the unit's bounding set) root cannot open
# either. The system-call side of the same options is seccomp_exec.py's.
# Any other Protect*/Private*/*Paths= line fails: it would be untested.
set -euo pipefail
[ $# -ge 4 ] && [ "$3" = -- ] || { echo "usage: unit_sandbox.sh UNIT KEEP -- PROGRAM ARGS..." >&2; exit 2; }
UNIT=$1 KEEP=$2
shift 3
# setting NAME: the value of NAME= in UNIT's [Service] section (the last).
setting() { sed -n '/^\[Service\]/,/^\[/p' "$UNIT" | sed -n "s/^$1=//p" | tail -n 1 | sed 's|@SYSCONFDIR@|/etc|g'; }
say() { echo "unit_sandbox: $*" >&2; }
die() { say "$*"; exit 1; }

if [ -z "${UNIT_SANDBOX_INSIDE:-}" ]; then
  for line in $(sed -n '/^\[Service\]/,/^\[/p' "$UNIT" | grep -oE '^(Protect|Private)[A-Za-z]*|^[A-Za-z]*Paths' | sort -u); do
    case $line in
      ProtectSystem | ProtectHome | PrivateTmp | ProtectKernelLogs | ProtectKernelModules | \
        ProtectControlGroups | ProtectHostname | ReadWritePaths) ;;
      *) die "$UNIT: $line= is not emulated here (add it to tests/e2e/unit_sandbox.sh)" ;;
    esac
  done
  uts=()
  [ "$(setting ProtectHostname)" = yes ] && uts=(--uts)
  UNIT_SANDBOX_INSIDE=1 exec unshare --mount "${uts[@]}" --propagation private -- \
    "$BASH" "$0" "$UNIT" "$KEEP" -- "$@"
fi

# ro PATH: PATH and every mount below it read-only.
ro() {
  [ -e "$1" ] || return 0
  mount --rbind "$1" "$1"
  findmnt -Rrno TARGET "$1" | while read -r m; do mount -o remount,bind,ro "$m"; done
}
# hide PATH: an empty, mode-000 directory or file in its place.
hide() {
  [ -e "$1" ] || return 0
  if [ -d "$1" ]; then mount -t tmpfs -o ro,mode=000,size=4k tmpfs "$1"; else mount --bind "$BLANK" "$1"; fi
}
# A staging place outside /tmp, unmounted and removed before PROGRAM runs
# (what was bound from it stays).
STAGE=$(mktemp -d /run/unit-sandbox.XXXXXX)
mount -t tmpfs -o size=4k tmpfs "$STAGE"
BLANK=$STAGE/blank
: >"$BLANK"
chmod 000 "$BLANK"

if [ "$(setting PrivateTmp)" = yes ]; then
  mkdir "$STAGE/keep"
  mount --bind "$KEEP" "$STAGE/keep"
  mount -t tmpfs -o mode=1777 tmpfs /tmp
  mount -t tmpfs -o mode=1777 tmpfs /var/tmp
  mkdir -p "$KEEP"
  mount --move "$STAGE/keep" "$KEEP"
fi
case $(setting ProtectSystem) in
  full) for p in /usr /boot /efi /etc; do ro "$p"; done ;;
  "" | no) ;;
  *) die "ProtectSystem=$(setting ProtectSystem): only full is emulated" ;;
esac
for p in $(setting ReadWritePaths); do
  p=${p#-}
  if [ -e "$p" ]; then mount --bind "$p" "$p" && mount -o remount,bind,rw "$p"; else say "ReadWritePaths: $p does not exist here"; fi
done
if [ "$(setting ProtectHome)" = yes ]; then
  here=$(realpath "$0")
  for p in /home /root /run/user; do
    # The tree itself under one of them (a developer's checkout): left
    # visible, said, so the program can still be run.
    case $here in "$p"/*) say "ProtectHome: $p holds this tree, left visible"; continue ;; esac
    hide "$p"
  done
fi
if [ "$(setting ProtectKernelLogs)" = yes ]; then hide /proc/kmsg; hide /dev/kmsg; fi
if [ "$(setting ProtectKernelModules)" = yes ]; then hide /usr/lib/modules; fi
if [ "$(setting ProtectControlGroups)" = yes ]; then ro /sys/fs/cgroup; fi
umount -l "$STAGE"
rmdir "$STAGE"

# Each Limit*= raised when this process may (CAP_SYS_RESOURCE): a test
# run in a container without it keeps the limit it has, and says so.
limits=()
while IFS== read -r name value; do
  name=${name#Limit}
  [ "$value" = infinity ] && value=unlimited
  if prlimit "--${name,,}=$value:$value" -- true 2>/dev/null; then
    limits+=("--${name,,}=$value:$value")
  else
    say "Limit$name=$value: cannot be raised here (no CAP_SYS_RESOURCE); kept at $(prlimit -o SOFT,HARD --noheadings "--${name,,}" | xargs)"
  fi
done < <(sed -n '/^\[Service\]/,/^\[/p' "$UNIT" | grep -E '^Limit[A-Z]+=')
say "mounts of $UNIT applied; limits: ${limits[*]:-none raised}"
unset UNIT_SANDBOX_INSIDE
exec prlimit "${limits[@]}" -- "$@"
