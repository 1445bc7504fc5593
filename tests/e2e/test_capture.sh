#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Packet capture (issue 17): `sluicectl capture PORT -w FILE` during lab
# traffic, read back with tcpdump -r. On wan with --count and a pcap
# filter: exactly N frames, all matching the filter, both directions
# (clients to the VIP as received, the VIP's answers as sent), none of
# the ICMP echoes and UDP datagrams sent to the VIP meanwhile; on lan
# one direction at a time (tx: only the local address towards servers;
# rx: only the servers' replies); counters in stats capture; a bad
# filter refused with the file removed; a client killed mid-capture
# stops it after the 5 s lease. The lab runs EAL with --no-huge, where
# dpdk-dumpcap cannot attach: sluice says so at start.
# e2e-timeout: 150
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=tests/e2e/capture_lib.sh
. "$(dirname "$0")/capture_lib.sh"

COUNT=40

lab_test_begin capture
lab_std_start --servers 2
RS1=$(lab_rs_ip 1) RS2=$(lab_rs_ip 2)
lab_check "vip + servers" lab_vip_setup "$LAB_VIP:80" wrr \
  "$RS1:$LAB_HTTP_PORT:1" "$RS2:$LAB_HTTP_PORT:1"

# cap ARGS...: sluicectl capture, bounded, output in $T/cap.out.
cap() { timeout 60 "$SLUICECTL" -s "$LAB_SOCK" capture "$@" >"$T/cap.out" 2>"$T/cap.err"; }
# frames FILE [FILTER]: how many frames tcpdump reads from FILE.
frames() { tcpdump -nn -r "$1" "${@:2}" 2>/dev/null | wc -l; }
# shellcheck disable=SC2317  # called through lab_wait_until
active() { [ "$(lab_stats | lab_jget "r['capture']['active']")" = "$1" ]; }
# shellcheck disable=SC2317
capturing() { active true; }

# --- wan, both directions, --count, --filter. While it runs, before the
# HTTP requests, traffic the filter must leave out: ICMP echoes to the
# VIP (sluice answers them: they cross wan both ways) and UDP datagrams
# to a VIP port with no service (received, then dropped and counted as
# no_service: that reason alone, so other drops cannot stand in for them).
no_service_before=$(lab_drop no_service)
pings_ok=0
# shellcheck disable=SC2317  # called by capture_during
excluded_traffic() {
  if lab_ping "$LAB_VIP" -c 5 --min 5 >"$T/ping.log" 2>&1; then pings_ok=1; fi
  lab_exec cli bash -c "for i in 1 2 3 4 5; do echo x >/dev/udp/$LAB_VIP/9999; done"
}
CAPTURE_ALSO=excluded_traffic capture_during capturing 20 "$T/curl.log" \
  cap wan -w "$T/wan.pcapng" --count "$COUNT" --filter "tcp port 80"
echo "# $(cat "$T/cap.out" "$T/cap.err")"
lab_check_eq "capture wan --count $COUNT exits 0" "$cap_st" 0
lab_check "... says done, $COUNT frames written" grep -q "done, $COUNT frames written" "$T/cap.out"
lab_check_eq "tcpdump -r reads $COUNT frames" "$(frames "$T/wan.pcapng")" "$COUNT"
lab_check_eq "... none outside the filter (not tcp port 80)" "$(frames "$T/wan.pcapng" not tcp port 80)" 0
lab_check_eq "... the VIP answered the 5 pings sent during the capture" "$pings_ok" 1
lab_check_cmp "... the 5 UDP datagrams to port 9999 reached sluice (dropped, counted no_service)" \
  "$(( $(lab_drop no_service) - no_service_before ))" -ge 5
lab_check_eq "... no ICMP in the file (left out by the filter)" "$(frames "$T/wan.pcapng" icmp)" 0
lab_check_eq "... no UDP in the file (left out by the filter)" "$(frames "$T/wan.pcapng" udp)" 0
lab_check_cmp "... clients to the VIP (received)" "$(frames "$T/wan.pcapng" dst host "$LAB_VIP" and dst port 80)" -gt 0
lab_check_cmp "... the VIP to clients (sent)" "$(frames "$T/wan.pcapng" src host "$LAB_VIP" and src port 80)" -gt 0
first=$(tcpdump -tt -nn -r "$T/wan.pcapng" -c 1 2>/dev/null | cut -d. -f1)
lab_check_cmp "... stamped with the time of capture (within 60 s: $first)" "$(( $(date +%s) - first ))" -lt 60
lab_check_cmp "... an HTTP request in the payload" "$(tcpdump -nn -A -r "$T/wan.pcapng" 2>/dev/null | grep -c 'GET /whoami')" -gt 0

# --- lan, one direction each: tx is Sluice's local address to the
# servers, rx the servers' replies. The capture ends at 30 frames (10
# requests make more than 30 each way), or after 10 s without them.
for dir in tx rx; do
  capture_during capturing 10 "$T/curl-$dir.log" \
    cap lan -w "$T/lan-$dir.pcapng" --direction "$dir" --filter tcp --count 30 --duration 10
  echo "# $(cat "$T/cap.out")"
  lab_check_eq "capture lan --direction $dir --count 30 --duration 10 exits 0" "$cap_st" 0
  n=$(frames "$T/lan-$dir.pcapng")
  lab_check_cmp "lan $dir: frames captured" "$n" -ge 30
  if [ "$dir" = tx ]; then
    lab_check_eq "lan tx: all from the local address $LAB_LIP" "$(frames "$T/lan-$dir.pcapng" not src host "$LAB_LIP")" 0
  else
    lab_check_eq "lan rx: all to the local address $LAB_LIP" "$(frames "$T/lan-$dir.pcapng" not dst host "$LAB_LIP")" 0
  fi
done

stats=$(lab_stats)
echo "# stats capture: $(lab_jget "r['capture']" <<<"$stats")"
lab_check_cmp "stats capture.copied counts the copies" "$(lab_jget "r['capture']['copied']" <<<"$stats")" -ge "$COUNT"
lab_check_eq "stats capture.dropped: none (ring never full here)" "$(lab_jget "r['capture']['dropped']" <<<"$stats")" 0
lab_check_eq "stats capture.active: false" "$(lab_jget "r['capture']['active']" <<<"$stats")" false

# --- thousands of frames, more than the capture's pool holds (workers
# x 1024 + 256 buffers): the written copies go back to the pool, so every
# copy is written and none is lost for want of a buffer.
H6=$LAB_ROOT/scripts/h6_tool.py
# The flood takes well under a second: the capture is stopped (SIGTERM,
# as Ctrl-C) once the copies stop coming, not after a fixed 8 s.
"$SLUICECTL" -s "$LAB_SOCK" --json capture wan -w "$T/flood.pcapng" --direction rx \
  --filter "tcp dst port 80" --duration 30 >"$T/flood.json" 2>"$T/flood.err" &
cap_pid=$!
lab_wait_until 10 "flood capture started" capturing || true
echo "# flood: $(lab_exec cli "$LAB_PY" "$H6" syn-flood "$LAB_VIP" 80 -n 8000)"
copies() { lab_stats | lab_jget "r['capture']['copied'] + r['capture']['dropped'] + r['capture']['no_mbuf']"; }
# shellcheck disable=SC2317  # called through lab_wait_until
settled() { local a; a=$(copies); sleep 0.5; [ "$a" = "$(copies)" ]; }
lab_wait_until 20 "the flood's copies settled" settled || true
kill -TERM "$cap_pid" 2>/dev/null || true
st=0; wait "$cap_pid" || st=$?
echo "# $(cat "$T/flood.json" "$T/flood.err")"
lab_check_eq "capture of a SYN flood exits 0" "$st" 0
fl() { lab_jget "r['$1']" <"$T/flood.json"; }
seen=$(( $(fl copied) + $(fl dropped) + $(fl no_mbuf) ))
lab_check_cmp "... saw thousands of frames ($seen)" "$seen" -ge 5000
lab_check_eq "... none lost for want of a buffer (no_mbuf)" "$(fl no_mbuf)" 0
lab_check_eq "... every copy written (written = copied)" "$(fl written)" "$(fl copied)"
lab_check_eq "... tcpdump -r reads them all" "$(frames "$T/flood.pcapng")" "$(fl written)"

# --- a bad filter: refused, an existing file left as it was, no
# temporary file left beside it
echo keep >"$T/bad.pcapng"
st=0; cap wan -w "$T/bad.pcapng" --filter "tcp port eighty" || st=$?
lab_check_eq "a bad filter: exit 1" "$st" 1
lab_check "... the daemon says why" grep -q "not a pcap filter" "$T/cap.err"
lab_check_eq "... the existing file survives" "$(cat "$T/bad.pcapng")" keep
lab_check_eq "... nothing left beside it" "$(find "$T" -name 'bad.pcapng.*' | wc -l)" 0
# A file passed read-only: refused, the file named as the field at fault.
touch "$T/ro.pcapng"
ans=$("$LAB_PY" "$H6" raw "$LAB_SOCK" '{"cmd":"capture.start","args":{"port":"wan"}}' --pass-ro "$T/ro.pcapng")
echo "# $ans"
lab_check_eq "a file passed read-only: refused, field file" "$(lab_jget "r['error']['field']" <<<"$ans")" args.file
lab_check_eq "... as the request's fault" "$(lab_jget "r['error']['code']" <<<"$ans")" invalid_argument
# sluice not there: an existing file left as it was.
st=0; "$SLUICECTL" -s "$T/none.sock" capture wan -w "$T/bad.pcapng" 2>/dev/null || st=$?
lab_check_cmp "no sluice: capture fails" "$st" -ne 0
lab_check_eq "... the existing file survives" "$(cat "$T/bad.pcapng")" keep
# A filter longer than 255 characters: refused (its first 255 alone,
# "udp" and blanks, would compile to another filter).
st=0; cap wan -w "$T/long.pcapng" --duration 1 --filter "udp$(printf '%*s' 260 '')or tcp" || st=$?
lab_check_eq "a filter of 266 characters: exit 1" "$st" 1
lab_check "... the daemon says it is too long" grep -q "filter longer than 255" "$T/cap.err"

# --- a client that dies: the capture stops after the lease
"$SLUICECTL" -s "$LAB_SOCK" capture wan -w "$T/gone.pcapng" >/dev/null 2>&1 &
gone=$!
lab_check "a capture runs" lab_wait_until 5 "capture active" active true
id=$(lab_stats | lab_jget "r['capture']['id']")
kill -9 "$gone"; wait "$gone" 2>/dev/null || true
# Another connection asking after it all along renews nothing (its
# client is gone): stopped a lease after the kill all the same.
touch "$T/asking"
while [ -e "$T/asking" ]; do
  "$LAB_PY" "$H6" raw "$LAB_SOCK" "{\"cmd\":\"capture.status\",\"args\":{\"id\":$id}}" >/dev/null || true
  sleep 0.3
done &
asker=$!
t0=$SECONDS
lab_check "its client killed: stopped" lab_wait_until 60 "capture stopped" active false
took=$((SECONDS - t0))
lab_check_cmp "... after the 5 s lease (and a bit), another connection asking all along (${took}s)" "$took" -le 12
rm -f "$T/asking"; wait "$asker" 2>/dev/null || true
lab_check "... logged as expired" grep -q "capture [0-9]*: its client asked nothing" "$LAB_SLUICE_LOG"
lab_check "tcpdump reads the expired capture's file" tcpdump -nn -r "$T/gone.pcapng" -c 1

lab_check "--no-huge: sluice says dpdk-dumpcap cannot attach" grep -q "dpdk-dumpcap cannot attach" "$LAB_SLUICE_LOG"

lab_test_end
