#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The kernel exception path: the wan port has "exception": "net_tap", so
# frames on it that are not Sluice's go to a kernel tap interface and what
# the kernel sends there leaves by the port. The tap (sl-wan, with the
# port's MAC) is moved to its own namespace P-host, whose kernel owns
# 198.18.0.5 and serves HTTP there: the client reaches it through Sluice
# (ARP, TCP, ICMP), counted as to_host/from_host, while full-NAT through
# the VIP goes on. (In P-lb the kernel would also see wan0 through
# af_packet and answer by itself, proving nothing.) IPv6, which Sluice
# parses but does not serve yet (issue 15), is the host's too: the
# client's neighbor discovery and echo reach 2001:db8::5 on the tap.
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=scripts/lab_drivers.sh
. "$(dirname "$0")/../../scripts/lab_drivers.sh"

lab_test_begin exception
lab_std_start --servers 2 --ipv6 -- 'c["ports"][0]["exception"] = "net_tap"'

HOST=$(lab_ns host)
lab_check "sluice created the exception tap sl-wan" ip -n "$(lab_ns lb)" link show sl-wan
lab_check_eq "sl-wan carries the port's MAC" "$(lab_mac lb sl-wan)" "$(lab_mac lb wan0)"
ip netns add "$HOST"
ip -n "$HOST" link set lo up
lab_check "sl-wan moved to $HOST" ip -n "$(lab_ns lb)" link set sl-wan netns "$HOST"
ip -n "$HOST" addr add "$LAB_LB_HOST_IP/24" dev sl-wan
ip -n "$HOST" link set sl-wan up
mkdir -p "$LAB_RUN/host-www"
echo host-kernel >"$LAB_RUN/host-www/hello"
ip netns exec "$HOST" "$LAB_PY" -m http.server --bind "$LAB_LB_HOST_IP" \
  --directory "$LAB_RUN/host-www" "$LAB_LB_HTTP_PORT" </dev/null >"$LAB_RUN/host-http.err" 2>&1 &
# shellcheck disable=SC2317  # called through lab_wait_until
host_listening() { [ -n "$(ip netns exec "$HOST" ss -Hltn "sport = :$LAB_LB_HTTP_PORT")" ]; }
lab_check "the host's HTTP server listens on $LAB_LB_HOST_IP" lab_wait_until 10 "host http" host_listening

stats=$(lab_stats)
to0=$(lab_jget "r['totals']['to_host']" <<<"$stats")
from0=$(lab_jget "r['totals']['from_host']" <<<"$stats")
nl0=$(lab_jget "r['drops']['not_local']" <<<"$stats")
# Frames for the host while sl-wan moved namespaces (a moved link is down:
# the tap refuses writes) count as host_queue_full; the baseline is taken
# once the tap is up again, so the check covers the exchange below.
hq0=$(lab_jget "r['drops']['host_queue_full']" <<<"$stats")

ok=0
for i in 1 2 3 4 5; do
  [ "$(lab_curl "http://$LAB_LB_HOST_IP:$LAB_LB_HTTP_PORT/hello" 2>/dev/null)" = host-kernel ] && ok=$((ok + 1))
done
lab_check_eq "the host's server answers the client through the exception path (5 of 5)" "$ok" 5
if out=$(lab_ping "$LAB_LB_HOST_IP" -c 3 --min 3 2>&1); then
  lab_ok "ICMP echo to the host's $LAB_LB_HOST_IP answered by the host"
else
  lab_not_ok "ICMP echo to the host's $LAB_LB_HOST_IP answered by the host" "$out"
fi
stats=$(lab_stats)
to=$(( $(lab_jget "r['totals']['to_host']" <<<"$stats") - to0 ))
from=$(( $(lab_jget "r['totals']['from_host']" <<<"$stats") - from0 ))
echo "# to_host +$to, from_host +$from"
lab_check_cmp "to_host counted the client's frames (ARP, 5 connections, 3 echoes)" "$to" -ge 20
lab_check_cmp "from_host counted the host's answers" "$from" -ge 20
lab_check_eq "none of them was dropped as not_local" \
  "$(lab_jget "r['drops']['not_local']" <<<"$stats")" "$nl0"
lab_check_eq "no exception queue overflowed" "$(lab_jget "r['drops']['host_queue_full']" <<<"$stats")" "$hq0"
lab_check_cmp "the host learned the client's MAC through the tap" \
  "$(ip -n "$HOST" neigh show "$LAB_CLI_IP" | grep -c 02:00:00:00:00:01)" -eq 1

# IPv6: neighbor discovery (multicast, hop limit 255) and a TCP exchange
# with the host's v6 address, all through the tap: sound v6 frames are
# ipv6_not_served, which a port with an exception device hands to the
# host (to_host) instead of dropping. (No ping binary here: HTTP probes.)
ip -n "$HOST" addr add 2001:db8::5/64 dev sl-wan nodad
ip -n "$(lab_ns cli)" addr add 2001:db8::1/64 dev cli0 nodad
ip netns exec "$HOST" "$LAB_PY" -m http.server --bind 2001:db8::5 \
  --directory "$LAB_RUN/host-www" "$LAB_LB_HTTP_PORT" </dev/null >"$LAB_RUN/host-http6.err" 2>&1 &
# shellcheck disable=SC2317  # called through lab_wait_until
host6_listening() { [ -n "$(ip netns exec "$HOST" ss -Hltn6 "sport = :$LAB_LB_HTTP_PORT")" ]; }
lab_check "the host's HTTP server listens on 2001:db8::5" lab_wait_until 10 "host http6" host6_listening
to0=$(lab_jget "r['totals']['to_host']" <<<"$(lab_stats)")
ok=0
for i in 1 2 3; do
  [ "$(lab_curl -6 "http://[2001:db8::5]:$LAB_LB_HTTP_PORT/hello" 2>/dev/null)" = host-kernel ] && ok=$((ok + 1))
done
lab_check_eq "the host answers the client over IPv6 through the exception path (3 of 3)" "$ok" 3
lab_check_cmp "... its frames handed to the host (to_host: NS and 3 connections)" \
  "$(( $(lab_jget "r['totals']['to_host']" <<<"$(lab_stats)") - to0 ))" -ge 10

# Sluice's own traffic is untouched by it.
RS1=$(lab_rs_ip 1) RS2=$(lab_rs_ip 2)
lab_check "vip add $LAB_VIP:80; rs1, rs2" lab_vip_setup "$LAB_VIP:80" rr "$RS1:8080:1" "$RS2:8080:1"
lab_curl_loop 20 "http://$LAB_VIP/whoami" >"$T/curl.log"
tally=$(lab_tally "$T/curl.log")
lab_check_eq "20 requests through the VIP answered" "$(lab_jget "r['failed']" <<<"$tally")" 0
echo "# $tally"
ns0=$(lab_drop no_service)
lab_check_eq "a VIP port Sluice does not serve is not the host's: no answer" \
  "$(CURL_MAX_TIME=2 lab_curl "http://$LAB_VIP:81/" >/dev/null 2>&1 && echo answered || echo none)" none
lab_check_cmp "... and counted as Sluice's drop no_service" "$(lab_drop no_service)" -gt "$ns0"

lab_test_end
