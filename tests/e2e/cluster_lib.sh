# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# What the cluster scenarios 3-6 share (test_cluster_failover.sh,
# test_cluster_drain.sh, test_cluster_restart.sh,
# test_cluster_badinput.sh; sourced after scripts/lab_lib.sh): the
# start (BIRD, the lab up), the echo service on the lab's VIP, the
# cluster's state read from `sluicectl cluster status`, the router's
# view, and echo_load.py's long-lived load and its summary.

CL_ECHO=$LAB_ROOT/tests/e2e/echo_load.py
CL_PORT=7007
CL_VIP=$LAB_CL_VIP

# The echo service beside the lab's HTTP one, as a config statement for
# lab_cluster_node_start. Its health check is lenient: a check missed on
# a loaded machine must not refuse connections.
CL_ECHO_SVC="c['vips'].append({'vip': '$CL_VIP', 'port': $CL_PORT, 'scheduler': 'mh', \
'health_check': {'type': 'tcp', 'port': $CL_PORT, 'interval_ms': 1000, 'timeout_ms': 800, 'rise': 1, 'fall': 3}, \
'real_servers': [{'ip': '198.18.1.11', 'port': $CL_PORT}, {'ip': '198.18.1.12', 'port': $CL_PORT}]})"

# cl_test_begin NAME: the test begun (lab_test_begin NAME), BIRD
# installed and the cluster lab up, or the test ends there (a failure).
cl_test_begin() {
  lab_test_begin "$1"
  if ! command -v bird >/dev/null; then
    lab_not_ok "bird (Debian bird2) installed (scripts/deps.sh)"
    exit 1
  fi
  lab_cluster_up || { lab_not_ok "cluster lab up"; exit 1; }
}

cl_echo_listens() { [ -n "$(lab_exec "rs$1" ss -Hltn "sport = :$CL_PORT")" ]; }

# cl_echo_up: an echo server on each real server (a check each).
cl_echo_up() {
  local i
  for i in 1 2; do
    lab_spawn ip netns exec "$(lab_ns "rs$i")" "$LAB_PY" "$CL_ECHO" serve --port $CL_PORT </dev/null >>"$LAB_RUN/echo$i.err" 2>&1 &
  done
  for i in 1 2; do
    lab_check "echo server on rs$i" lab_wait_until 10 "echo on rs$i" cl_echo_listens "$i"
  done
}

cl_status() { lab_cl_ctl "$1" --json cluster status; }
# cl_peer_field I NAME EXPR: EXPR of node I's peer NAME (p), e.g. p['state'].
cl_peer_field() { cl_status "$1" | lab_jget "[$3 for p in r['peers'] if p['name'] == '$2'][0]"; }
# cl_all_synced NODES...: each ready, its peers alive and ready, nothing
# taken over.
cl_all_synced() {
  local i
  for i in "$@"; do
    [ "$(cl_status "$i" | lab_jget "r['ready'] and all(p['state'] == 'alive' and p['ready'] for p in r['peers']) and not r['takeover']")" = true ] || return 1
  done
}
cl_vip_paths_are() { [ "$(lab_cl_paths "$CL_VIP")" = "$1" ]; }
cl_via() { lab_cl_nexthops "$1" | grep -qx "$2"; }
cl_not_via() { ! cl_via "$@"; }
cl_own_routes() {
  local i
  for i in "$@"; do
    [ "$(lab_cl_nexthops "$(lab_cl_lip "$i")")" = "$(lab_cl_host_ip "$i")" ] || return 1
  done
}
cl_created() { lab_cl_ctl "$1" --json stats | lab_jget "r['totals']['conns_created']"; }

# cl_start_all: echo servers, three nodes with the echo service, synced,
# the VIP over all three and each local address to its node (checks).
cl_start_all() {
  local i
  cl_echo_up
  for i in 1 2 3; do
    lab_cluster_node_start "$i" "$CL_ECHO_SVC" || { lab_not_ok "node $i started"; exit 1; }
  done
  lab_ok "three nodes run Sluice (with session sync) and BIRD"
  lab_check "every node ready, its peers alive and ready, nothing taken over" \
    lab_wait_until 30 "cluster synced" cl_all_synced 1 2 3
  lab_check "the router has the VIP over all three nodes" \
    lab_wait_until 30 "3 paths to $CL_VIP" cl_vip_paths_are 3
  lab_check "each local address routed to its own node" \
    lab_wait_until 10 "own routes" cl_own_routes 1 2 3
}

# cl_load_start [echo_load.py run options...]: 200 long-lived connections
# through the VIP (in the background, pid in CL_LOAD), ready checked;
# $T/stop ends it, $T/summary.json its result.
cl_load_start() {
  lab_exec cli "$LAB_PY" "$CL_ECHO" run --dst "$CL_VIP:$CL_PORT" --long 200 --interval 0.1 \
    --ready "$T/ready" --stop "$T/stop" --out "$T/summary.json" "$@" \
    </dev/null >"$T/load.err" 2>&1 &
  CL_LOAD=$!
  lab_check "200 long-lived connections echoing" \
    lab_wait_until 20 "load ready" test -e "$T/ready"
}

# How many long-lived connections node I's local address carries (the
# servers see the local address as the peer).
cl_carried() {
  local i
  for i in 1 2; do lab_exec "rs$i" ss -Htn state established "( sport = :$CL_PORT )"; done |
    awk '{print $4}' | grep -c "^$(lab_cl_lip "$1"):" || true
}

# cl_most_loaded: CL_MOST_NODE, the node carrying most of them, and
# CL_MOST their number (printed per node).
# shellcheck disable=SC2034  # CL_MOST_NODE: the tests read it
cl_most_loaded() {
  local i n
  CL_MOST_NODE=1 CL_MOST=0
  for i in 1 2 3; do
    n=$(cl_carried "$i")
    echo "# node $i carries $n connections"
    if [ "$n" -gt "$CL_MOST" ]; then CL_MOST_NODE=$i CL_MOST=$n; fi
  done
}

# cl_start_loaded WHAT [cl_load_start options...]: three nodes synced
# (cl_start_all) under the long-lived load, whose ESTABLISHED states had
# a second to sync; CL_NODE is the node carrying the most of them
# (checked: at least 20, "the node to WHAT"), CL_OTHERS the two others.
cl_start_loaded() {
  local what=$1 i
  shift
  cl_start_all
  cl_load_start "$@"
  sleep 1
  cl_most_loaded
  CL_NODE=$CL_MOST_NODE
  lab_check_cmp "the node to $what (node $CL_NODE) carries some connections" "$CL_MOST" -ge 20
  CL_OTHERS=()
  for i in 1 2 3; do [ "$i" -eq "$CL_NODE" ] || CL_OTHERS+=("$i"); done
}

# cl_load_stop: the load stopped, its end checked and its figures printed;
# cl_get EXPR reads the summary afterwards.
cl_get() { lab_jget "$1" <"$T/summary.json"; }
cl_load_stop() {
  touch "$T/stop"
  if wait "$CL_LOAD"; then lab_ok "the load client ran to its end"
  else lab_not_ok "the load client ran to its end" "$(tail -n 5 "$T/load.err")"; fi
  [ -s "$T/summary.json" ] || { lab_not_ok "the load client wrote its summary"; exit 1; }
  echo "# long-lived: $(cl_get "r['long']['opened']") opened, $(cl_get "r['long']['broken']") broken," \
    "$(cl_get "r['long']['lines_echoed']") of $(cl_get "r['long']['lines_sent']") lines echoed," \
    "slowest echo $(cl_get "r['long']['max_echo_ms']") ms"
  echo "# new: $(cl_get "r['new']['attempts']") attempts, $(cl_get "r['new']['ok']") ok," \
    "$(cl_get "r['new']['failed']") failed, $(cl_get "r['new']['delayed']") delayed (retransmitted)"
  cl_get "'\n'.join('#   ' + d for d in r['long']['broken_detail'] + r['new']['detail'])"
  lab_check_eq "all 200 long-lived connections opened" "$(cl_get "r['long']['opened']")" 200
  lab_check_eq "0 long-lived connections broken" "$(cl_get "r['long']['broken']")" 0
}

# cl_stop_nodes NODES...: each node's Sluice stopped with status 0 (checks).
cl_stop_nodes() {
  local i
  for i in "$@"; do
    if lab_cluster_node_stop "$i"; then lab_ok "node $i's sluice stopped with status 0"
    else lab_not_ok "node $i's sluice stopped with status 0"; fi
  done
}
