#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 16, scenario 5: a restarted node receives the full dump before it
# announces. In the cluster lab (scripts/lab_cluster.sh), under 200
# long-lived TCP connections through the VIP that each send a line every
# 100 ms and check its echo (tests/e2e/echo_load.py), the node carrying
# the most of them is killed (kill -9 of everything in its namespace);
# once a survivor has taken over its local address, Sluice and BIRD are
# started again in it. While it comes back, a sampler polls every ~20 ms
# its announce table (kernel table 100 in its namespace) and the router's
# routes to the VIP and to its local address. Then:
#   - its log says it became ready because every live peer sent its dump
#     (not the dump timeout), and the announce gate opened after that;
#   - `cluster status`: ready, both peers' dumps received, no dump
#     timeout;
#   - no sample shows its VIP or local-address route, in its own table
#     (once its start cleared a previous run's) or at the router, before
#     the ready line's time; then the router has the VIP over all three
#     and its local address back at it;
#   - it holds the peers' connections: connections_held summed over its
#     peers >= the 200 live long-lived connections;
#   - 0 long-lived connections broken across the kill and the return.
# Not in `make test` (its budget): `make test-cluster`.
# e2e-suite: cluster
# e2e-timeout: 170
# shellcheck disable=SC2317  # helpers called through lab_check / lab_wait_until
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=tests/e2e/cluster_lib.sh
. "$(dirname "$0")/cluster_lib.sh"

cl_test_begin cluster_restart
cl_start_loaded restart --new-rate 20
R=$CL_NODE
HOST=$(lab_cl_host_ip "$R")
LIP=$(lab_cl_lip "$R")

lab_check "node $R killed: kill -9 of everything in its namespace" lab_cluster_kill "$R"
taken_over() {
  local hops
  hops=$(lab_cl_nexthops "$LIP")
  [ -n "$hops" ] && [ "$(wc -l <<<"$hops")" -eq 1 ] && [ "$hops" != "$HOST" ]
}
lab_check "node $R's local address taken over by a survivor" \
  lab_wait_until 10 "takeover of $LIP" taken_over
lab_check "the VIP over the two survivors" lab_wait_until 10 "2 paths" cl_vip_paths_are 2
sleep 1

# The sampler: "time table100-routes vip-via-R lip-via-R", every ~20 ms.
NS=$(lab_ns "n$R")
sample() {
  while [ ! -e "$T/sample.stop" ]; do
    echo "$EPOCHREALTIME $(ip -n "$NS" route show table "$LAB_CL_TABLE" 2>/dev/null | grep -c . || true)" \
      "$(lab_cl_nexthops "$CL_VIP" | grep -cx "$HOST" || true)" \
      "$(lab_cl_nexthops "$LIP" | grep -cx "$HOST" || true)"
    sleep 0.02
  done >"$T/samples"
}
LOG=$(lab_cl_dir "n$R")/sluice.log
log_from=$(( $(wc -l <"$LOG") + 1 ))
sample &
SAMPLER=$!
t_start=$EPOCHREALTIME
if lab_cluster_node_start "$R" "$CL_ECHO_SVC"; then lab_ok "node $R started again (Sluice, then BIRD)"
else lab_not_ok "node $R started again (Sluice, then BIRD)"; fi
ready_back() { [ "$(cl_status "$R" | lab_jget "r['ready']")" = true ]; }
lab_check "node $R ready again" lab_wait_until 20 "node $R ready" ready_back
lab_check "the router has the VIP over all three again" \
  lab_wait_until 15 "3 paths to $CL_VIP" cl_vip_paths_are 3
lab_check "node $R's local address routed to it again" \
  lab_wait_until 15 "$LIP at node $R" cl_own_routes "$R"
touch "$T/sample.stop"
wait "$SAMPLER" || true

tail -n "+$log_from" "$LOG" >"$T/restart.log"
grep -E 'cluster: (not )?ready|announce: (gate|table)' "$T/restart.log" | sed 's/^/# log: /' || true
st=$(cl_status "$R")
lab_check_eq "cluster status: ready, both peers' dumps received, no dump timeout" \
  "$(lab_jget "r['ready'] and all(p['dump_received'] and p['counters']['dumps_received'] >= 1 for p in r['peers']) and r['counters']['dump_timeouts'] == 0" <<<"$st")" true
held=$(lab_jget "sum(p['connections_held'] for p in r['peers'])" <<<"$st")
echo "# node $R holds $held connections of its peers ($(lab_jget "', '.join(p['name'] + ': ' + str(p['connections_held']) for p in r['peers'])" <<<"$st"))"
lab_check_cmp "node $R holds the peers' connections: at least the 200 long-lived ones" "$held" -ge 200

# The order, from the log's times (UTC, ms) and the samples.
"$LAB_PY" - "$T/restart.log" "$T/samples" "$t_start" >"$T/order" <<'PY' || true
import datetime, sys
log, samples, t_start = open(sys.argv[1]).read().splitlines(), sys.argv[2], float(sys.argv[3])
def when(pat):
    for l in log:
        if pat in l:
            return datetime.datetime.strptime(l.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                tzinfo=datetime.timezone.utc).timestamp()
    return None
ready = when("cluster: ready: has its full dump (every live peer sent its dump)")
gate = when("announce: gate open")
cleared = when("stale route") or t_start
rows = [l.split() for l in open(samples) if len(l.split()) == 4]
rows = [(float(t), int(a), int(b), int(c)) for t, a, b, c in rows]
def first(pred):
    return next((t for t, *r in rows if pred(t, *r)), None)
tbl = first(lambda t, n, v, l: t > cleared and n > 0)
vip = first(lambda t, n, v, l: v > 0)
lip = first(lambda t, n, v, l: l > 0)
ms = lambda t: "never" if t is None or ready is None else f"{(t - ready) * 1000:+.0f} ms"
print(f"# {len(rows)} samples; from the ready line: gate open {ms(gate)}, own table {ms(tbl)},"
      f" router VIP via it {ms(vip)}, router local address via it {ms(lip)}")
ok = (ready is not None and gate is not None and gate >= ready and
      all(t is not None and t >= ready for t in (tbl, vip, lip)))
print("in order" if ok else "OUT OF ORDER")
PY
cat "$T/order"
lab_check_eq "ready from its peers' dumps, then the gate opened, then its table and the router had its routes" \
  "$(tail -n 1 "$T/order")" "in order"

sleep 2 # the load goes on through the returned node
cl_load_stop
cl_stop_nodes 1 2 3
lab_test_end
