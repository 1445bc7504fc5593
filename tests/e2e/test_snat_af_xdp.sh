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
# dropped in XDP as drop_snat_no_socket, counted in the program's own
# sl_stats), so none reaches the outside; with the program removed, the
# same packets do (the positive control that makes "none" mean something).
# Before any of it, a recovery by the retries alone: in0's SNAT trie full of
# stray prefixes makes the rule's write fail, the first retry's reconcile
# removes the strays, the second writes the rule, "back in step" logged.
# e2e-timeout: 100
set -euo pipefail
# shellcheck source=scripts/lab_snat_lib.sh
. "$(dirname "$0")/../../scripts/lab_snat_lib.sh"
# shellcheck source=scripts/lab_drivers.sh
. "$(dirname "$0")/../../scripts/lab_drivers.sh"

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

# --- a failed write repaired by the retries alone (review 2, 16)
gw=$(lab_ns gw)
in_snat=$(lab_xdp_map "$gw" in0 sl_snat_src)
lab_check "found in0's SNAT trie ($in_snat)" test -n "$in_snat"
for i in $(seq 0 63); do # SL_XDP_MAX_SNAT_SRC strays: 10.9.i.0/24
  bpftool map update id "$in_snat" key 24 0 0 0 10 9 "$i" 0 value hex 00 00 00 00 00 00 00 00
done
lab_check_eq "in0's SNAT trie is full of strays" "$(lab_lpm_prefixes "$in_snat" | wc -w)" 64
log0=$(wc -l <"$LAB_SLUICE_LOG")
st=0
out=$(lab_snat_rule_add 2>&1) || st=$?
echo "$out" | sed 's/^/# /'
lab_check_eq "snat add with in0's trie full: exit 1" "$st" 1
lab_check "the error names in0 and the inside network" \
  grep -q "XDP on in0: cannot add SNAT inside network $LAB_SNAT_SRC" <<<"$out"
pub0=$(lab_stats | lab_jget "r['control']['publishes']")
lab_check "the retries alone bring the maps back in step (1 s, then 2 s)" \
  lab_wait_until 8 "in_sync" eval "lab_stats | lab_jget \"r['xdp']['in_sync']\" | grep -qx true"
lab_check "... logged with this spell's retries" \
  eval "tail -n +$((log0 + 1)) '$LAB_SLUICE_LOG' | grep -q 'XDP maps back in step.*(2 retries)'"
lab_check_eq "in0's trie holds the rule's inside network, the strays gone" \
  "$(lab_lpm_prefixes "$in_snat")" "$LAB_SNAT_SRC"
lab_check_eq "... without a republish" "$(lab_stats | lab_jget "r['control']['publishes']")" "$pub0"
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
in_stats=$(lab_xdp_map "$gw" in0 sl_stats)
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
leaked() {
  ip netns exec "$(lab_ns out)" nft list chain ip leak pre |
    sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
}
send_inside() {
  lab_exec in1 "$LAB_PY" "$LAB_TOOL" udp-burst "$SRV" "$LAB_UDP_PORT" -n 20 --tries 1 --timeout 0.2 \
    >/dev/null 2>&1 || true
}
drops0=$(lab_xdp_counter "$in_stats" drop_snat_no_socket)
send_inside
lab_snat_curl 1 --max-time 2 "$URL/whoami" >/dev/null 2>&1 || true
lab_check_eq "no inside packet reached the outside untranslated" "$(leaked)" 0
drops1=$(lab_xdp_counter "$in_stats" drop_snat_no_socket)
lab_check_cmp "in0's program dropped them (drop_snat_no_socket +$((drops1 - drops0)))" \
  "$((drops1 - drops0))" -ge 20
# Positive control: without the program, the same packets do leave.
lab_check "in0's XDP program removed" ip -n "$gw" link set dev in0 xdp off
send_inside
lab_check_cmp "without it the kernel forwards them untranslated (so 0 above meant dropped)" \
  "$(leaked)" -ge 1

lab_test_end
