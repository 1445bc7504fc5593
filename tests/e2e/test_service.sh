#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# systemd notifications (ctrl/daemon/notify.c) with NOTIFY_SOCKET pointing
# at a datagram socket of the test's (notify_listen.py): READY=1 comes
# once, and when it comes every worker thread has left its wait for the
# EAL launch command and `stats` answers listing both workers; SIGHUP
# brings RELOADING=1 then READY=1; SIGTERM brings STOPPING=1 last. All
# from sluice's own pid. Without NOTIFY_SOCKET the other tests run it;
# with it naming a socket nobody listens on, one warning that names it.
# And the bash completion (conf/sluicectl.bash) against this daemon: its
# VIPs and a VIP's servers offered; tests/pkg/test_completion.sh has the rest.
# e2e-timeout: 90
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=tests/e2e/notify_lib.sh
. "$(dirname "$0")/notify_lib.sh"

lab_test_begin service
lab_up --servers 1 || { lab_not_ok "lab up"; exit 1; }
cfg=$(lab_make_config) || { lab_not_ok "make config"; exit 1; }
sock=$(lab_config_socket "$cfg")
notify_listen "$sock" 60
notify_sluice_start "$cfg" "sluice started with NOTIFY_SOCKET set" || exit 1
nlog=$T/notify.log
msgs() { notify_msgs; }
ready_count() { msgs | grep -c '^READY=1' || true; }

lab_wait_until 10 "READY=1 received" test "$(ready_count)" -ge 1 || true
lab_check_eq "READY=1 sent once at start" "$(ready_count)" 1
lab_check_eq "READY=1 carries the status" "$(msgs | grep '^READY=1' | head -n 1)" "READY=1|STATUS=running: 2 workers"
check=$(grep '"ready_check"' "$nlog" || echo '{"ready_check": {}}')
echo "# at READY=1: $check"
lab_check_eq "at READY=1 stats answers listing 2 workers" \
  "$(lab_jget "r['ready_check'].get('stats_workers')" <<<"$check")" 2
lab_check_eq "at READY=1 both worker threads are past the EAL launch wait (none in read(2))" \
  "$(lab_jget "' '.join(sorted(k + '=' + ('wait' if v == '0' else 'run') for k, v in r['ready_check'].get('threads', {}).items()))" <<<"$check")" \
  "rte-worker-1=run rte-worker-2=run"
lab_check_eq "messages come from sluice's pid" \
  "$(notify_senders)" \
  "[$LAB_SLUICE_PID]"

# shellcheck source=conf/sluicectl.bash
. "$LAB_ROOT/conf/sluicectl.bash"
complete_() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _sluicectl; echo "${COMPREPLY[*]}"; }
RS1=$(lab_rs_ip 1)
lab_check "vip + server added" lab_vip_setup "$LAB_VIP:80" wrr "$RS1:8080:1"
lab_check_eq "completion: the daemon's VIP for 'rs list'" \
  "$(complete_ "$SLUICECTL" -s "$LAB_SOCK" rs list "")" "$LAB_VIP:80"
lab_check_eq "completion: its server for 'rs del $LAB_VIP:80'" \
  "$(complete_ "$SLUICECTL" --socket "$LAB_SOCK" rs del "$LAB_VIP:80" "")" "$RS1:8080"

kill -HUP "$LAB_SLUICE_PID"
lab_wait_until 10 "READY=1 after the reload" test "$(ready_count)" -ge 2 || true
lab_check_eq "SIGHUP: RELOADING=1 then READY=1" \
  "$(msgs | sed -n '2,3p' | cut -d'|' -f1 | tr '\n' ' ')" "RELOADING=1 READY=1 "
lab_check "RELOADING=1 carries MONOTONIC_USEC" bash -c "grep -q 'RELOADING=1.*MONOTONIC_USEC=[0-9]' '$nlog'"
lab_check "sluice still answers after the reload" slctl stats

lab_sluice_stop && st=0 || st=$?
lab_check_eq "sluice stopped on SIGTERM with status 0" "$st" 0
LAB_SLUICE_PID=
wait "$notify_pid" || true
lab_check_eq "STOPPING=1 is the last message" "$(msgs | tail -n 1 | cut -d'|' -f1)" "STOPPING=1"
echo "# messages: $(msgs | tr '\n' ' ')"

# NOTIFY_SOCKET naming a socket nobody listens on: sluice runs, and says
# so once, naming the socket (the operator's clue to a start systemd
# timed out), not again for RELOADING=1/READY=1/STOPPING=1 (at debug).
gone=$T/gone.sock
NOTIFY_SOCKET=$gone lab_sluice_start "$cfg" || { lab_not_ok "sluice started with NOTIFY_SOCKET at $gone"; exit 1; }
warns() { grep -c "warn: systemd notification .* not sent" "$LAB_SLUICE_LOG" || true; }
reloads() { grep -c 'SIGHUP: .* applied' "$LAB_SLUICE_LOG" || true; }
lab_wait_until 20 "the lost READY=1 logged" test "$(warns)" -ge 1 || true
before=$(reloads)
kill -HUP "$LAB_SLUICE_PID"
lab_wait_until 20 "the reload done" test "$(reloads)" -gt "$before" || true
lab_sluice_stop && st=0 || st=$?
LAB_SLUICE_PID=
lab_check_eq "no listener: stopped on SIGTERM with status 0" "$st" 0
grep "not sent to NOTIFY_SOCKET" "$LAB_SLUICE_LOG" | sed 's/^/# /' || true
lab_check_eq "no listener: one warning for READY=1, RELOADING=1, READY=1, STOPPING=1" "$(warns)" 1
lab_check "no listener: the warning names $gone" \
  grep -q "warn: systemd notification READY=1 not sent to NOTIFY_SOCKET $gone: " "$LAB_SLUICE_LOG"
lab_test_end
