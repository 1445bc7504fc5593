# shellcheck shell=bash disable=SC2034
# (SC2034: the LAB_* constants are for the scripts that source this file.)
# SPDX-License-Identifier: BSD-3-Clause
#
# The namespace lab as a library: sourced by scripts/lab.sh, scripts/demo.sh
# and tests/e2e/test_*.sh. Nothing runs on source; every function is bounded
# in time, and touches only namespaces named "$LAB_PREFIX-<role>" and files
# under $LAB_RUN.
#
# Topology (prefix P, default "sl"):
#
#   P-cli                P-lb (Sluice)               P-sw                 P-rsI
#   cli0 198.18.0.1/24 == wan0 (no IP)  lan0 (no IP) == sw-lb ]-br0-[ sw-rsI == eth0 198.18.1.(10+I)/24
#
# Sluice owns 198.18.0.2 (wan) and 198.18.1.2 (lan) in its config, with local
# address 198.18.1.3. P-lb's kernel has no address and no IPv6, so only Sluice
# answers there. MACs are fixed: 02:00:00:00:<3rd octet>:<4th octet> of the
# address behind the interface (wan0 02:00:00:00:00:02, lan0 02:00:00:00:01:02,
# rs1 eth0 02:00:00:00:01:0b, ...), as in ctrl/README.md's examples.
#
# Real servers (scripts/lab_server.py) in each P-rsI: HTTP :8080 (/whoami ->
# "rsI"), UDP :5353 (echo with "rsI:" prefix); requests logged to
# $LAB_RUN/rsI.log with the peer address.
#
# Sourced from here, one job each: lab_servers.sh (the real servers: start,
# stop, faults, their logs), lab_capture.sh (tcpdump in a namespace),
# lab_harness.sh (the ok / not ok test harness), lab_cluster.sh (the
# cluster lab: a BIRD router, three Sluice nodes with BIRD; issue 16).
#
# Calls: ip, ethtool, sysctl (in namespaces), /usr/bin/python3, curl,
# tcpdump, build/sluice, build/sluicectl.

LAB_ROOT=${LAB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
LAB_PREFIX=${LAB_PREFIX:-sl}
LAB_PY=${LAB_PY:-/usr/bin/python3}
SLUICE=${SLUICE:-$LAB_ROOT/build/sluice}
SLUICECTL=${SLUICECTL:-$LAB_ROOT/build/sluicectl}
LAB_BASE_CONFIG=${LAB_BASE_CONFIG:-$LAB_ROOT/conf/lab.json}
LAB_RUN_BASE=${LAB_RUN_BASE:-/run/sluice-lab}
LAB_RUN=${LAB_RUN:-$LAB_RUN_BASE/$LAB_PREFIX}
LAB_TOOL=$LAB_ROOT/scripts/lab_tool.py
# The role whose namespace runs sluice (lab_sluice_start): lb here, gw in
# the NAT-gateway lab.
LAB_SLUICE_ROLE=${LAB_SLUICE_ROLE:-lb}

# Fixed addresses of the lab.
LAB_CLI_IP=198.18.0.1
LAB_WAN_IP=198.18.0.2
LAB_LAN_IP=198.18.1.2
LAB_LIP=198.18.1.3
LAB_VIP=${LAB_VIP:-198.18.0.100}
LAB_HC_IP=198.18.1.250   # P-lb's kernel address for health checks (--hc)
LAB_HTTP_PORT=8080
LAB_UDP_PORT=5353

# From this file's own directory (LAB_ROOT may point at another tree's
# binaries).
# shellcheck source=scripts/lab_servers.sh
. "$(dirname "${BASH_SOURCE[0]}")/lab_servers.sh"
# shellcheck source=scripts/lab_capture.sh
. "$(dirname "${BASH_SOURCE[0]}")/lab_capture.sh"
# shellcheck source=scripts/lab_harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/lab_harness.sh"
# shellcheck source=scripts/lab_cluster.sh
. "$(dirname "${BASH_SOURCE[0]}")/lab_cluster.sh"

lab_log() { echo "[lab:$LAB_PREFIX] $*" >&2; }
lab_die() { lab_log "error: $*"; return 1; }

# Re-derive per-prefix paths after LAB_PREFIX changed.
lab_set_prefix() {
  LAB_PREFIX=$1
  LAB_RUN=$LAB_RUN_BASE/$LAB_PREFIX
}

lab_ns() { echo "$LAB_PREFIX-$1"; }
lab_rs_ip() { echo "198.18.1.$((10 + $1))"; }
lab_exec() { local role=$1; shift; ip netns exec "$(lab_ns "$role")" "$@"; }

# Our namespaces that exist now: P-cli, P-lb, P-sw, P-rsN, and those of the
# NAT-gateway lab (scripts/lab_snat_lib.sh): P-gw, P-isw, P-out, P-inN;
# nothing else.
lab_namespaces() {
  local p=$LAB_PREFIX name
  ip netns list 2>/dev/null | while read -r name _; do
    case $name in
      "$p-cli" | "$p-lb" | "$p-sw" | "$p-gw" | "$p-isw" | "$p-out" | "$p-alt") echo "$name" ;;
      "$p-rt") echo "$name" ;;
      "$p"-n[0-9]) echo "$name" ;;
      "$p"-rs*) [[ ${name#"$p"-rs} =~ ^[0-9]+$ ]] && echo "$name" ;;
      "$p"-in*) [[ ${name#"$p"-in} =~ ^[0-9]+$ ]] && echo "$name" ;;
    esac
  done
}

# True when PID exists and is not a zombie.
lab_pid_alive() {
  local pid=$1 st
  [ -r "/proc/$pid/stat" ] || return 1
  st=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$st" != "Z" ] && [ -n "$st" ]
}

# lab_kill_tree PID: TERM PID and every process below it (by pid, read
# from /proc), children first: a background client loop started with
# `lab_curl_loop ... &` is a subshell whose children outlive it.
lab_kill_tree() {
  local pid=$1 c
  for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
    lab_kill_tree "$c"
  done
  kill -TERM "$pid" 2>/dev/null || true
}

# lab_close_fds: close every descriptor above 2 this (sub)shell holds.
# What a test inherits stays out of what it starts: above all the e2e
# lock (`flock /tmp/sluice-e2e.lock bash test_X.sh` passes its descriptor
# to the test): a lab server that outlived its test and held it would
# keep the next locked test waiting for ever. Not every process a test
# starts goes through here (BIRD daemonizes, tcpdump, prometheus), so
# take the lock with `flock -o` (the lock stays with flock itself, no
# child inherits it): `flock -o /tmp/sluice-e2e.lock bash test_X.sh`.
lab_close_fds() {
  local f fd
  for f in /proc/"$BASHPID"/fd/*; do
    fd=${f##*/}
    # The glob's own directory descriptor is closed already: harmless.
    if [ "$fd" -gt 2 ]; then exec {fd}>&-; fi
  done
}

# lab_spawn CMD...: only as `lab_spawn CMD... [redirections] &`: the
# background subshell closes what it inherited above 2 (lab_close_fds),
# then becomes CMD, so $! is CMD's own pid.
lab_spawn() {
  if [ "$BASHPID" = "$$" ]; then
    lab_die "lab_spawn $1: only in the background (it replaces the shell)"
    return 1
  fi
  lab_close_fds
  exec "$@"
}

# lab_kill_pids SECONDS PID...: TERM, wait up to SECONDS, then KILL.
lab_kill_pids() {
  local secs=$1 pid i left
  shift
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  for (( i = 0; i < secs * 10; i++ )); do
    left=0
    for pid in "$@"; do lab_pid_alive "$pid" && left=1; done
    [ $left -eq 0 ] && return 0
    sleep 0.1
  done
  for pid in "$@"; do
    if lab_pid_alive "$pid"; then
      lab_log "pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80)) ignored SIGTERM for ${secs}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

# Remove everything of this prefix: processes in its namespaces, the
# namespaces (their veths go with them), the run directory. Idempotent.
lab_down() {
  local nss ns pids=()
  mapfile -t nss < <(lab_namespaces)
  # P-host: where a test put a port's exception tap (test_exception.sh).
  if ip netns list 2>/dev/null | grep -q "^$LAB_PREFIX-host\b"; then
    nss+=("$LAB_PREFIX-host")
  fi
  for ns in "${nss[@]}"; do
    mapfile -t -O "${#pids[@]}" pids < <(ip netns pids "$ns" 2>/dev/null)
  done
  if [ ${#pids[@]} -gt 0 ]; then
    lab_kill_pids 5 "${pids[@]}"
  fi
  for ns in "${nss[@]}"; do
    ip netns del "$ns" 2>/dev/null || lab_log "warning: could not delete netns $ns"
  done
  if [ -d "$LAB_RUN" ]; then
    # What a killed test left mounted in its run directory (a hugetlbfs:
    # test_service_huge) and the hugepage pool size it changed, written
    # in $LAB_RUN/hugepages.restore as "FILE VALUE" (lab_hugepages_note).
    findmnt -rno TARGET 2>/dev/null | { grep "^$LAB_RUN/" || true; } | sort -r |
      while read -r m; do umount -l "$m" || lab_log "warning: could not unmount $m"; done
    if [ -f "$LAB_RUN/hugepages.restore" ]; then
      while read -r f v; do echo "$v" >"$f" 2>/dev/null ||
        lab_log "warning: could not restore $f to $v"; done <"$LAB_RUN/hugepages.restore"
    fi
    rm -rf "${LAB_RUN:?}" || lab_log "warning: could not remove $LAB_RUN"
  fi
  rm -rf "/var/run/dpdk/sl-lab-$LAB_PREFIX" "/var/run/dpdk/sl-lab-$LAB_PREFIX-"*
  return 0
}

# lab_hugepages_note FILE VALUE: lab_down writes VALUE back to FILE (a
# hugepage pool size a test changed), even after a killed test.
lab_hugepages_note() { mkdir -p "$LAB_RUN" && echo "$1 $2" >>"$LAB_RUN/hugepages.restore"; }

lab__offload_off() {
  # The kernel leaves veth TX checksums to offload; af_packet would then see
  # unfinished checksums (DESIGN.md, Test lab). ethtool prints what changed.
  ip netns exec "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 \
    || lab_die "ethtool -K $2 in $1 failed"
}

lab__sysctl() { ip netns exec "$1" sysctl -qw "${@:2}" >/dev/null; }

# lab_up [--servers N] [--queues Q] [--no-apps] [--ipv6] [--hc]
#   --queues Q   RX/TX queues of wan0/lan0 (and peers); 1 by default
#   --no-apps    do not start the HTTP/UDP servers
#   --ipv6       keep IPv6 on in P-cli and P-rsI (P-lb and P-sw never have it)
#   --hc         a health-check path: veth hc0 in P-lb with the kernel address
#                $LAB_HC_IP/24, into the servers' bridge (lab_hc_add)
lab_up() {
  local servers=2 queues=1 apps=1 ipv6=0 hc=0 i ns
  while [ $# -gt 0 ]; do
    case $1 in
      --servers) servers=$2; shift 2 ;;
      --queues) queues=$2; shift 2 ;;
      --no-apps) apps=0; shift ;;
      --ipv6) ipv6=1; shift ;;
      --hc) hc=1; shift ;;
      *) lab_die "lab_up: unknown option $1"; return 1 ;;
    esac
  done
  if ! [[ $servers =~ ^[1-8]$ ]]; then
    lab_die "--servers must be 1..8"
    return 1
  fi
  [ "$(id -u)" -eq 0 ] || { lab_die "the lab needs root (network namespaces)"; return 1; }

  lab_down
  mkdir -p "$LAB_RUN/files"
  echo "$servers" >"$LAB_RUN/servers"

  local cli lb sw
  cli=$(lab_ns cli) lb=$(lab_ns lb) sw=$(lab_ns sw)
  local all=("$cli" "$lb" "$sw")
  for (( i = 1; i <= servers; i++ )); do all+=("$(lab_ns "rs$i")"); done

  for ns in "${all[@]}"; do
    ip netns add "$ns" || { lab_die "ip netns add $ns failed"; return 1; }
    ip -n "$ns" link set lo up
    if [ "$ns" = "$lb" ] || [ "$ns" = "$sw" ] || [ $ipv6 -eq 0 ]; then
      lab__sysctl "$ns" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    fi
  done

  local q=(numrxqueues "$queues" numtxqueues "$queues")
  ip link add cli0 netns "$cli" "${q[@]}" address 02:00:00:00:00:01 type veth \
    peer name wan0 netns "$lb" "${q[@]}" address 02:00:00:00:00:02
  ip link add lan0 netns "$lb" "${q[@]}" address 02:00:00:00:01:02 type veth \
    peer name sw-lb netns "$sw" "${q[@]}"
  ip -n "$sw" link add br0 type bridge forward_delay 0 stp_state 0
  ip -n "$sw" link set sw-lb master br0
  for (( i = 1; i <= servers; i++ )); do
    ip link add eth0 netns "$(lab_ns "rs$i")" address "$(printf '02:00:00:00:01:%02x' $((10 + i)))" \
      type veth peer name "sw-rs$i" netns "$sw"
    ip -n "$sw" link set "sw-rs$i" master br0
  done

  lab__offload_off "$cli" cli0
  lab__offload_off "$lb" wan0
  lab__offload_off "$lb" lan0
  lab__offload_off "$sw" sw-lb
  for (( i = 1; i <= servers; i++ )); do
    lab__offload_off "$sw" "sw-rs$i"
    lab__offload_off "$(lab_ns "rs$i")" eth0
  done

  ip -n "$cli" addr add "$LAB_CLI_IP/24" dev cli0
  ip -n "$cli" link set cli0 up
  ip -n "$lb" link set wan0 up
  ip -n "$lb" link set lan0 up
  ip -n "$sw" link set br0 up
  ip -n "$sw" link set sw-lb up
  for (( i = 1; i <= servers; i++ )); do
    ip -n "$sw" link set "sw-rs$i" up
    ip -n "$(lab_ns "rs$i")" addr add "$(lab_rs_ip "$i")/24" dev eth0
    ip -n "$(lab_ns "rs$i")" link set eth0 up
  done

  lab_wait_until 5 "lab links up" lab__links_up || return 1
  if [ $hc -eq 1 ]; then
    lab_hc_add || return 1
  fi
  if [ $apps -eq 1 ]; then
    lab_servers_start || return 1
  fi
  lab_log "up: $servers server(s); run dir $LAB_RUN"
}

lab__links_up() {
  local i
  ip -n "$(lab_ns lb)" -o link show wan0 | grep -q 'state UP' || return 1
  ip -n "$(lab_ns lb)" -o link show lan0 | grep -q 'state UP' || return 1
  for (( i = 1; i <= $(lab_servers); i++ )); do
    ip -n "$(lab_ns "rs$i")" -o link show eth0 | grep -q 'state UP' || return 1
  done
}

# lab_hc_add: give P-lb's kernel a path of its own to the servers, for
# Sluice's health checks (they run on the host's kernel stack, and the
# ports Sluice drives have no kernel address): veth hc0 ($LAB_HC_IP/24,
# MAC 02:00:00:00:01:fa) in P-lb, its peer sw-hc in P-sw's bridge. The
# kernel then answers ARP only on the interface that holds the address
# (arp_ignore=1), so it never answers for it through lan0, Sluice's port.
# Configs name the source: lab_make_config 'c["health"] = {"source": ...}'.
lab_hc_add() {
  local lb sw
  lb=$(lab_ns lb) sw=$(lab_ns sw)
  lab__sysctl "$lb" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
    || { lab_die "sysctl arp_ignore in $lb failed"; return 1; }
  ip link add hc0 netns "$lb" address 02:00:00:00:01:fa type veth peer name sw-hc netns "$sw" \
    || { lab_die "ip link add hc0 failed"; return 1; }
  ip -n "$sw" link set sw-hc master br0
  lab__offload_off "$lb" hc0
  lab__offload_off "$sw" sw-hc
  ip -n "$lb" addr add "$LAB_HC_IP/24" dev hc0
  ip -n "$lb" link set hc0 up
  ip -n "$sw" link set sw-hc up
  lab_wait_until 5 "hc0 up" lab__hc_up
}

lab__hc_up() { ip -n "$(lab_ns lb)" -o link show hc0 | grep -q 'state UP'; }

# lab_cli_addrs FIRST COUNT: give the client 198.18.0.FIRST .. FIRST+COUNT-1
# as well (many client addresses: source hashing, persistence).
lab_cli_addrs() {
  local i
  for (( i = $1; i < $1 + $2; i++ )); do
    echo "addr add 198.18.0.$i/24 dev cli0"
  done | ip -n "$(lab_ns cli)" -batch -
}

# lab_wait_until SECONDS DESCRIPTION CMD...: poll CMD every 0.2s.
lab_wait_until() {
  local secs=$1 desc=$2 i
  shift 2
  for (( i = 0; i < secs * 5; i++ )); do
    if "$@"; then return 0; fi
    sleep 0.2
  done
  lab_log "timed out after ${secs}s waiting for: $desc"
  return 1
}

# MAC of interface IF in namespace ROLE.
lab_mac() {
  ip -n "$(lab_ns "$1")" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# ---------------------------------------------------------------- configs

# lab_make_config [PYTHON_STATEMENT...]: write a config derived from
# conf/lab.json with this prefix's own control socket and EAL file prefix,
# then each statement applied to the dict `c`; prints the file's path.
#   lab_make_config 'c["local_port_range"] = {"min": 20000, "max": 20039}'
lab_make_config() {
  mkdir -p "$LAB_RUN"
  local out
  out=$(mktemp --suffix=.json "$LAB_RUN/config.XXXXXX")
  "$LAB_PY" - "$LAB_BASE_CONFIG" "$out" "$LAB_RUN/sluice.sock" "sl-lab-$LAB_PREFIX" "$@" <<'EOF' || return 1
import json, sys
base, out, sock, fprefix = sys.argv[1:5]
c = json.load(open(base))
c.setdefault("control", {})["socket"] = sock
eal = c.get("eal", [])
if "--file-prefix" in eal:
    eal[eal.index("--file-prefix") + 1] = fprefix
else:
    eal += ["--file-prefix", fprefix]
c["eal"] = eal
for stmt in sys.argv[5:]:
    exec(stmt, {}, {"c": c})
json.dump(c, open(out, "w"), indent=2)
EOF
  echo "$out"
}

lab_config_socket() {
  "$LAB_PY" -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c.get("control",{}).get("socket","/run/sluice/sluice.sock"))' "$1"
}

# ---------------------------------------------------------------- sluice

# sluicectl against the running lab's socket, bounded in time.
slctl() {
  timeout 15 "$SLUICECTL" -s "${LAB_SOCK:?no sluice started (LAB_SOCK unset)}" "$@"
}

lab_require_binaries() {
  local b missing=0
  for b in "$SLUICE" "$SLUICECTL"; do
    if [ ! -x "$b" ]; then
      lab_log "missing $b (run make in $LAB_ROOT)"
      missing=1
    fi
  done
  return $missing
}

# lab_sluice_start [CONFIG]: run sluice in P-$LAB_SLUICE_ROLE (P-lb) in the background (log in
# $LAB_RUN/sluice.log), wait up to 20s until `sluicectl stats` answers.
# Sets LAB_SLUICE_PID, LAB_SOCK, LAB_SLUICE_LOG, LAB_CONFIG.
lab_sluice_start() {
  LAB_CONFIG=${1:-${LAB_CONFIG:-$LAB_BASE_CONFIG}}
  lab_require_binaries || return 1
  LAB_SOCK=$(lab_config_socket "$LAB_CONFIG") || return 1
  LAB_SLUICE_LOG=$LAB_RUN/sluice.log
  mkdir -p "$LAB_RUN" "$(dirname "$LAB_SOCK")"
  if [ -S "$LAB_SOCK" ] && timeout 5 "$SLUICECTL" -s "$LAB_SOCK" stats >/dev/null 2>&1; then
    lab_die "a sluice already answers on $LAB_SOCK; stop it first"
    return 1
  fi
  {
    echo "=== $(date '+%F %T') sluice -c $LAB_CONFIG (netns $(lab_ns "$LAB_SLUICE_ROLE"))"
  } >>"$LAB_SLUICE_LOG"
  lab_spawn ip netns exec "$(lab_ns "$LAB_SLUICE_ROLE")" "$SLUICE" -c "$LAB_CONFIG" </dev/null >>"$LAB_SLUICE_LOG" 2>&1 &
  LAB_SLUICE_PID=$!
  printf 'LAB_SOCK=%q\nLAB_SLUICE_PID=%q\nLAB_CONFIG=%q\n' "$LAB_SOCK" "$LAB_SLUICE_PID" "$LAB_CONFIG" \
    >"$LAB_RUN/sluice.env"
  local i
  for (( i = 0; i < 100; i++ )); do
    if ! lab_pid_alive "$LAB_SLUICE_PID"; then
      local st=0
      wait "$LAB_SLUICE_PID" 2>/dev/null || st=$?
      lab_log "sluice exited during start-up (status $st); last lines of $LAB_SLUICE_LOG:"
      tail -n 30 "$LAB_SLUICE_LOG" >&2
      LAB_SLUICE_PID=
      return 1
    fi
    if timeout 5 "$SLUICECTL" -s "$LAB_SOCK" stats >/dev/null 2>&1; then
      lab_log "sluice pid $LAB_SLUICE_PID answers on $LAB_SOCK after $((i * 200)) ms"
      return 0
    fi
    sleep 0.2
  done
  lab_log "sluice (pid $LAB_SLUICE_PID) did not answer on $LAB_SOCK within 20s; last lines of $LAB_SLUICE_LOG:"
  tail -n 30 "$LAB_SLUICE_LOG" >&2
  return 1
}

# lab_lock_name IFACE: the name sluice locks IFACE under in P-$LAB_SLUICE_ROLE
# (ctrl/daemon/instance.h: outside pid 1's network namespace an interface
# name carries its namespace's inode); its file is /run/sluice/NAME.lock.
lab_lock_name() {
  echo "$1@net$(ip netns exec "$(lab_ns "$LAB_SLUICE_ROLE")" stat -L -c %i /proc/self/ns/net)"
}

# Load LAB_SOCK/LAB_SLUICE_PID saved by lab_sluice_start (another shell).
lab_sluice_env() {
  # shellcheck disable=SC1091
  [ -r "$LAB_RUN/sluice.env" ] && . "$LAB_RUN/sluice.env"
}

# lab_sluice_stop: SIGTERM, wait up to 10s, then SIGKILL. Returns 0 when
# sluice exited by itself with status 0 (status known only for a child of
# this shell); sets LAB_SLUICE_STATUS.
lab_sluice_stop() {
  local pid=${LAB_SLUICE_PID:-} own=1 i
  LAB_SLUICE_STATUS=
  if [ -z "$pid" ]; then
    own=0
    pid=$(sed -n 's/^LAB_SLUICE_PID=//p' "$LAB_RUN/sluice.env" 2>/dev/null)
  fi
  [ -n "$pid" ] || { lab_log "no sluice to stop"; return 0; }
  if ! lab_pid_alive "$pid"; then
    lab_log "sluice pid $pid had already exited"
    if [ $own -eq 1 ]; then
      LAB_SLUICE_STATUS=0
      wait "$pid" 2>/dev/null || LAB_SLUICE_STATUS=$?
    fi
    LAB_SLUICE_PID=
    return 1
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for (( i = 0; i < 100; i++ )); do
    lab_pid_alive "$pid" || break
    sleep 0.1
  done
  local rc=0
  if lab_pid_alive "$pid"; then
    lab_log "sluice pid $pid did not stop within 10s of SIGTERM: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    rc=1
  fi
  if [ $own -eq 1 ]; then
    LAB_SLUICE_STATUS=0
    wait "$pid" 2>/dev/null || LAB_SLUICE_STATUS=$?
    if [ $rc -eq 0 ] && [ "$LAB_SLUICE_STATUS" != 0 ]; then
      lab_log "sluice exited with status $LAB_SLUICE_STATUS after SIGTERM"
      rc=1
    fi
  fi
  LAB_SLUICE_PID=
  rm -f "$LAB_RUN/sluice.env"
  return $rc
}

# ---------------------------------------------------------------- JSON, stats

# lab_jget EXPR: evaluate EXPR over the JSON on stdin, bound to r (an
# {"ok":..,"result":..} answer is unwrapped first).
lab_jget() { "$LAB_PY" "$LAB_TOOL" json-get "$1"; }

lab_stats() { slctl --json stats; }

# lab_stat_sum FIELD: FIELD summed over result.workers[] (falls back to
# result.totals.FIELD when there is no per-worker value).
lab_stat_sum() {
  lab_stats | lab_jget "sum(w.get('$1', 0) for w in r.get('workers', [])) or r.get('totals', {}).get('$1', 0)"
}
lab_total() { lab_stats | lab_jget "r['totals']['$1']"; }
lab_drop() { lab_stats | lab_jget "r['drops'].get('$1', 0)"; }

# lab_conns [conn list args...]: the connections array as JSON.
lab_conns() { slctl --json conn list --limit 10000 "$@" | lab_jget "r['connections']"; }

# ---------------------------------------------------------------- clients

# lab_curl_loop COUNT URL [GAP [curl args...]]: sequential curls from P-cli,
# one line per request (see scripts/lab_curl_loop.sh).
lab_curl_loop() {
  lab_exec cli bash "$LAB_ROOT/scripts/lab_curl_loop.sh" "$@"
}

# lab_curl ARGS...: one curl from P-cli, bounded, Connection: close.
lab_curl() {
  lab_exec cli curl -sS --max-time "${CURL_MAX_TIME:-10}" --connect-timeout 4 -H 'Connection: close' "$@"
}

lab_tally() { "$LAB_PY" "$LAB_TOOL" tally "$1"; }

lab_ping() { lab_exec cli "$LAB_PY" "$LAB_TOOL" ping "$@"; }

lab_py_cli() { lab_exec cli "$LAB_PY" "$LAB_TOOL" "$@"; }

# lab_driver_begin NAME DRIVER: lab_test_begin for a scenario that runs
# on either port driver: af_packet as NAME, af_xdp as NAME_af_xdp (both
# ports on net_af_xdp, lab_drivers.sh, one queue a side: veth has one,
# DESIGN.md). Sets LAB_DRIVER_UP (lab_std_start options) and
# LAB_DRIVER_CFG (config statements) for lab_std_start.
lab_driver_begin() {
  local name=$1 driver=$2
  LAB_DRIVER_UP=() LAB_DRIVER_CFG=()
  case $driver in
    af_packet) lab_test_begin "$name" ;;
    af_xdp)
      # shellcheck source=scripts/lab_drivers.sh
      . "$LAB_ROOT/scripts/lab_drivers.sh"
      mapfile -t LAB_DRIVER_CFG < <(lab_cfg_af_xdp)
      LAB_DRIVER_UP=(--queues 1)
      lab_test_begin "${name}_af_xdp" ;;
    *) echo "$name: unknown driver $driver" >&2; exit 2 ;;
  esac
}

# lab_udp6_hello HOST PORT: four UDP datagrams "hello0".."hello3" from
# P-cli to [HOST]:PORT over IPv6, one at a time; prints each answer
# ("timeout" for none, "from ADDR" for one whose source is not HOST).
lab_udp6_hello() {
  lab_exec cli "$LAB_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(2)
got = []
for i in range(4):
    s.sendto(b"hello%d" % i, (sys.argv[1], int(sys.argv[2])))
    try:
        d, a = s.recvfrom(2048)
        got.append(d.decode() if a[0] == sys.argv[1] else "from " + a[0])
    except OSError:
        got.append("timeout")
print(" ".join(got))
' "$1" "$2" 2>&1
}

# lab_vip_setup VIP:PORT SCHED [--proto P] RS:PORT:WEIGHT...: vip add + rs adds.
lab_vip_setup() {
  local vip=$1 sched=$2 proto=tcp rs
  shift 2
  if [ "${1:-}" = "--proto" ]; then proto=$2; shift 2; fi
  slctl vip add "$vip" --proto "$proto" --sched "$sched" >/dev/null || { lab_log "vip add $vip failed"; return 1; }
  for rs in "$@"; do
    slctl rs add "$vip" "${rs%:*}" --proto "$proto" --weight "${rs##*:}" >/dev/null \
      || { lab_log "rs add $vip ${rs%:*} failed"; return 1; }
  done
}

# lab_share_ok COUNT TOTAL WANT TOL: true when |COUNT/TOTAL - WANT| <= TOL.
lab_share_ok() {
  "$LAB_PY" -c 'import sys; c,t,w,tol=map(float,sys.argv[1:]); sys.exit(0 if t>0 and abs(c/t-w)<=tol else 1)' "$@"
}
