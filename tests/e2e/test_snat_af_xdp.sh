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
# Then the crash: Sluice killed with SIGKILL leaves its program and SNAT
# trie on in0 with no socket behind them; the gateway's kernel, routing
# and forwarding, must still never see an inside host's packet (each is
# dropped in XDP as drop_snat_no_socket), so none reaches the outside.
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
lab_check_eq "stats say the kernel forwards on in0 (kernel_forwarding)" \
  "$(lab_stats | lab_jget "[p['kernel_forwarding'] for p in r['ports'] if p['port'] == 'in'][0]")" true

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

# --- the crash: SIGKILL, the program left behind without a socket
lab_check "snat add again" lab_snat_rule_add
gw=$(lab_ns gw)
kill -KILL "$LAB_SLUICE_PID"
wait "$LAB_SLUICE_PID" 2>/dev/null || true
LAB_SLUICE_PID=
rm -f "$LAB_RUN/sluice.env"
lab_check "after SIGKILL the XDP program is still on in0" \
  bash -c "ip -n '$gw' link show in0 | grep -q 'prog/xdp'"
# The gateway's kernel as a forwarding host's would be: routes both ways,
# the server's MAC known, the inside host's gateway MAC pinned.
lab_check "the gateway kernel routes inside <-> outside" bash -c "
  ip -n '$gw' route add $LAB_SNAT_SRC dev in0 &&
  ip -n '$gw' route add 198.19.0.0/24 dev out0 &&
  ip -n '$gw' neigh replace $SRV lladdr 02:00:00:01:00:0a dev out0 &&
  ip -n '$(lab_ns in1)' neigh replace $LAB_SNAT_IN_IP lladdr 02:00:00:00:02:01 dev eth0"
lab_check "count inside sources arriving outside (nft)" \
  ip netns exec "$(lab_ns out)" nft -f - <<'NFT'
table ip leak {
  chain pre { type filter hook prerouting priority 0; ip saddr 198.18.2.0/24 counter; }
}
NFT
lab_exec in1 "$LAB_PY" "$LAB_TOOL" udp-burst "$SRV" "$LAB_UDP_PORT" -n 20 --tries 1 --timeout 0.2 \
  >/dev/null 2>&1 || true
lab_snat_curl 1 --max-time 2 "$URL/whoami" >/dev/null 2>&1 || true
leaked=$(ip netns exec "$(lab_ns out)" nft list chain ip leak pre |
  sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
lab_check_eq "no inside packet reached the outside untranslated" "${leaked:-none}" 0

lab_test_end
