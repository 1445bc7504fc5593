#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Persistence (issue 5): a rr VIP with 3 servers and persist_s 3.
#   - 16 sequential connections from one client address all land on one
#     server, although rr alone would rotate them, and although they are
#     spread over both workers (af_packet's fanout hashes each connection
#     on its own): the workers agree through the merged templates;
#   - 6 more client addresses, interleaved: each keeps its own server, and
#     between them they use more than one;
#   - the first client's server is drained (weight 0): its next
#     connections go to another server and stay there;
#   - after the timeout the template lapses: the client is scheduled
#     afresh, back on its address's first pick (held on the other before);
#   - with persistence off the same client rotates again.
# e2e-timeout: 45
# e2e-prefix-base: h5
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

LAB_TEST_PREFIX_BASE=${LAB_TEST_PREFIX_BASE:-h5} # labs h5-NAME
lab_test_begin persist
lab_std_start --servers 3

V=$LAB_VIP:80
lab_check "vip add $V rr, persist 3 s" slctl vip add "$V" --sched rr --persist 3
for i in 1 2 3; do lab_check "rs add rs$i" slctl rs add "$V" "$(lab_rs_ip "$i"):8080"; done
lab_check "6 more client addresses" lab_cli_addrs 101 6

# servers LOG: the distinct servers that answered, sorted, comma-separated.
servers() { awk '$4 == 0 && $5 == 200 {print $6}' "$1" | sort -u | paste -sd, -; }
failed() { awk '!($4 == 0 && $5 == 200)' "$1" | wc -l; }
created() { lab_stats | lab_jget "','.join(str(w['conns_created']) for w in r['workers'])"; }

before=$(created)
lab_curl_loop 16 "http://$LAB_VIP/whoami" >"$T/a.log"
after=$(created)
lab_check_eq "client 198.18.0.1: 16 requests answered" "$(failed "$T/a.log")" 0
first=$(servers "$T/a.log")
lab_check_eq "client 198.18.0.1: all on one server ($first)" "$(echo "$first" | tr ',' '\n' | wc -l)" 1
spread=$("$LAB_PY" -c "b = '$before'.split(','); a = '$after'.split(','); print(sum(1 for x, y in zip(b, a) if int(y) > int(x)))")
lab_check_eq "... made on both workers (connections per worker before: $before, after: $after)" "$spread" 2

: >"$T/b.log"
for round in 1 2 3 4; do
  for c in 101 102 103 104 105 106; do
    lab_curl_loop 1 "http://$LAB_VIP/whoami" 0 --interface "198.18.0.$c" | sed "s/^/$c /" >>"$T/b.log"
  done
done
lab_check_eq "6 clients x 4 requests answered" "$(awk '!($5 == 0 && $6 == 200)' "$T/b.log" | wc -l)" 0
sticky=$(awk '{print $1, $7}' "$T/b.log" | sort -u | awk '{n[$1]++} END {k = 0; for (c in n) if (n[c] == 1) k++; print k}')
lab_check_eq "each of the 6 clients kept one server" "$sticky" 6
used=$(awk '{print $7}' "$T/b.log" | sort -u | wc -l)
lab_check_cmp "between them they used several servers" "$used" -ge 2

# Drain the first client's server: it moves, and sticks to the new one.
idx=${first#rs}
lab_check "drain $first (weight 0)" slctl rs set "$V" "$(lab_rs_ip "$idx"):8080" --weight 0
lab_curl_loop 6 "http://$LAB_VIP/whoami" >"$T/c.log"
moved=$(servers "$T/c.log")
lab_check_eq "after the drain: 6 requests answered" "$(failed "$T/c.log")" 0
if [ "$(echo "$moved" | tr ',' '\n' | wc -l)" = 1 ] && [ "$moved" != "$first" ]; then
  lab_ok "the client moved off drained $first and stuck to $moved"
else
  lab_not_ok "the client moved off drained $first to one other server" "it was answered by: $moved"
fi
lab_check "undrain $first" slctl rs set "$V" "$(lab_rs_ip "$idx"):8080" --weight 1

# The template (on $moved) lapses 3 s after the last connection; the
# client is then scheduled afresh: with $first undrained the pick table is
# as at the start, and the hash of the address picks $first again.
sleep 3.5
lab_curl_loop 3 "http://$LAB_VIP/whoami" >"$T/d.log"
lab_check_eq "after the 3 s timeout the template lapsed: the client is back on $first (it was held on $moved)" \
  "$(failed "$T/d.log") $(servers "$T/d.log")" "0 $first"

lab_check "vip set --persist 0" slctl vip set "$V" --persist 0
lab_curl_loop 6 "http://$LAB_VIP/whoami" >"$T/e.log"
lab_check_cmp "without persistence the client rotates over servers" \
  "$(servers "$T/e.log" | tr ',' '\n' | wc -l)" -ge 2

lab_test_end
