#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# DPDK telemetry (issue 17): sluice started without --no-telemetry answers
# dpdk-telemetry.py (package dpdk-dev) on its EAL file prefix's socket with
# /sluice/stats, /sluice/drops, /sluice/workers and /sluice/vips beside
# ethdev's own commands, and the values are the real ones: after a run of
# HTTP connections through the VIP, the connection counts match what
# `sluicectl stats` says and what the clients made.
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

N=${N:-20}
TEL=${DPDK_TELEMETRY:-dpdk-telemetry.py}

lab_test_begin telemetry
if ! command -v "$TEL" >/dev/null; then
  lab_not_ok "dpdk-telemetry.py installed (package dpdk-dev, scripts/deps.sh)"
  exit 1
fi
lab_std_start --servers 2 -- 'c["eal"].remove("--no-telemetry")'
FPREFIX=sl-lab-$LAB_PREFIX

# tel CMD...: each command's answer, one JSON line each.
tel() { printf '%s\n' "$@" | timeout 10 "$TEL" -f "$FPREFIX"; }

RS1=$(lab_rs_ip 1) RS2=$(lab_rs_ip 2)
lab_check "vip + servers" lab_vip_setup "$LAB_VIP:80" wrr \
  "$RS1:$LAB_HTTP_PORT:1" "$RS2:$LAB_HTTP_PORT:1"
lab_curl_loop "$N" "http://$LAB_VIP/whoami" >"$T/curl.log"
ok=$(lab_tally "$T/curl.log" | lab_jget "r['ok']")
lab_check_eq "$N HTTP requests answered through the VIP" "$ok" "$N"

# Rendered on demand: while no telemetry command came, the control thread
# rendered nothing (sluicectl's own `stats` renders apart, uncounted).
want=$(lab_total conns_created)
lab_check_cmp "conns_created >= $N (sluicectl stats)" "$want" -ge "$N"
sleep 1.5
lab_check_eq "no stats document rendered before telemetry asked" \
  "$(lab_stats | lab_jget "r['control']['stats_renders']")" 0
# The first command waits for the render it asked for: current at once.
lab_check_eq "the first /sluice/stats answer is current (conns_created $want)" \
  "$(tel /sluice/stats | lab_jget "r['/sluice/stats']['conns_created']")" "$want"
lab_check_cmp "... rendered for it" "$(lab_stats | lab_jget "r['control']['stats_renders']")" -ge 1
# Afterwards at most once a second: wait until a later count shows.
# shellcheck disable=SC2317  # called through lab_wait_until
caught_up() {
  [ "$(tel /sluice/stats | lab_jget "r['/sluice/stats']['conns_created']")" = "$want" ]
}
lab_check "telemetry /sluice/stats conns_created reaches $want" lab_wait_until 10 "telemetry" caught_up

tel / >"$T/list.json"
for c in /sluice/stats /sluice/drops /sluice/workers /sluice/vips /ethdev/list; do
  lab_check "'/' lists $c" lab_jget "'$c' in r['/'] or exit(1)" <"$T/list.json"
done

tel /sluice/stats /sluice/drops /sluice/workers /sluice/vips /ethdev/list >"$T/tel.json"
echo "# $(head -c 600 "$T/tel.json")"
stats=$(sed -n 1p "$T/tel.json") drops=$(sed -n 2p "$T/tel.json")
workers=$(sed -n 3p "$T/tel.json") vips=$(sed -n 4p "$T/tel.json")
ethdev=$(sed -n 5p "$T/tel.json")
sl=$(lab_stats)

lab_check_eq "/sluice/stats conns_created = sluicectl's" \
  "$(lab_jget "r['/sluice/stats']['conns_created']" <<<"$stats")" "$want"
lab_check_cmp "/sluice/stats rx_packets > 0" \
  "$(lab_jget "r['/sluice/stats']['rx_packets']" <<<"$stats")" -gt 0
lab_check_cmp "/sluice/stats uptime_s answers (>= 0)" \
  "$(lab_jget "r['/sluice/stats']['uptime_s']" <<<"$stats")" -ge 0
lab_check_eq "/sluice/drops has every reason sluicectl lists" \
  "$(lab_jget "sorted(r['/sluice/drops'])" <<<"$drops")" "$(lab_jget "sorted(r['drops'])" <<<"$sl")"
lab_check_eq "/sluice/workers count = 2" "$(lab_jget "r['/sluice/workers']['count']" <<<"$workers")" 2
lab_check_eq "/sluice/workers conns_created sums to the total" \
  "$(lab_jget "sum(r['/sluice/workers']['conns_created'])" <<<"$workers")" "$want"
lab_check_eq "/sluice/vips names the VIP" \
  "$(lab_jget "r['/sluice/vips']['vip'][0]" <<<"$vips")" "$LAB_VIP:80/tcp"
lab_check_eq "/sluice/vips conns = sluicectl's vips[0].conns" \
  "$(lab_jget "r['/sluice/vips']['conns'][0]" <<<"$vips")" \
  "$(lab_jget "r['vips'][0]['conns']" <<<"$sl")"
lab_check_cmp "/sluice/vips packets_in >= $N" \
  "$(lab_jget "r['/sluice/vips']['packets_in'][0]" <<<"$vips")" -ge "$N"
lab_check_eq "ethdev's telemetry beside it: /ethdev/list has both ports" \
  "$(lab_jget "len(r['/ethdev/list'])" <<<"$ethdev")" 2

# 500 VIPs more than DPDK 22.11's 16 KB answer holds: as many rows as fit,
# `listed` of `count`, every column whole (DPDK alone drops silently what
# does not fit, columns included).
for i in $(seq 1 500); do
  slctl vip add "198.18.$((4 + i / 250)).$((1 + i % 250)):80" >/dev/null || break
done
# shellcheck disable=SC2317  # called through lab_wait_until
counted() { [ "$(tel /sluice/vips | lab_jget "r['/sluice/vips']['count']")" = 501 ]; }
lab_check "telemetry counts 501 VIPs" lab_wait_until 10 "501 VIPs" counted
many=$(tel /sluice/vips)
echo "# /sluice/vips: $(head -c 300 <<<"$many") ..."
listed=$(lab_jget "r['/sluice/vips'].get('listed', -1)" <<<"$many")
lab_check_cmp "/sluice/vips lists fewer than 501 ($listed)" "$listed" -lt 501
lab_check_cmp "... but at least 100" "$listed" -ge 100
lab_check_eq "... every column it had for one VIP" \
  "$(lab_jget "sorted(r['/sluice/vips'])" <<<"$many")" "$(lab_jget "sorted(r['/sluice/vips'])" <<<"$vips")"
lab_check_eq "... each with $listed entries" \
  "$(lab_jget "sorted(set(len(v) for v in r['/sluice/vips'].values() if isinstance(v, list)))" <<<"$many")" "[$listed]"

lab_test_end
