#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Announcements in the cluster lab (scripts/lab_cluster.sh, issue 16):
# three Sluice nodes, each with BIRD learning its announce table over the
# exception tap, BGP + BFD to a router whose kernel merges their paths.
#   1. the VIP is announced by every node while it has a healthy server,
#      and leaves the router's kernel table soon after its last server
#      fails (health check 200 ms, fall 1; BFD 3 x 100 ms), while the
#      nodes' local addresses stay; it comes back with a server;
#   2. new connections spread over the nodes, counted per node;
#   4. (announce half) `sluicectl node drain` withdraws the node's VIP
#      route at the router, its local address stays; undrain brings it
#      back;
#   and a node stopped with SIGTERM withdraws everything it announced.
# Connection survival across node loss, with session sync (ctrl/cluster/):
# test_cluster_failover.sh.
# e2e-timeout: 110
# shellcheck disable=SC2317  # helpers called through lab_check / lab_wait_until
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

lab_test_begin cluster
if ! command -v bird >/dev/null; then
  lab_not_ok "bird (Debian bird2) installed (scripts/deps.sh)"
  exit 1
fi
lab_cluster_up || { lab_not_ok "cluster lab up"; exit 1; }
# Announcements alone: without the lab's session sync, whose takeover
# would keep a stopped node's local address announced by a survivor
# (that is test_cluster_failover.sh's).
for i in 1 2 3; do
  lab_cluster_node_start "$i" "c['control']['readonly_socket'] = '$LAB_RUN/n$i/ro.sock'" \
    "del c['cluster']" || { lab_not_ok "node $i started"; exit 1; }
done
lab_ok "three nodes run Sluice and BIRD"

VIP=$LAB_CL_VIP
vip_paths_are() { [ "$(lab_cl_paths "$VIP")" = "$1" ]; }
via() { lab_cl_nexthops "$1" | grep -qx "$2"; }
not_via() { ! via "$@"; }
no_route() { [ -z "$(ip -n "$(lab_ns rt)" route show "$1/32")" ]; }

lab_check "the router has the VIP over all three nodes (ECMP)" \
  lab_wait_until 30 "3 paths to $VIP" vip_paths_are 3
for i in 1 2 3; do
  lab_check "node $i's local address is routed to node $i" \
    lab_wait_until 5 "route to $(lab_cl_lip "$i")" via "$(lab_cl_lip "$i")" "$(lab_cl_host_ip "$i")"
done
st=$(lab_cl_ctl 1 --json node status)
lab_check_eq "node status: the VIP wanted and in the table" \
  "$(lab_jget "[a['wanted'] and a['in_table'] for a in r['announce']['addresses'] if a['address'] == '$VIP']" <<<"$st")" "[true]"
lab_check_eq "node status: no errors" "$(lab_jget "r['announce']['counters']['errors']" <<<"$st")" 0

# 2. New connections spread over the nodes (the router hashes the ports).
created() { lab_cl_ctl "$1" --json stats | lab_jget "r['totals']['conns_created']"; }
declare -a before
for i in 1 2 3; do before[i]=$(created "$i"); done
ok=0
for (( k = 0; k < 60; k++ )); do
  lab_exec cli curl -s -m 2 -o /dev/null "http://$VIP/whoami" && ok=$((ok + 1))
done
lab_check_eq "60 new connections through the VIP answered" "$ok" 60
spread=""
for i in 1 2 3; do
  n=$(( $(created "$i") - before[i] ))
  spread="$spread n$i=$n"
  lab_check_cmp "node $i took some of them" "$n" -ge 1
done
echo "# connections per node:$spread"

# 4. Drain withdraws node 1's VIP route only.
lab_cl_ctl 1 node drain >/dev/null
lab_check "drained: the router's VIP route leaves node 1" \
  lab_wait_until 5 "no path via node 1" not_via "$VIP" "$(lab_cl_host_ip 1)"
lab_check_eq "drained: the VIP still over nodes 2 and 3" "$(lab_cl_paths "$VIP")" 2
lab_check "drained: node 1's local address still routed to it" \
  via "$(lab_cl_lip 1)" "$(lab_cl_host_ip 1)"
lab_check_eq "node status says drained" \
  "$(lab_cl_ctl 1 --json node status | lab_jget "r['announce']['drained']")" true
RO=$(lab_cl_dir n1)/ro.sock
ro_status() { timeout 15 "$SLUICECTL" -s "$RO" --json node status >/dev/null; }
lab_check "node status answers on the read-only socket" ro_status
ro_refused() {
  local out
  out=$(timeout 15 "$SLUICECTL" -s "$RO" node undrain 2>&1) && return 1
  grep -q "read-only socket" <<<"$out" || { echo "# $out"; return 1; }
}
lab_check "node undrain is refused on the read-only socket" ro_refused
lab_check_eq "... and changed nothing" \
  "$(lab_cl_ctl 1 --json node status | lab_jget "r['announce']['drained']")" true
lab_cl_ctl 1 node undrain >/dev/null
lab_check "undrained: the VIP over all three again" \
  lab_wait_until 5 "3 paths to $VIP" vip_paths_are 3

# 1. Its last server fails: withdrawn. Health: 200 ms interval, 100 ms
# timeout, fall 1 (at most ~0.3 s to notice); BGP then withdraws at
# once; the bound adds BFD's detection time (0.3 s) and slack for a
# loaded machine. The figure measured is printed.
lab_server_stop 1
lab_check_eq "one server down: still announced (policy any)" "$(lab_cl_paths "$VIP")" 3
lab_server_stop 2
t0=$(date +%s%N)
lab_check "no server left: the VIP leaves the router's table" \
  lab_wait_until 5 "no route to $VIP" no_route "$VIP"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# withdrawn ${ms} ms after the last server stopped listening"
lab_check_cmp "withdrawn within health (0.3 s) + BFD detection (0.3 s) + slack" "$ms" -le 1500
for i in 1 2 3; do
  lab_check "no server: node $i's local address stays routed" \
    via "$(lab_cl_lip "$i")" "$(lab_cl_host_ip "$i")"
done
lab_check_eq "node status says why" \
  "$(lab_cl_ctl 2 --json node status | lab_jget "[a['why'] for a in r['announce']['addresses'] if a['address'] == '$VIP'][0].startswith('no service')")" true
lab_server_start 2
lab_check "a server back: the VIP over all three again" \
  lab_wait_until 10 "3 paths to $VIP" vip_paths_are 3

# A node stopped cleanly withdraws what it announced.
if lab_cluster_node_stop 3; then
  lab_ok "node 3's sluice stopped on SIGTERM with status 0"
else
  lab_not_ok "node 3's sluice stopped on SIGTERM with status 0"
fi
lab_check "node 3 stopped: its local address leaves the router" \
  lab_wait_until 5 "no route to $(lab_cl_lip 3)" no_route "$(lab_cl_lip 3)"
lab_check "node 3 stopped: the VIP over nodes 1 and 2" \
  lab_wait_until 5 "2 paths" vip_paths_are 2
for i in 1 2; do
  if lab_cluster_node_stop "$i"; then lab_ok "node $i's sluice stopped with status 0"
  else lab_not_ok "node $i's sluice stopped with status 0"; fi
done
lab_test_end
