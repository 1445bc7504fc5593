# SPDX-License-Identifier: BSD-3-Clause
# Sourced by tests/pkg/test_*.sh: the checks' ok / not ok lines, a
# scratch directory $T (removed on exit), and pkg_end's exit status.
# pkg_begin NAME: cd to the top of the tree, make $T.
pkg_begin() {
  cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
  T=$(mktemp -d "/tmp/sluice-$1.XXXXXX")
  trap 'rm -rf "$T"' EXIT
  fails=0
}
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; for l in "$@"; do echo "#   $l"; done; fails=$((fails + 1)); }
# check DESC COMMAND...: ok when COMMAND succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d" "failed: $*"; fi; }
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got: $2" "want: $3"; fi; }
pkg_end() { echo "# $fails failed"; [ "$fails" -eq 0 ]; }
# pkg_standin_ctl PATH REAL: writes PATH, a sluicectl that answers
# `vip list` as the daemon would (tests/pkg/vip_list.json: JSON indented,
# each object's "vip"/"ip" before its "port", a check's own "port" after)
# and hands anything else to REAL; each call's arguments, one line each,
# in calls.log beside PATH.
pkg_standin_ctl() {
  cat >"$1" <<EOS
#!/usr/bin/env bash
echo "\$*" >>"${1%/*}/calls.log"
case " \$* " in
  *" vip list "*) cat "$PWD/tests/pkg/vip_list.json" ;;
  *) exec "$2" "\$@" ;;
esac
EOS
  chmod +x "$1"
}
