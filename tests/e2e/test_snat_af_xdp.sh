#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Source NAT with the inside port on net_af_xdp (issue 12.5). Sluice's XDP
# program sends the kernel every frame whose destination Sluice does not
# own, and an inside host's traffic to the outside is exactly that: it
# must be redirected to Sluice when its source is in an SNAT rule's inside
# network, or it never gets translated (with ip_forward=1, the kernel would
# route it out with its private source). Checks: HTTP and UDP from an
# inside host answered through the pool; the server sees only pool
# addresses; the inside port's redirect_snat counter grew and nothing for
# Sluice was passed to the kernel; a rule removed stops the redirect.
# e2e-timeout: 90
set -euo pipefail
# shellcheck source=scripts/lab_snat_lib.sh
. "$(dirname "$0")/../../scripts/lab_snat_lib.sh"

SRV=$LAB_SNAT_SERVER
URL=http://$SRV:$LAB_HTTP_PORT
POOL_RE='^198\.19\.0\.10[01]$'

lab_test_begin snat_af_xdp
# One worker: on veth the af_xdp PMD allows one queue (lab_drivers.sh).
lab_snat_std_start --hosts 1 -- 'c["workers"] = 1' \
  'c["ports"][0]["devargs"] = "net_af_xdp0,iface=in0"' \
  'c["ports"][1]["devargs"] = "net_af_xdp1,iface=out0"'
lab_check "gateway kernel forwards (the leak this guards against)" \
  ip netns exec "$(lab_ns gw)" sysctl -qw net.ipv4.ip_forward=1

xdp_port() { lab_stats | lab_jget "[p for p in r['xdp']['ports'] if p['port'] == '$1'][0]['$2']"; }
lab_check_eq "XDP program on in and out" \
  "$(lab_stats | lab_jget "','.join(p['port'] for p in r['xdp']['ports'])")" "in,out"

lab_check "snat add --src $LAB_SNAT_SRC --pool $LAB_SNAT_POOL --port out" lab_snat_rule_add
snat0=$(xdp_port in redirect_snat)

body=$(lab_snat_curl 1 "$URL/whoami" 2>&1 || true)
lab_check_eq "HTTP from the inside host answered by the outside server" "$body" out
res=$(lab_exec in1 "$LAB_PY" "$LAB_TOOL" udp-burst "$SRV" "$LAB_UDP_PORT" -n 10 --tries 2 --timeout 1) || true
lab_check_eq "UDP: 10 datagrams from the inside host echoed" "$(lab_jget "r['answered']" <<<"$res")" 10
lab_check_cmp "XDP redirect_snat on in grew" "$(xdp_port in redirect_snat)" -gt "$snat0"
lab_check_eq "no frame for Sluice passed for want of a socket" "$(xdp_port in pass_no_socket)" 0

log=$(lab_snat_server_log)
lab_check_cmp "the server logged requests" "$(wc -l <"$log")" -gt 0
lab_check_eq "server saw only pool addresses" \
  "$(awk -v re="$POOL_RE" '$3 !~ re' "$log" | wc -l)" 0
lab_check_eq "server never saw 198.18.2.x" "$(grep -c ' 198\.18\.2\.' "$log" || true)" 0

lab_check "snat del --src $LAB_SNAT_SRC" slctl snat del --src "$LAB_SNAT_SRC"
snat1=$(xdp_port in redirect_snat)
lab_snat_curl 1 --max-time 2 "$URL/whoami" >/dev/null 2>&1 || true
lab_check_eq "rule gone: redirect_snat no longer grows" "$(xdp_port in redirect_snat)" "$snat1"

lab_test_end
