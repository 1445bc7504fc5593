#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Log lines under systemd (issue 17): with JOURNAL_STREAM naming the file
# sluice's stderr is open on (as systemd sets it for a unit logging to
# the journal), every line sluice writes starts with a syslog priority,
# "<3>" for the error that stops it, "<6>" for info, and has no
# timestamp, DPDK's own lines (EAL, drivers) too, at their level's
# priority; with JOURNAL_STREAM naming another file, or unset, lines are
# "TIME sluice LEVEL: ...". sluice is given a port on an interface that
# does not exist, so it logs and exits 1 without a lab.
# e2e-timeout: 60
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

lab_test_begin journal
cat >"$T/bad.json" <<EOC
{"eal": ["--no-huge", "-m", "64", "--no-pci", "--no-telemetry", "--file-prefix", "sl-test-journal-$$"],
 "workers": 1, "control": {"socket": "$T/sluice.sock"},
 "ports": [{"name": "wan", "devargs": "net_af_packet0,iface=sl-nothere$$", "ipv4": "198.18.0.2/24"}]}
EOC
: >"$T/journal.err"
st=0
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal.err") timeout 30 "$SLUICE" -c "$T/bad.json" 2>>"$T/journal.err" || st=$?
sed 's/^/#   /' "$T/journal.err" | head -8
lab_check_eq "a port on a missing interface: exit 1" "$st" 1
lab_check "the error line starts with <3> (journal form)" grep -q '^<3>port wan' "$T/journal.err"
lab_check "an info line starts with <6>" grep -q '^<6>' "$T/journal.err"
lab_check "DPDK's own lines (EAL) on stderr with a priority" grep -qE '^<[0-7]>EAL: ' "$T/journal.err"
lab_check "... a DPDK error at <3> (EAL failing to attach the port)" grep -qE '^<3>EAL: ' "$T/journal.err"
lab_check "no sluice line in the terminal form" bash -c "! grep -q ' sluice \(info\|error\|warn\):' '$T/journal.err'"

: >"$T/other"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/other") timeout 30 "$SLUICE" -c "$T/bad.json" 2>"$T/plain.err" || true
lab_check "JOURNAL_STREAM naming another file: terminal form" \
  grep -qE '^[0-9-]{10}T[0-9:.]{12}Z sluice error: port wan' "$T/plain.err"
lab_check "... no <N> prefix" bash -c "! grep -q '^<[0-9]>' '$T/plain.err'"

LAB_TEST_DONE=1
lab_ok "done"
