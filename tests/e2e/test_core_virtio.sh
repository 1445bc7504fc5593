#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Sluice on net_virtio_user ports (vhost-user) with 2 workers and 2 queue
# pairs per port, against the lab's vhost-user switch (build/sluice-vswitch:
# net_vhost <-> net_af_packet towards wan0/lan0 in P-lb): the core full-NAT
# scenario, with flows spread over the queues so replies are steered.
# Needs 2 MiB huge pages (raised in vm.nr_hugepages when short).
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=scripts/lab_drivers.sh
. "$(dirname "$0")/../../scripts/lab_drivers.sh"

lab_test_begin core_virtio
lab_up --servers 2 || { lab_not_ok "lab up"; exit 1; }
lab_check "300 MiB of free 2 MiB huge pages" lab_hugepages_ensure 300
lab_check "vhost-user switch up (wan0, lan0; 2 queues each)" lab_vswitch_start 2
mapfile -t cfg < <(lab_cfg_virtio 2)
if lab_sluice_start "$(lab_make_config "${cfg[@]}")"; then
  lab_ok "sluice started on net_virtio_user ports"
else
  lab_not_ok "sluice started on net_virtio_user ports"
  exit 1
fi
lab_check_eq "both ports are virtio-user" \
  "$(grep -c 'ethdev [0-9] (net_virtio_user)' "$LAB_SLUICE_LOG")" 2

echo "# set up in ${SECONDS}s"
lab_core_scenario 100
echo "# core scenario done at ${SECONDS}s"

stats=$(lab_stats)
lab_check_cmp "both workers received traffic (the switch spreads flows)" \
  "$(lab_jget "min(w['rx_packets'] for w in r['workers'])" <<<"$stats")" -gt 0
lab_check_cmp "replies steered between workers" \
  "$(lab_jget "r['totals']['steered_in']" <<<"$stats")" -gt 0
echo "# non-zero drops: $(lab_jget "{k: v for k, v in r['drops'].items() if v}" <<<"$stats")"
lab_test_end
