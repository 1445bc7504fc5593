# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The lab's real servers (sourced by scripts/lab_lib.sh; source that one,
# not this file): scripts/lab_server.py in each P-rsI, HTTP :8080 and UDP
# :5353, started, stopped, given faults, and what each logged
# ($LAB_RUN/rsI.log, one line per request with the peer address).

lab_servers() { cat "$LAB_RUN/servers" 2>/dev/null || echo 0; }

# Start lab_server.py in every P-rsI; wait (bounded) until each listens.
lab_servers_start() {
  local n i ns
  n=$(lab_servers)
  for (( i = 1; i <= n; i++ )); do
    lab__server_spawn "$i"
  done
  for (( i = 1; i <= n; i++ )); do
    ns=$(lab_ns "rs$i")
    lab_wait_until 10 "rs$i listening" \
      lab__listening "$ns" || { cat "$LAB_RUN/rs$i.err" >&2; return 1; }
  done
}

lab__server_spawn() {
  local i=$1
  # lab_spawn: the server never holds what the test inherited (the e2e lock).
  lab_spawn ip netns exec "$(lab_ns "rs$i")" "$LAB_PY" "$LAB_ROOT/scripts/lab_server.py" --name "rs$i" \
    --http-port "$LAB_HTTP_PORT" --udp-port "$LAB_UDP_PORT" \
    --files "$LAB_RUN/files" --log "$LAB_RUN/rs$i.log" --faults "$LAB_RUN/rs$i.faults" \
    </dev/null >>"$LAB_RUN/rs$i.err" 2>&1 &
  echo $! >"$LAB_RUN/rs$i.pid"
}

# lab_server_stop I: stop rsI's server process (its namespace stays up,
# so connections to it are refused: a dead service on a live host).
lab_server_stop() {
  local pid
  pid=$(cat "$LAB_RUN/rs$1.pid" 2>/dev/null) || { lab_die "no pid for rs$1"; return 1; }
  lab_kill_pids 5 "$pid"
  lab_wait_until 5 "rs$1 stopped listening" lab__not_listening "$(lab_ns "rs$1")"
}

# lab_server_fault I [FAULT...]: give rsI's running server these faults
# (none: clear them), read by it on each request: health-500 (GET /health
# answers 500), udp-mute (UDP datagrams are logged, never answered). The
# process and its other answers stay: a sick service, not a dead one.
lab_server_fault() {
  local i=$1 w
  shift
  for w in "$@"; do
    case $w in
      health-500 | udp-mute) ;;
      *) lab_die "lab_server_fault: unknown fault '$w' (health-500, udp-mute)"; return 1 ;;
    esac
  done
  echo "$*" >"$LAB_RUN/rs$i.faults.tmp" && mv -f "$LAB_RUN/rs$i.faults.tmp" "$LAB_RUN/rs$i.faults"
}

# lab_server_start I: start rsI's server again; wait until it listens.
lab_server_start() {
  lab__server_spawn "$1"
  lab_wait_until 10 "rs$1 listening" lab__listening "$(lab_ns "rs$1")"
}

lab__not_listening() { ! lab__listening "$1"; }

lab__listening() {
  [ -n "$(ip netns exec "$1" ss -Hltn "sport = :$LAB_HTTP_PORT" 2>/dev/null)" ] &&
    [ -n "$(ip netns exec "$1" ss -Hlun "sport = :$LAB_UDP_PORT" 2>/dev/null)" ]
}

# Forget what the servers logged so far (between test phases).
lab_servers_clear_logs() {
  local i
  for (( i = 1; i <= $(lab_servers); i++ )); do : >"$LAB_RUN/rs$i.log"; done
}

# lab_server_log I: path of rsI's request log.
lab_server_log() { echo "$LAB_RUN/rs$1.log"; }

# lab_served I [KIND]: requests rsI logged (KIND tcp or udp; default tcp).
lab_served() {
  local f
  f=$(lab_server_log "$1")
  [ -f "$f" ] || { echo 0; return; }
  awk -v k="${2:-tcp}" '$2 == k' "$f" | wc -l
}

# lab_served_not_from I IP [KIND]: requests rsI logged from a peer other than IP.
lab_served_not_from() {
  local f
  f=$(lab_server_log "$1")
  [ -f "$f" ] || { echo 0; return; }
  awk -v k="${3:-tcp}" -v ip="$2" '$2 == k && $3 != ip' "$f" | wc -l
}

# lab_served_from I IP [KIND]: requests rsI logged from peer IP.
lab_served_from() {
  local f
  f=$(lab_server_log "$1")
  [ -f "$f" ] || { echo 0; return; }
  awk -v k="${3:-tcp}" -v ip="$2" '$2 == k && $3 == ip' "$f" | wc -l
}
