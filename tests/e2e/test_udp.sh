#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# UDP VIP 198.18.0.100:53 -> servers' :5353: many request/response pairs, each
# from a new source port; all answered from VIP:53, both servers used, the
# servers see the local address, and the flows expire after timeouts.udp.
# e2e-timeout: 90
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

N=${N:-200}
# The first packets towards a server may wait for ARP; a few retries are
# tolerated (and reported), not more.
MAX_RETRIES=4

lab_test_begin udp
lab_std_start --servers 2

RS1=$(lab_rs_ip 1) RS2=$(lab_rs_ip 2)
lab_check "vip add $LAB_VIP:53 udp; rs $RS1:5353, $RS2:5353" \
  lab_vip_setup "$LAB_VIP:53" wrr --proto udp "$RS1:5353:1" "$RS2:5353:1"

res=$(lab_py_cli udp-burst "$LAB_VIP" 53 -n "$N" --tries 3 --timeout 1) || true
echo "# $res"
answered=$(lab_jget "r['answered']" <<<"$res")
retries=$(lab_jget "r['retries'] + r['wrong']" <<<"$res")
n1=$(lab_jget "r['by_server'].get('rs1', 0)" <<<"$res")
n2=$(lab_jget "r['by_server'].get('rs2', 0)" <<<"$res")
sports=$(lab_jget "r['sports']" <<<"$res")

if [ "$answered" -eq "$N" ]; then
  lab_ok "all $N UDP requests answered from $LAB_VIP:53 with the right payload"
else
  lab_not_ok "all $N UDP requests answered from $LAB_VIP:53 with the right payload" \
    "answered $answered; errors: $(lab_jget "'; '.join(r['errors'][:5])" <<<"$res")"
fi
lab_check_cmp "retries + wrong answers (first packets waiting for ARP) <= $MAX_RETRIES" "$retries" -le "$MAX_RETRIES"
lab_check_cmp "requests came from many source ports" "$sports" -ge $((N * 9 / 10))
lab_check_eq "answers came only from rs1 and rs2" "$((n1 + n2))" "$answered"
if lab_share_ok "$n1" "$answered" 0.5 0.15 && lab_share_ok "$n2" "$answered" 0.5 0.15; then
  lab_ok "both servers used, about equally (rs1 $n1, rs2 $n2)"
else
  lab_not_ok "both servers used, about equally" "rs1 $n1, rs2 $n2 of $answered"
fi
for i in 1 2; do
  lab_check_eq "rs$i saw only source $LAB_LIP ($(lab_served "$i" udp) datagrams)" \
    "$(lab_served_not_from "$i" "$LAB_LIP" udp)" 0
done

stats=$(lab_stats)
echo "# non-zero drops: $(lab_jget "{k: v for k, v in r['drops'].items() if v}" <<<"$stats")"
lab_check_cmp "stats vips[0].packets_out >= answered" "$(lab_jget "r['vips'][0]['packets_out']" <<<"$stats")" -ge "$answered"

# timeouts.udp is 5 s in the lab config: every flow expires.
# shellcheck disable=SC2317  # called through lab_wait_until
active() { [ "$(lab_total conns_active)" = 0 ]; }
if lab_wait_until 20 "conns_active back to 0" active; then
  lab_ok "UDP flows expired: conns_active back to 0"
else
  lab_not_ok "UDP flows expired: conns_active back to 0" "conns_active $(lab_total conns_active)"
fi

lab_test_end
