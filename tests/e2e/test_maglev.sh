#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Maglev hashing (mh) keeps clients where they are when the server set
# changes (issue 5). A UDP VIP :53 -> 4 servers :5353 with scheduler mh
# (source address only); 150 client addresses each ask once which server
# answers them:
#   - every server gets a fair share (at least 20 of 150 clients);
#   - rs4 is removed: its clients move to rs1..rs3, and of the other
#     clients at most 5% move (Maglev moves ~0.06% of slots beyond the
#     removed server's at 4 servers and 65537 slots; the 5% is margin);
#   - a client's server does not depend on its port: each asks from a
#     new source port every round;
#   - rs4 is added back: every client is where it was at first (the table
#     depends only on the set of servers).
# e2e-timeout: 45
# e2e-prefix-base: h5
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

LAB_TEST_PREFIX_BASE=${LAB_TEST_PREFIX_BASE:-h5} # labs h5-NAME
CLIENTS=150 FIRST=101 # 198.18.0.101..250: not the VIP (.100)

lab_test_begin maglev
lab_std_start --servers 4

V=$LAB_VIP:53
lab_check "vip add $V udp mh, 4 servers" lab_vip_setup "$V" mh --proto udp \
  "$(lab_rs_ip 1):5353:1" "$(lab_rs_ip 2):5353:1" "$(lab_rs_ip 3):5353:1" "$(lab_rs_ip 4):5353:1"
lab_check "$CLIENTS client addresses 198.18.0.$FIRST.." lab_cli_addrs $FIRST $CLIENTS

# round NAME: every client asks once; the mapping lands in $T/NAME.json.
round() {
  lab_py_cli udp-who "$LAB_VIP" 53 --first "198.18.0.$FIRST" --count $CLIENTS >"$T/$1.json"
  lab_check_eq "$1: every client answered" "$(lab_jget "r['failed']" <"$T/$1.json")" 0
}
round before
lab_check "rs del rs4" slctl rs del "$V" "$(lab_rs_ip 4):5353" --proto udp
round after_del
lab_check "rs add rs4 back" slctl rs add "$V" "$(lab_rs_ip 4):5353" --proto udp
round after_add

"$LAB_PY" - "$T/before.json" "$T/after_del.json" "$T/after_add.json" >"$T/analysis" <<'PY'
import json, sys
b, d, a = (json.load(open(f))["by_source"] for f in sys.argv[1:4])
shares = [list(b.values()).count(s) for s in ("rs1", "rs2", "rs3", "rs4")]
print("shares_before", ",".join(map(str, shares)))
print("smallest_share", min(shares))
on4 = [c for c in b if b[c] == "rs4"]
others = [c for c in b if b[c] != "rs4"]
print("on_rs4", len(on4))
print("rs4_after_del", sum(1 for c in d.values() if c == "rs4"))
print("rs4_clients_moved", sum(1 for c in on4 if c in d and d[c] != "rs4"))
print("others", len(others))
print("others_moved", sum(1 for c in others if d.get(c) != b[c]))
print("back_where_they_were", sum(1 for c in b if a.get(c) == b[c]))
PY
sed 's/^/# /' "$T/analysis"
get() { awk -v k="$1" '$1 == k {print $2}' "$T/analysis"; }
lab_check_cmp "every server has a fair share of clients (rs1..rs4: $(get shares_before))" \
  "$(get smallest_share)" -ge 20
lab_check_eq "after removing rs4 nobody is sent to it" "$(get rs4_after_del)" 0
lab_check_eq "rs4's clients all moved" "$(get rs4_clients_moved)" "$(get on_rs4)"
others=$(get others) moved=$(get others_moved)
if [ "$moved" -le $(( others * 5 / 100 )) ]; then
  lab_ok "clients of rs1..rs3 that moved: $moved of $others (at most 5%)"
else
  lab_not_ok "clients of rs1..rs3 that moved: at most 5%" "$moved of $others moved"
fi
lab_check_eq "rs4 back: every client is where it was" "$(get back_where_they_were)" $CLIENTS

lab_test_end
