#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NAT64 (issue 15) with real kernel stacks: a v6 client (2001:db8::1)
# reaches the v6 VIP 2001:db8::100 through Sluice on af_packet; the v4
# servers (198.18.1.11, .12: the lab's own, lab_server.py) see the v4
# local address 198.18.1.3. The client's neighbor is resolved by NDP, the
# servers' by ARP. Checks: curl -6 split by rr over both servers, the
# servers seeing the local address, a 20 MB download intact (sha256), UDP
# both ways, the connections counted, and the translation's drop counters
# (xlat_*, nat64_segmented) and the ones a healthy run never bumps
# (l4_bad_checksum, ingress_wrong_port, icmp6_wrong_side) at 0.
# The driver is the first argument: af_packet (the default) or af_xdp
# (test_nat64_af_xdp.sh, which also defines nat64_driver_checks, run
# after UDP, for what only that driver has).
# e2e-timeout: 180
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

VIP6=2001:db8::100
CLI6=2001:db8::1

lab_driver_begin nat64 "${1:-af_packet}"
lab_std_start --servers 2 --ipv6 "${LAB_DRIVER_UP[@]}" -- "${LAB_DRIVER_CFG[@]}" \
  'c["ports"][0]["ipv6"] = "2001:db8::2/64"' \
  'c["vips"] = [{"vip": "2001:db8::100", "port": 80, "scheduler": "rr", "real_servers": [{"ip": "198.18.1.11", "port": 8080}, {"ip": "198.18.1.12", "port": 8080}]}, {"vip": "2001:db8::100", "port": 53, "proto": "udp", "real_servers": [{"ip": "198.18.1.11", "port": 5353}, {"ip": "198.18.1.12", "port": 5353}]}]'

ip -n "$(lab_ns cli)" addr add "$CLI6/64" dev cli0 nodad
big=$LAB_RUN/files/big.bin
mkdir -p "$LAB_RUN/files"
head -c $((20 * 1024 * 1024)) /dev/urandom >"$big"
want=$(sha256sum "$big" | cut -d' ' -f1)

# Warm-up: the client's neighbor by NDP, the servers' by ARP.
# shellcheck disable=SC2317  # called through lab_wait_until
both_answer() {
  local a
  a=$(lab_exec cli curl -6 -s --max-time 2 "http://[$VIP6]/whoami" 2>/dev/null; \
      lab_exec cli curl -6 -s --max-time 2 "http://[$VIP6]/whoami" 2>/dev/null)
  [[ "$a" == *rs1* && "$a" == *rs2* ]]
}
# A deadline of its own: each try may take 4 s (lab_wait_until counts
# tries, not time), and a broken path must fail here, not hang.
t_end=$((SECONDS + 30))
until both_answer; do [ "$SECONDS" -lt "$t_end" ] || break; sleep 0.2; done
lab_check "both v4 servers reachable through the v6 VIP within 30 s" both_answer
: >"$T/who.log"
for n in $(seq 1 8); do
  lab_exec cli curl -6 -sS --max-time 5 "http://[$VIP6]/whoami" >>"$T/who.log" 2>>"$T/curl.err" || true
done
lab_check_eq "8 curl -6 answered" "$(grep -c '^rs' "$T/who.log" || true)" 8
lab_check "both servers answered (rr)" grep -q rs1 "$T/who.log"
lab_check "both servers answered (rr, rs2)" grep -q rs2 "$T/who.log"
lab_check "the v4 servers saw the v4 local address" \
  grep -q " $LAB_LIP " "$LAB_RUN/rs1.log"

lab_exec cli curl -6 -sS --max-time 60 -o "$T/got" "http://[$VIP6]/files/big.bin" 2>>"$T/curl.err" || true
lab_check_eq "20 MB through NAT64 intact (sha256)" \
  "$(sha256sum "$T/got" 2>/dev/null | cut -d' ' -f1)" "$want"
sed 's/^/#   curl: /' "$T/curl.err"

udp=$(lab_udp6_hello "$VIP6" 53 || true)
echo "# udp: $udp"
lab_check "UDP through NAT64 answered by a v4 server, from the VIP" \
  bash -c '[[ "$1" =~ ^rs[12]:hello0\ rs[12]:hello1 ]]' _ "$udp"
if declare -F nat64_driver_checks >/dev/null; then nat64_driver_checks; fi

created=$(lab_total conns_created)
lab_check "connections counted (>= 11)" test "$created" -ge 11
bad=$(lab_stats | lab_jget "sorted(k + '=' + str(v) for k, v in r['drops'].items() if v and (k.startswith('xlat_') or k in ('nat64_segmented', 'l4_bad_checksum', 'ingress_wrong_port', 'icmp6_wrong_side', 'mtu_exceeded_df')))")
lab_check_eq "no translation refusals or bad-checksum drops" "$bad" "[]"
echo "# drops: $(lab_stats | lab_jget "r['drops']")"
lab_test_end
