#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A bounded spoofed SYN flood (200,000 SYNs from random 198.19.0.0/16
# addresses and ports) at the VIP while a 50 MB download runs through the
# same VIP: the download completes byte-identical, the flood's half-open
# entries expire on their short timeout and the table drains, the servers
# only ever see the local address (nothing leaves untranslated), and new
# connections work afterwards. "Nothing untranslated" is checked on the
# wire: tcpdump in each server's namespace, from before the flood to the
# end, counts every TCP packet arriving there addressed to the VIP or from
# any source but the local address (a SYN no server answered leaves no
# line in a server's log); it must count none, lose none, and see the
# translated connections' FINs (at least 5 at each server). A canary shows
# the untranslated filter catches what it should, during the flood: one
# SYN from rs2's own address to rs1:9 (closed: rs1 answers RST), so rs1's
# capture must count exactly that SYN and rs2's exactly that RST; they
# are taken out of the untranslated counts.
# e2e-timeout: 120
# lab-prefix: h6-fld
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

H6=$LAB_ROOT/scripts/h6_tool.py
SYNS=${SYNS:-200000}
LAB_TEST_PREFIX=${LAB_TEST_PREFIX:-h6-fld}
lab_test_begin h6_flood
lab_std_start --servers 2 -- 'c["timeouts"].update({"tcp_syn_sent": 3, "tcp_syn_recv": 3})'
V=$LAB_VIP:80
lab_check "vip $V with rs1, rs2" lab_vip_setup "$V" wrr "$(lab_rs_ip 1):8080:1" "$(lab_rs_ip 2):8080:1"

head -c $((50 * 1000 * 1000)) /dev/urandom >"$LAB_RUN/files/big.bin"
want=$(sha256sum "$LAB_RUN/files/big.bin" | cut -d' ' -f1)

# Untranslated: to the VIP, or from anything but the local address. FINs
# from the local address are captured too, to show the capture worked.
UNTRANSLATED="dst host $LAB_VIP or not src host $LAB_LIP"
CANARY="host $(lab_rs_ip 1) and host $(lab_rs_ip 2) and port 9"
for i in 1 2; do
  lab_check "[flood] capture at rs$i started" lab_capture_start "rs$i" eth0 "$T/rs$i.pcap" \
    "tcp and ($UNTRANSLATED or (src host $LAB_LIP and tcp[tcpflags] & tcp-fin != 0))"
done

lab_exec cli "$LAB_PY" "$H6" syn-flood "$LAB_VIP" 80 -n "$SYNS" >"$T/flood.json" &
flood=$!
sleep 0.5
# The canary: connection refused by rs1's kernel, one SYN and one RST.
canary=$(lab_exec rs2 "$LAB_PY" -c "import errno, socket
s = socket.socket(); s.settimeout(2)
print(errno.errorcode.get(s.connect_ex(('$(lab_rs_ip 1)', 9)), 'connected'))")
lab_check_eq "[flood] the canary SYN from rs2 to rs1:9 was refused" "$canary" ECONNREFUSED
t0=$EPOCHREALTIME
if CURL_MAX_TIME=90 lab_curl --limit-rate 12M -o "$T/big.bin" "http://$LAB_VIP/files/big.bin" 2>"$T/dl.err"; then
  secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')
  lab_check_eq "[flood] 50 MB download during the flood byte-identical (${secs}s)" \
    "$(sha256sum "$T/big.bin" | cut -d' ' -f1)" "$want"
else
  lab_not_ok "[flood] 50 MB download during the flood completed" "$(cat "$T/dl.err")"
fi
peak=$(lab_total conns_active)
wait "$flood" || true
echo "# flood: $(cat "$T/flood.json"); conns_active after the download: $peak"
lab_check_cmp "[flood] the flood sent its SYNs" "$(lab_jget "r['sent']" <"$T/flood.json")" -ge $((SYNS * 9 / 10))
stats=$(lab_stats)
created=$(lab_jget "r['totals']['conns_created']" <<<"$stats")
lab_check_cmp "[flood] Sluice saw the flood (connections created, or table_full)" \
  "$((created + $(lab_jget "r['drops']['table_full']" <<<"$stats")))" -ge 10000
echo "# drops: $(lab_jget "{k: v for k, v in r['drops'].items() if v}" <<<"$stats")"

# shellcheck disable=SC2317  # called through lab_wait_until
drained() { [ "$(lab_total conns_active)" -le 2 ]; }
if lab_wait_until 30 "the table drained" drained; then
  lab_ok "[flood] the half-open entries expired: the table drained"
else
  lab_not_ok "[flood] the table drained" "conns_active $(lab_total conns_active)"
fi
lab_curl_loop 20 "http://$LAB_VIP/whoami" >"$T/after.log"
lab_check_eq "[flood] afterwards 20 new connections all succeed" \
  "$(lab_tally "$T/after.log" | lab_jget "r['failed']")" 0
lab_check_eq "[flood] the servers saw no source but the local address" \
  "$(( $(lab_served_not_from 1 "$LAB_LIP") + $(lab_served_not_from 2 "$LAB_LIP") ))" 0
for i in 1 2; do
  f=$T/rs$i.pcap
  lab_capture_stop "$f"
  lab_check_eq "[flood] the capture at rs$i lost nothing (dropped, or not captured)" "$(lab_capture_lost "$f")" 0
  lab_check_eq "[flood] the capture at rs$i saw the canary's one packet" "$(lab_capture_count "$f" "$CANARY")" 1
  untranslated=$(lab_capture_count "$f" "($UNTRANSLATED) and not ($CANARY)")
  lab_check_eq "[flood] no untranslated TCP packet arrived at rs$i (to the VIP, or not from $LAB_LIP)" \
    "$untranslated" 0
  [ "$untranslated" = 0 ] || lab_capture_show "$f" "($UNTRANSLATED) and not ($CANARY)"
  # The 10 or so requests afterwards at each server end with the client's
  # FIN (the download's too, unless the flood made it a retransmission or
  # a RST).
  lab_check_cmp "[flood] the capture at rs$i saw translated connections' FINs" \
    "$(lab_capture_count "$f" "src host $LAB_LIP and tcp[tcpflags] & tcp-fin != 0")" -ge 5
done

lab_test_end
