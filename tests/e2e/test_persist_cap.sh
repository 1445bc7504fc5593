#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Persistence templates under a spoofed-source flood (issue 12.13): with
# persistence.max_templates 1024 and persist 3600 s, 12,000 SYNs from 4,096
# random sources: the control thread's table stays at its cap, the excess
# is evicted and counted, sluicectl keeps answering, a real client still
# gets through and keeps its server.
# e2e-timeout: 90
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

H6=$LAB_ROOT/scripts/h6_tool.py
lab_test_begin persist_cap
lab_std_start --servers 2 -- 'c["persistence"] = {"max_templates": 1024}' \
  'c["timeouts"].update({"tcp_syn_sent": 3, "tcp_syn_recv": 3})'
V=$LAB_VIP:80
lab_check "vip add $V rr, persist 3600 s" slctl vip add "$V" --sched rr --persist 3600
lab_check "rs1" slctl rs add "$V" "$(lab_rs_ip 1):8080"
lab_check "rs2" slctl rs add "$V" "$(lab_rs_ip 2):8080"

persistence() { lab_stats | lab_jget "r['resources']['persistence']"; }
lab_exec cli "$LAB_PY" "$H6" syn-flood "$LAB_VIP" 80 -n 12000 --src-net 198.19.0.0/16 \
  >"$T/flood.json"
sleep 1.5
res=$(persistence)
echo "# persistence after the flood: $res"
lab_check_cmp "[cap] templates held at the cap ($res)" \
  "$(lab_jget "r['templates']" <<<"$res")" -le 1024
lab_check_cmp "[cap] the excess evicted and counted" \
  "$(lab_jget "r['evicted']" <<<"$res")" -gt 0
t0=$EPOCHREALTIME
if lab_stats >/dev/null; then
  ms=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%d", (b-a)*1000}')
  lab_check_cmp "[cap] sluicectl stats answers in under a second (${ms} ms)" "$ms" -lt 1000
else
  lab_not_ok "[cap] sluicectl stats answers"
fi
lab_curl_loop 6 "http://$LAB_VIP/whoami" >"$T/curl.log"
lab_check_eq "[cap] a real client's 6 requests all answered" \
  "$(lab_tally "$T/curl.log" | lab_jget "r['failed']")" 0
lab_check_eq "[cap] and all went to one server (persistence holds)" \
  "$(lab_tally "$T/curl.log" | lab_jget "len(r['by_body'])")" 1
lab_test_end
