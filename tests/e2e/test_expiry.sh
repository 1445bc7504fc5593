#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Connection ends and expiry (lab timeouts: time_wait 2 s, close 2 s,
# fin_wait/close_wait 5 s):
#   FIN path  a finished request's conn goes to TIME_WAIT/CLOSE, then
#             disappears; conns_active returns to 0
#   RST path  a client that resets: its conn goes to CLOSE, then disappears
#   ports     with local_port_range 20000-20039 (40 ports), 60 sequential
#             connections over several expiry periods all succeed, every one
#             from a port in the range
# One sluice run with the 40-port range throughout: the FIN and RST paths
# take one local port each, the range does not change what they check.
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

PMIN=20000 PMAX=20039 NCONN=${NCONN:-60}
lab_test_begin expiry
lab_std_start --servers 1 -- "c['local_port_range'] = {'min': $PMIN, 'max': $PMAX}"

V=$LAB_VIP:80
RS1=$(lab_rs_ip 1)
lab_check "vip add $V; rs $RS1:8080" lab_vip_setup "$V" wrr "$RS1:8080:1"

# conn_state CLIENT: state of the connection whose client is CLIENT
# ("" when there is none).
conn_state() {
  lab_conns --vip "$V" | lab_jget \
    "([c['state'] for c in r if c['client'] == '$1'] + [''])[0]"
}
# watch_states CLIENT SECONDS WANT_RE: poll every 0.1 s; record states seen
# in $seen; true as soon as a state matches WANT_RE.
watch_states() {
  local client=$1 secs=$2 want=$3 i s
  seen=""
  for (( i = 0; i < secs * 10; i++ )); do
    s=$(conn_state "$client")
    [ -n "$s" ] && [[ " $seen " != *" $s "* ]] && seen="$seen $s"
    [[ ${s^^} =~ ^($want)$ ]] && return 0
    sleep 0.1
  done
  return 1
}
# shellcheck disable=SC2317  # called through lab_wait_until
gone() { [ -z "$(conn_state "$1")" ]; }
# shellcheck disable=SC2317
active_zero() { [ "$(lab_total conns_active)" = 0 ]; }

# --- FIN path --------------------------------------------------------------
CP=40000
CLIENT=$LAB_CLI_IP:$CP
if body=$(lab_curl --local-port "$CP" "http://$LAB_VIP/whoami"); then
  lab_check_eq "request from port $CP answered by rs1" "$body" rs1
else
  lab_not_ok "request from port $CP answered"
fi
if watch_states "$CLIENT" 3 'TIME_WAIT|CLOSE'; then
  lab_ok "after FINs the conn is in TIME_WAIT/CLOSE (seen:$seen)"
else
  lab_not_ok "after FINs the conn is in TIME_WAIT/CLOSE" "states seen:${seen:- none}"
fi
t0=$EPOCHREALTIME
if lab_wait_until 15 "conn $CLIENT gone" gone "$CLIENT"; then
  lab_ok "the conn expired ($(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s after TIME_WAIT/CLOSE)"
else
  lab_not_ok "the conn expired within 15 s" "state now $(conn_state "$CLIENT")"
fi
if lab_wait_until 15 "conns_active 0" active_zero; then
  lab_ok "stats conns_active back to 0"
else
  lab_not_ok "stats conns_active back to 0" "conns_active $(lab_total conns_active)"
fi
lab_check_cmp "stats conns_expired >= 1" "$(lab_total conns_expired)" -ge 1

# --- RST path --------------------------------------------------------------
CP=40001
CLIENT=$LAB_CLI_IP:$CP
lab_py_cli rst-client "$LAB_VIP" 80 --sport "$CP" --hold 1.5 >"$T/rst.out" 2>&1 &
rst=$!
if watch_states "$CLIENT" 2 'ESTABLISHED'; then
  lab_ok "RST client's conn ESTABLISHED while open (seen:$seen)"
else
  lab_not_ok "RST client's conn ESTABLISHED while open" "states seen:${seen:- none}"
fi
if watch_states "$CLIENT" 4 'CLOSE'; then
  lab_ok "after the client's RST the conn is in CLOSE (seen:$seen)"
else
  lab_not_ok "after the client's RST the conn is in CLOSE" "states seen:${seen:- none}" "$(cat "$T/rst.out")"
fi
wait "$rst" || lab_not_ok "RST client ran" "$(cat "$T/rst.out")"
if lab_wait_until 15 "conn $CLIENT gone" gone "$CLIENT"; then
  lab_ok "the reset conn expired"
else
  lab_not_ok "the reset conn expired within 15 s" "state now $(conn_state "$CLIENT")"
fi
if lab_wait_until 15 "conns_active 0" active_zero; then
  lab_ok "stats conns_active back to 0 after the RST"
else
  lab_not_ok "stats conns_active back to 0 after the RST" "conns_active $(lab_total conns_active)"
fi

# --- local ports come back -------------------------------------------------
lab_servers_clear_logs

t0=$EPOCHREALTIME
lab_curl_loop "$NCONN" "http://$LAB_VIP/whoami" 0.1 >"$T/ports.log"
dur=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%d", b-a}')
tally=$(lab_tally "$T/ports.log")
failed=$(lab_jget "r['failed']" <<<"$tally")
if [ "$failed" = 0 ]; then
  lab_ok "$NCONN sequential connections over ${dur}s with $((PMAX - PMIN + 1)) local ports all succeeded"
else
  lab_not_ok "$NCONN sequential connections with $((PMAX - PMIN + 1)) local ports all succeeded" \
    "$failed failed: $(lab_jget "'; '.join(r['failures'][:5])" <<<"$tally")"
fi
lab_check_cmp "the run lasted more than 2 expiry periods (s)" "$dur" -gt 4
log=$(lab_server_log 1)
outside=$(awk -v lo=$PMIN -v hi=$PMAX '$2 == "tcp" && ($4 < lo || $4 > hi)' "$log" | wc -l)
distinct=$(awk '$2 == "tcp" {print $4}' "$log" | sort -u | wc -l)
served=$(lab_served 1)
lab_check_eq "rs1 saw every connection come from a local port in $PMIN-$PMAX" "$outside" 0
lab_check_cmp "rs1 saw at most $((PMAX - PMIN + 1)) distinct local ports (ports were reused; $served requests)" \
  "$distinct" -le $((PMAX - PMIN + 1))
lab_check_cmp "rs1 served more requests than there are ports" "$served" -gt $((PMAX - PMIN + 1))
echo "# drops port_exhausted: $(lab_drop port_exhausted)"

lab_test_end
