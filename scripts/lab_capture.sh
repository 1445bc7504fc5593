# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Packet captures in the lab's namespaces (sourced by scripts/lab_lib.sh;
# source that one, not this file): what reached a host, seen by its own
# kernel, for checks its applications cannot make (a SYN that no server
# answered leaves no request in a server's log).
#
#   lab_capture_start rs1 eth0 "$T/rs1.pcap" 'tcp and dst host 198.18.0.100'
#   ... traffic ...
#   lab_capture_stop "$T/rs1.pcap"
#   lab_capture_count "$T/rs1.pcap" 'tcp[tcpflags] & tcp-syn != 0'
#   lab_capture_dropped "$T/rs1.pcap"
#
# Calls: tcpdump (in the namespace; scripts/deps.sh installs it).

# lab_capture_start ROLE IFACE FILE FILTER: capture what arrives on IFACE
# in P-ROLE (inbound only; headers only, 128 bytes) and matches the pcap
# FILTER into FILE, in the background; returns once tcpdump listens (5 s
# at most). Its pid goes to FILE.pid, its messages to FILE.err.
lab_capture_start() {
  local role=$1 ifc=$2 file=$3 filter=$4
  rm -f "$file" "$file.err" "$file.pid"
  # Not through lab_exec: a function in the background is a subshell, and
  # $! would be its pid, not tcpdump's (ip netns exec execs it).
  ip netns exec "$(lab_ns "$role")" tcpdump -i "$ifc" -Q in -n -s 128 -B 8192 -U -Z root \
    -w "$file" "$filter" </dev/null 2>"$file.err" &
  echo $! >"$file.pid"
  lab_wait_until 5 "tcpdump listening on $ifc in $(lab_ns "$role")" \
    grep -q "listening on" "$file.err" || { cat "$file.err" >&2; return 1; }
}

# lab_capture_stop FILE: stop the capture into FILE (SIGINT: tcpdump writes
# what it holds and its counts); SIGKILL after 5 s.
lab_capture_stop() {
  local pid i
  pid=$(cat "$1.pid" 2>/dev/null) || { lab_die "no capture into $1"; return 1; }
  kill -INT "$pid" 2>/dev/null || true
  for (( i = 0; i < 50; i++ )); do
    lab_pid_alive "$pid" || break
    sleep 0.1
  done
  if lab_pid_alive "$pid"; then
    lab_log "tcpdump pid $pid ignored SIGINT for 5 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  rm -f "$1.pid"
}

# lab_capture_count FILE [FILTER]: packets in FILE (matching FILTER).
lab_capture_count() {
  tcpdump -r "$1" -n ${2:+"$2"} 2>/dev/null | wc -l
}

# lab_capture_dropped FILE: packets the kernel dropped before tcpdump read
# them (from its closing counts; "?" when it left none): a capture that
# dropped some cannot vouch that nothing matched.
lab_capture_dropped() {
  sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$1.err" | grep . || echo "?"
}

# lab_capture_show FILE [FILTER] [COUNT]: the first COUNT (5) packets of
# FILE matching FILTER, one per line with a "# " in front (failure details).
lab_capture_show() {
  tcpdump -r "$1" -n ${2:+"$2"} 2>/dev/null | head -n "${3:-5}" | sed 's/^/# /'
}
