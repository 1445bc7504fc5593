# SPDX-License-Identifier: BSD-3-Clause
# What test_capture.sh and test_capture_dumpcap.sh share; sourced after
# scripts/lab_lib.sh (not a test: run.sh runs test_*.sh only).

# capture_during READY N OUT CMD...: CMD (a capture) in the background;
# as soon as READY (a command, polled every 0.2 s for up to 10 s) says
# it captures, the command CAPTURE_ALSO names when set (traffic of its
# own), then N HTTP requests to the VIP (lab_curl_loop, lines in OUT);
# then CMD waited for, its exit status in $cap_st. Polling instead of a
# fixed sleep: no second lost on a quiet machine, none missing on a busy
# one.
capture_during() {
  local ready=$1 n=$2 out=$3 pid
  shift 3
  "$@" &
  pid=$!
  lab_wait_until 10 "capture started ($ready)" "$ready" || true
  [ -z "${CAPTURE_ALSO:-}" ] || "$CAPTURE_ALSO"
  lab_curl_loop "$n" "http://$LAB_VIP/whoami" >"$out"
  cap_st=0
  wait "$pid" || cap_st=$?
}
