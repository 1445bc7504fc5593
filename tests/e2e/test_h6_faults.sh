#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Faults:
#   rst        RSTs spoofed onto a live upload's 4-tuple (as if from the
#              client) with sequence numbers far outside the window:
#              dropped and counted as tcp_rst_out_of_window, the
#              connection stays ESTABLISHED and the upload arrives
#              byte-identical (an RST let through would reset the server)
#   server     a real server killed with SIGKILL mid-upload: its client
#              sees a reset or a timeout, the other server's client's
#              upload arrives byte-identical, and once back it serves
# (Uploads, because a server hands a whole download to its kernel at once
# and could not be caught in the middle of one.)
#   sluice     sluice killed with SIGKILL after `config save`, started again
#              from that file: every VIP, server, local address and SNAT
#              rule is back, and new connections work within seconds
# e2e-timeout: 120
# lab-prefix: h6-flt
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

H6=$LAB_ROOT/scripts/h6_tool.py
LAB_TEST_PREFIX=${LAB_TEST_PREFIX:-h6-flt}
lab_test_begin h6_faults
lab_std_start --servers 2
RS1=$(lab_rs_ip 1) RS2=$(lab_rs_ip 2)
lab_check "vip :80 -> rs1 and vip :81 -> rs2" \
  eval "lab_vip_setup '$LAB_VIP:80' rr '$RS1:8080:1' && lab_vip_setup '$LAB_VIP:81' rr '$RS2:8080:1'"
head -c $((16 * 1024 * 1024)) /dev/urandom >"$T/up.bin"
want=$(sha256sum "$T/up.bin" | cut -d' ' -f1)
# upload PORT OUT RATE: PUT the file to /sha256 through VIP:PORT; the
# server answers "rsI SHA256 LENGTH".
upload() {
  CURL_MAX_TIME=20 lab_curl -H 'Expect:' --limit-rate "$3" -T "$T/up.bin" \
    "http://$LAB_VIP:$1/sha256" "${@:4}" >"$2" 2>"$2.err"
}
# arrived FILE: the server's answer says the upload arrived whole.
arrived() {
  local who sum len
  read -r who sum len <"$1" || true
  [ "$sum" = "$want" ] && [ "${len%$'\r'}" = $((16 * 1024 * 1024)) ]
}
h6cli() { lab_exec cli "$LAB_PY" "$H6" "$@"; }

# --- out-of-window RSTs -----------------------------------------------------------
CP=41234
h6cli capture-isn cli0 "$CP" --timeout 10 --ready "$T/isn.ready" >"$T/isn" &
cap=$!
# The SYN must not leave before the capture socket is open (a loaded
# machine starts Python slowly).
for (( i = 0; i < 50; i++ )); do
  [ -e "$T/isn.ready" ] && break
  sleep 0.1
done
upload 80 "$T/rst.out" 4M --local-port "$CP" &
dl=$!
wait "$cap" || true
isn=$(cat "$T/isn")
sleep 1
if [[ $isn =~ ^[0-9]+$ ]]; then
  before=$(lab_drop tcp_rst_out_of_window)
  # Half the sequence space away, 64 MiB ahead and 1 MiB behind: never
  # within the window, wherever the client is in its request.
  for off in 2147483648 67108864 4293918720; do
    h6cli rst-inject "$LAB_CLI_IP" "$CP" "$LAB_VIP" 80 --seq $(( (isn + off) % 4294967296 )) -n 3 >/dev/null
  done
  sleep 0.5
  lab_check_eq "[fault] 9 out-of-window RSTs counted as tcp_rst_out_of_window" \
    "$(( $(lab_drop tcp_rst_out_of_window) - before ))" 9
  st=$(lab_conns --vip "$LAB_VIP:80" | lab_jget "[c['state'] for c in r if c['client'].endswith(':$CP')]")
  lab_check_eq "[fault] the connection is still ESTABLISHED (not CLOSE, not gone)" "$st" '["ESTABLISHED"]'
else
  lab_not_ok "[fault] captured the client's initial sequence number" "$isn"
fi
if wait "$dl" && arrived "$T/rst.out"; then
  lab_ok "[fault] the upload under spoofed RSTs arrived byte-identical"
else
  lab_not_ok "[fault] the upload under spoofed RSTs arrived" "$(cat "$T/rst.out" "$T/rst.out.err")"
fi

# --- a real server killed mid-transfer -------------------------------------------------
upload 80 "$T/a.out" 3M &
a=$!
upload 81 "$T/b.out" 3M &
b=$!
sleep 1.5
kill -KILL "$(cat "$LAB_RUN/rs1.pid")"
st=0
wait "$a" || st=$?
if [ "$st" -ne 0 ]; then
  lab_ok "[fault] rs1's client saw the failure (curl status $st: $(tail -n 1 "$T/a.out.err" | cut -c1-60))"
else
  lab_not_ok "[fault] rs1's client saw the failure" "curl succeeded: $(cat "$T/a.out")"
fi
if wait "$b" && arrived "$T/b.out"; then
  lab_ok "[fault] rs2's client's upload arrived byte-identical"
else
  lab_not_ok "[fault] rs2's client's upload arrived byte-identical" "$(cat "$T/b.out" "$T/b.out.err")"
fi
ip netns exec "$(lab_ns rs1)" "$LAB_PY" "$LAB_ROOT/scripts/lab_server.py" --name rs1 \
  --http-port "$LAB_HTTP_PORT" --udp-port "$LAB_UDP_PORT" --files "$LAB_RUN/files" \
  --log "$LAB_RUN/rs1.log" </dev/null >>"$LAB_RUN/rs1.err" 2>&1 &
echo $! >"$LAB_RUN/rs1.pid"
lab_wait_until 10 "rs1 back" lab__listening "$(lab_ns rs1)" || true
lab_check_eq "[fault] rs1, restarted, serves through the VIP again" \
  "$(lab_curl "http://$LAB_VIP/whoami")" rs1

# --- sluice killed, restarted from the saved configuration ------------------------
slctl laddr add 198.18.1.4 --port lan >/dev/null
slctl snat add --src 198.18.1.128/26 --pool 198.18.0.60 >/dev/null
slctl rs add "$LAB_VIP:81" "$RS1:8080" --weight 3 >/dev/null
if slctl config save >/dev/null; then lab_ok "[fault] config save"; else lab_not_ok "[fault] config save"; fi
shown() { slctl --json config show | lab_jget "[r['vips'], r['local_addresses'], r['snat'], r['neighbors']]"; }
before=$(shown)
kill -KILL "$LAB_SLUICE_PID"
wait "$LAB_SLUICE_PID" 2>/dev/null || true
LAB_SLUICE_PID=
t0=$EPOCHREALTIME
if lab_sluice_start "$LAB_CONFIG"; then
  lab_ok "[fault] sluice started again after SIGKILL (stale socket and runtime files)"
else
  lab_not_ok "[fault] sluice started again after SIGKILL"
  exit 1
fi
lab_check_eq "[fault] VIPs, servers, local addresses and SNAT rules all back" "$(shown)" "$before"
# shellcheck disable=SC2317  # called through lab_wait_until
serves() { [ "$(lab_curl "http://$LAB_VIP:81/whoami" 2>/dev/null | cut -c1-2)" = rs ]; }
if lab_wait_until 10 "a new connection works" serves; then
  secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')
  lab_ok "[fault] new connections work ${secs}s after the restart began"
else
  lab_not_ok "[fault] new connections work within 10 s of the restart"
fi

lab_test_end
