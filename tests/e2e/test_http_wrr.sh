#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# HTTP through a wrr VIP with weights 1 and 3: every request answered, shares
# within 0.10 of 0.25/0.75, servers see only the local address (full-NAT),
# replies steered between the two workers (af_packet fanout), and ICMP echo
# to the VIP answered.
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

N=${N:-200}
TOL=0.10

lab_test_begin http_wrr
lab_std_start --servers 2

RS1=$(lab_rs_ip 1) RS2=$(lab_rs_ip 2)
lab_check "vip add $LAB_VIP:80 wrr; rs $RS1 weight 1, rs $RS2 weight 3" \
  lab_vip_setup "$LAB_VIP:80" wrr "$RS1:8080:1" "$RS2:8080:3"

lab_log "$N sequential requests to http://$LAB_VIP/whoami"
t0=$EPOCHREALTIME
lab_curl_loop "$N" "http://$LAB_VIP/whoami" >"$T/curl.log"
t1=$EPOCHREALTIME
tally=$(lab_tally "$T/curl.log")
echo "# $(lab_jget "r" <<<"$tally" | cut -c1-300) in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')s"
total=$(lab_jget "r['total']" <<<"$tally")
failed=$(lab_jget "r['failed']" <<<"$tally")
n1=$(lab_jget "r['by_body'].get('rs1', 0)" <<<"$tally")
n2=$(lab_jget "r['by_body'].get('rs2', 0)" <<<"$tally")

lab_check_eq "$N requests made" "$total" "$N"
if [ "$failed" -eq 0 ]; then
  lab_ok "every request answered 200"
else
  lab_not_ok "every request answered 200" "$failed failed; first ones:" \
    "$(lab_jget "'; '.join(r['failures'][:5])" <<<"$tally")"
fi
lab_check_eq "answers came only from rs1 and rs2" "$((n1 + n2))" "$((total - failed))"
if lab_share_ok "$n1" "$N" 0.25 "$TOL" && lab_share_ok "$n2" "$N" 0.75 "$TOL"; then
  lab_ok "wrr 1:3 shares within $TOL of 0.25/0.75 (rs1 $n1, rs2 $n2 of $N)"
else
  lab_not_ok "wrr 1:3 shares within $TOL of 0.25/0.75" "rs1 $n1, rs2 $n2 of $N"
fi

# Full-NAT: the servers see the local address, never the client.
for i in 1 2; do
  seen=$(lab_served "$i")
  from_lip=$(lab_served_from "$i" "$LAB_LIP")
  from_cli=$(lab_served_from "$i" "$LAB_CLI_IP")
  other=$(lab_served_not_from "$i" "$LAB_LIP")
  lab_check_eq "rs$i logged as many requests as curl got from it" "$seen" "$([ "$i" = 1 ] && echo "$n1" || echo "$n2")"
  lab_check_eq "rs$i saw source $LAB_LIP on every request ($from_lip of $seen)" "$other" 0
  lab_check_eq "rs$i never saw the client address $LAB_CLI_IP" "$from_cli" 0
done

stats=$(lab_stats)
echo "$stats" >"$T/stats.json"
sum() { lab_jget "sum(w.get('$1', 0) for w in r['workers'])" <<<"$stats"; }
s_in=$(sum steered_in) s_out=$(sum steered_out)
nw=$(lab_jget "len(r['workers'])" <<<"$stats")
lab_check_eq "stats lists 2 workers" "$nw" 2
lab_check_cmp "steered_out summed over workers > 0" "$s_out" -gt 0
lab_check_cmp "steered_in summed over workers > 0" "$s_in" -gt 0
lab_check_eq "totals.steered_in equals the workers' sum" "$(lab_jget "r['totals']['steered_in']" <<<"$stats")" "$s_in"
lab_check_cmp "totals.conns_created >= $N" "$(lab_jget "r['totals']['conns_created']" <<<"$stats")" -ge "$N"
for i in 1 2; do
  rsc=$(lab_jget "[s.get('conns') for s in r['real_servers'] if s['ip'] == '$(lab_rs_ip "$i")'][0]" <<<"$stats" || echo missing)
  lab_check_eq "stats real_servers[rs$i].conns matches the requests it served" "$rsc" "$(lab_served "$i")"
done
drops=$(lab_jget "{k: v for k, v in r['drops'].items() if v}" <<<"$stats")
echo "# non-zero drops: $drops"

# ICMP echo to the VIP (raw-socket ping: the lab has no ping binary).
if out=$(lab_ping "$LAB_VIP" -c 3 --min 3 2>&1); then
  lab_ok "ICMP echo to $LAB_VIP answered 3 of 3"
else
  lab_not_ok "ICMP echo to $LAB_VIP answered 3 of 3" "$out"
fi
lab_check_cmp "totals.icmp_echo_replies >= 3" "$(lab_total icmp_echo_replies)" -ge 3

lab_test_end
