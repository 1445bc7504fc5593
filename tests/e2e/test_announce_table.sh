#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The announcer's kernel table (issue 16, ctrl/daemon/announce*.c) against
# the real kernel, in the lab's lb namespace, no routing daemon:
#   - at start every route of protocol 165 in announce.table goes (a
#     crashed run's: host routes, a /28, IPv6, one beside another
#     protocol's route for the same prefix); another protocol's routes
#     and protocol 165 in another table stay;
#   - a local address whose prefix another protocol's route holds is not
#     overwritten (adds are NLM_F_EXCL): `node status` names the prefix
#     as a conflict, counts it, and the other local address is added all
#     the same; once that route goes, the prefix is added on its own
#     back-off (no re-read of the table);
#   - after SIGKILL its routes stay; `sluice --cleanup` removes every
#     route of protocol 165 in the table, and only those, one line.
# e2e-timeout: 90
# shellcheck disable=SC2317,SC2016  # helpers called through lab_check / lab_wait_until; eval strings expand later
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

lab_test_begin announce_table
lab_up --servers 1 || { lab_not_ok "lab up"; exit 1; }
NS=$(lab_ns lb)
ip -n "$NS" link set lo up
T=100
config=$(lab_make_config "c['announce'] = {'table': $T}" \
  "c['local_addresses'].append({'ip': '198.18.1.4', 'port': 'lan'})")

# A crashed run's routes, and others that are not ours.
plant_stale() {
  ip -n "$NS" route replace blackhole 198.18.7.200/32 table $T proto 165
  ip -n "$NS" route replace blackhole 198.18.7.0/28 table $T proto 165
  ip -n "$NS" route replace blackhole 198.18.7.202/32 table $T proto 165 metric 7
  ip -n "$NS" -6 route replace blackhole 2001:db8:7::1/128 table $T proto 165
}
plant_stale
ip -n "$NS" route add blackhole 198.18.7.201/32 table $T proto static
ip -n "$NS" route add blackhole 198.18.7.202/32 table $T proto static metric 8
ip -n "$NS" -6 route add blackhole 2001:db8:7::1/128 table $T proto static metric 5
ip -n "$NS" route add blackhole 198.18.7.203/32 table 101 proto 165
# Another protocol's route for local address 198.18.1.3.
ip -n "$NS" route add blackhole 198.18.1.3/32 table $T proto static

ours() { { ip -n "$NS" route show table $T proto 165; ip -n "$NS" -6 route show table $T proto 165; } | awk '{print $2}' | sort | tr '\n' ' '; }
others() { { ip -n "$NS" route show table $T; ip -n "$NS" -6 route show table $T; } | grep -v 'proto 165' | awk '{print $2}' | sort | tr '\n' ' '; }
OTHERS="198.18.1.3 198.18.7.201 198.18.7.202 2001:db8:7::1 "

lab_sluice_start "$config" || { lab_not_ok "sluice started with announce.table $T"; exit 1; }
lab_ok "sluice started with announce.table $T"
only_laddr() { [ "$(ours)" = "198.18.1.4 " ]; }
lab_check "at start the stale routes of protocol 165 went; 198.18.1.4 is added" \
  lab_wait_until 10 "only 198.18.1.4 of protocol 165" only_laddr
lab_check "the log says how many stale routes it removed" \
  grep -q "removed 4 stale routes of protocol 165" "$LAB_SLUICE_LOG"
lab_check_eq "other protocols' routes in table $T stay" "$(others)" "$OTHERS"
lab_check_eq "protocol 165 in table 101 stays" \
  "$(ip -n "$NS" route show table 101 proto 165 | awk '{print $1, $2}')" "blackhole 198.18.7.203"

# The conflict: 198.18.1.3 is held by the static route.
status() { slctl --json node status; }
conflict_named() { [ "$(status | lab_jget "r['announce']['conflicts']")" = '["198.18.1.3/32"]' ]; }
lab_check "node status names 198.18.1.3/32 as a conflict" \
  lab_wait_until 10 "a conflict on 198.18.1.3" conflict_named
st=$(status)
lab_check_cmp "... and counts it" "$(lab_jget "r['announce']['counters']['conflicts']" <<<"$st")" -ge 1
lab_check_eq "... on the address too" \
  "$(lab_jget "[(a['in_table'], a['conflict']) for a in r['announce']['addresses'] if a['address'] == '198.18.1.3']" <<<"$st")" \
  "[[false, true]]"
lab_check_eq "the table was read once" "$(lab_jget "r['announce']['counters']['table_reads']" <<<"$st")" 1
lab_check "the static route for 198.18.1.3 is not overwritten" \
  eval 'ip -n "$NS" route show table $T 198.18.1.3/32 | grep -q "proto static"'
lab_check "sluicectl node status shows the conflict" \
  eval 'slctl node status | grep -q "conflict: 198.18.1.3/32 is held in table $T"'
ip -n "$NS" route del blackhole 198.18.1.3/32 table $T proto static
both() { [ "$(ours)" = "198.18.1.3 198.18.1.4 " ]; }
lab_check "the static route gone: 198.18.1.3 is added on its back-off" \
  lab_wait_until 10 "both local addresses of protocol 165" both
st=$(status)
lab_check_eq "no conflict left" "$(lab_jget "r['announce']['conflicts']" <<<"$st")" "[]"
lab_check_eq "still one read of the table" "$(lab_jget "r['announce']['counters']['table_reads']" <<<"$st")" 1

# A crash leaves its routes; --cleanup removes all of protocol 165.
kill -KILL "$LAB_SLUICE_PID"
wait "$LAB_SLUICE_PID" 2>/dev/null || true
LAB_SLUICE_PID=
lab_check_eq "after SIGKILL its routes stay" "$(ours)" "198.18.1.3 198.18.1.4 "
plant_stale
st=0
out=$(ip netns exec "$NS" timeout 20 "$SLUICE" --cleanup -c "$config" 2>&1) || st=$?
echo "$out" | sed 's/^/# /'
lab_check_eq "--cleanup: exit 0" "$st" 0
lab_check "it says it removed 6 announce routes" \
  grep -qx "removed 6 announce routes (protocol 165) from table $T" <<<"$out"
lab_check_eq "no route of protocol 165 left in table $T" "$(ours)" ""
lab_check_eq "other protocols' routes stay" "$(others)" "198.18.7.201 198.18.7.202 2001:db8:7::1 "
lab_check "protocol 165 in table 101 stays" \
  eval 'ip -n "$NS" route show table 101 proto 165 | grep -q 198.18.7.203'
lab_test_end
