# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The ok / not ok test harness of tests/e2e/ (sourced by scripts/lab_lib.sh;
# source that one, not this file):
#
#   . scripts/lab_lib.sh
#   lab_test_begin NAME        prefix slt-NAME, traps, tmp dir ($T), root+binaries
#   lab_ok DESC / lab_not_ok DESC [DETAIL...] / lab_check DESC CMD...
#   lab_test_end               stops sluice (a check), tears down, exits 0/1
#                              (last line: "N passed, N failed", its checks)
#   lab_at_exit CMD...         CMD run at exit, once sluice is stopped and
#                              before the teardown, however the test ends
#                              (a test never sets its own EXIT trap: it
#                              would replace the teardown)

LAB_CHECKS=0
LAB_FAILS=0
LAB_TEST_DONE=0
LAB_AT_EXIT=()

# lab_at_exit CMD...: one command (its words joined, run by eval) for
# lab__on_exit to run, last added first, once sluice is stopped and
# before the lab goes down.
lab_at_exit() { LAB_AT_EXIT=("$*" "${LAB_AT_EXIT[@]}"); }

lab_ok() { LAB_CHECKS=$((LAB_CHECKS + 1)); echo "ok - $1"; }
lab_not_ok() {
  LAB_CHECKS=$((LAB_CHECKS + 1))
  LAB_FAILS=$((LAB_FAILS + 1))
  echo "not ok - $1"
  shift
  local l
  for l in "$@"; do echo "#   $l"; done
}
# lab_check DESC CMD...: ok when CMD exits 0.
lab_check() {
  local desc=$1
  shift
  if "$@"; then lab_ok "$desc"; else lab_not_ok "$desc" "command failed: $*"; fi
}
# lab_check_eq DESC GOT WANT
lab_check_eq() {
  if [ "$2" = "$3" ]; then lab_ok "$1"; else lab_not_ok "$1" "got: $2" "want: $3"; fi
}
# lab_check_cmp DESC A OP B: integer comparison (-gt, -ge, -eq, -le, -lt).
lab_check_cmp() {
  if [[ $2 =~ ^-?[0-9]+$ ]] && [[ $4 =~ ^-?[0-9]+$ ]] && test "$2" "$3" "$4"; then
    lab_ok "$1 ($2 $3 $4)"
  else
    lab_not_ok "$1" "got: $2, want $3 $4"
  fi
}

lab__on_exit() {
  local st=$?
  trap - EXIT
  set +e
  # A signal can land inside a command whose output is redirected to a
  # file (a curl loop's log): report on the test's own stdout/stderr.
  if [ -n "${LAB_STDOUT:-}" ]; then exec 1>&"$LAB_STDOUT" 2>&"$LAB_STDERR"; fi
  if [ "$LAB_TEST_DONE" -eq 0 ]; then
    lab_not_ok "test ended early (status $st) before all checks ran"
  fi
  if [ -n "${LAB_SLUICE_PID:-}" ]; then
    lab_sluice_stop >/dev/null 2>&1
  fi
  local cmd
  for cmd in "${LAB_AT_EXIT[@]}"; do eval "$cmd"; done
  if [ "$LAB_FAILS" -gt 0 ]; then
    lab__dump_logs
  fi
  lab_down
  [ -n "${T:-}" ] && [ -d "$T" ] && rm -rf "$T"
  echo "$((LAB_CHECKS - LAB_FAILS)) passed, $LAB_FAILS failed"
  if [ "$LAB_FAILS" -gt 0 ]; then
    echo "# $LAB_PREFIX: $LAB_FAILS of $LAB_CHECKS checks failed"
    exit 1
  fi
  echo "# $LAB_PREFIX: all $LAB_CHECKS checks passed"
  exit 0
}

lab__dump_logs() {
  local f
  if [ -s "$LAB_RUN/sluice.log" ]; then
    echo "# --- last 60 lines of sluice.log"
    tail -n 60 "$LAB_RUN/sluice.log" | sed 's/^/#   /'
  fi
  # The cluster lab's nodes (lab_cluster.sh): each its own log.
  for f in "$LAB_RUN"/n[0-9]/sluice.log; do
    [ -s "$f" ] || continue
    echo "# --- last 20 lines of ${f#"$LAB_RUN"/}"
    tail -n 20 "$f" | sed 's/^/#   /'
  done
  for f in "$LAB_RUN"/*.err; do
    [ -s "$f" ] || continue
    echo "# --- $(basename "$f") (last 10 lines)"
    tail -n 10 "$f" | sed 's/^/#   /'
  done
}

lab_test_begin() {
  local name=$1
  # LAB_TEST_PREFIX_BASE keeps suites run at once on one machine apart.
  lab_set_prefix "${LAB_TEST_PREFIX:-${LAB_TEST_PREFIX_BASE:-slt}-$name}"
  exec {LAB_STDOUT}>&1 {LAB_STDERR}>&2
  trap lab__on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  T=$(mktemp -d "/tmp/sluice-$name.XXXXXX")
  echo "# test $name: prefix $LAB_PREFIX, tmp $T"
  if [ "$(id -u)" -ne 0 ]; then
    lab_not_ok "needs root (network namespaces)"
    exit 1
  fi
  if ! lab_require_binaries; then
    lab_not_ok "build/sluice and build/sluicectl exist (run make)"
    exit 1
  fi
}

lab_test_end() {
  if [ -n "${LAB_SLUICE_PID:-}" ]; then
    if lab_sluice_stop; then
      lab_ok "sluice stopped on SIGTERM with status 0"
    else
      lab_not_ok "sluice stopped on SIGTERM with status 0" "status ${LAB_SLUICE_STATUS:-unknown} (see sluice.log)"
    fi
  fi
  LAB_TEST_DONE=1
  exit 0
}

# lab_std_start [lab_up args...] [-- config statements...]: the common
# opening: lab up, a per-prefix config, sluice started (a check).
lab_std_start() {
  local up=() stmts=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do up+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  stmts=("$@")
  lab_up "${up[@]}" || { lab_not_ok "lab up"; exit 1; }
  local cfg
  cfg=$(lab_make_config "${stmts[@]}") || { lab_not_ok "make config"; exit 1; }
  if lab_sluice_start "$cfg"; then
    lab_ok "sluice started and answers on its control socket"
  else
    lab_not_ok "sluice started and answers on its control socket"
    exit 1
  fi
}

