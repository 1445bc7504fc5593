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
#   lab_capture_lost "$T/rs1.pcap"
#
# Calls: tcpdump (in the namespace; scripts/deps.sh installs it).
#
# tcpdump's messages reach FILE.err through a pipe (cat), never a file it
# opens itself: Debian's and Ubuntu's AppArmor profile for /usr/bin/tcpdump
# lets it write only *.pcap files (and /tmp, $HOME), and revalidates the
# descriptors it inherits, so a stderr redirected to FILE.err would be
# swapped for nothing there; pipes and /dev/null it may use.

# lab_capture_start ROLE IFACE FILE FILTER: capture what arrives on IFACE
# in P-ROLE (inbound only; headers only, 128 bytes; not promiscuous) and
# matches the pcap FILTER into FILE, in the background; returns once
# tcpdump listens (5 s at most). Its pid goes to FILE.pid, its messages
# to FILE.err. --immediate-mode: each packet is handed over as it comes;
# without it, libpcap's TPACKET_V3 ring holds up to a block (1 s) that
# SIGINT loses without counting it as dropped. Frames from IFACE's own
# MAC are filtered out in the kernel: -Q in drops them only after the
# kernel counted them "received by filter" (lab_capture_lost compares
# that with "captured"); pcap's "inbound" would do it, but libpcap runs
# the filter in userland on the first frames, where "inbound" never
# matches (the first packet went missing).
lab_capture_start() {
  local role=$1 ifc=$2 file=$3 filter=$4 mac
  command -v tcpdump >/dev/null || { lab_die "tcpdump is not installed (scripts/deps.sh)"; return 1; }
  # IFACE "any": every interface's inbound frames (a router's forwarded
  # ones, once per device they cross), no MAC to leave out.
  if [ "$ifc" != any ]; then
    mac=$(lab_mac "$role" "$ifc")
    [ -n "$mac" ] || { lab_die "no MAC for $ifc in $(lab_ns "$role")"; return 1; }
    filter="not ether src $mac and ($filter)"
  fi
  rm -f "$file" "$file.err" "$file.pid"
  # Not through lab_exec: a function in the background is a subshell, and
  # $! would be its pid, not tcpdump's (ip netns exec execs it; the cat of
  # the process substitution is forked before, and ends at tcpdump's EOF).
  ip netns exec "$(lab_ns "$role")" tcpdump -i "$ifc" -p -Q in -n -s 128 -B 8192 \
    --immediate-mode -U -Z root -w "$file" "$filter" \
    </dev/null >/dev/null 2> >(cat >"$file.err") &
  echo $! >"$file.pid"
  lab_wait_until 5 "tcpdump listening on $ifc in $(lab_ns "$role")" \
    grep -qs "listening on" "$file.err" || { cat "$file.err" >&2; return 1; }
}

# lab_capture_stop FILE: stop the capture into FILE (SIGINT: tcpdump writes
# what it holds and its counts); SIGKILL after 5 s. The 0.3 s before lets
# packets already sent reach the capture.
lab_capture_stop() {
  local pid i
  pid=$(cat "$1.pid" 2>/dev/null) || { lab_die "no capture into $1"; return 1; }
  sleep 0.3
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
  # The counts pass through cat (lab_capture_start): wait for the last one.
  lab_wait_until 2 "tcpdump's counts in $1.err" grep -q "dropped by kernel" "$1.err" || true
}

# lab_capture_count FILE [FILTER]: packets in FILE (matching FILTER); "?"
# (and tcpdump's error on stderr) when tcpdump cannot read FILE.
lab_capture_count() {
  local n
  # PIPESTATUS: tcpdump's status, with or without pipefail.
  if n=$(lab__capture_read "$@" | wc -l; exit "${PIPESTATUS[0]}"); then echo "$n"; else echo "?"; fi
}

# lab_capture_lost FILE: packets the capture lost: dropped by the kernel,
# or passed by the filter but never written ("received by filter" minus
# "captured", from tcpdump's closing counts; "?" when it left none). A
# capture that lost some cannot vouch that nothing matched.
lab_capture_lost() {
  local c r d
  c=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$1.err")
  r=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter$/\1/p' "$1.err")
  d=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$1.err")
  echo "# capture $1: ${c:-?} captured, ${r:-?} received by filter, ${d:-?} dropped by kernel" >&2
  if [ -n "$c" ] && [ -n "$r" ] && [ -n "$d" ]; then echo $(( r - c + d )); else echo "?"; fi
}

# lab_capture_show FILE [FILTER] [COUNT]: the first COUNT (5) packets of
# FILE matching FILTER, one per line with a "# " in front (failure details).
lab_capture_show() {
  lab__capture_read "$1" "${2:-}" | head -n "${3:-5}" | sed 's/^/# /'
}

# lab__capture_read FILE [FILTER]: FILE's packets as text; tcpdump's
# errors go to stderr (its "reading from file" notice does not).
lab__capture_read() {
  tcpdump -r "$1" -n ${2:+"$2"} 2> >(grep -v '^reading from file ' >&2 || true)
}
