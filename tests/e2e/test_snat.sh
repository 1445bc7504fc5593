#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NAT gateway end to end (issue 4): two inside hosts (198.18.2.10, .11) reach
# an outside server (198.19.0.10) through Sluice's source NAT to the pool
# 198.19.0.100-101 (scripts/lab_snat_lib.sh). Checks: rule added and listed;
# HTTP from both hosts at once, all answered; the server sees only pool
# addresses, each the outside end of a listed session; UDP echo; ICMP echo
# with identifiers owned by each worker; ECONNREFUSED from a closed UDP port
# (ICMP error translated back) and TCP port; 64 MiB down and up, sha256
# equal; unsolicited UDP and TCP SYNs to the pool never reach inside
# listeners and are counted (snat_no_mapping, snat_filtered), while
# address-dependent filtering still lets the contacted address in; the
# gateway keeps working; rule deleted.
# e2e-timeout: 150
set -euo pipefail
# shellcheck source=scripts/lab_snat_lib.sh
. "$(dirname "$0")/../../scripts/lab_snat_lib.sh"

N=${N:-20}      # HTTP requests per inside host
MIB=${MIB:-64}  # bulk transfer size
SRV=$LAB_SNAT_SERVER
URL=http://$SRV:$LAB_HTTP_PORT
IN1=$(lab_snat_host_ip 1) IN2=$(lab_snat_host_ip 2)
POOL_RE='^198\.19\.0\.10[01]$'

lab_test_begin snat
lab_snat_std_start --hosts 2

# ------------------------------------------------------------ the rule
if out=$(lab_snat_rule_add --filtering adf 2>&1); then
  lab_ok "snat add --src $LAB_SNAT_SRC --pool $LAB_SNAT_POOL --port out --filtering adf ($out)"
else
  lab_not_ok "snat add --src $LAB_SNAT_SRC --pool $LAB_SNAT_POOL --port out --filtering adf" "$out"
  exit 1
fi
rules=$(slctl --json snat list | lab_jget "r['rules']")
lab_check_eq "snat list shows the rule, address-dependent filtering" \
  "$(lab_jget "[(x['src'], x['pool'], x['port'], x['filtering']) for x in r]" <<<"$rules")" \
  '[["198.18.2.0/24", "198.19.0.100-198.19.0.101", "out", "address-dependent"]]'

# ------------------------------------------------------------ HTTP, both hosts at once
# (3 s per request: a broken path costs at most N * 3 s.)
CURL_MAX_TIME=3 lab_snat_curl_loop 1 "$N" "$URL/whoami" >"$T/curl1.log" &
c1=$!
CURL_MAX_TIME=3 lab_snat_curl_loop 2 "$N" "$URL/whoami" >"$T/curl2.log" &
c2=$!
wait "$c1" "$c2" || true
for i in 1 2; do
  res=$(lab_tally "$T/curl$i.log")
  if [ "$(lab_jget "[r['ok'], r['by_body']]" <<<"$res")" = "[$N, {\"out\": $N}]" ]; then
    lab_ok "inside host $i: $N of $N HTTP requests to $SRV answered by the outside server"
  else
    lab_not_ok "inside host $i: $N of $N HTTP requests to $SRV answered" "$res"
  fi
done

# The server's view: only pool addresses, never 198.18.2.x; and every peer
# it saw is the outside end of a session `snat sessions` lists for the
# matching inside endpoint (curl's local port).
log=$(lab_snat_server_log)
peers=$(awk '$2 == "tcp" {print $3}' "$log" | sort | uniq -c | tr -s ' ' | tr '\n' ',')
lab_check_eq "server log: $(awk '$2 == "tcp"' "$log" | wc -l) requests, peers only pool addresses ($peers)" \
  "$(awk -v re="$POOL_RE" '$2 == "tcp" && $3 !~ re' "$log" | wc -l)" 0
lab_check_eq "server log: no inside address 198.18.2.x ever seen" \
  "$(grep -c ' 198\.18\.2\.' "$log" || true)" 0

slctl --json snat sessions --limit 10000 >"$T/sessions.json"
# shellcheck disable=SC2016
sess_check=$("$LAB_PY" - "$T/sessions.json" "$log" "$T/curl1.log" "$T/curl2.log" "$IN1" "$IN2" "$SRV:$LAB_HTTP_PORT" <<'EOF'
import json, re, sys
sj, logf, c1, c2, in1, in2, remote = sys.argv[1:]
doc = json.load(open(sj))
ss = doc.get("result", doc)["sessions"]
tcp = [s for s in ss if s["proto"] == "tcp" and s["remote"] == remote]
by_inside = {s["inside"]: s for s in tcp}
outs = {s["outside"] for s in tcp}
problems = []
for host, f in ((in1, c1), (in2, c2)):
    for line in open(f):
        p = line.split()
        if len(p) >= 7 and p[3] == "0" and f"{host}:{p[6]}" not in by_inside:
            problems.append(f"no session for {host}:{p[6]}")
    pools = {s["outside"].split(":")[0] for s in tcp if s["inside"].startswith(host + ":")}
    if len(pools) != 1:
        problems.append(f"{host} uses pool addresses {sorted(pools)} (paired pooling: one)")
for line in open(logf):
    p = line.split()
    if len(p) >= 4 and p[1] == "tcp" and f"{p[2]}:{p[3]}" not in outs:
        problems.append(f"server peer {p[2]}:{p[3]} is no listed session's outside end")
if any(not re.match(r"198\.19\.0\.10[01]:\d+$", s["outside"]) for s in ss):
    problems.append("a session's outside end is not a pool address")
print(json.dumps({"tcp_sessions": len(tcp), "count": doc.get("result", doc)["count"],
                  "problems": problems[:10]}))
EOF
) || sess_check='{"problems": ["session check failed to run"]}'
echo "# sessions: $sess_check"
lab_check_cmp "snat sessions lists the HTTP sessions (inside, outside, remote)" \
  "$(lab_jget "r.get('tcp_sessions', 0)" <<<"$sess_check")" -ge $((2 * N))
if [ "$(lab_jget "len(r['problems'])" <<<"$sess_check")" = 0 ]; then
  lab_ok "every curl's inside port has a session; server peers = sessions' outside ends; one pool address per host"
else
  lab_not_ok "sessions match curl ports and server peers; one pool address per host" \
    "$(lab_jget "'; '.join(r['problems'])" <<<"$sess_check")"
fi
echo "# sample: $(lab_jget "[(s['proto'], s['inside'], s['outside'], s['remote'], s['state'], s['worker']) for s in r['sessions'][:3]]" <"$T/sessions.json")"

# ------------------------------------------------------------ UDP echo
res=$(lab_exec in1 "$LAB_PY" "$LAB_TOOL" udp-burst "$SRV" "$LAB_UDP_PORT" -n 20 --tries 2 --timeout 1) || true
lab_check_eq "UDP: 20 datagrams from inside host 1 echoed by $SRV:$LAB_UDP_PORT" \
  "$(lab_jget "[r['answered'], r['by_server']]" <<<"$res")" '[20, {"out": 20}]'
lab_check_cmp "UDP: retries + wrong answers at most 1 of 20 ($(lab_jget "r['errors'][:3]" <<<"$res"))" \
  "$(lab_jget "r['retries'] + r['wrong']" <<<"$res")" -le 1
lab_check_eq "server log: UDP peers only pool addresses" \
  "$(awk -v re="$POOL_RE" '$2 == "udp" && $3 !~ re' "$log" | wc -l)" 0

# ------------------------------------------------------------ ICMP echo
# The echo identifier plays the inside port: id % 2 is the worker that owns
# the session, so try one of each parity from each host.
for i in 1 2; do
  for id in $((0x5340 + 2 * i)) $((0x5341 + 2 * i)); do
    if out=$(lab_snat_ping "$i" "$SRV" -c 3 -W 1 -i 0.1 --min 2 --id "$id" 2>&1); then
      lab_ok "ping from inside host $i to $SRV, identifier $id (owner worker $((id % 2))): $(tail -n 1 <<<"$out")"
    else
      lab_not_ok "ping from inside host $i to $SRV, identifier $id (owner worker $((id % 2)))" "$(tail -n 1 <<<"$out")"
    fi
  done
done

# ------------------------------------------------------------ errors back to the inside
err0=$(lab_total icmp_errors_translated)
for i in 1 2; do
  if out=$(lab_snat_tool "in$i" refused udp "$SRV" 9 --tries 3 --timeout 2); then
    lab_ok "UDP to closed $SRV:9 from inside host $i: socket sees ECONNREFUSED (ICMP port unreachable translated back)"
  else
    lab_not_ok "UDP to closed $SRV:9 from inside host $i: socket sees ECONNREFUSED" "$out"
  fi
done
lab_check_cmp "stats icmp_errors_translated grew" "$(lab_total icmp_errors_translated)" -ge $((err0 + 2))
if out=$(lab_snat_tool in1 refused tcp "$SRV" 9 --tries 2 --timeout 2); then
  lab_ok "TCP connect to closed $SRV:9 from inside: ECONNREFUSED (RST through the gateway)"
else
  lab_not_ok "TCP connect to closed $SRV:9 from inside: ECONNREFUSED" "$out"
fi

# ------------------------------------------------------------ bulk, both directions
# A stalled transfer (under 500 kB/s for 6 s) is cut short.
STALL=(--speed-limit 500000 --speed-time 6)
big=$LAB_RUN/files/big.bin
head -c "$((MIB * 1024 * 1024))" /dev/urandom >"$big"
want=$(sha256sum "$big" | cut -d' ' -f1)
size=$(stat -c %s "$big")
t0=$EPOCHREALTIME
if CURL_MAX_TIME=40 lab_snat_curl 1 "${STALL[@]}" -o "$T/down.bin" "$URL/files/big.bin" 2>"$T/curl.err"; then
  rate=$(awk -v s="$size" -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f MB/s", s/1e6/(b-a)}')
  lab_check_eq "download of $MIB MiB to inside host 1 ($rate): sha256 equal" \
    "$(sha256sum "$T/down.bin" | cut -d' ' -f1) $(stat -c %s "$T/down.bin")" "$want $size"
else
  lab_not_ok "download of $MIB MiB to inside host 1" "$(cat "$T/curl.err")"
fi
rm -f "$T/down.bin"
t0=$EPOCHREALTIME
if ans=$(CURL_MAX_TIME=40 lab_snat_curl 2 "${STALL[@]}" -H 'Expect:' -T "$big" "$URL/sha256" 2>"$T/curl.err"); then
  rate=$(awk -v s="$size" -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f MB/s", s/1e6/(b-a)}')
  read -r _ gsum glen <<<"$ans"
  lab_check_eq "upload of $MIB MiB from inside host 2 ($rate): sha256 equal" "${gsum:-} ${glen:-}" "$want $size"
else
  lab_not_ok "upload of $MIB MiB from inside host 2" "$(cat "$T/curl.err")"
fi
rm -f "$big"

# ------------------------------------------------------------ unsolicited inbound
# Inside listeners on every targeted port (both hosts). Host 1 first opens
# UDP 7000 and TCP 7001 to the server, so those have mappings that only
# the server's address may use (address-dependent filtering).
UDP_PORTS=7000,5000,5353,33333,60000
TCP_PORTS=7001,22,80,8080,9999
rm -f "$T/ready1" "$T/ready2" "$T/stop"
lab_snat_tool in1 listen --udp "$UDP_PORTS" --tcp "$TCP_PORTS" --seconds 40 --ready "$T/ready1" --stop "$T/stop" \
  --prime-udp "7000=$SRV:$LAB_UDP_PORT" --prime-tcp "7001=$SRV:$LAB_HTTP_PORT" >"$T/listen1.json" &
l1=$!
lab_snat_tool in2 listen --udp "$UDP_PORTS" --tcp "$TCP_PORTS" --seconds 40 --ready "$T/ready2" --stop "$T/stop" \
  >"$T/listen2.json" &
l2=$!
lab_wait_until 10 "inside listeners ready" test -e "$T/ready1" -a -e "$T/ready2" || true
slctl --json snat sessions --limit 10000 >"$T/sessions2.json"
m=$(lab_jget "{s['proto'] + ':' + s['inside'].split(':')[1]: s['outside'] for s in r['sessions'] if s['inside'] in ('$IN1:7000', '$IN1:7001')}" <"$T/sessions2.json")
map_udp=$(lab_jget "r.get('udp:7000', '')" <<<"$m")
map_tcp=$(lab_jget "r.get('tcp:7001', '')" <<<"$m")
if [ -n "$map_udp" ] && [ -n "$map_tcp" ]; then
  lab_ok "inside host 1 holds mappings udp 7000 -> $map_udp, tcp 7001 -> $map_tcp"
else
  lab_not_ok "inside host 1 holds mappings for udp 7000 and tcp 7001" "$m"
fi
targets() { # PORTS: each port on both pool addresses
  local p list=()
  for p in ${1//,/ }; do list+=("$LAB_SNAT_POOL_FIRST:$p" "$LAB_SNAT_POOL_LAST:$p"); done
  local IFS=,
  echo "${list[*]}"
}
d0=$(lab_stats | lab_jget "r['drops']")
# From the server's address to ports nobody inside opened (skipping live
# sessions' outside ends: those it may use); from a never-contacted address
# to the same ports and to host 1's two mappings.
p1=$(lab_snat_tool out probe --src "$SRV" --avoid "$T/sessions2.json" \
  --udp "$(targets "$UDP_PORTS")" --tcp "$(targets "$TCP_PORTS")" --count 2) || true
p2=$(lab_snat_tool out probe --src "$LAB_SNAT_STRANGER" \
  --udp "$(targets "$UDP_PORTS"),$map_udp" --tcp "$(targets "$TCP_PORTS"),$map_tcp" --count 2) || true
# Control: the server's address may reach host 1's UDP mapping (it was
# contacted), from any of its ports.
lab_snat_tool out probe --src "$SRV" --udp "$map_udp" --count 2 >/dev/null || true
echo "# probe from $SRV: $p1"
echo "# probe from $LAB_SNAT_STRANGER: $p2"
sleep 1 # anything still in flight lands before the listeners stop
touch "$T/stop"
wait "$l1" "$l2" || true
d1=$(lab_stats | lab_jget "r['drops']")
echo "# inside host 1 received: $(cat "$T/listen1.json")"
echo "# inside host 2 received: $(cat "$T/listen2.json")"
lab_check_eq "host 1 primed its mappings (UDP echo answered, HTTP 200)" \
  "$(lab_jget "r['primed']" <"$T/listen1.json")" '{"tcp:7001": true, "udp:7000": true}'
sent=$(( $(lab_jget "r['udp_sent'] + len(r['tcp'])" <<<"$p1") + $(lab_jget "r['udp_sent'] + len(r['tcp'])" <<<"$p2") ))
lab_check_eq "no probe's TCP connect succeeded or was refused (outcomes)" \
  "$(lab_jget "sorted(set(r['tcp'].values()))" <<<"$p1") $(lab_jget "sorted(set(r['tcp'].values()))" <<<"$p2")" \
  '["timeout"] ["timeout"]'
unsolicited=$("$LAB_PY" - "$T/listen1.json" "$T/listen2.json" "$SRV" <<'EOF'
import json, sys
bad = []
for n, f in ((1, sys.argv[1]), (2, sys.argv[2])):
    r = json.load(open(f))
    for kind in ("udp", "tcp"):
        for port, peers in r[kind].items():
            for p in peers:
                # Host 1's UDP 7000 may hear from the server it contacted.
                if not (n == 1 and kind == "udp" and port == "7000" and p.startswith(sys.argv[3] + ":")):
                    bad.append(f"host {n} {kind}/{port} <- {p}")
print(len(bad), "; ".join(bad[:10]))
EOF
)
if [ "${unsolicited%% *}" = 0 ]; then
  lab_ok "unsolicited UDP and TCP SYNs ($sent to pool ports) reached no inside listener"
else
  lab_not_ok "unsolicited UDP and TCP SYNs ($sent to pool ports) reached no inside listener" \
    "${unsolicited%% *} arrived: ${unsolicited#* }"
fi
got_ctl=$(lab_jget "len([p for p in r['udp'].get('7000', []) if p.startswith('$SRV:')])" <"$T/listen1.json")
lab_check_eq "address-dependent filtering: the contacted server's address still reaches host 1's UDP mapping" \
  "$got_ctl" 2
dnm=$(( $(lab_jget "r['snat_no_mapping']" <<<"$d1") - $(lab_jget "r['snat_no_mapping']" <<<"$d0") ))
dfl=$(( $(lab_jget "r['snat_filtered']" <<<"$d1") - $(lab_jget "r['snat_filtered']" <<<"$d0") ))
lab_check_cmp "drops snat_filtered grew by at least the 2 UDP + 1 SYN sent to host 1's mappings" "$dfl" -ge 3
lab_check_cmp "drops snat_no_mapping + snat_filtered grew by at least the $sent unsolicited packets/connects" \
  $((dnm + dfl)) -ge "$sent"

# ------------------------------------------------------------ still working
CURL_MAX_TIME=3 lab_snat_curl_loop 1 5 "$URL/whoami" >"$T/curl3.log" &
c1=$!
CURL_MAX_TIME=3 lab_snat_curl_loop 2 5 "$URL/whoami" >"$T/curl4.log" &
c2=$!
wait "$c1" "$c2" || true
lab_check_eq "after the probes: 10 more HTTP requests from both hosts answered" \
  "$(( $(lab_tally "$T/curl3.log" | lab_jget "r['ok']") + $(lab_tally "$T/curl4.log" | lab_jget "r['ok']") ))" 10

stats=$(lab_stats)
lab_check_cmp "stats snat_mappings counts the mappings made" "$(lab_jget "r['totals']['snat_mappings']" <<<"$stats")" -ge $((2 * N))
lab_check_cmp "stats snat_sessions counts the sessions made" "$(lab_jget "r['totals']['snat_sessions']" <<<"$stats")" -ge $((2 * N))
echo "# non-zero drops: $(lab_jget "{k: v for k, v in r['drops'].items() if v}" <<<"$stats")"
echo "# per worker: $(lab_jget "[(w['worker'], w['rx_packets'], w['steered_in'], w['steered_out'], {k: v for k, v in w['drops'].items() if v}) for w in r['workers']]" <<<"$stats")"

# ------------------------------------------------------------ rule removed
if out=$(slctl snat del --src "$LAB_SNAT_SRC" 2>&1); then
  lab_check_eq "snat del --src $LAB_SNAT_SRC; snat list empty" "$(slctl --json snat list | lab_jget "r['rules']")" "[]"
else
  lab_not_ok "snat del --src $LAB_SNAT_SRC" "$out"
fi

lab_test_end
