#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# `make bench-e2e`: Sluice through the namespace lab (scripts/lab_lib.sh),
# side by side with the Linux kernel doing the same job on the same topology.
#
#   P-cli (198.18.0.1) -- wan0 [P-lb] lan0 -- P-sw bridge -- P-rs1, P-rs2
#
# For each mode, on a fresh lab each time:
#   cps   short TCP connections per second: wrk from P-cli, one HTTP request
#         per connection (Connection: close, the server closes first), to
#         VIP 198.18.0.100:80, round robin over rs1/rs2:8080 (e2e_httpd.c)
#   bulk  bulk TCP throughput: two iperf3 clients at once, VIP:5201 -> rs1:5201
#         and VIP:5202 -> rs2:5201 (one service per server, because iperf3's
#         control and data connections must reach the same server)
# Modes (a function set per mode, see "Modes" below; add one to compare
# another driver):
#   kernel     P-lb's kernel: addresses on wan0/lan0, owns the VIP and the
#              local address 198.18.1.3, ip_forward=1, nftables DNAT
#              (numgen inc mod 2) + SNAT to 198.18.1.3; no sluice
#   af_packet  Sluice on net_af_packet, 2 workers, conf/lab.json with the idle
#              sleep tuned (E2E_IDLE_SLEEP_US / E2E_IDLE_EMPTY_POLLS)
#   af_xdp     Sluice on net_af_xdp with its XDP program, the same settings
#              but 1 worker: DPDK 22.11's af_xdp PMD gives veth one queue
#              (scripts/lab_drivers.sh, lab_cfg_af_xdp)
#
# Modes run alternately for E2E_ROUNDS rounds (the machine is shared: load
# from elsewhere comes and goes); figures are the median over the rounds
# (every round is in the JSON). Prints a table with each figure and the
# ratio to the kernel; writes build/bench-e2e.json (E2E_JSON).
#
# Knobs (environment): E2E_SECONDS (per measurement, default 6), E2E_ROUNDS
# (3), E2E_MODES ("kernel af_packet af_xdp"), E2E_CONNS (wrk connections, 32),
# E2E_IDLE_SLEEP_US (20), E2E_IDLE_EMPTY_POLLS (256), E2E_AF_PACKET_EXTRA
# (appended to the af_packet devargs, e.g. ",framecnt=4096"), E2E_PREFIX (lab
# prefix, "slb-e2e"), E2E_JSON. Needs root, wrk, iperf3, nft (scripts/deps.sh),
# build/sluice; builds build/e2e_httpd from tests/perf/e2e_httpd.c.
# Traffic stays between the lab's namespaces, in 198.18.0.0/15; every step
# is bounded in time; the lab is torn down on exit.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
# shellcheck source=scripts/lab_lib.sh
. scripts/lab_lib.sh
lab_set_prefix "${E2E_PREFIX:-slb-e2e}"

SECS=${E2E_SECONDS:-6}
ROUNDS=${E2E_ROUNDS:-3}
read -r -a MODES <<<"${E2E_MODES:-kernel af_packet af_xdp}"
CONNS=${E2E_CONNS:-32}
IDLE_US=${E2E_IDLE_SLEEP_US:-20}
IDLE_POLLS=${E2E_IDLE_EMPTY_POLLS:-256}
JSON_OUT=${E2E_JSON:-build/bench-e2e.json}
AFP_EXTRA=${E2E_AF_PACKET_EXTRA:-}   # e.g. ",framecnt=4096" appended to the devargs
HTTPD=build/e2e_httpd
VIP=$LAB_VIP
RS1=$(lab_rs_ip 1)
RS2=$(lab_rs_ip 2)

log() { echo "[e2e] $*" >&2; }
die() { log "error: $*"; exit 1; }

T=$(mktemp -d /tmp/sluice-e2e.XXXXXX)
RESULTS=$T/results.jsonl
: >"$RESULTS"

on_exit() {
  local st=$?
  trap - EXIT
  set +e
  [ -n "${LAB_SLUICE_PID:-}" ] && lab_sluice_stop >/dev/null 2>&1
  lab_down
  rm -rf "$T"
  exit $st
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------ prerequisites

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
for b in wrk iperf3 nft gcc; do
  command -v "$b" >/dev/null || die "$b missing (make deps installs it)"
done
lab_require_binaries || die "run make all first"
mkdir -p build
if [ ! -x "$HTTPD" ] || [ tests/perf/e2e_httpd.c -nt "$HTTPD" ]; then
  gcc -O2 -Wall -Wextra -Werror -o "$HTTPD" tests/perf/e2e_httpd.c || die "cannot build $HTTPD"
fi

# ------------------------------------------------------------ observation
#
# CPU: /proc/stat over a measurement (the whole machine: the lab, and anything
# else running on it), and a process's utime/stime from /proc/PID/stat.

cpu_sample() { head -n1 /proc/stat; }
# cpu_delta BEFORE AFTER: JSON {busy, user, system, softirq, idle} in % of
# all CPUs over the interval.
cpu_delta() {
  "$LAB_PY" - "$1" "$2" <<'PY'
import json, sys
a = [int(x) for x in sys.argv[1].split()[1:]]
b = [int(x) for x in sys.argv[2].split()[1:]]
d = [y - x for x, y in zip(a, b)]
tot = sum(d[:8]) or 1
user, nice, system, idle, iowait, irq, softirq, steal = d[:8]
pct = lambda v: round(100.0 * v / tot, 1)
print(json.dumps({"busy": pct(tot - idle - iowait), "user": pct(user + nice),
                  "system": pct(system), "softirq": pct(softirq + irq),
                  "idle": pct(idle + iowait), "steal": pct(steal)}))
PY
}
proc_ticks() { awk '{print $14, $15}' "/proc/$1/stat" 2>/dev/null || echo "0 0"; }
# proc_delta "UT ST" "UT ST" SECONDS: JSON {user, system} in % of one CPU.
proc_delta() {
  "$LAB_PY" - "$1" "$2" "$3" "$(getconf CLK_TCK)" <<'PY'
import json, sys
a = [int(x) for x in sys.argv[1].split()]
b = [int(x) for x in sys.argv[2].split()]
secs, hz = float(sys.argv[3]), float(sys.argv[4])
print(json.dumps({"user": round(100 * (b[0] - a[0]) / hz / secs, 1),
                  "system": round(100 * (b[1] - a[1]) / hz / secs, 1)}))
PY
}

# ------------------------------------------------------------ lab and servers

lab_fresh() {
  lab_up --servers 2 --no-apps >/dev/null 2>&1 || { lab_up --servers 2 --no-apps; die "lab up failed"; }
  local i ns
  HTTPD_PIDS=()
  for i in 1 2; do
    ns=$(lab_ns "rs$i")
    ip netns exec "$ns" timeout 900 "$ROOT/$HTTPD" "$LAB_HTTP_PORT" "rs$i" 800 \
      </dev/null >"$LAB_RUN/httpd$i.log" 2>&1 &
    HTTPD_PIDS+=($!)
    ip netns exec "$ns" timeout 900 iperf3 -s -p 5201 \
      </dev/null >"$LAB_RUN/iperf3s$i.log" 2>&1 &
    # Server sockets end in TIME_WAIT: let the servers reuse them quickly.
    lab__sysctl "$ns" net.ipv4.tcp_tw_reuse=1 net.core.somaxconn=4096
  done
  # The client opens one connection per request: a wide port range.
  lab__sysctl "$(lab_ns cli)" net.ipv4.ip_local_port_range="1024 65535"
  for i in 1 2; do
    lab_wait_until 10 "rs$i listening" e2e_listening "$(lab_ns "rs$i")" || die "servers did not start"
  done
}
e2e_listening() {
  [ -n "$(ip netns exec "$1" ss -Hltn "sport = :$LAB_HTTP_PORT")" ] &&
    [ -n "$(ip netns exec "$1" ss -Hltn "sport = :5201")" ]
}

# ------------------------------------------------------------ modes
#
# A mode NAME is three functions:
#   mode_NAME_start   make P-lb balance VIP:80 (rr over rs1/rs2:8080),
#                     VIP:5201 -> rs1:5201 and VIP:5202 -> rs2:5201 with
#                     SNAT to 198.18.1.3; set MODE_PID to the process that
#                     does it ("" for the kernel)
#   mode_NAME_stats   print a JSON object of counters (taken before and after
#                     each measurement; the report shows the differences)
#   mode_NAME_stop    undo (the lab is rebuilt after each mode anyway)
# and a line in mode_label. A Sluice mode on another driver only needs its
# own start function calling sluice_mode_start with its devargs.

mode_label() {
  case $1 in
    kernel) echo "kernel (nftables)" ;;
    af_packet) echo "sluice af_packet" ;;
    af_xdp) echo "sluice af_xdp (1 worker)" ;;
    *) echo "$1" ;;
  esac
}

# --- kernel: nftables DNAT + SNAT, as an LVS-style full NAT would do.
mode_kernel_start() {
  local lb
  lb=$(lab_ns lb)
  ip -n "$lb" addr add "$LAB_WAN_IP/24" dev wan0
  ip -n "$lb" addr add "$VIP/32" dev wan0
  ip -n "$lb" addr add "$LAB_LAN_IP/24" dev lan0
  ip -n "$lb" addr add "$LAB_LIP/32" dev lan0
  lab__sysctl "$lb" net.ipv4.ip_forward=1
  ip netns exec "$lb" nft -f - <<EOF || return 1
table ip e2e {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr $VIP tcp dport 80 dnat to numgen inc mod 2 map { 0 : $RS1, 1 : $RS2 } : $LAB_HTTP_PORT
    ip daddr $VIP tcp dport 5201 dnat to $RS1:5201
    ip daddr $VIP tcp dport 5202 dnat to $RS2:5201
  }
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "lan0" ip daddr 198.18.1.0/24 snat to $LAB_LIP
  }
}
EOF
  # The same TCP timeouts as Sluice's conf/lab.json, so that conntrack (the
  # kernel's table for this job) does not keep TIME_WAIT entries for 120 s.
  # These sysctls exist once the NAT table has loaded conntrack.
  lab__sysctl "$lb" net.netfilter.nf_conntrack_tcp_timeout_time_wait=2 \
    net.netfilter.nf_conntrack_tcp_timeout_close=2 \
    net.netfilter.nf_conntrack_tcp_timeout_fin_wait=5 \
    net.netfilter.nf_conntrack_tcp_timeout_close_wait=5 \
    net.netfilter.nf_conntrack_tcp_timeout_last_ack=5 \
    net.netfilter.nf_conntrack_tcp_timeout_syn_sent=5 \
    net.netfilter.nf_conntrack_tcp_timeout_syn_recv=5 \
    net.netfilter.nf_conntrack_tcp_timeout_established=60 || return 1
  MODE_PID=
}
mode_kernel_stats() {
  local lb
  lb=$(lab_ns lb)
  ip netns exec "$lb" "$LAB_PY" - <<'PY'
import json
def rd(p):
    try: return int(open(p).read())
    except OSError: return 0
out = {"conntrack_count": rd("/proc/sys/net/netfilter/nf_conntrack_count")}
for l in open("/proc/net/dev").readlines()[2:]:
    name, rest = l.split(":", 1)
    f = [int(x) for x in rest.split()]
    name = name.strip()
    if name in ("wan0", "lan0"):
        out[name + "_rx_packets"] = f[1]; out[name + "_rx_drop"] = f[3]
        out[name + "_tx_packets"] = f[9]; out[name + "_tx_drop"] = f[11]
print(json.dumps(out))
PY
}
mode_kernel_stop() {
  local lb
  lb=$(lab_ns lb)
  ip netns exec "$lb" nft delete table ip e2e 2>/dev/null
  lab__sysctl "$lb" net.ipv4.ip_forward=0
  ip -n "$lb" addr flush dev wan0
  ip -n "$lb" addr flush dev lan0
  return 0
}

# --- Sluice on a DPDK driver: sluice_mode_start WAN_DEVARGS LAN_DEVARGS [WORKERS].
sluice_mode_start() {
  local wan=$1 lan=$2 workers=${3:-2} cfg
  cfg=$(lab_make_config \
    "c['workers'] = $workers" \
    "c['idle'] = {'sleep_us': $IDLE_US, 'empty_polls': $IDLE_POLLS}" \
    "c['log_level'] = 'warn'" \
    "c['ports'][0]['devargs'] = '$wan'" \
    "c['ports'][1]['devargs'] = '$lan'") || return 1
  rm -f "$T/pktsock.json"
  lab_sluice_start "$cfg" 2>>"$T/sluice-start.log" || { cat "$T/sluice-start.log" >&2; return 1; }
  slctl vip add "$VIP:80" --sched rr >/dev/null &&
    slctl rs add "$VIP:80" "$RS1:$LAB_HTTP_PORT" >/dev/null &&
    slctl rs add "$VIP:80" "$RS2:$LAB_HTTP_PORT" >/dev/null &&
    slctl vip add "$VIP:5201" --sched rr >/dev/null &&
    slctl rs add "$VIP:5201" "$RS1:5201" >/dev/null &&
    slctl vip add "$VIP:5202" --sched rr >/dev/null &&
    slctl rs add "$VIP:5202" "$RS2:5201" >/dev/null || return 1
  MODE_PID=$LAB_SLUICE_PID
}
sluice_mode_stats() {
  # Per-worker counters and the non-zero drops, plus what P-lb's own kernel
  # did with the frames it also receives (af_packet taps, it does not steal).
  local s k
  s=$(lab_stats) || s='{}'
  k=$(ip netns exec "$(lab_ns lb)" nstat -az 2>/dev/null | awk '$1 ~ /^(IpInReceives|IpInAddrErrors|IpInDiscards|IpExtInNoRoutes|IpOutRequests)$/ {printf "\"%s\": %s, ", $1, $2}')
  # Frames the kernel could not put in a full RX ring (DPDK does not say).
  k+=$("$LAB_PY" tests/perf/e2e_stats.py pktsock "$LAB_SLUICE_PID" "$T/pktsock.json" | sed 's/^{//; s/}$/, /')
  "$LAB_PY" -c '
import json, sys
r = json.loads(sys.argv[1]); r = r.get("result", r)
out = {}
for w in r.get("workers", []):
    for k in ("rx_packets", "tx_packets", "idle_sleeps", "steered_out", "steered_in", "conns_created", "drops"):
        v = w.get(k, 0)
        if isinstance(v, dict): v = sum(v.values())
        out["w%d_%s" % (w.get("worker", 0), k)] = v
for k, v in r.get("drops", {}).items():
    if v: out["drop_" + k] = v
out.update(json.loads("{" + sys.argv[2].rstrip(", ") + "}"))
out = {("lbkernel_" + k if k[0].isupper() else k): v for k, v in out.items()}
print(json.dumps(out))' "$s" "$k"
}
sluice_mode_stop() {
  lab_sluice_stop >/dev/null 2>&1 || log "sluice did not stop cleanly (status ${LAB_SLUICE_STATUS:-?})"
  return 0
}

mode_af_packet_start() {
  sluice_mode_start "net_af_packet0,iface=wan0,qpairs=2$AFP_EXTRA" "net_af_packet1,iface=lan0,qpairs=2$AFP_EXTRA"
}
mode_af_packet_stats() { sluice_mode_stats; }
mode_af_packet_stop() { sluice_mode_stop; }

mode_af_xdp_start() {
  sluice_mode_start "net_af_xdp0,iface=wan0" "net_af_xdp1,iface=lan0" 1
}
mode_af_xdp_stats() { sluice_mode_stats; }
mode_af_xdp_stop() { sluice_mode_stop; }

# ------------------------------------------------------------ measurements

# TCP counters of the client and the servers (summed), for every mode: they
# tell loss (retransmits) from reordering (out-of-order queue, DSACKs).
tcp_stats() {
  local c r1 r2
  c=$(lab_exec cli "$LAB_PY" tests/perf/e2e_stats.py tcp) || c='{}'
  r1=$(lab_exec rs1 "$LAB_PY" tests/perf/e2e_stats.py tcp) || r1='{}'
  r2=$(lab_exec rs2 "$LAB_PY" tests/perf/e2e_stats.py tcp) || r2='{}'
  "$LAB_PY" -c '
import json, sys
c, r1, r2 = (json.loads(x) for x in sys.argv[1:4])
out = {"cli_" + k: v for k, v in c.items()}
out.update({"rs_" + k: r1.get(k, 0) + r2.get(k, 0) for k in set(r1) | set(r2)})
print(json.dumps(out))' "$c" "$r1" "$r2"
}

# all_stats MODE: the mode's counters and the TCP counters, one JSON object.
all_stats() {
  "$LAB_PY" -c 'import json, sys; a = json.loads(sys.argv[1] or "{}"); a.update(json.loads(sys.argv[2] or "{}")); print(json.dumps(a))' \
    "$("mode_${1}_stats")" "$(tcp_stats)"
}

# observe MODE CMD...: run CMD (the load) while sampling the machine's CPU,
# the mode's process and the counters; writes one JSON object {elapsed, cpu,
# proc, stats_before, stats_after} to the file $OBS.
observe() {
  local mode=$1
  shift
  local c0 c1 p0 p1 s0 s1 t0 t1
  s0=$(all_stats "$mode")
  c0=$(cpu_sample)
  [ -n "$MODE_PID" ] && p0=$(proc_ticks "$MODE_PID")
  t0=$(date +%s.%N)
  "$@"
  local rc=$?
  t1=$(date +%s.%N)
  c1=$(cpu_sample)
  [ -n "$MODE_PID" ] && p1=$(proc_ticks "$MODE_PID")
  s1=$(all_stats "$mode")
  local el cpu proc='null'
  el=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
  cpu=$(cpu_delta "$c0" "$c1")
  [ -n "$MODE_PID" ] && proc=$(proc_delta "$p0" "$p1" "$el")
  printf '{"elapsed": %s, "cpu": %s, "proc": %s, "stats_before": %s, "stats_after": %s}\n' \
    "$el" "$cpu" "$proc" "${s0:-null}" "${s1:-null}" >"$OBS"
  return $rc
}

run_wrk() {
  lab_exec cli timeout $((SECS + 15)) wrk -t1 -c"$CONNS" -d"${SECS}s" --timeout 2s \
    -H 'Connection: close' "http://$VIP/" >"$T/wrk.out" 2>&1
}
run_iperf() {
  lab_exec cli timeout $((SECS + 15)) iperf3 -c "$VIP" -p 5201 -t "$SECS" -J >"$T/iperf1.json" 2>&1 &
  local a=$!
  lab_exec cli timeout $((SECS + 15)) iperf3 -c "$VIP" -p 5202 -t "$SECS" -J >"$T/iperf2.json" 2>&1 &
  local b=$!
  local ra=0 rb=0
  wait $a || ra=$?
  wait $b || rb=$?
  [ $ra -eq 0 ] && [ $rb -eq 0 ]
}

# measure ROUND MODE: one mode on a fresh lab; appends a JSON line to RESULTS.
measure() {
  local round=$1 mode=$2
  log "round $round: $(mode_label "$mode"): lab up"
  lab_fresh
  MODE_PID=
  "mode_${mode}_start" || die "$mode: start failed"
  # Warm-up: ARP, first connections, CPU frequency.
  lab_exec cli timeout 10 wrk -t1 -c4 -d1s -H 'Connection: close' "http://$VIP/" >/dev/null 2>&1
  lab_exec cli timeout 10 curl -sS --max-time 3 "http://$VIP/" >/dev/null || log "$mode: warm-up request failed"

  log "round $round: $(mode_label "$mode"): connections/s (wrk -c$CONNS, ${SECS}s)"
  OBS=$T/obs-cps.json
  observe "$mode" run_wrk || log "$mode: wrk failed: $(tail -n 3 "$T/wrk.out")"
  cp "$T/wrk.out" "$T/wrk-$round-$mode.out"
  local cps_obs
  cps_obs=$(cat "$OBS")
  sleep 1

  log "round $round: $(mode_label "$mode"): bulk (2 x iperf3, ${SECS}s)"
  OBS=$T/obs-bulk.json
  observe "$mode" run_iperf || log "$mode: iperf3 failed: $(head -c 300 "$T/iperf1.json") $(head -c 300 "$T/iperf2.json")"
  local bulk_obs
  bulk_obs=$(cat "$OBS")

  "mode_${mode}_stop"
  # Served per server (printed by e2e_httpd on SIGTERM) shows the balance.
  lab_kill_pids 5 "${HTTPD_PIDS[@]}"
  "$LAB_PY" tests/perf/e2e_report.py record --round "$round" --mode "$mode" \
    --label "$(mode_label "$mode")" --wrk "$T/wrk.out" \
    --iperf "$T/iperf1.json" "$T/iperf2.json" \
    --httpd "$LAB_RUN/httpd1.log" "$LAB_RUN/httpd2.log" \
    --cps-obs "$cps_obs" --bulk-obs "$bulk_obs" >>"$RESULTS" || die "cannot parse results"
  tail -n1 "$RESULTS" | "$LAB_PY" -c 'import json,sys; r=json.load(sys.stdin); print("[e2e]   -> %.0f conn/s (errors %d), %.2f Gbit/s" % (r["cps"], r["cps_errors"], r["bulk_gbps"]))' >&2
  lab_down
}

# ------------------------------------------------------------ main

log "prefix $LAB_PREFIX, modes: ${MODES[*]}, $ROUNDS round(s), ${SECS}s per measurement"
for m in "${MODES[@]}"; do
  declare -F "mode_${m}_start" >/dev/null || die "unknown mode $m"
done
# What else the machine is doing (it is shared): 2 s before we start.
bg0=$(cpu_sample)
sleep 2
bg1=$(cpu_sample)
BACKGROUND=$(cpu_delta "$bg0" "$bg1")
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
log "background before the run: $BACKGROUND, loadavg $LOADAVG"

for (( r = 1; r <= ROUNDS; r++ )); do
  for m in "${MODES[@]}"; do
    measure "$r" "$m"
  done
done

"$LAB_PY" tests/perf/e2e_report.py report --results "$RESULTS" --json "$JSON_OUT" \
  --seconds "$SECS" --conns "$CONNS" --idle "$IDLE_US" "$IDLE_POLLS" \
  --background "$BACKGROUND" --loadavg "$LOADAVG" --cpus "$(nproc)" \
  --cpu-model "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)" \
  --modes "${MODES[@]}"
