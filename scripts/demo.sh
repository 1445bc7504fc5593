#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `make demo`: Sluice in front of two web servers, in network namespaces.
#
#   1. lab up: client, Sluice, two real servers (scripts/lab.sh)
#   2. sluice -c conf/lab.json (local address 198.18.1.3 is in the config)
#   3. sluicectl: VIP 198.18.0.100:80 (wrr), servers 198.18.1.11:8080 and
#      198.18.1.12:8080
#   4. REQUESTS curl requests from the client to http://198.18.0.100/whoami,
#      each its own connection
#   5. who answered, sluicectl stats; everything torn down
# Exit status 1 when any request failed. Environment: REQUESTS (default 120).
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/lab_lib.sh"

REQUESTS=${REQUESTS:-120}
VIP=$LAB_VIP:80
TMP=$(mktemp -d /tmp/sluice-demo.XXXXXX)
started=0
exec {OUT}>&1 {ERR}>&2

cleanup() {
  local st=$?
  trap - EXIT
  set +e
  exec 1>&"$OUT" 2>&"$ERR"   # not into a file a signal interrupted
  if [ $started -eq 1 ]; then
    step "stopping sluice"
    lab_sluice_stop || { echo "  (sluice did not stop cleanly; its log:)"; tail -n 20 "$LAB_RUN/sluice.log"; }
  fi
  step "tearing the lab down"
  lab_down
  rm -rf "$TMP"
  exit "$st"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { printf '\n== %s\n' "$*"; }
# run CMD...: show and run a command, its output indented ("slctl" is shown
# as the sluicectl it runs).
run() {
  local shown=("$@")
  [ "${shown[0]}" = slctl ] && shown[0]=sluicectl
  printf '  $ %s\n' "${shown[*]}"
  "$@" 2>&1 | sed 's/^/    /'
  return "${PIPESTATUS[0]}"
}

[ "$(id -u)" -eq 0 ] || { echo "demo.sh: needs root (network namespaces)" >&2; exit 1; }
lab_require_binaries || exit 1

step "lab up: $(lab_ns cli) ($LAB_CLI_IP) -> $(lab_ns lb) (sluice) -> $(lab_ns rs1), $(lab_ns rs2)"
lab_up --servers 2

step "starting sluice -c conf/lab.json in $(lab_ns lb) (log: $LAB_RUN/sluice.log)"
started=1
lab_sluice_start "$LAB_BASE_CONFIG"

step "configuring the service with sluicectl"
run slctl vip add "$VIP" --sched wrr
run slctl rs add "$VIP" "$(lab_rs_ip 1):8080"
run slctl rs add "$VIP" "$(lab_rs_ip 2):8080"
run slctl laddr list
run slctl vip list

step "$REQUESTS requests from $(lab_ns cli): curl http://$LAB_VIP/whoami (one connection each)"
t0=$EPOCHREALTIME
lab_curl_loop "$REQUESTS" "http://$LAB_VIP/whoami" >"$TMP/curl.log"
secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')
"$LAB_PY" - "$TMP/curl.log" "$secs" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
ok = [r for r in rows if r[3] == "0" and r[4] == "200"]
by = {}
for r in ok:
    by[r[5]] = by.get(r[5], 0) + 1
print(f"  {len(rows)} requests in {sys.argv[2]} s: {len(ok)} answered, {len(rows) - len(ok)} failed")
for name in sorted(by):
    print(f"    {name}: {by[name]:4d}  {'#' * (by[name] * 40 // max(1, len(rows)))}")
for r in [r for r in rows if r not in ok][:5]:
    print(f"    failed: request {r[0]} curl exit {r[3]} http {r[4]}")
EOF
failed=$(lab_tally "$TMP/curl.log" | lab_jget "r['failed']")

step "sluicectl stats"
run slctl stats || true

if [ "$failed" -ne 0 ]; then
  echo
  echo "demo: $failed of $REQUESTS requests FAILED"
  exit 1
fi
echo
echo "demo: all $REQUESTS requests answered"
