# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The cluster lab (issue 16; sourced by scripts/lab_lib.sh, source that
# one): a router running BIRD 2 with ECMP and BFD between the client and
# three Sluice nodes, each with its own BIRD over its port's exception
# tap, and two real servers behind the router.
#
#   P-cli                 P-rt (BIRD, ECMP)                 P-nI (Sluice + BIRD)
#   cli0 198.18.10.1/24 == r-cli 198.18.10.254/24
#                          br-n 198.18.0.254/24 ]--------== wan0: Sluice's port 198.18.0.1I
#                                                           sl-wan (tap): kernel 198.18.0.2I/24
#                          br-s 198.18.1.254/24 ]--== P-rsI eth0 198.18.1.(10+I)/24
#                          br-y (no address)   ]--------== sync0 198.18.5.1I/24 (kernel)
#
# Each node is one-armed: VIP 198.18.2.100 and its local address
# 198.18.3.1I reach it only by the routes its BIRD announces (BGP, AS
# 65001, to the router, AS 65000); its servers are reached through the
# router, which sends their replies back by the local address's route.
# The router's kernel merges the nodes' paths (fib_multipath_hash_policy
# 1: ports hashed too). Sluice: af_packet, one worker, idle back-off,
# "announce": {"table": 100}. BIRD runs per namespace with its own
# config, socket and pid file under $LAB_RUN/<role>/ (never the
# package's service).
#
# Session sync (ctrl/cluster/): each node's "cluster" block names the
# other two as peers with their local addresses; sync datagrams go over
# br-y, a bridge of its own in P-rt that routes nothing, between the
# nodes' kernel addresses on sync0 (the control plane's UDP socket, not
# Sluice's port). The shared key is $LAB_RUN/cluster.key: 32 random
# bytes, mode 0600, made afresh by each lab_cluster_up.

LAB_CL_VIP=198.18.2.100
LAB_CL_NODES=3
LAB_CL_TABLE=100

lab_cl_node_ip() { echo "198.18.0.$((10 + $1))"; }  # Sluice's port
lab_cl_host_ip() { echo "198.18.0.$((20 + $1))"; }  # its kernel's, on the tap: BGP
lab_cl_lip() { echo "198.18.3.$((10 + $1))"; }
lab_cl_sync_ip() { echo "198.18.5.$((10 + $1))"; }  # its kernel's, on sync0
lab_cl_key() { echo "$LAB_RUN/cluster.key"; }
lab_cl_dir() { echo "$LAB_RUN/$1"; }
lab_cl_sock() { echo "$LAB_RUN/n$1/sluice.sock"; }
# sluicectl on node I.
lab_cl_ctl() { local i=$1; shift; timeout 15 "$SLUICECTL" -s "$(lab_cl_sock "$i")" "$@"; }
lab_cl_birdc() { local role=$1; shift; timeout 5 birdc -s "$(lab_cl_dir "$role")/bird.ctl" "$@"; }

lab__cl_veth() { # NS-A IF-A NS-B IF-B [MAC-A]
  ip link add "$2" netns "$1" ${5:+address "$5"} type veth peer name "$4" netns "$3"
  lab__offload_off "$1" "$2"
  lab__offload_off "$3" "$4"
}

lab_cluster_up() {
  local cli rt i ns
  [ "$(id -u)" -eq 0 ] || { lab_die "the lab needs root (network namespaces)"; return 1; }
  command -v bird >/dev/null || { lab_die "bird (Debian bird2) is not installed: scripts/deps.sh"; return 1; }
  lab_down
  mkdir -p "$LAB_RUN/files" "$(lab_cl_dir rt)"
  echo 2 >"$LAB_RUN/servers"
  cli=$(lab_ns cli) rt=$(lab_ns rt)
  for ns in "$cli" "$rt" "$(lab_ns rs1)" "$(lab_ns rs2)"; do
    ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
    lab__sysctl "$ns" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  lab__sysctl "$rt" net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1
  lab__cl_veth "$cli" cli0 "$rt" r-cli
  ip -n "$cli" addr add 198.18.10.1/24 dev cli0
  ip -n "$cli" link set cli0 up
  ip -n "$cli" route add default via 198.18.10.254
  ip -n "$rt" addr add 198.18.10.254/24 dev r-cli
  ip -n "$rt" link set r-cli up
  for br in br-n br-s br-y; do
    ip -n "$rt" link add "$br" type bridge forward_delay 0 stp_state 0
    ip -n "$rt" link set "$br" up
  done
  ip -n "$rt" addr add 198.18.0.254/24 dev br-n
  ip -n "$rt" addr add 198.18.1.254/24 dev br-s
  for i in 1 2; do
    ns=$(lab_ns "rs$i")
    lab__cl_veth "$ns" eth0 "$rt" "s-rs$i" "$(printf '02:00:00:00:01:%02x' $((10 + i)))"
    ip -n "$rt" link set "s-rs$i" master br-s up
    ip -n "$ns" addr add "$(lab_rs_ip "$i")/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via 198.18.1.254
  done
  (umask 077 && head -c 32 /dev/urandom >"$(lab_cl_key)") || return 1
  for (( i = 1; i <= LAB_CL_NODES; i++ )); do lab__cl_node_net "$i" || return 1; done
  lab__cl_bird_router || return 1
  lab_servers_start || return 1
  lab_log "cluster up: router, $LAB_CL_NODES nodes, 2 servers; run dir $LAB_RUN"
}

# Node I's namespace: wan0 on the router's br-n. Its kernel must leave
# wan0 to Sluice: strict rp_filter and arp_ignore, so only the tap's
# address answers (through Sluice's exception path).
lab__cl_node_net() {
  local i=$1 ns
  ns=$(lab_ns "n$i")
  mkdir -p "$(lab_cl_dir "n$i")"
  ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
  lab__sysctl "$ns" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
    net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.default.rp_filter=1 \
    net.ipv4.conf.all.arp_ignore=1
  lab__cl_veth "$ns" wan0 "$(lab_ns rt)" "n-n$i" "$(printf '02:00:00:00:00:%02x' $((10 + i)))"
  ip -n "$(lab_ns rt)" link set "n-n$i" master br-n up
  ip -n "$ns" link set wan0 up
  lab__cl_veth "$ns" sync0 "$(lab_ns rt)" "y-n$i"
  ip -n "$(lab_ns rt)" link set "y-n$i" master br-y up
  ip -n "$ns" addr add "$(lab_cl_sync_ip "$i")/24" dev sync0
  ip -n "$ns" link set sync0 up
}

lab__cl_bird_router() {
  local d
  d=$(lab_cl_dir rt)
  cp "$LAB_ROOT/conf/bird-router.conf" "$d/bird.conf"
  lab__cl_bird_start rt
}

lab__cl_bird_start() {
  local role=$1 d
  d=$(lab_cl_dir "$role")
  ip netns exec "$(lab_ns "$role")" bird -c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid" \
    >>"$d/bird.log" 2>&1 || { lab_die "bird in $role did not start: $(tail -n 3 "$d/bird.log")"; return 1; }
}

# lab_cluster_config I [python statements on c...]: node I's config file.
# Its "cluster" block: node nI, the other nodes as peers (name, sync
# address, local address) in PEERS.
lab_cluster_config() {
  local i=$1 out j peers=""
  shift
  out=$(lab_cl_dir "n$i")/sluice.json
  for (( j = 1; j <= LAB_CL_NODES; j++ )); do
    [ "$j" -eq "$i" ] || peers="$peers n$j,$(lab_cl_sync_ip "$j"),$(lab_cl_lip "$j")"
  done
  "$LAB_PY" - "$out" "$(lab_cl_sock "$i")" "sl-lab-$LAB_PREFIX-n$i" "$(lab_cl_node_ip "$i")" \
    "$(lab_cl_lip "$i")" "$LAB_CL_VIP" "$LAB_CL_TABLE" "$(lab_cl_host_ip "$i")" \
    "n$i" "$(lab_cl_sync_ip "$i")" "$(lab_cl_key)" "$peers" "$@" <<'PY' || return 1
import json, sys
out, sock, fprefix, ip, lip, vip, table, host, node, sync_ip, key, peers = sys.argv[1:13]
c = {
    "eal": ["--no-huge", "-m", "256", "--no-pci", "--file-prefix", fprefix, "--no-telemetry"],
    "workers": 1, "log_level": "info",
    "control": {"socket": sock},
    "idle": {"sleep_us": 100, "empty_polls": 32},
    "conn_table": {"max_connections": 16384},
    "announce": {"table": int(table)},
    "ports": [{"name": "wan", "devargs": "net_af_packet0,iface=wan0,qpairs=1,framecnt=2048",
               "ipv4": ip + "/24",
               "exception": {"device": "net_tap", "addresses": [host + "/24"],
                             "routes": [{"prefix": "198.18.1.0/24", "via": "198.18.0.254"}]}}],
    "routes": [{"prefix": "198.18.1.0/24", "via": "198.18.0.254"},
               {"prefix": "198.18.10.0/24", "via": "198.18.0.254"}],
    "local_addresses": [{"ip": lip, "port": "wan"}],
    "vips": [{"vip": vip, "port": 80, "scheduler": "mh",
              "health_check": {"type": "tcp", "port": 8080, "interval_ms": 200,
                               "timeout_ms": 150, "rise": 1, "fall": 1},
              "real_servers": [{"ip": "198.18.1.11", "port": 8080},
                               {"ip": "198.18.1.12", "port": 8080}]}],
    "cluster": {"node": node, "sync": {"address": sync_ip, "port": 8848},
                "key_file": key,
                "peers": [{"name": n, "address": a, "local_addresses": [l]}
                          for n, a, l in (p.split(",") for p in peers.split())]},
}
for stmt in sys.argv[13:]:
    exec(stmt, {}, {"c": c})
json.dump(c, open(out, "w"), indent=2)
PY
  echo "$out"
}

# lab_cluster_node_start I [config statements...]: Sluice, then BIRD, in
# P-nI; waits until Sluice answers and its tap is up.
lab_cluster_node_start() {
  local i=$1 cfg d ns k
  shift
  d=$(lab_cl_dir "n$i") ns=$(lab_ns "n$i")
  cfg=$(lab_cluster_config "$i" "$@") || return 1
  lab_spawn ip netns exec "$ns" "$SLUICE" -c "$cfg" </dev/null >>"$d/sluice.log" 2>&1 &
  echo $! >"$d/sluice.pid"
  for (( k = 0; k < 100; k++ )); do
    lab_cl_ctl "$i" stats >/dev/null 2>&1 && break
    lab_pid_alive "$(cat "$d/sluice.pid")" || { lab_die "sluice on n$i exited: $(tail -n 5 "$d/sluice.log")"; return 1; }
    sleep 0.2
  done
  lab_cl_ctl "$i" stats >/dev/null 2>&1 || { lab_die "sluice on n$i does not answer"; return 1; }
  ip -n "$ns" link set sl-wan up 2>/dev/null
  sed -e "s/198\.18\.0\.21/$(lab_cl_host_ip "$i")/g" "$LAB_ROOT/conf/bird-node.conf" >"$d/bird.conf"
  lab__cl_bird_start "n$i" || return 1
  # The router gave up on this peer while it did not exist: try now.
  lab_cl_birdc rt restart "node$i" >/dev/null
}

# lab_cluster_node_stop I: SIGTERM to Sluice (it withdraws its routes),
# then its BIRD. 0 when Sluice exited with status 0.
lab_cluster_node_stop() {
  local i=$1 d pid st=0
  d=$(lab_cl_dir "n$i")
  pid=$(cat "$d/sluice.pid" 2>/dev/null) || return 0
  kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || st=$?
  [ -r "$d/bird.pid" ] && lab_kill_pids 5 "$(cat "$d/bird.pid")"
  rm -f "$d/sluice.pid"
  return $st
}

# lab_cluster_kill I: node I dies hard: kill -9 of every process in
# P-nI (Sluice, BIRD, anything else), nothing withdrawn. The namespace
# and its links stay, so the router notices only when BFD times out and
# the peers only when sync heartbeats stop.
lab_cluster_kill() {
  local i=$1 ns pids k
  ns=$(lab_ns "n$i")
  mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
  [ ${#pids[@]} -gt 0 ] || { lab_die "nothing runs in $ns"; return 1; }
  kill -KILL "${pids[@]}" 2>/dev/null
  for (( k = 0; k < 50; k++ )); do
    [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
    sleep 0.1
  done
  # Reap Sluice if this shell started it (no zombie for lab_down).
  { wait "$(cat "$(lab_cl_dir "n$i")/sluice.pid" 2>/dev/null)"; } 2>/dev/null || true
  rm -f "$(lab_cl_dir "n$i")/sluice.pid" "$(lab_cl_dir "n$i")/bird.pid"
  [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] || { lab_die "processes left in $ns after kill -9"; return 1; }
}

# The router's kernel route to PREFIX: its next hops, one per line
# ("" when there is none).
lab_cl_nexthops() {
  ip -n "$(lab_ns rt)" route show "$1/32" | grep -o 'via [0-9.]*' | awk '{print $2}' | sort
}
lab_cl_paths() { lab_cl_nexthops "$1" | grep -c . || true; }
