#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A lab never keeps the e2e lock. Tests run one at a time under `flock
# /tmp/sluice-e2e.lock bash tests/e2e/test_X.sh`, and flock(1) passes
# the lock's descriptor to the test and so to all it starts: a lab server
# left running after its test kept the next locked test waiting for ever
# (found in CI, after a failed sluice start). Here under a lock of the
# test's own ($T/lock), taken as the callers take theirs (waiting 10 s at
# most: a lock a leftover holds fails here rather than hangs):
#  1. `lab.sh up` (a lab that stays up on purpose), then `lab.sh
#     sluice-start` with a config sluice refuses: while the lab's two
#     lab_server.py run, no process holds the lock's file (every
#     /proc/PID/fd read) and the lock is free (`flock -n`): what the lab
#     starts closes what it inherited (lab_spawn).
#  2. a test whose sluice fails to start (the same config, after
#     notify_listen, as test_service_caps.sh starts it): the test fails,
#     then no process holds the lock, no lab_server.py and no
#     notify_listen.py of it is left, its namespaces are gone, and its
#     lab_at_exit command ran (a test's cleanup is the harness's, however
#     it ends).
# e2e-timeout: 90
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

lab_test_begin lab_lock
lock=$T/lock
: >"$lock"
# holders FILE: "PID COMMAND" of each process with FILE open (lsof's
# answer, without lsof: it is not in every container).
holders() {
  local fd pid
  for fd in /proc/[0-9]*/fd/*; do
    [ "$(readlink "$fd" 2>/dev/null)" = "$1" ] || continue
    pid=${fd#/proc/}
    pid=${pid%%/*}
    echo "$pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-120)"
  done | sort -u
}
# servers, listeners: how many of this lab's lab_server.py /
# notify_listen.py run (their arguments name the lab's run directory).
servers() { pgrep -fc "lab_server\\.py .*$LAB_RUN/" || true; }
listeners() { pgrep -fc "notify_listen\\.py .*$LAB_RUN/" || true; }
# What a failed check leaves is stopped at exit all the same.
# shellcheck disable=SC2317  # called at exit (lab_at_exit)
leftovers_stop() {
  local pids
  mapfile -t pids < <(pgrep -f "(lab_server|notify_listen)\\.py .*$LAB_RUN/")
  lab_kill_pids 5 "${pids[@]}"
}
lab_at_exit leftovers_stop
# workers 999: refused when the config is read, so sluice exits at start.
bad_statement='c["workers"] = 999'

# 1. A lab that stays up, its sluice refused.
st=0
flock -w 10 "$lock" bash "$LAB_ROOT/scripts/lab.sh" up --prefix "$LAB_PREFIX" --servers 2 >"$T/up.log" 2>&1 || st=$?
lab_check_eq "lab.sh up under the lock: exit 0" "$st" 0
lab_check_eq "... its two lab_server.py run" "$(servers)" 2
bad=$(lab_make_config "$bad_statement")
st=0
flock -w 10 "$lock" bash "$LAB_ROOT/scripts/lab.sh" sluice-start --prefix "$LAB_PREFIX" "$bad" >"$T/start.log" 2>&1 || st=$?
lab_check "lab.sh sluice-start with workers 999 fails (status $st)" test "$st" -ne 0
lab_check_eq "... the servers still run (the lab stays up)" "$(servers)" 2
lab_check_eq "no process holds the lock's file (the lab's servers closed it)" "$(holders "$lock")" ""
lab_check "the lock is free while the lab runs (flock -n)" flock -n "$lock" true
bash "$LAB_ROOT/scripts/lab.sh" down --prefix "$LAB_PREFIX" >>"$T/up.log" 2>&1

# 2. A test whose sluice fails to start.
cat >"$T/inner.sh" <<'EOF'
set -euo pipefail
. "$LAB_ROOT/scripts/lab_lib.sh"
. "$LAB_ROOT/tests/e2e/notify_lib.sh"
lab_test_begin inner
lab_at_exit 'echo ran >"$AT_EXIT_MARK"'
lab_up --servers 2 || { lab_not_ok "lab up"; exit 1; }
cfg=$(lab_make_config "$BAD_STATEMENT")
notify_listen "$(lab_config_socket "$cfg")" 300
notify_sluice_start "$cfg" "sluice refuses workers 999 (this check fails)" || exit 1
lab_test_end
EOF
st=0
LAB_ROOT=$LAB_ROOT LAB_TEST_PREFIX=$LAB_PREFIX AT_EXIT_MARK=$T/at-exit BAD_STATEMENT=$bad_statement \
  flock -w 10 "$lock" bash "$T/inner.sh" >"$T/inner.log" 2>&1 || st=$?
sed 's/^/#   inner: /' "$T/inner.log" | grep -E 'inner: (ok|not ok|[0-9]+ passed)' || true
lab_check "the test with a refused sluice fails (status $st)" test "$st" -ne 0
lab_check_eq "... then no process holds the lock's file" "$(holders "$lock")" ""
lab_check "... the lock is free (flock -n)" flock -n "$lock" true
lab_check_eq "... no lab_server.py of its lab is left" "$(servers)" 0
lab_check_eq "... no notify_listen.py of its lab is left" "$(listeners)" 0
lab_check_eq "... its namespaces are gone" "$(lab_namespaces | tr '\n' ' ')" ""
lab_check_eq "... its lab_at_exit command ran" "$(cat "$T/at-exit" 2>/dev/null)" ran
lab_test_end
