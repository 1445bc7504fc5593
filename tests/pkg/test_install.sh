#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `make install` / `make uninstall` into scratch roots (README.md,
# Install): every file where it belongs with its mode, the unit's paths
# filled in, an existing or edited /etc/sluice/sluice.json never
# replaced nor removed; and the installed unit passes
# `systemd-analyze verify` with no complaint at all (its ExecStart paths
# exist, its man: links resolve to the installed pages).
# Prints ok / not ok lines; exit 1 when any failed.
set -uo pipefail
# shellcheck source=tests/pkg/pkg_lib.sh
. "$(dirname "$0")/pkg_lib.sh"
pkg_begin install

R=$T/root
make -s install DESTDIR="$R" >"$T/install.log" 2>&1 || { not_ok "make install DESTDIR" "$(tail -n 5 "$T/install.log")"; exit 1; }
ok "make install DESTDIR=..."
want=(
  "755 usr/local/sbin/sluice" "755 usr/local/sbin/sluicectl"
  "644 usr/local/share/man/man8/sluice.8" "644 usr/local/share/man/man8/sluicectl.8"
  "644 usr/local/share/man/man5/sluice.json.5"
  "644 usr/local/share/bash-completion/completions/sluicectl"
  "644 usr/local/lib/systemd/system/sluice.service"
  "644 etc/sluice/sluice.json"
)
for w in "${want[@]}"; do
  f=${w#* }
  got=$(stat -c %a "$R/$f" 2>/dev/null || echo missing)
  if [ "$got" = "${w%% *}" ]; then ok "$f mode ${w%% *}"; else not_ok "$f mode ${w%% *}" "got: $got"; fi
done
unit=$R/usr/local/lib/systemd/system/sluice.service
check "unit: ExecStart is the installed sluice with /etc/sluice/sluice.json" \
  grep -qx 'ExecStart=/usr/local/sbin/sluice -c /etc/sluice/sluice.json' "$unit"
check "unit: no @PLACEHOLDER@ left" bash -c "! grep -q '@[A-Z]*@' '$unit'"
check "config is the example" cmp -s "$R/etc/sluice/sluice.json" conf/sluice.example.json
check "the installed sluice accepts the installed config (--check)" \
  "$R/usr/local/sbin/sluice" --check -c "$R/etc/sluice/sluice.json" >/dev/null

echo '{"edited": true}' >"$R/etc/sluice/sluice.json"
make -s install DESTDIR="$R" >"$T/install2.log" 2>&1
check "install again: the existing config is kept" grep -q edited "$R/etc/sluice/sluice.json"
check "install again: says so" grep -q "KEPT.*sluice.json (exists)" "$T/install2.log"
make -s uninstall DESTDIR="$R" >"$T/uninstall.log" 2>&1
left=$(cd "$R" && find . -type f | sort | tr '\n' ' ')
check_eq "uninstall: only the edited config is left" "$left" "./etc/sluice/sluice.json "
make -s install DESTDIR="$R" >/dev/null 2>&1 && make -s uninstall DESTDIR="$R" >/dev/null 2>&1
check_eq "uninstall: an edited config stays, an unedited one goes" \
  "$(cd "$R" && find . -type f | wc -l)" 1
rm -f "$R/etc/sluice/sluice.json"
make -s install DESTDIR="$R" >/dev/null 2>&1 && make -s uninstall DESTDIR="$R" >/dev/null 2>&1
check_eq "uninstall after a fresh install leaves no file" "$(cd "$R" && find . -type f | wc -l)" 0

# systemd-analyze verify wants the unit's programs where it says: a real
# prefix, no DESTDIR.
P=$T/prefix
make -s install PREFIX="$P" SYSCONFDIR="$P/etc" >/dev/null 2>&1
punit=$P/lib/systemd/system/sluice.service
if ! command -v systemd-analyze >/dev/null; then
  not_ok "systemd-analyze verify" "systemd-analyze not installed"
else
  out=$(MANPATH=$P/share/man SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$punit" 2>&1) && st=0 || st=$?
  if [ "$st" -eq 0 ] && [ -z "$out" ]; then
    ok "systemd-analyze verify: exit 0, no warning (man pages found)"
  else
    not_ok "systemd-analyze verify: exit 0, no warning (man pages found)" "exit $st" "$out"
  fi
  for key in "Type=notify" "ExecReload=/bin/kill -HUP \$MAINPID" "Restart=on-failure" \
             "RuntimeDirectory=sluice" "NoNewPrivileges=yes" "ProtectSystem=full"; do
    check "unit: $key" grep -qxF "$key" "$punit"
  done
  check "unit: ExecStopPost runs sluice --cleanup" \
    grep -qxF "ExecStopPost=-$P/sbin/sluice --cleanup -c $P/etc/sluice/sluice.json" "$punit"
  # systemd removes /run/<RuntimeDirectory> whenever the unit stops
  # unless it is preserved; the interface locks (SL_LOCK_DIR) must outlive
  # it, or `systemctl start` next to a hand-run sluice deletes its locks.
  lockdir=$(sed -n 's/^#define SL_LOCK_DIR "\(.*\)"$/\1/p' ctrl/daemon/instance.h)
  rtdir=/run/$(sed -n 's/^RuntimeDirectory=//p' "$punit")
  check "unit: RuntimeDirectory ($rtdir) keeps the lock directory ($lockdir)" \
    bash -c "[ -n '$lockdir' ] && { case '$lockdir/' in '$rtdir'/*) grep -qxF RuntimeDirectoryPreserve=yes '$punit';; *) true;; esac; }"
  check "unit: StartLimitBurst= bounds Restart=" grep -qE '^StartLimitBurst=[1-9]' "$punit"
fi
pkg_end
