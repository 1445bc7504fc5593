#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 16, scenario 6: bad input on the session-sync channel, against a
# running node of the cluster lab (scripts/lab_cluster.sh). Node 1 runs
# alone; tests/e2e/sync_craft.py plays its peer n2 from n2's namespace
# and sync address (n2's Sluice is not started), with the lab's shared
# key, and sends, one case at a time:
#   a datagram from an address that is no peer's, and from a peer's
#   address but another port (unknown_peer); a bad HMAC (bad_hmac); a
#   wrong version (bad_version); a record cut short, and a datagram
#   shorter than a header (truncated); a replay of an accepted datagram
#   (replays); another node's name as sender (bad_sender) or as receiver
#   (wrong_receiver); records naming a VIP (refused_vip) or a local
#   address (refused_laddr) the node does not have; and more records
#   than max_share_percent (1 % of 16384: 163) lets one peer hold
#   (refused_share, the rest held).
# Each case moves its own counter in `sluicectl cluster status` by
# exactly what was sent and nothing else: no other refusal, no record
# ignored (late, backwards, conflicts, gone_ignored) nor taking another
# entry's place (replaced, reopened), the table's size (stats
# conns_active) and the connections held for the peer unchanged (but the
# share case's 163). A valid heartbeat first proves
# the crafted datagrams are well formed (accepted, bound to the node's
# epoch learnt from its own datagram, whose MAC the tool checks).
# Not in `make test` (its budget): `make test-cluster`.
# e2e-suite: cluster
# e2e-timeout: 120
# shellcheck disable=SC2317  # helpers called through lab_check / lab_wait_until
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=tests/e2e/cluster_lib.sh
. "$(dirname "$0")/cluster_lib.sh"

CRAFT=$LAB_ROOT/tests/e2e/sync_craft.py
SHARE_CAP=163 # max_share_percent 1 of conn_table.max_connections 16384

cl_test_begin cluster_badinput
lab_cluster_node_start 1 "c['cluster']['max_share_percent'] = 1" ||
  { lab_not_ok "node 1 started"; exit 1; }
lab_ok "node 1 runs Sluice (with session sync) and BIRD"
# Ready once its peers' dumps are given up on (none answers).
is_ready() { [ "$(cl_status 1 | lab_jget "r['ready']")" = true ]; }
lab_check "node 1 ready (dump timeout: no peer runs)" lab_wait_until 20 "node 1 ready" is_ready
# An address on the sync bridge that is no peer's.
ip -n "$(lab_ns n3)" addr add 198.18.5.99/24 dev sync0

N1=$(lab_cl_sync_ip 1):8848
N2=$(lab_cl_sync_ip 2)
# craft [--bind IP:PORT] [--me NAME] [--node NAME] CASE [options]: as n2.
craft() {
  local bind=$N2:8848 me=n2 node=n1 ns=n2
  while [ $# -gt 0 ]; do
    case $1 in
      --bind) bind=$2; shift 2 ;;
      --me) me=$2; shift 2 ;;
      --node) node=$2; shift 2 ;;
      --ns) ns=$2; shift 2 ;;
      *) break ;;
    esac
  done
  lab_exec "$ns" "$LAB_PY" "$CRAFT" send --key "$(lab_cl_key)" --state "$T/craft.json" \
    --bind "$bind" --to "$N1" --me "$me" --node "$node" "$@" >>"$T/craft.log"
}
# snap F: node 1's counters (sync_craft.py counters) into F.
snap() {
  cl_status 1 >"$T/status.json" && lab_cl_ctl 1 --json stats >"$T/stats.json" &&
    "$LAB_PY" "$CRAFT" counters "$T/status.json" "$T/stats.json" n2 >"$1"
}
# moved_by NAME=N...: since $T/before, exactly these counters moved.
moved_by() {
  snap "$T/after" && "$LAB_PY" "$CRAFT" delta "$T/before" "$T/after" "$@" >"$T/delta.out"
}
# case_check DESC WANT... -- CRAFT-ARGS...: the case sent, the counters
# polled until they moved as wanted, then again 0.5 s later (nothing
# more came of it).
case_check() {
  local desc=$1 want=()
  shift
  while [ "$1" != -- ]; do want+=("$1"); shift; done
  shift
  snap "$T/before" || { lab_not_ok "$desc" "no counters from node 1"; return; }
  if ! craft "$@"; then lab_not_ok "$desc" "sync_craft.py failed: $*"; return; fi
  if lab_wait_until 5 "$desc" moved_by "${want[@]}" && sleep 0.5 && moved_by "${want[@]}"; then
    lab_ok "$desc: $(cat "$T/delta.out")"
  else
    lab_not_ok "$desc" "$(cat "$T/delta.out")"
  fi
}

rx() { cl_peer_field 1 n2 "p['counters']['rx_datagrams']"; }
rx0=$(rx)
if craft hello; then lab_ok "sync_craft.py checked node 1's MAC and learnt its epoch"
else lab_not_ok "sync_craft.py checked node 1's MAC and learnt its epoch" "$(cat "$T/craft.log")"; fi
accepted() { [ "$(rx)" -gt "$rx0" ]; }
lab_check "a crafted valid heartbeat is accepted (the format is right)" \
  lab_wait_until 5 "accepted" accepted
lab_check_eq "node 1 heard n2's epoch" "$(cl_peer_field 1 n2 "p['epoch']")" 7

case_check "from an address that is no peer's: unknown_peer" unknown_peer=1 -- \
  --ns n3 --bind 198.18.5.99:8848 valid
case_check "from a peer's address, another port: unknown_peer" unknown_peer=1 -- \
  --bind "$N2:9999" valid
case_check "a bad HMAC: bad_hmac" bad_hmac=1 -- bad-hmac
case_check "a wrong version: bad_version" bad_version=1 -- bad-version
case_check "a record cut short: truncated" truncated=1 -- truncated
case_check "shorter than a header: truncated" truncated=1 -- short
case_check "a replay of an accepted datagram: replays" replays=1 -- replay
case_check "another node's name as sender: bad_sender" bad_sender=1 -- --me n3 valid
case_check "another node as receiver: wrong_receiver" wrong_receiver=1 -- --node n9 valid
case_check "3 records naming a VIP node 1 does not have: refused_vip" refused_vip=3 -- \
  records --count 3 --vip 198.18.2.200
case_check "3 records naming a local address nobody has: refused_laddr" refused_laddr=3 -- \
  records --count 3 --laddr 198.18.3.99
over=$((SHARE_CAP + 37))
case_check "$over records, past n2's share: refused_share, $SHARE_CAP held" \
  installed=$over refused_share=37 workers.refused_share=37 \
  workers.installed=$SHARE_CAP connections_held=$SHARE_CAP conns_active=$SHARE_CAP -- \
  records --count $over
sed 's/^/# /' "$T/craft.log"

cl_stop_nodes 1
lab_test_end
