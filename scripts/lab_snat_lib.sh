# shellcheck shell=bash disable=SC2034
# (SC2034: the LAB_SNAT_* constants are for the scripts that source this file.)
# SPDX-License-Identifier: BSD-3-Clause
#
# The NAT-gateway (source NAT) namespace lab, on top of scripts/lab_lib.sh
# (sourced here: its harness, sluice start/stop, slctl and stats helpers all
# apply). Nothing runs on source; every function is bounded in time and
# touches only namespaces "$LAB_PREFIX-<role>" and files under $LAB_RUN.
#
# Topology (prefix P; the test uses slt-snat):
#
#   P-inI                          P-isw                P-gw (Sluice)           P-out
#   eth0 198.18.2.(9+I)/24 == isw-inI ]-br0-[ isw-gw == in0 (no IP)  out0 (no IP) == eth0 198.19.0.10/24
#   default via 198.18.2.1                                                          (and 198.19.0.20/24)
#
# Sluice owns 198.18.2.1 ("in") and 198.19.0.1 ("out") in its config, and
# answers ARP for the pool 198.19.0.100-198.19.0.101 once an SNAT rule names
# it. P-gw's kernel has no address and no IPv6. P-out has no route to
# 198.18.2.0/24 (no default route at all): the outside can only ever talk to
# pool addresses. 198.19.0.20 is a second outside address that no inside host
# ever contacts (filtering tests). MACs: 02:00:00:<2nd octet - 18>:<3rd>:<4th>
# of the address behind the interface (in0 02:00:00:00:02:01, in1 eth0
# 02:00:00:00:02:0a, out0 02:00:00:01:00:01, out eth0 02:00:00:01:00:0a).
#
# The outside server (scripts/lab_server.py --name out) in P-out: HTTP :8080
# (/whoami -> "out", /files/NAME, PUT /sha256), UDP :5353 echo; requests
# logged to $LAB_RUN/out.log with the peer address.
#
# Calls: what lab_lib.sh calls.

# shellcheck source=scripts/lab_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lab_lib.sh"

LAB_SLUICE_ROLE=gw
LAB_SNAT_IN_IP=198.18.2.1       # Sluice's "in" port
LAB_SNAT_OUT_IP=198.19.0.1      # Sluice's "out" port
LAB_SNAT_SERVER=198.19.0.10     # the outside server
LAB_SNAT_STRANGER=198.19.0.20   # a second outside address, never contacted from inside
LAB_SNAT_SRC=198.18.2.0/24
LAB_SNAT_POOL_FIRST=198.19.0.100
LAB_SNAT_POOL_LAST=198.19.0.101
LAB_SNAT_POOL=$LAB_SNAT_POOL_FIRST-$LAB_SNAT_POOL_LAST
LAB_SNAT_TOOL=$LAB_ROOT/scripts/lab_snat_tool.py

# lab_snat_host_ip I: address of inside host I (1 -> 198.18.2.10).
lab_snat_host_ip() { echo "198.18.2.$((9 + $1))"; }
lab_snat_hosts() { cat "$LAB_RUN/snat_hosts" 2>/dev/null || echo 0; }

# lab_snat_up [--hosts N] [--no-apps]: lab_down, then the topology above
# with N inside hosts (default 2), and the outside server unless --no-apps.
lab_snat_up() {
  local hosts=2 apps=1 i ns
  while [ $# -gt 0 ]; do
    case $1 in
      --hosts) hosts=$2; shift 2 ;;
      --no-apps) apps=0; shift ;;
      *) lab_die "lab_snat_up: unknown option $1"; return 1 ;;
    esac
  done
  if ! [[ $hosts =~ ^[1-8]$ ]]; then
    lab_die "--hosts must be 1..8"
    return 1
  fi
  [ "$(id -u)" -eq 0 ] || { lab_die "the lab needs root (network namespaces)"; return 1; }

  lab_down
  mkdir -p "$LAB_RUN/files"
  echo "$hosts" >"$LAB_RUN/snat_hosts"

  local gw isw out
  gw=$(lab_ns gw) isw=$(lab_ns isw) out=$(lab_ns out)
  local all=("$gw" "$isw" "$out")
  for (( i = 1; i <= hosts; i++ )); do all+=("$(lab_ns "in$i")"); done
  for ns in "${all[@]}"; do
    ip netns add "$ns" || { lab_die "ip netns add $ns failed"; return 1; }
    ip -n "$ns" link set lo up
    lab__sysctl "$ns" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done

  ip link add in0 netns "$gw" address 02:00:00:00:02:01 type veth peer name isw-gw netns "$isw"
  ip link add out0 netns "$gw" address 02:00:00:01:00:01 type veth \
    peer name eth0 netns "$out" address 02:00:00:01:00:0a
  ip -n "$isw" link add br0 type bridge forward_delay 0 stp_state 0
  ip -n "$isw" link set isw-gw master br0
  for (( i = 1; i <= hosts; i++ )); do
    ip link add eth0 netns "$(lab_ns "in$i")" address "$(printf '02:00:00:00:02:%02x' $((9 + i)))" \
      type veth peer name "isw-in$i" netns "$isw"
    ip -n "$isw" link set "isw-in$i" master br0
  done

  lab__offload_off "$gw" in0 || return 1
  lab__offload_off "$gw" out0 || return 1
  lab__offload_off "$out" eth0 || return 1
  lab__offload_off "$isw" isw-gw || return 1
  for (( i = 1; i <= hosts; i++ )); do
    lab__offload_off "$isw" "isw-in$i" || return 1
    lab__offload_off "$(lab_ns "in$i")" eth0 || return 1
  done

  ip -n "$gw" link set in0 up
  ip -n "$gw" link set out0 up
  ip -n "$isw" link set br0 up
  ip -n "$isw" link set isw-gw up
  ip -n "$out" addr add "$LAB_SNAT_SERVER/24" dev eth0
  ip -n "$out" addr add "$LAB_SNAT_STRANGER/24" dev eth0
  ip -n "$out" link set eth0 up
  for (( i = 1; i <= hosts; i++ )); do
    ns=$(lab_ns "in$i")
    ip -n "$isw" link set "isw-in$i" up
    ip -n "$ns" addr add "$(lab_snat_host_ip "$i")/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "$LAB_SNAT_IN_IP" dev eth0
  done

  lab_wait_until 5 "snat lab links up" lab__snat_links_up || return 1
  if [ $apps -eq 1 ]; then
    lab_snat_server_start || return 1
  fi
  lab_log "snat lab up: $hosts inside host(s); run dir $LAB_RUN"
}

lab__snat_links_up() {
  local i
  ip -n "$(lab_ns gw)" -o link show in0 | grep -q 'state UP' || return 1
  ip -n "$(lab_ns gw)" -o link show out0 | grep -q 'state UP' || return 1
  ip -n "$(lab_ns out)" -o link show eth0 | grep -q 'state UP' || return 1
  for (( i = 1; i <= $(lab_snat_hosts); i++ )); do
    ip -n "$(lab_ns "in$i")" -o link show eth0 | grep -q 'state UP' || return 1
  done
}

# The outside server in P-out (log $LAB_RUN/out.log, stderr out.err).
lab_snat_server_start() {
  lab_spawn ip netns exec "$(lab_ns out)" "$LAB_PY" "$LAB_ROOT/scripts/lab_server.py" --name out \
    --http-port "$LAB_HTTP_PORT" --udp-port "$LAB_UDP_PORT" \
    --files "$LAB_RUN/files" --log "$LAB_RUN/out.log" \
    </dev/null >"$LAB_RUN/out.err" 2>&1 &
  echo $! >"$LAB_RUN/out.pid"
  lab_wait_until 10 "outside server listening" lab__listening "$(lab_ns out)" \
    || { cat "$LAB_RUN/out.err" >&2; return 1; }
}

lab_snat_server_log() { echo "$LAB_RUN/out.log"; }

# lab_snat_config [PYTHON_STATEMENT...]: like lab_make_config (conf/lab.json,
# own socket and EAL file prefix, 2 workers, idle sleep), with ports "in"
# (in0, 198.18.2.1/24) and "out" (out0, 198.19.0.1/24), af_packet qpairs=2,
# no VIPs, local addresses or SNAT rules; then each statement on `c`.
#   lab_snat_config 'c["snat_options"] = {"timeouts": {"udp": 10}}'
lab_snat_config() {
  lab_make_config \
    'c["ports"] = [
       {"name": "in", "devargs": "net_af_packet0,iface=in0,qpairs=2,framecnt=4096", "ipv4": "198.18.2.1/24"},
       {"name": "out", "devargs": "net_af_packet1,iface=out0,qpairs=2,framecnt=4096", "ipv4": "198.19.0.1/24"}]' \
    'c["routes"] = []; c["local_addresses"] = []; c["neighbors"] = []; c["vips"] = []; c["snat"] = []' \
    "$@"
}

# lab_snat_rule_add [--filtering eif|adf]: the lab's rule, 198.18.2.0/24 ->
# the pool on "out", through sluicectl.
lab_snat_rule_add() {
  slctl snat add --src "$LAB_SNAT_SRC" --pool "$LAB_SNAT_POOL" --port out "$@"
}

# lab_snat_sessions [snat sessions args...]: the sessions array as JSON.
lab_snat_sessions() { slctl --json snat sessions --limit 10000 "$@" | lab_jget "r['sessions']"; }

# lab_snat_curl_loop I COUNT URL [GAP [curl args...]]: sequential curls from
# inside host I (scripts/lab_curl_loop.sh line format).
lab_snat_curl_loop() {
  local i=$1
  shift
  lab_exec "in$i" bash "$LAB_ROOT/scripts/lab_curl_loop.sh" "$@"
}

# lab_snat_curl I ARGS...: one bounded curl from inside host I.
lab_snat_curl() {
  local i=$1
  shift
  lab_exec "in$i" curl -sS --max-time "${CURL_MAX_TIME:-10}" --connect-timeout 4 -H 'Connection: close' "$@"
}

# lab_snat_tool ROLE ARGS...: scripts/lab_snat_tool.py in namespace ROLE.
lab_snat_tool() {
  local role=$1
  shift
  lab_exec "$role" "$LAB_PY" "$LAB_SNAT_TOOL" "$@"
}

# lab_snat_ping I ARGS...: lab_tool.py ping from inside host I.
lab_snat_ping() {
  local i=$1
  shift
  lab_exec "in$i" "$LAB_PY" "$LAB_TOOL" ping "$@"
}

# lab_snat_std_start [lab_snat_up args...] [-- config statements...]: snat
# lab up, config, sluice started in P-gw (a check).
lab_snat_std_start() {
  local up=() stmts=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do up+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  stmts=("$@")
  lab_snat_up "${up[@]}" || { lab_not_ok "snat lab up"; exit 1; }
  local cfg
  cfg=$(lab_snat_config "${stmts[@]}") || { lab_not_ok "make snat config"; exit 1; }
  if lab_sluice_start "$cfg"; then
    lab_ok "sluice started in $(lab_ns gw) and answers on its control socket"
  else
    lab_not_ok "sluice started in $(lab_ns gw) and answers on its control socket"
    exit 1
  fi
}
