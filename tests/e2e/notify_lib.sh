# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# What test_service.sh, test_deb_service.sh and test_service_caps.sh share: systemd's
# notification socket played by notify_listen.py, sluice started with
# NOTIFY_SOCKET pointing at it. Sourced after scripts/lab_lib.sh (not a
# test: run.sh runs test_*.sh only).

# notify_listen CTL LIMIT: notify_listen.py in the background on
# $T/notify.sock (asking CTL, the control socket, at READY=1), for LIMIT
# seconds at most; its log $T/notify.log, its pid $notify_pid. Fails
# (not ok) unless it has bound the socket within 30 s: a sluice started
# before that gets ECONNREFUSED or ENOENT from sd_notify and its READY=1
# is lost (under load Python alone can take seconds to start). A
# previous listener's socket file is removed first: it would make the
# bind fail (EADDRINUSE) yet pass for a bound socket.
notify_listen() {
  rm -f "$T/notify.sock"
  lab_spawn /usr/bin/python3 "$LAB_ROOT/tests/e2e/notify_listen.py" "$T/notify.sock" "$T/notify.log" "$1" "$2" \
    2>"$T/listen.err" &
  # shellcheck disable=SC2034  # the caller waits for it
  notify_pid=$!
  # Outside the lab's namespaces, so not lab_down's: stopped at exit, as
  # a test that fails early leaves it (for up to LIMIT seconds).
  lab_at_exit notify__stop "$notify_pid"
  if ! lab_wait_until 30 "notify socket bound" notify__listening; then
    lab_not_ok "the notify listener bound $T/notify.sock" "$(cat "$T/listen.err")"
    return 1
  fi
}

# notify__stop PID: the listener PID, if it still runs, stopped (only if
# PID is still a notify_listen.py: a pid waited for may be reused).
# shellcheck disable=SC2317  # called at exit (lab_at_exit)
notify__stop() {
  local cmd
  cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 0
  if [[ $cmd == *"notify_listen.py "* ]]; then lab_kill_pids 5 "$1"; fi
}

# notify__listening: the listener is alive and its socket is there (a
# listener that died after binding leaves the file behind).
# shellcheck disable=SC2317  # called through lab_wait_until
notify__listening() { kill -0 "$notify_pid" 2>/dev/null && test -S "$T/notify.sock"; }

# notify_senders: the pids the messages came from, sorted, as a Python
# list ("[1234]"): NotifyAccess=main wants only sluice's own.
notify_senders() { "$LAB_PY" -c '
import json, sys
print(sorted({json.loads(l)["pid"] for l in open(sys.argv[1]) if "msg" in l}))' "$T/notify.log"; }

# notify_sluice_start CONFIG DESC: lab_sluice_start with NOTIFY_SOCKET
# set, checked as DESC.
notify_sluice_start() {
  local st=0
  NOTIFY_SOCKET=$T/notify.sock lab_sluice_start "$1" || st=$?
  if [ "$st" -eq 0 ]; then lab_ok "$2"; else lab_not_ok "$2"; fi
  return "$st"
}

# notify_msgs: the messages so far, one per line ("\n" inside one shown as "|").
notify_msgs() { "$LAB_PY" -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if "msg" in r:
        print(r["msg"].strip().replace("\n", "|"))' "$T/notify.log"; }
