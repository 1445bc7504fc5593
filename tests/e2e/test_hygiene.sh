#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Process hygiene (issue 19, items 8-10) on net_af_xdp: a second sluice on
# the same interfaces, with another file prefix, is refused before it
# touches them (the first keeps its XDP program and its traffic); a
# blocklist prefix covering a route's gateway is refused without --force;
# a failed XDP map write is reported, counted, and reconciled by retrying
# the map writes alone, with back-off, logged once when it starts and once
# when it ends.
# e2e-timeout: 150
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=scripts/lab_drivers.sh
. "$(dirname "$0")/../../scripts/lab_drivers.sh"

lab_test_begin hygiene
mapfile -t cfg < <(lab_cfg_af_xdp)
cfg+=('c["routes"] = [{"prefix": "198.19.0.0/16", "via": "198.18.0.1", "port": "wan"}]')
lab_up --servers 2 --queues 1 || { lab_not_ok "lab up"; exit 1; }
config=$(lab_make_config "${cfg[@]}")
lab_sluice_start "$config" || { lab_not_ok "sluice started on af_xdp"; exit 1; }
lab_ok "sluice started on af_xdp"
lab_check "vip add $LAB_VIP:80" lab_vip_setup "$LAB_VIP:80" rr "$(lab_rs_ip 1):8080:1"
prog_id() { ip -n "$(lab_ns lb)" -d link show wan0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -1; }
id0=$(prog_id)
lab_check "wan0 runs sluice_xdp (id $id0)" test -n "$id0"

wan_lock=$(lab_lock_name wan0)

# Item 8: a second instance, another file prefix and socket, same interfaces.
config2=$(lab_make_config "${cfg[@]}" 'c["eal"][c["eal"].index("--file-prefix") + 1] += "-second"' \
  'c["control"]["socket"] += ".second"')
st=0
out=$(timeout 30 ip netns exec "$(lab_ns lb)" "$SLUICE" -c "$config2" 2>&1 </dev/null) || st=$?
echo "$out" | tail -n 3 | sed 's/^/# /'
lab_check_cmp "the second sluice exits non-zero" "$st" -ne 0
lab_check "it says which interface is in use, by which pid, which lock" \
  grep -qF "interface $wan_lock is in use by sluice pid $LAB_SLUICE_PID (lock /run/sluice/$wan_lock.lock)" <<<"$out"
lab_check_eq "the first's XDP program is still attached to wan0" "$(prog_id)" "$id0"
lab_check_eq "the first's stats still count an XDP port on wan" \
  "$(lab_stats | lab_jget "','.join(p['port'] for p in r['xdp']['ports'])")" "wan,lan"
lab_curl_loop 5 "http://$LAB_VIP/whoami" >"$T/after_second.log"
lab_check_eq "traffic still flows through the first" \
  "$(lab_tally "$T/after_second.log" | lab_jget "r['failed']")" 0

# ... but interfaces of the same names in another network namespace are
# other interfaces: a sluice there starts (af_packet on veth pairs).
alt=$(lab_ns alt)
ip netns add "$alt"
for i in wan0 lan0; do
  ip -n "$alt" link add "$i" type veth peer name "$i-peer"
  ip -n "$alt" link set "$i" up
  ip -n "$alt" link set "$i-peer" up
done
config3=$(lab_make_config "${cfg[@]}" 'c["eal"][c["eal"].index("--file-prefix") + 1] += "-alt"' \
  'c["control"]["socket"] += ".alt"' \
  'c["ports"][0]["devargs"] = "net_af_packet0,iface=wan0"' \
  'c["ports"][1]["devargs"] = "net_af_packet1,iface=lan0"')
sock3=$(lab_config_socket "$config3")
ip netns exec "$alt" "$SLUICE" -c "$config3" </dev/null >"$T/alt.log" 2>&1 &
alt_pid=$!
lab_check "a sluice on wan0/lan0 of another namespace starts and answers" \
  lab_wait_until 20 "sluice in $alt" timeout 2 "$SLUICECTL" -s "$sock3" stats
kill -TERM "$alt_pid" 2>/dev/null || true
wait "$alt_pid" 2>/dev/null || true
ip netns del "$alt"
lab_check_eq "the first's XDP program is still attached to wan0 after it" "$(prog_id)" "$id0"

# Item 10: a blocklist prefix that would cut Sluice off from its gateway.
for p in 198.18.0.0/16 198.18.0.0/24; do
  st=0
  out=$(slctl blocklist add "$p" 2>&1) || st=$?
  lab_check_eq "blocklist add $p (covers the gateway 198.18.0.1): exit 1" "$st" 1
  lab_check "the error names the prefix and the gateway it covers" \
    grep -q "$p covers 198.18.0.1, the gateway of route 198.19.0.0/16" <<<"$out"
done
lab_check_eq "nothing was blocked" "$(slctl --json blocklist list | lab_jget "len(r['blocklist'])")" 0
lab_check "blocklist add 198.18.0.0/24 --force is accepted" slctl blocklist add 198.18.0.0/24 --force
lab_check_eq "and listed" "$(slctl --json blocklist list | lab_jget "r['blocklist'][0]['prefix']")" 198.18.0.0/24
lab_check "blocklist del 198.18.0.0/24" slctl blocklist del 198.18.0.0/24
lab_check "blocklist add 203.0.113.0/24 (covers nothing configured)" slctl blocklist add 203.0.113.0/24

# Item 9: a map write that fails is reported, counted and retried, and
# the retry reconciles every port's trie with the model. lan0's trie gets
# a stray prefix (a delete that never reached it); wan0's is frozen, so
# writes to it fail (EPERM) for as long as it lives.
wan_blk=$(lab_xdp_map "$(lab_ns lb)" wan0 sl_block) lan_blk=$(lab_xdp_map "$(lab_ns lb)" lan0 sl_block)
lab_check "found the blocklist tries of wan0 ($wan_blk) and lan0 ($lan_blk)" \
  test -n "$wan_blk" -a -n "$lan_blk"
bpftool map update id "$lan_blk" key hex 18 00 00 00 c0 00 02 00 value hex 00 00 00 00 00 00 00 00
lab_check_eq "lan0's trie holds a stray 192.0.2.0/24" "$(lab_lpm_prefixes "$lan_blk")" \
  "192.0.2.0/24 203.0.113.0/24"
# And each port's SNAT trie a stray inside network 10.9.0.0/16 (a failed
# delete of a rule that is gone: no SNAT rule exists here), which the
# same reconcile must remove (review 2).
wan_snat=$(lab_xdp_map "$(lab_ns lb)" wan0 sl_snat_src) lan_snat=$(lab_xdp_map "$(lab_ns lb)" lan0 sl_snat_src)
lab_check "found the SNAT tries of wan0 ($wan_snat) and lan0 ($lan_snat)" \
  test -n "$wan_snat" -a -n "$lan_snat"
for m in "$wan_snat" "$lan_snat"; do
  bpftool map update id "$m" key hex 10 00 00 00 0a 09 00 00 value hex 00 00 00 00 00 00 00 00
done
lab_check_eq "both SNAT tries hold a stray 10.9.0.0/16" \
  "$(lab_lpm_prefixes "$wan_snat") $(lab_lpm_prefixes "$lan_snat")" "10.9.0.0/16 10.9.0.0/16"
bpftool map freeze id "$wan_blk"
log0=$(wc -l <"$LAB_SLUICE_LOG")
xdp_log_lines() { tail -n +"$((log0 + 1))" "$LAB_SLUICE_LOG" | grep -c 'XDP' || true; }
st=0
out=$(slctl blocklist add 198.51.100.0/24 2>&1) || st=$?
echo "$out" | sed 's/^/# /'
lab_check_eq "blocklist add with wan0's trie frozen: exit 1" "$st" 1
lab_check "the error names the interface, the prefix and why" \
  grep -q "not all in XDP: XDP on wan0: cannot block 198.51.100.0/24: Operation not permitted" <<<"$out"
lab_check_cmp "stats xdp.map_errors counts it" \
  "$(lab_stats | lab_jget "r['xdp']['map_errors']")" -ge 1
lab_check_eq "stats xdp.in_sync is false" "$(lab_stats | lab_jget "r['xdp']['in_sync']")" false
lab_check "stats xdp.last_error names wan0" \
  eval "lab_stats | lab_jget \"r['xdp']['last_error']\" | grep -q 'XDP on wan0: cannot block'"
# While the writes keep failing: the map writes alone are retried (1 s,
# then doubling), nothing is republished, and the log says it once.
pub0=$(lab_stats | lab_jget "r['control']['publishes']")
retries0=$(lab_stats | lab_jget "r['xdp']['retries']")
sleep 10
pub1=$(lab_stats | lab_jget "r['control']['publishes']")
retries1=$(lab_stats | lab_jget "r['xdp']['retries']")
echo "# 10 s of failing writes: $((pub1 - pub0)) publishes, $((retries1 - retries0)) retries," \
  "$(xdp_log_lines) log lines about XDP"
lab_check_eq "10 s of failing writes: no republish" "$((pub1 - pub0))" 0
lab_check "... retried 2 to 4 times (1 s, 2 s, 4 s, 8 s apart)" \
  test "$((retries1 - retries0))" -ge 2 -a "$((retries1 - retries0))" -le 4
lab_check_eq "... logged once" "$(xdp_log_lines)" 1
lab_check_eq "lan0's trie reconciled: the model's prefixes, the stray gone" \
  "$(lab_lpm_prefixes "$lan_blk")" "198.51.100.0/24 203.0.113.0/24"
lab_check_eq "both SNAT tries reconciled: the stray inside network gone" \
  "$(lab_lpm_prefixes "$wan_snat")|$(lab_lpm_prefixes "$lan_snat")" "|"
lab_check_eq "the model has both" \
  "$(slctl --json blocklist list | lab_jget "' '.join(sorted(p['prefix'] for p in r['blocklist']))")" \
  "198.51.100.0/24 203.0.113.0/24"
# Recovery: with the prefix wan0 could not take deleted, its frozen trie
# holds what the model asks; the maps are in step again, logged once.
lab_check "blocklist del 198.51.100.0/24 (what frozen wan0 never took)" \
  slctl blocklist del 198.51.100.0/24
lab_check_eq "stats xdp.in_sync is true again" "$(lab_stats | lab_jget "r['xdp']['in_sync']")" true
lab_check "the recovery is logged" grep -q "XDP maps back in step" "$LAB_SLUICE_LOG"
lab_check_eq "two log lines about XDP in all: out of step, back" "$(xdp_log_lines)" 2
lab_check_eq "both tries hold the model's prefix" \
  "$(lab_lpm_prefixes "$wan_blk") $(lab_lpm_prefixes "$lan_blk")" "203.0.113.0/24 203.0.113.0/24"
retries2=$(lab_stats | lab_jget "r['xdp']['retries']")
sleep 2
lab_check_eq "no retries once in step" "$(lab_stats | lab_jget "r['xdp']['retries']")" "$retries2"

lab_test_end
