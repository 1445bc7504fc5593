#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 16, scenario 4, in the cluster lab (scripts/lab_cluster.sh: three
# Sluice nodes syncing sessions, BIRD + BFD to an ECMP router), under
# load (tests/e2e/echo_load.py: 200 long-lived TCP connections through
# the VIP, each sending a line every 100 ms and checking its echo, and
# new connections at 50/s):
#   - `sluicectl node drain` on the node carrying the most long-lived
#     connections withdraws its VIP route (the router no longer has it as
#     a next hop), its local address stays routed to it, and no new
#     connection is made there while drained;
#   - its connections go on through the other nodes: 0 broken, and no
#     new connection fails;
#   - `sluicectl node undrain` announces the VIP again (three paths) and
#     new connections reach the node again.
# The announce half without load: test_cluster_announce.sh. Not in
# `make test` (its budget): `make test-cluster`.
# e2e-suite: cluster
# e2e-timeout: 150
# shellcheck disable=SC2317  # helpers called through lab_check / lab_wait_until
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=tests/e2e/cluster_lib.sh
. "$(dirname "$0")/cluster_lib.sh"

cl_test_begin cluster_drain
cl_start_loaded drain --new-rate 50
D=$CL_NODE
for s in "${CL_OTHERS[@]}"; do
  lab_check_cmp "node $s installed node $D's connections before the drain" \
    "$(cl_status "$s" | lab_jget "r['workers']['installed']")" -ge "$CL_MOST"
done

HOST=$(lab_cl_host_ip "$D")
lab_check "sluicectl node drain on node $D" lab_cl_ctl "$D" node drain
lab_check "drained: the router's VIP route leaves node $D" \
  lab_wait_until 5 "no VIP path via node $D" cl_not_via "$CL_VIP" "$HOST"
lab_check_eq "drained: the VIP over the two others" "$(lab_cl_paths "$CL_VIP")" 2
lab_check "drained: node $D's local address still routed to it" \
  cl_via "$(lab_cl_lip "$D")" "$HOST"
lab_check_eq "node status says drained" \
  "$(lab_cl_ctl "$D" --json node status | lab_jget "r['announce']['drained']")" true

# Drained for 3 s: the load goes on through the others; no new
# connection is made on node D (after 0.5 s for SYNs already on their way).
sleep 0.5
declare -a c0
for i in 1 2 3; do c0[i]=$(cl_created "$i"); done
sleep 3
dn=$(( $(cl_created "$D") - c0[D] ))
others=0
for s in "${CL_OTHERS[@]}"; do others=$(( others + $(cl_created "$s") - c0[s] )); done
echo "# while drained: node $D made $dn new connections, the others $others"
lab_check_eq "drained: no new connection made on node $D" "$dn" 0
lab_check_cmp "drained: the others took the new connections" "$others" -ge 50

lab_check "sluicectl node undrain on node $D" lab_cl_ctl "$D" node undrain
lab_check "undrained: the VIP over all three again" \
  lab_wait_until 5 "3 paths to $CL_VIP" cl_vip_paths_are 3
lab_check_eq "node status says not drained" \
  "$(lab_cl_ctl "$D" --json node status | lab_jget "r['announce']['drained']")" false
c1=$(cl_created "$D")
made_more() { [ "$(cl_created "$D")" -gt "$c1" ]; }
lab_check "undrained: new connections reach node $D again" \
  lab_wait_until 5 "new connections on node $D" made_more
sleep 1

cl_load_stop
lab_check_eq "no new connection failed" "$(cl_get "r['new']['failed']")" 0
lab_check_cmp "new connections kept coming (50/s)" "$(cl_get "r['new']['ok']")" -ge 200
cl_stop_nodes 1 2 3
lab_test_end
